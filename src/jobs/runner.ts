import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Database } from '../db/database';
import { JobLock, jobLockKey, JobLocks, locksFor } from '../db/locks';
import {
  failUnfinishedJobRun,
  findActiveJobRun,
  insertManualJobRun,
  insertScheduledJobRun,
  JobRunRow,
  listUnfinishedJobRuns,
  markJobRunFailed,
  markJobRunRunning,
  markJobRunSucceeded,
  updateJobRunProgress,
} from '../db/repositories/job-run.repository';
import { badInput, conflict, LoupeError } from '../errors';
import { log } from '../logger';
import { observeJob } from '../metrics/registry';
import { Job, JOB_NAMES, JobContext, JobName } from './job';
import { JobRunView, toJobRunView } from '../services/job-run-view';
import { enqueueEvent } from '../services/webhook-outbox';

/** How long a manual start waits for a run that holds the lock but has not written its row yet. */
const START_WAIT_MS = 2_000;
const START_POLL_MS = 50;
const INTERRUPTED = 'interrupted: the process running it stopped before it finished';
/** The error of a run aborted because the process is stopping (JobRunner.close); it starts with "shutdown". */
const SHUTDOWN = 'shutdown: the server stopped before the run finished';

/** Set on errors that are expected outcomes (too few labels to train): recorded on the run, not logged as faults. */
interface MaybeExpected {
  expected?: unknown;
}
const isExpected = (e: unknown): boolean => e instanceof LoupeError || (e as MaybeExpected | null)?.expected === true;

/**
 * Runs jobs and records every run in `job_run`: QUEUED → RUNNING → SUCCEEDED | FAILED, with progress, the current
 * step, counts, timings and the error. One run per (project, job) at a time across replicas: the run holds the job's
 * lock (a PostgreSQL advisory lock; in-process on PGlite) from before its row is written until after its last update,
 * so a QUEUED or RUNNING row whose lock is free was left by a dead process ({@link JobRunner.recover}).
 */
