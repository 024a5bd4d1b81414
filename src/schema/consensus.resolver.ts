import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { aggregateCost } from './costs';
import {
  AddGoldItemsResultType,
  AgreementType,
  AnnotatorStatsType,
  ConsensusSummaryType,
  GoldItemInput,
  LabelingFunctionType,
  LfSummaryType,
  SubmitWeakLabelsResultType,
  WeakVoteInput,
} from './consensus.types';

@Resolver()
export class ConsensusResolver {
  @Query(() => ConsensusSummaryType, { nullable: true, complexity: aggregateCost('consensus'), description: 'The last consensus run (null before the first).' })
  consensus(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.consensus.summary(p, projectId);
  }

  @Query(() => AnnotatorStatsType, { complexity: aggregateCost('annotatorStats'), description: 'Throughput, agreement, accuracy on gold, kappa matrix and label drift per annotator.' })
  annotatorStats(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.annotatorStats.annotatorStats(p, projectId);
  }

  @Query(() => AgreementType, { complexity: aggregateCost('agreement'), description: "Cohen's, Fleiss' kappa and Krippendorff's alpha over the HUMAN annotations made in [from, to)." })
  agreement(@Arg('projectId', () => ID) projectId: string, @Arg('from') from: Date, @Arg('to') to: Date, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.annotatorStats.agreement(p, projectId, from, to);
  }

  @Mutation(() => AddGoldItemsResultType, {
    description:
      'Marks items as gold with their known answer (GOLD annotations), all or nothing. A re-send writes nothing (unchanged); another answer for a gold item is a CONFLICT unless replace is true.',
  })
  addGoldItems(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('items', () => [GoldItemInput]) items: GoldItemInput[],
    @Arg('annotator', { defaultValue: 'gold' }) annotator: string,
    @Arg('replace', { defaultValue: false, description: "Append the new answer for items that are already gold with another one." }) replace: boolean,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.gold.addGoldItems(p, projectId, items, annotator, replace);
  }

  @Mutation(() => LabelingFunctionType, { description: 'Registers a labeling function (a weak source); registering it again returns it.' })
  registerLabelingFunction(@Arg('projectId', () => ID) projectId: string, @Arg('name') name: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.weakSupervision.registerLabelingFunction(p, projectId, name);
  }

  @Mutation(() => SubmitWeakLabelsResultType, { description: "A labeling function's votes (label null = abstain), all or nothing." })
  submitWeakLabels(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('lf') lf: string,
    @Arg('votes', () => [WeakVoteInput]) votes: WeakVoteInput[],
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.weakSupervision.submitWeakLabels(p, projectId, lf, votes);
  }

  @Query(() => LfSummaryType, { complexity: aggregateCost('lfSummary'), description: "Snorkel's lf_summary of the project's labeling functions." })
  lfSummary(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.weakSupervision.lfSummary(p, projectId);
  }
}
