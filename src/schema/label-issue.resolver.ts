import { Arg, Args, Ctx, Float, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import { connection, labelIssueCursor, labelIssuesAfter } from './connection';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { aggregateCost, pageCost } from './costs';
import { PageArgs } from './page-args';
import { LabelHealthType, LabelIssueConnectionType, LabelIssueDecisionEnum, LabelIssueStatusEnum, LabelIssueType } from './label-issue.types';


@Resolver(() => LabelIssueType)
export class LabelIssueResolver {
  @Query(() => LabelIssueConnectionType, {
    description: 'Label issues, lowest score (most likely wrong) first. status null = every status; label = the given label.',
    complexity: pageCost('labelIssues'),
  })
  async labelIssues(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('status', () => LabelIssueStatusEnum, { nullable: true }) status: LabelIssueStatusEnum | null,
    @Arg('minScore', () => Float, { nullable: true, description: 'Only issues with score ≥ this.' }) minScore: number | null,
    @Arg('label', () => String, { nullable: true }) label: string | null,
    @Args() { first, after }: PageArgs,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return connection(await ctx.services.labelIssues.labelIssues(p, projectId, { status, minScore, label }, first, labelIssuesAfter(after)), labelIssueCursor);
  }

  @Mutation(() => LabelIssueType, {
    description: 'Resolves an OPEN label issue: a REVIEW annotation decides the label (none for NOT_SURE, which routes the item to EXPERT).',
  })
  resolveLabelIssue(
    @Arg('id', () => ID) id: string,
    @Arg('decision', () => LabelIssueDecisionEnum) decision: LabelIssueDecisionEnum,
    @Arg('label', () => String, { nullable: true, description: 'The new label; required with RELABEL, refused otherwise.' }) label: string | null,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.labelIssues.resolve(p, id, decision, label, note);
  }

  @Query(() => LabelHealthType, {
    complexity: aggregateCost('labelHealth'),
    description:
      "The label health summary under a model version's predictions: modelVersionId, else the version the current label issues came from, else (before any labelIssues run) the project's latest.",
  })
  labelHealth(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('modelVersionId', () => ID, { nullable: true }) modelVersionId: string | null,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.labelIssues.labelHealth(p, projectId, modelVersionId);
  }
}
