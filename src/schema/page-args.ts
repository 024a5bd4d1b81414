import { ArgsType, Field, Int } from 'type-graphql';

/**
 * The arguments of a Relay connection: `first` rows (1..1000; the service checks the bound, after access) after the
 * row whose cursor is `after`.
 */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 50 })
  first!: number;

  @Field(() => String, { nullable: true })
  after!: string | null;
}
