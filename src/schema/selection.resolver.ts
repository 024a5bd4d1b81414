import { Arg, Ctx, Float, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { pageCost } from './costs';
import { LeaseType, NextBatchType, ReleaseReasonEnum, SamplingStrategyEnum } from './model.types';

@Resolver()
export class SelectionResolver {
  @Query(() => NextBatchType, {
    description: 'What to label next: picks and leases up to `size` items to `annotator`; concurrent callers never get the same item.',
    complexity: pageCost('nextBatch'),
  })
  nextBatch(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('size', () => Int, { defaultValue: 10 }) size: number,
    @Arg('strategy', () => SamplingStrategyEnum, { defaultValue: SamplingStrategyEnum.CLUSTER_MARGIN }) strategy: SamplingStrategyEnum,
    @Arg('annotator') annotator: string,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.selection.nextBatch(p, projectId, size, strategy, annotator);
  }

  @Mutation(() => Int, {
    description: "Ends the annotator's leases on these items and keeps them from the annotator's next batches for `reason`; returns how many leases ended.",
  })
  releaseItems(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('annotator') annotator: string,
    @Arg('itemIds', () => [ID]) itemIds: string[],
    @Arg('reason', () => ReleaseReasonEnum, { defaultValue: ReleaseReasonEnum.LATER }) reason: ReleaseReasonEnum,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.leases.releaseItems(p, projectId, annotator, itemIds, reason);
  }

  @Mutation(() => [LeaseType], { description: "Renews the annotator's active leases on these items for `seconds` from now." })
  extendLease(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('annotator') annotator: string,
    @Arg('itemIds', () => [ID]) itemIds: string[],
    @Arg('seconds', () => Float) seconds: number,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.leases.extendLease(p, projectId, annotator, itemIds, seconds);
  }
}
