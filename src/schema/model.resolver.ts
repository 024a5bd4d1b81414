import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ItemView } from '../services/item.service';
import type { Context } from './context';
import { pageCost } from './costs';
import { ItemType } from './item.types';
import {
  JobRunType,
  LeaseType,
  ModelVersionType,
  NextBatchType,
  PredictionInput,
  PredictionType,
  ReleaseReasonEnum,
  SamplingStrategyEnum,
  ServerInfoType,
} from './model.types';
import { predictionLoader } from './prediction-loader';

@Resolver(() => ItemType)
export class ModelResolver {
  @Mutation(() => ModelVersionType, {
    description: "Stores an external model's class probabilities (up to 100,000 items) as a new model version, all or nothing.",
  })
  submitPredictions(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('modelName') modelName: string,
    @Arg('predictions', () => [PredictionInput]) predictions: PredictionInput[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.models.submitPredictions(ctx.principal!, projectId, modelName, predictions);
  }

  @Query(() => [ModelVersionType], { description: 'Model versions of a project, newest first.' })
  modelVersions(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: Context) {
    return ctx.services.models.modelVersions(ctx.principal!, projectId);
  }

  @Query(() => NextBatchType, {
    description: 'What to label next: picks and leases up to `size` items to `annotator`; concurrent callers never get the same item.',
    complexity: pageCost('nextBatch'),
  })
  nextBatch(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('size', () => Int, { defaultValue: 10 }) size: number,
    @Arg('strategy', () => SamplingStrategyEnum, { defaultValue: SamplingStrategyEnum.CLUSTER_MARGIN }) strategy: SamplingStrategyEnum,
    @Arg('annotator') annotator: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.selection.nextBatch(ctx.principal!, projectId, size, strategy, annotator);
  }

  @Mutation(() => Int, {
    description: "Ends the annotator's leases on these items and keeps them from the annotator's next batches for `reason`; returns how many leases ended.",
  })
  releaseItems(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('annotator') annotator: string,
    @Arg('itemIds', () => [ID]) itemIds: string[],
    @Arg('reason', () => ReleaseReasonEnum, { defaultValue: ReleaseReasonEnum.LATER }) reason: ReleaseReasonEnum,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.leases.releaseItems(ctx.principal!, projectId, annotator, itemIds, reason);
  }

  @Mutation(() => [LeaseType], { description: "Renews the annotator's active leases on these items for `seconds` from now." })
  extendLease(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('annotator') annotator: string,
    @Arg('itemIds', () => [ID]) itemIds: string[],
    @Arg('seconds', () => Float) seconds: number,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.leases.extendLease(ctx.principal!, projectId, annotator, itemIds, seconds);
  }

  @Mutation(() => JobRunType, { description: "Starts training Loupe's own model in the background; returns its job run at once." })
  trainModel(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: Context) {
    return ctx.services.jobs.trainModel(ctx.principal!, projectId);
  }

  @Query(() => [JobRunType], { description: 'Job runs of a project, newest first.' })
  jobRuns(@Arg('projectId', () => ID) projectId: string, @Ctx() ctx: Context) {
    return ctx.services.training.jobRuns(ctx.principal!, projectId);
  }

  @Query(() => ServerInfoType)
  async serverInfo(@Ctx() ctx: Context) {
    return { tfBackend: await ctx.services.training.backend() };
  }

  @FieldResolver(() => PredictionType, { nullable: true, description: "Probabilities under the project's latest model version." })
  prediction(@Root() item: ItemView, @Ctx() ctx: Context) {
    return predictionLoader(ctx).load(item.id);
  }
}
