/** The `job_run` row as the API shows it: one execution of a job (a pipeline step, or the whole pipeline). */

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
/** MANUAL: runJob / trainModel; SCHEDULE: a cron slot of the project's schedule. */
export type JobTrigger = 'MANUAL' | 'SCHEDULE';
export type JobStepStatus = 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

/** One step of a pipeline run, recorded as it ends. */
export interface JobStepView {
  name: string;
  status: JobStepStatus;
  /** Wall time of the step; null when skipped. */
  ms: number | null;
  counts: Record<string, number> | null;
  error: string | null;
  /** Why a step was skipped ("not registered", "an earlier step failed"). */
  reason: string | null;
}

export interface JobRunView {
  id: string;
  projectId: string | null;
  name: string;
  status: JobStatus;
  trigger: JobTrigger;
  /** The cron slot of a scheduled run. */
  slot: Date | null;
  progress: number;
  step: string | null;
  error: string | null;
  counts: Record<string, unknown> | null;
  /** Per-step results (the pipeline); null for a single job. */
  steps: JobStepView[] | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** finishedAt − startedAt, once finished. */
  durationMs: number | null;
  /** Seconds left while running, extrapolated from progress so far; null before any progress or once finished. */
  etaSeconds: number | null;
}

/** Linear extrapolation of the time left: elapsed × (1 − progress) / progress. */
export function etaSecondsOf(status: string, progress: number, startedAt: Date | null, now = Date.now()): number | null {
  if (status !== 'RUNNING' || !startedAt || !(progress > 0) || progress >= 1) return null;
  const elapsed = (now - startedAt.getTime()) / 1000;
  return Math.max(0, (elapsed * (1 - progress)) / progress);
}

export interface JobRunRow {
  id: string;
  project_id: string | null;
  name: string;
  status: JobStatus;
  trigger: JobTrigger;
  slot: Date | null;
  progress: number;
  step: string | null;
  error: string | null;
  counts: Record<string, unknown> | null;
  steps: JobStepView[] | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export const JOB_RUN_COLS = `id, project_id, name, status, trigger, slot, progress, step, error, counts, steps, created_at, started_at, finished_at`;

export function toJobRunView(r: JobRunRow): JobRunView {
  const startedAt = r.started_at ? new Date(r.started_at) : null;
  const finishedAt = r.finished_at ? new Date(r.finished_at) : null;
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    status: r.status,
    trigger: r.trigger,
    slot: r.slot ? new Date(r.slot) : null,
    progress: Number(r.progress),
    step: r.step,
    error: r.error,
    counts: r.counts,
    steps: r.steps,
    createdAt: new Date(r.created_at),
    startedAt,
    finishedAt,
    durationMs: startedAt && finishedAt ? finishedAt.getTime() - startedAt.getTime() : null,
    etaSeconds: etaSecondsOf(r.status, Number(r.progress), startedAt),
  };
}
