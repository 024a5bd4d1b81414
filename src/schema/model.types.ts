import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ItemType } from './item.types';

export enum ModelKindEnum {
  BUILTIN = 'BUILTIN',
  EXTERNAL = 'EXTERNAL',
}
registerEnumType(ModelKindEnum, { name: 'ModelKind', description: "BUILTIN: Loupe's own model; EXTERNAL: a team's model, sent with submitPredictions." });

export enum SamplingStrategyEnum {
  RANDOM = 'RANDOM',
  LEAST_CONFIDENCE = 'LEAST_CONFIDENCE',
  MARGIN = 'MARGIN',
  ENTROPY = 'ENTROPY',
  VOTE_ENTROPY = 'VOTE_ENTROPY',
  KL_CONSENSUS = 'KL_CONSENSUS',
  KCENTER = 'KCENTER',
  HYBRID = 'HYBRID',
  CLUSTER_MARGIN = 'CLUSTER_MARGIN',
  RELABEL_OR_NEW = 'RELABEL_OR_NEW',
}
registerEnumType(SamplingStrategyEnum, { name: 'SamplingStrategy', description: 'How nextBatch picks items (see the README).' });

@ObjectType('ModelVersion', { description: 'A model whose predictions drive selection: Loupe\'s own or an external one.' })
export class ModelVersionType {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field({ description: 'v1, v2, … in creation order, unique within the project (the `version` label of the model metrics).' }) version: string;
  @Field({ description: '"builtin" or the external model\'s name.' }) name: string;
  @Field(() => ModelKindEnum) kind: ModelKindEnum;
  @Field(() => [String], { description: 'The classes its probabilities are over, in order.' }) classes: string[];
  @Field(() => GraphQLJSONObject, { nullable: true }) metrics: Record<string, unknown> | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Labeled items per class when it was made.' })
  labelCounts: Record<string, number> | null;
  @Field(() => Int, { nullable: true }) trainingMs: number | null;
  @Field(() => Int) predictionCount: number;
  @Field(() => String, {
    nullable: true,
    description:
      "Set when the version's log loss is worse than the entropy of the label prior (predicting the label frequencies), with both numbers. A BUILTIN version with a warning is not used for selection or label issues (nextBatch's fallback says so); an EXTERNAL one (log loss on the labeled items it predicted, when they span two classes) is used as sent.",
  })
  warning: string | null;
  @Field() createdAt: Date;
}

@ObjectType('ClassProbability')
export class ClassProbabilityType {
  @Field() label: string;
  @Field(() => Float) probability: number;
}

@ObjectType('Prediction', { description: "An item's class probabilities under its project's latest model version." })
export class PredictionType {
  @Field(() => ID) modelVersionId: string;
  @Field() modelName: string;
  @Field({ description: 'The most probable class.' }) label: string;
  @Field(() => [ClassProbabilityType]) probabilities: ClassProbabilityType[];
  @Field() createdAt: Date;
}

@InputType()
export class PredictionInput {
  @Field(() => ID, { nullable: true, description: 'The item, by id (or give externalId).' }) itemId?: string | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => [Float], { description: "One probability per project class, in the project's class order; they sum to 1." }) probs: number[];
}

@ObjectType('CriterionScore')
export class CriterionScoreType {
  @Field() name: string;
  @Field(() => Float) value: number;
}

@ObjectType('BatchItem')
export class BatchItemType {
  @Field(() => ItemType) item: ItemType;
  @Field(() => Float, {
    nullable: true,
    description: 'What the strategy maximised (higher = picked first). Null for a LABELING_TOOL key unless the project sets settings.exposeScoresToTools.',
  })
  totalScore: number | null;
  @Field(() => [CriterionScoreType], {
    nullable: true,
    description: 'Every criterion known for the item (margin, entropy, distanceToLabeled, …). Null for a LABELING_TOOL key unless settings.exposeScoresToTools.',
  })
  scores: CriterionScoreType[] | null;
  @Field(() => String, { nullable: true, description: 'Why it was picked, in words. Null for a LABELING_TOOL key unless settings.exposeScoresToTools.' })
  reason: string | null;
  @Field() leaseExpiresAt: Date;
}

