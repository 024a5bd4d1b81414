/** The pipeline's vocabulary shared by the services that implement its steps and the jobs that run them. */

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
