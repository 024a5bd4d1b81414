/** The `job_run` row as the API shows it: one execution of a job (a pipeline step, or the whole pipeline). */

import type { JobRunRow, JobStatus, JobStepView, JobTrigger } from '../db/repositories/job-run.repository';

export type { JobRunRow, JobStatus, JobStepStatus, JobStepView, JobTrigger } from '../db/repositories/job-run.repository';
export { JOB_RUN_COLS } from '../db/repositories/job-run.repository';

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
