import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum RouteEnum {
  AUTO_ACCEPT = 'AUTO_ACCEPT',
  SINGLE_REVIEW = 'SINGLE_REVIEW',
  CONSENSUS = 'CONSENSUS',
  EXPERT = 'EXPERT',
  DONE = 'DONE',
}
registerEnumType(RouteEnum, {
  name: 'Route',
  description:
    'Where an item goes next: AUTO_ACCEPT (confident model; a spot-check sample goes to people), SINGLE_REVIEW (one annotator), ' +
    'CONSENSUS (several), EXPERT (disagreement or a NOT_SURE review), DONE (settled by a REVIEW or by ≥ 2 agreeing votes).',
});

@ObjectType('ItemRoute', { description: "An item's route as the last route run left it." })
export class ItemRouteType {
  @Field(() => RouteEnum) route: RouteEnum;
  @Field({ description: 'An AUTO_ACCEPT item drawn for a human spot check.' }) spotCheck: boolean;
  @Field(() => Float, { nullable: true, description: "The latest model's top probability for the item (null: not predicted)." })
  confidence: number | null;
  @Field(() => Float, { nullable: true, description: 'The annotator agreement used (null: unknown, fewer than 2 votes).' })
  agreement: number | null;
  @Field(() => ID) runId: string;
  @Field() updatedAt: Date;
}

@ObjectType('RouteCount')
export class RouteCountType {
  @Field(() => RouteEnum) route: RouteEnum;
  @Field(() => Int) count: number;
}

@ObjectType('RouteCounts', { description: 'How many items are on each route, as the last route run left them.' })
export class RouteCountsType {
  @Field(() => ID) projectId: string;
  @Field(() => Int, { description: 'Items in the project.' }) items: number;
  @Field(() => Int, { description: 'Items with a route (items created since the last run have none yet).' }) routed: number;
  @Field(() => Int, { description: 'AUTO_ACCEPT items drawn for a spot check.' }) spotChecks: number;
  @Field(() => [RouteCountType], { description: 'Every route, zeros included.' }) counts: RouteCountType[];
  @Field(() => ID, { nullable: true, description: 'The route run that wrote them.' }) runId: string | null;
  @Field(() => Date, { nullable: true }) updatedAt: Date | null;
}
