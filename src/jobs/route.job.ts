import type { Job } from './job';

/**
 * Routes every item of the project (RoutingService.planRoutes: DONE for items settled by a REVIEW or by ≥ 2 agreeing
 * votes, routeItems with the project's thresholds for the others) and replaces the project's routes in ONE
 * transaction, so a run killed mid-way leaves the previous routes in place. No schedule of its own: it runs in the pipeline.
 */
export const routeJob: Job = {
  name: 'route',
  schedule: null,
  run: async (ctx) => {
    await ctx.progress(0.05, 'planning');
    const plan = await ctx.services.routing.planRoutes(ctx.projectId);
    ctx.signal.throwIfAborted();
    await ctx.progress(0.7, 'writing');
    await ctx.services.routing.writeRoutes(ctx.projectId, ctx.runId, plan);
    const count = (r: string) => plan.routes.filter((x) => x === r).length;
    return {
      items: plan.itemIds.length,
      autoAccept: count('AUTO_ACCEPT'),
      spotChecks: plan.spotCheck.filter(Boolean).length,
      singleReview: count('SINGLE_REVIEW'),
      consensus: count('CONSENSUS'),
      expert: count('EXPERT'),
      done: count('DONE'),
      predicted: plan.confidence.filter((c) => c !== null).length,
      agreementFromConsensus: plan.fromConsensus,
    };
  },
};