@ObjectType('PoolExclusions', {
  description:
    "Items short of their votes that the caller's pool leaves out, each under the first reason that applies in this order: notServable, annotatedByYou, skipped, leasedToOthers, noEmbedding, unpredicted.",
})
export class PoolExclusionsType {
  @Field(() => Int, { description: 'Its route does not serve it to this caller (DONE, AUTO_ACCEPT without spot check, EXPERT items outside QA_LEAD keys).' })
  notServable: number;
  @Field(() => Int, { description: 'This annotator has annotated it.' }) annotatedByYou: number;
  @Field(() => Int, { description: 'Released by this annotator with a reason that still holds (releaseItems).' }) skipped: number;
  @Field(() => Int, { description: "Its votes cast plus other annotators' active leases already reach the votes it needs." })
  leasedToOthers: number;
  @Field(() => Int, { description: 'No embedding, in a project with an embeddingDim.' }) noEmbedding: number;
  @Field(() => Int, { description: 'The model version in use has no prediction for it.' }) unpredicted: number;
}

export enum ReleaseReasonEnum {
  LATER = 'LATER',
  SKIP = 'SKIP',
}
registerEnumType(ReleaseReasonEnum, {
  name: 'ReleaseReason',
  description: "LATER: away from this annotator for settings.skipCooldownSeconds (default 86400); SKIP: away until another annotator has labeled it.",
});

@ObjectType('NextBatch')
export class NextBatchType {
  @Field(() => SamplingStrategyEnum) requestedStrategy: SamplingStrategyEnum;
  @Field(() => SamplingStrategyEnum, { description: 'The strategy used (differs from the requested one after a fallback).' })
  strategy: SamplingStrategyEnum;
  @Field(() => String, { nullable: true, description: 'Why another strategy was used, e.g. "no model: diversity sampling".' })
  fallback: string | null;
  @Field(() => ID, { nullable: true, description: 'The model version whose predictions were used.' }) modelVersionId: string | null;
  @Field(() => Int, { description: 'Labeled items the selection measured diversity against (the count its reasons quote).' }) labeledCount: number;
  @Field(() => Int, { description: 'Items the strategy scored: the pool (model-predicted items when a model is used); gold items mixed in are not counted.' })
  candidateCount: number;
  @Field(() => Int, { description: "Items in this caller's pool." }) poolSize: number;
  @Field(() => PoolExclusionsType) excluded: PoolExclusionsType;
  @Field(() => [BatchItemType], { description: 'In pick order, each leased to the annotator.' }) items: BatchItemType[];
}

@ObjectType('Lease')
export class LeaseType {
  @Field(() => ID) itemId: string;
  @Field() annotator: string;
  @Field() expiresAt: Date;
}

export enum JobStatusEnum {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(JobStatusEnum, { name: 'JobStatus' });

export enum JobTriggerEnum {
  MANUAL = 'MANUAL',
  SCHEDULE = 'SCHEDULE',
}
registerEnumType(JobTriggerEnum, { name: 'JobTrigger', description: "MANUAL: runJob or trainModel; SCHEDULE: a cron slot of the project's schedule." });

export enum JobStepStatusEnum {
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
}
registerEnumType(JobStepStatusEnum, { name: 'JobStepStatus' });

@ObjectType('JobStep', { description: 'One step of a pipeline run.' })
export class JobStepType {
  @Field() name: string;
  @Field(() => JobStepStatusEnum) status: JobStepStatusEnum;
  @Field(() => Int, { nullable: true, description: 'Wall time of the step in milliseconds; null when skipped.' }) ms: number | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) counts: Record<string, number> | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => String, { nullable: true, description: 'Why it was skipped.' }) reason: string | null;
}

@ObjectType('JobRun', { description: 'One execution of a job: a pipeline step, or the whole pipeline.' })
export class JobRunType {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) projectId: string | null;
  @Field() name: string;
  @Field(() => JobStatusEnum) status: JobStatusEnum;
  @Field(() => JobTriggerEnum) trigger: JobTriggerEnum;
  @Field(() => Date, { nullable: true, description: 'The cron slot of a scheduled run.' }) slot: Date | null;
  @Field(() => [JobStepType], { nullable: true, description: 'Per-step status, time and counts (pipeline runs).' }) steps: JobStepType[] | null;
  @Field(() => Int, { nullable: true, description: 'finishedAt − startedAt in milliseconds, once finished.' }) durationMs: number | null;
  @Field(() => Float, { description: 'From 0 to 1.' }) progress: number;
  @Field(() => Float, { nullable: true, description: 'Seconds left while running, extrapolated from progress so far.' }) etaSeconds: number | null;
  @Field(() => String, { nullable: true }) step: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) counts: Record<string, unknown> | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
}

@ObjectType('ServerInfo')
export class ServerInfoType {
  @Field({ description: 'The TensorFlow.js backend in use: tensorflow-gpu, tensorflow, wasm or cpu.' }) tfBackend: string;
}
