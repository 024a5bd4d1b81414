import type { Database } from '../db/database';
import { saveJobRunSteps } from '../db/repositories/job-run.repository';
import { consensusJob } from './consensus.job';
import { driftJob } from './drift.job';
import type { Job, JobName, PipelineStep } from './job';
import { labelIssuesJob } from './label-issues.job';
import { metricsJob } from './metrics.job';
import { pipelineJob } from './pipeline.job';
import { routeJob } from './route.job';
import { trainJob } from './train.job';

/** The service behind each pipeline step. */
export type PipelineSteps = Record<Exclude<JobName, 'pipeline'>, PipelineStep>;

/**
 * Every job this build can run, each built from the service it runs; the pipeline runs the others in JOB_NAMES order
 * and records its steps on the run's row in `db`. Add a job here to register it.
 */
export function createJobs(steps: PipelineSteps, db: Database): Job[] {
  const jobs: Job[] = [
    trainJob(steps.train),
    labelIssuesJob(steps.labelIssues),
    metricsJob(steps.metrics),
    consensusJob(steps.consensus),
    routeJob(steps.route),
    driftJob(steps.drift),
  ];
  return [...jobs, pipelineJob(jobs, (runId, record) => db.transaction((sql) => saveJobRunSteps(sql, runId, record)))];
}
