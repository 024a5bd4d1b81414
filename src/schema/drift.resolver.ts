import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { aggregateCost } from './costs';
import { DriftReportType, DriftStatusType } from './drift.types';

@Resolver()
export class DriftResolver {
  @Query(() => [DriftReportType], { complexity: aggregateCost('driftReports'), description: "The latest drift run's reports: embeddings, predictions, labels, each annotator." })
  driftReports(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.drift.driftReports(p, projectId);
  }

  @Query(() => DriftStatusType, { complexity: aggregateCost('driftStatus'), description: 'The windows the next drift run would compare, with their item counts, and why reports are missing.' })
  driftStatus(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.drift.driftStatus(p, projectId);
  }
}
