import type { Database } from '../db/database';
import type { Services } from '../services/services';

/** The pipeline steps, in pipeline order, and `pipeline` itself (all of them in order). */
export const JOB_NAMES = ['train', 'labelIssues', 'consensus', 'route', 'drift', 'metrics', 'pipeline'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What a job sees while it runs for one project. */
export interface JobContext {
  projectId: string;
  /** The job_run row recording this run. */
  runId: string;
  db: Database;
  services: Services;
  /** Reports progress (0..1) and the current step; recorded on the job run (and, later, as a metric). */
  progress(fraction: number, step?: string): Promise<void>;
  /** Aborted when the process shuts down: long jobs check it between chunks. */
  signal: AbortSignal;
}

/**
 * A pipeline step. `run` writes its results in one transaction (or under a new version), so a run killed
 * mid-way leaves the previous results in place. It returns counts that are recorded on the job run.
 */
export interface Job {
  name: JobName;
  /** Default cron schedule; a project may override it in settings.schedules[name]. null = only on demand. */
  schedule: string | null;
  run(ctx: JobContext): Promise<Record<string, number>>;
}
