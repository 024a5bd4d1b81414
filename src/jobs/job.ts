import type { JobName, PipelineStep, StepOptions } from '../services/pipeline-step';

export { JOB_NAMES } from '../services/pipeline-step';
export type { JobName, PipelineStep, StepOptions } from '../services/pipeline-step';

/** What a job sees while it runs for one project. */
export interface JobContext extends StepOptions {
  projectId: string;
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

/** The job `name` that runs `step` for the context's project. */
export function stepJob(name: JobName, schedule: string | null, step: PipelineStep): Job {
  return {
    name,
    schedule,
    run: (ctx) => step.run(ctx.projectId, { runId: ctx.runId, progress: (fraction, s) => ctx.progress(fraction, s), signal: ctx.signal }),
  };
}
