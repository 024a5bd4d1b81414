import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum DriftKindEnum {
  EMBEDDING = 'EMBEDDING',
  PREDICTION = 'PREDICTION',
  LABEL = 'LABEL',
  ANNOTATOR = 'ANNOTATOR',
}
registerEnumType(DriftKindEnum, {
  name: 'DriftKind',
  description: "What is compared: item embeddings (MMD), the latest model's predictions, the items' labels, one annotator's label mix.",
});

export enum DriftVerdictEnum {
  OK = 'OK',
  WARN = 'WARN',
  DRIFT = 'DRIFT',
}
registerEnumType(DriftVerdictEnum, { name: 'DriftVerdict', description: "The statistic against the project's thresholds (settings.drift.thresholds)." });

@ObjectType('DriftReport', { description: 'One statistic of a drift run: the current window against the reference window.' })
export class DriftReportType {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field(() => ID, { description: 'The drift run (job run) that wrote it.' }) runId: string;
  @Field(() => DriftKindEnum) kind: DriftKindEnum;
  @Field(() => String, { nullable: true, description: 'For ANNOTATOR reports: whose label mix.' }) annotator: string | null;
  @Field({ description: 'mmd2, chi2, psi, js or psiConfidence.' }) statistic: string;
  @Field(() => Float) value: number;
  @Field(() => Float, { nullable: true, description: 'For mmd2 (permutation test) and chi2.' }) pvalue: number | null;
  @Field(() => DriftVerdictEnum) verdict: DriftVerdictEnum;
  @Field(() => Date, { nullable: true }) referenceFrom: Date | null;
  @Field(() => Date, { nullable: true }) referenceTo: Date | null;
  @Field(() => Date, { nullable: true }) currentFrom: Date | null;
  @Field(() => Date, { nullable: true }) currentTo: Date | null;
  @Field(() => Int, { description: 'Observations in the reference window (sampled, for mmd2).' }) referenceCount: number;
  @Field(() => Int) currentCount: number;
  @Field(() => GraphQLJSONObject, { description: 'Counts per class, bandwidth, model version, how the windows were split, …' })
  details: Record<string, unknown>;
  @Field() createdAt: Date;
}

@ObjectType('DriftWindowStatus', { description: 'One window of the next drift run: its bounds and how many items fall in it.' })
export class DriftWindowStatusType {
  @Field(() => Date, { nullable: true }) from: Date | null;
  @Field(() => Date, { nullable: true }) to: Date | null;
  @Field(() => Int) items: number;
}

@ObjectType('DriftStatus', { description: 'What the next drift run would compare now, and why there are no reports when that is so.' })
export class DriftStatusType {
  @Field(() => DriftWindowStatusType) reference: DriftWindowStatusType;
  @Field(() => DriftWindowStatusType) current: DriftWindowStatusType;
  @Field(() => Date, { nullable: true, description: 'When the latest drift run wrote its reports; null before the first.' }) lastRunAt: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why driftReports is (or would be) empty: no items, a window without items, no drift run yet — with what to change. Null when there is nothing to fix.',
  })
  reason: string | null;
}
