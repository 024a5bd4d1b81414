import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('LabelStudioConnector', { description: 'A URL a Label Studio project connects to as its ML backend (Settings → Model → Connect Model).' })
export class LabelStudioConnectorType {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field(() => String, {
    nullable: true,
    description: 'The URL to paste into Label Studio, with its secret: shown only in the answer of createLabelStudioConnector (stored only as a hash), null elsewhere.',
  })
  url: string | null;
  @Field(() => String, { nullable: true, description: 'The `<Choices name>` (from_name) of the label config Label Studio sent to /setup; null before.' })
  fromName: string | null;
  @Field(() => String, { nullable: true, description: 'The object tag (to_name) those choices label; null before /setup.' })
  toName: string | null;
  @Field(() => String, { nullable: true, description: 'The task data key the object reads; null before /setup.' })
  dataKey: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
}