export class JobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly locks: JobLocks;
  private closed = false;

  /**
   * @param db where runs are recorded (job_run rows) and locked
   * @param jobs every job this runner can start
   */
  constructor(
    private readonly db: Database,
    readonly jobs: readonly Job[],
  ) {
    this.locks = locksFor(db);
  }

  /** The registered job of that name, if any. */
  find(name: string): Job | undefined {
    return this.jobs.find((j) => j.name === name);
  }

  /**
   * Starts a run now and returns its job run at once (QUEUED); the work runs in the background. While a run of the
   * same job for the project is in progress (here or on another replica), returns that run instead.
   */
  async startManual(projectId: string, name: JobName): Promise<JobRunView> {
    const job = this.requireJob(name);
    const deadline = Date.now() + START_WAIT_MS;
    for (;;) {
      if (this.closed) throw conflict('name', 'the server is shutting down; try again');
      const lock = await this.locks.tryAcquire(jobLockKey(projectId, name));
      if (lock) {
        const row = await this.insert(lock, projectId, name, null);
        return this.launch(job, row!, lock);
      }
      const active = await findActiveJobRun(this.db, projectId, name);
      if (active) return toJobRunView(active);
      // The holder is between taking the lock and writing its row (or is a recovery check): look again shortly.
      if (Date.now() > deadline) throw conflict('name', `a run of ${name} is starting for this project; try again`);
      await new Promise((r) => setTimeout(r, START_POLL_MS));
    }
  }

  /**
   * Runs the cron slot `slot` of (project, job) unless it ran already: the slot is claimed by inserting the job run
   * under a unique (project, job, slot) index, so however many replicas fire it, one runs it. Returns null when skipped:
   * the slot was claimed elsewhere, or a run of that job is still in progress for the project.
   */
  async startScheduled(projectId: string, name: JobName, slot: Date): Promise<JobRunView | null> {
    const job = this.requireJob(name);
    if (this.closed) return null;
    const lock = await this.locks.tryAcquire(jobLockKey(projectId, name));
    if (!lock) {
      log.info('scheduled run skipped: a run is in progress', { project: projectId, job: name, slot: slot.toISOString() });
      return null;
    }
    const row = await this.insert(lock, projectId, name, slot);
    if (!row) {
      await lock.release();
      log.debug('scheduled run skipped: slot already claimed', { project: projectId, job: name, slot: slot.toISOString() });
      return null;
    }
    return this.launch(job, row, lock);
  }

  /**
   * Marks runs left QUEUED or RUNNING by a dead process as FAILED: a run is dead when its lock is free (a live run
   * holds it). Safe with other replicas running. Returns how many were marked.
   */
  async recover(): Promise<number> {
    const rows = await listUnfinishedJobRuns(this.db);
    let marked = 0;
    for (const r of rows) {
      const lock = await this.locks.tryAcquire(jobLockKey(String(r.project_id), r.name));
      if (!lock) continue;
      try {
        const done = await this.db.transaction((sql) => failUnfinishedJobRun(sql, r.id, INTERRUPTED));
        if (done) marked++;
      } finally {
        await lock.release();
      }
    }
    if (marked) log.warn('job runs left by a stopped process marked FAILED', { count: marked });
    return marked;
  }

  /** Resolves when no run started by this process is in progress. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  /** Refuses new runs, asks running ones to stop (JobContext.signal), and waits for them to record their end. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await this.idle();
  }

  private requireJob(name: string): Job {
    if (!(JOB_NAMES as readonly string[]).includes(name)) throw badInput('name', `unknown job "${name}" (known: ${JOB_NAMES.join(', ')})`);
    const job = this.find(name);
    if (!job) throw badInput('name', `job ${name} is not available in this version of Loupe`);
    return job;
  }

  /** Writes the QUEUED row while holding the lock; null when the scheduled slot is already claimed. */
  private async insert(lock: JobLock, projectId: string, name: string, slot: Date | null): Promise<JobRunRow | null> {
    try {
      return await this.db.transaction((sql) => (slot ? insertScheduledJobRun(sql, projectId, name, slot) : insertManualJobRun(sql, projectId, name)));
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  private launch(job: Job, row: JobRunRow, lock: JobLock): JobRunView {
    const done = this.execute(job, row, lock).finally(() => this.running.delete(row.id));
    this.running.set(row.id, done);
    return toJobRunView(row);
  }

  /** Never rejects: every outcome is recorded on the run. */
  private async execute(job: Job, row: JobRunRow, lock: JobLock): Promise<void> {
    const progress = new ProgressWriter(this.db, row.id, this.abort.signal);
    const t0 = Date.now();
    const observed = observeJob(this.db, row.project_id, job.name); // metrics: duration, failures, progress
    try {
      await yieldToEventLoop(); // the caller gets its answer first
      await this.db.transaction((sql) => markJobRunRunning(sql, row.id));
      const ctx: JobContext = {
        projectId: row.project_id!,
        runId: row.id,
        progress: (fraction, step) => (observed.progress(fraction), progress.report(fraction, step)),
        signal: this.abort.signal,
      };
      const counts = await job.run(ctx);
      await progress.flush();
      await this.db.transaction(async (sql) => {
        await markJobRunSucceeded(sql, row.id, counts ?? {});
        if (row.project_id) await enqueueEvent(sql, row.project_id, 'job.finished', { jobRun: { id: row.id, job: job.name, status: 'SUCCEEDED', counts: counts ?? {}, ms: Date.now() - t0 } });
      });
      observed.end('succeeded');
      log.info('job succeeded', { project: row.project_id, job: job.name, run: row.id, ms: Date.now() - t0, ...counts });
    } catch (e) {
      await progress.flush();
      observed.end('failed');
      const cause = errorMessage(e);
      const message = this.abort.signal.aborted && !(e instanceof LoupeError) ? (cause === SHUTDOWN ? SHUTDOWN : `${SHUTDOWN} (${cause})`) : cause;
      if (isExpected(e) || this.abort.signal.aborted) log.info('job failed', { project: row.project_id, job: job.name, run: row.id, error: message });
      else log.error('job failed', { project: row.project_id, job: job.name, run: row.id, error: message, stack: (e as Error)?.stack });
      await this.db
        .transaction(async (sql) => {
          await markJobRunFailed(sql, row.id, message);
          if (row.project_id) await enqueueEvent(sql, row.project_id, 'job.finished', { jobRun: { id: row.id, job: job.name, status: 'FAILED', error: message, ms: Date.now() - t0 } });
        })
        .catch((e2) => log.error('could not record the failed job run', { run: row.id, error: errorMessage(e2) }));
    } finally {
      await lock.release();
    }
  }
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Records progress without making the job wait: the latest report is written when the previous write has finished
 * (so a job may report from inside its own transaction, even on PGlite's single queue). Reports after shutdown began
 * throw, which is where long jobs stop.
 */
class ProgressWriter {
  private latest: { fraction: number; step: string | null } | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly runId: string,
    private readonly signal: AbortSignal,
  ) {}

  report(fraction: number, step?: string): Promise<void> {
    // Thrown, not returned rejected: a job that does not await its report still stops here, and nothing goes unhandled.
    if (this.signal.aborted) throw new Error(SHUTDOWN);
    const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
    this.latest = { fraction: f, step: step ?? null };
    this.writing ??= this.drain();
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.latest) {
        const { fraction, step } = this.latest;
        this.latest = null;
        await this.db
          .transaction((sql) => updateJobRunProgress(sql, this.runId, fraction, step))
          .catch((e) => log.debug('progress not recorded', { run: this.runId, error: errorMessage(e) }));
      }
    } finally {
      this.writing = null;
    }
  }
}
