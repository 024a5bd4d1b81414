import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('KindCount')
export class KindCountType {
  @Field() kind: string;
  @Field(() => Int) annotations: number;
}

@ObjectType('ClassStats')
export class ClassStatsType {
  @Field() label: string;
  @Field(() => Int, { description: 'Items whose current label is this class.' }) items: number;
  @Field(() => Int, { description: "Current HUMAN, GOLD and REVIEW annotations with this label (each annotator's latest per item)." }) annotations: number;
}

@ObjectType('AnnotatorStats')
export class AnnotatorStatsType {
  @Field() annotator: string;
  @Field() kind: string;
  @Field(() => Int) annotations: number;
  @Field(() => Int) items: number;
  @Field(() => Float, { nullable: true }) meanDurationMs: number | null;
  @Field(() => Date, { nullable: true }) lastAt: Date | null;
}

@ObjectType('DayStats')
export class DayStatsType {
  @Field({ description: 'UTC day, YYYY-MM-DD.' }) day: string;
  @Field(() => Int) annotations: number;
  @Field(() => Int) items: number;
}

@ObjectType('ProjectStats')
export class ProjectStatsType {
  @Field(() => Int) items: number;
  @Field(() => Int) labeledItems: number;
  @Field(() => Int) annotations: number;
  @Field(() => [KindCountType]) perKind: KindCountType[];
  @Field(() => [ClassStatsType]) perClass: ClassStatsType[];
  @Field(() => [AnnotatorStatsType]) perAnnotator: AnnotatorStatsType[];
  @Field(() => [DayStatsType]) perDay: DayStatsType[];
}
