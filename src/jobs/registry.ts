import { consensusJob } from './consensus.job';
import { driftJob } from './drift.job';
import type { Job } from './job';
import { labelIssuesJob } from './label-issues.job';
import { metricsJob } from './metrics.job';
import { pipelineJob } from './pipeline.job';
import { routeJob } from './route.job';
import { trainJob } from './train.job';

/** Every job this build can run (the pipeline runs the others in JOB_NAMES order). Add a job here to register it. */
export const JOBS: Job[] = [
  trainJob,
  labelIssuesJob,
  metricsJob,
  consensusJob,
  routeJob,
  driftJob,
  pipelineJob(() => JOBS),
];
