import { Job, PipelineStep, stepJob } from './job';

/**
 * Routes every item of the project (RoutingService.run: DONE for items settled by a REVIEW or by ≥ 2 agreeing votes,
 * routeItems with the project's thresholds for the others) and replaces the project's routes in ONE transaction, so a
 * run killed mid-way leaves the previous routes in place. No schedule of its own: it runs in the pipeline.
 */
export const routeJob = (routing: PipelineStep): Job => stepJob('route', null, routing);
