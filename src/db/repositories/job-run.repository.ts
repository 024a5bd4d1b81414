import type { Sql } from '../database';

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

/** Writes a QUEUED run started by hand. */
export async function insertManualJobRun(sql: Sql, projectId: string, name: string): Promise<JobRunRow> {
  const [row] = await sql.query<JobRunRow>(
    `INSERT INTO job_run (project_id, name, status, step, trigger) VALUES ($1, $2, 'QUEUED', 'queued', 'MANUAL') RETURNING ${JOB_RUN_COLS}`,
    [projectId, name],
  );
  return row;
}

/** Claims the cron slot of (project, job) with a QUEUED run; null when the slot is already claimed. */
export async function insertScheduledJobRun(sql: Sql, projectId: string, name: string, slot: Date): Promise<JobRunRow | null> {
  const rows = await sql.query<JobRunRow>(
    `INSERT INTO job_run (project_id, name, status, step, trigger, slot) VALUES ($1, $2, 'QUEUED', 'queued', 'SCHEDULE', $3)
     ON CONFLICT (project_id, name, slot) WHERE slot IS NOT NULL DO NOTHING RETURNING ${JOB_RUN_COLS}`,
    [projectId, name, slot],
  );
  return rows[0] ?? null;
}

/** The newest QUEUED or RUNNING run of (project, job), if any. */
export async function findActiveJobRun(sql: Sql, projectId: string, name: string): Promise<JobRunRow | null> {
  const [row] = await sql.query<JobRunRow>(
    `SELECT ${JOB_RUN_COLS} FROM job_run WHERE project_id = $1 AND name = $2 AND status IN ('QUEUED', 'RUNNING')
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [projectId, name],
  );
  return row ?? null;
}

/** A run by id, if any. */
export async function findJobRun(sql: Sql, id: string): Promise<JobRunRow | null> {
  const [row] = await sql.query<JobRunRow>(`SELECT ${JOB_RUN_COLS} FROM job_run WHERE id = $1`, [id]);
  return row ?? null;
}

/** The project's runs, newest first. */
export function listJobRuns(sql: Sql, projectId: string): Promise<JobRunRow[]> {
  return sql.query<JobRunRow>(`SELECT ${JOB_RUN_COLS} FROM job_run WHERE project_id = $1 ORDER BY created_at DESC, id DESC`, [projectId]);
}

/** Every run still QUEUED or RUNNING, in every project, oldest first (the candidates for recovery). */
export function listUnfinishedJobRuns(sql: Sql): Promise<Array<{ id: string; project_id: string | null; name: string }>> {
  return sql.query<{ id: string; project_id: string | null; name: string }>(
    `SELECT id, project_id, name FROM job_run WHERE status IN ('QUEUED', 'RUNNING') ORDER BY created_at`,
  );
}

/** QUEUED → RUNNING. */
export async function markJobRunRunning(sql: Sql, id: string): Promise<void> {
  await sql.query(`UPDATE job_run SET status = 'RUNNING', started_at = now(), step = 'starting' WHERE id = $1`, [id]);
}

/** Records progress (and the step, when given) of a RUNNING run. */
export async function updateJobRunProgress(sql: Sql, id: string, fraction: number, step: string | null): Promise<void> {
  await sql.query(`UPDATE job_run SET progress = $2, step = COALESCE($3, step) WHERE id = $1 AND status = 'RUNNING'`, [id, fraction, step]);
}

/** Records the pipeline's per-step results so far. */
export async function saveJobRunSteps(sql: Sql, id: string, steps: readonly JobStepView[]): Promise<void> {
  await sql.query(`UPDATE job_run SET steps = $2::jsonb WHERE id = $1`, [id, JSON.stringify(steps)]);
}

/** A run's successful end, with its counts. */
export async function markJobRunSucceeded(sql: Sql, id: string, counts: Record<string, unknown>): Promise<void> {
  await sql.query(`UPDATE job_run SET status = 'SUCCEEDED', progress = 1, step = 'done', counts = $2::jsonb, finished_at = now() WHERE id = $1`, [
    id,
    JSON.stringify(counts),
  ]);
}

/** A run's failure, with its error. */
export async function markJobRunFailed(sql: Sql, id: string, error: string): Promise<void> {
  await sql.query(`UPDATE job_run SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1`, [id, error]);
}

/** Fails a run still QUEUED or RUNNING (left by a dead process); false when it had ended meanwhile. */
export async function failUnfinishedJobRun(sql: Sql, id: string, error: string): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE job_run SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
    [id, error],
  );
  return rows.length > 0;
}
