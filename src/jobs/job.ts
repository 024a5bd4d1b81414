/** The pipeline steps, in pipeline order, and `pipeline` itself (all of them in order). */
export const JOB_NAMES = ['train', 'labelIssues', 'consensus', 'route', 'drift', 'metrics', 'pipeline'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What a pipeline step is told about the run it works for. */
export interface StepOptions {
  /** The job_run row recording this run (stored beside the step's results). */
  runId: string;
  /** Reports progress (0..1) and the current step. */
  progress(fraction: number, step?: string): Promise<void>;
  /** Aborted when the process shuts down: long steps check it between chunks. */
  signal: AbortSignal;
}

/** The one entry every pipeline step's service exposes: runs the step for a project and returns its counts. */
export interface PipelineStep {
  run(projectId: string, opts: StepOptions): Promise<Record<string, number>>;
}

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
