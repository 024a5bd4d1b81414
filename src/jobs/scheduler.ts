import { createTask, ScheduledTask, validate } from 'node-cron';
import type { Database } from '../db/database';
import { listProjectSettings } from '../db/repositories/project.repository';
import { log } from '../logger';
import { scheduleOf } from '../services/settings';
import type { Job, JobName } from './job';
import type { JobRunView } from '../services/job-run-view';
import type { JobRunner } from './runner';

/** How often the schedules are re-read from the projects' settings (new projects, changed schedules). */
const DEFAULT_SYNC_MS = 60_000;

export interface SchedulerOptions {
  syncIntervalMs?: number;
  /** The jobs to schedule (default: the runner's). */
  jobs?: readonly Job[];
}

/**
 * The one owner of node-cron. Each project runs each job on its schedule: `settings.schedules[name]` (a cron
 * expression, 5 fields or 6 with seconds; "off" turns it off) or else the job's default. A stored value that is not
 * a cron expression (settings written before they were validated) is logged once and the job's default applies. Every replica runs
 * the same tasks; a fire only *tries* the slot: {@link JobRunner.startScheduled} claims (project, job, slot) once in
 * the database under the job's advisory lock, so each slot runs once however many replicas there are.
 *
 * node-cron 4's own `distributed` option (a RunCoordinator answering yes/no per key) is not used: the election here
 * must also write the job run and keep the lock's session open for the whole run, which the runner does in one place.
 */
export class Scheduler {
  /** `${projectId}:${job}` → its cron task. */
  private readonly tasks = new Map<string, { expression: string; task: ScheduledTask }>();
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly runner: JobRunner,
    private readonly opts: SchedulerOptions = {},
  ) {}

  /** Reads the schedules and starts their tasks; re-reads them every `syncIntervalMs`. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch((e) => log.error('scheduler: could not read the schedules', { error: (e as Error).message }));
    }, this.opts.syncIntervalMs ?? DEFAULT_SYNC_MS);
    this.timer.unref();
    log.info('scheduler started', { tasks: this.tasks.size });
  }

  /** Stops every task (runs in progress go on; the runner's close() drains them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.syncing;
    for (const { task } of this.tasks.values()) await task.destroy();
    this.tasks.clear();
  }

  /** What is scheduled now: `${projectId}:${job}` → cron expression. */
  scheduled(): Map<string, string> {
    return new Map([...this.tasks].map(([k, v]) => [k, v.expression]));
  }

  /** Fires the slot `slot` of (project, job), as the cron task does. Null when skipped (see JobRunner.startScheduled). */
  trigger(projectId: string, name: JobName, slot: Date): Promise<JobRunView | null> {
    return this.runner.startScheduled(projectId, name, slot);
  }

  /** Brings the cron tasks in line with the projects' settings. */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const projects = await listProjectSettings(this.db);
    if (this.stopped) return;
    const jobs = this.opts.jobs ?? this.runner.jobs;
    const want = new Map<string, { projectId: string; name: JobName; expression: string }>();
    for (const p of projects) {
      for (const job of jobs) {
        const expression = this.expressionFor(p.id, job, p.settings);
        if (expression) want.set(`${p.id}:${job.name}`, { projectId: p.id, name: job.name, expression });
      }
    }
    for (const [key, cur] of this.tasks) {
      if (want.get(key)?.expression === cur.expression) continue;
      await cur.task.destroy();
      this.tasks.delete(key);
    }
    for (const [key, w] of want) {
      if (this.tasks.has(key)) continue;
      const task = createTask(w.expression, (ctx) => this.fire(w.projectId, w.name, ctx.date), { name: `loupe:${key}`, unref: true });
      await task.start();
      this.tasks.set(key, { expression: w.expression, task });
    }
  }

  /** The project's schedule for a job: its setting, else the job's default; null = not scheduled. */
  private expressionFor(projectId: string, job: Job, settings: Record<string, unknown> | null): string | null {
    const own = scheduleOf(settings, job.name);
    if (own.kind === 'off') return null;
    if (own.kind === 'cron') return own.expression;
    if (own.kind === 'invalid') {
      const key = `${projectId}:${job.name}:${String(own.value)}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        log.warn('scheduler: invalid schedule ignored', { project: projectId, job: job.name, schedule: own.value, expected: 'a cron expression or "off"' });
      }
    }
    return job.schedule && validate(job.schedule) ? job.schedule : null;
  }

  private async fire(projectId: string, name: JobName, slot: Date): Promise<void> {
    try {
      await this.trigger(projectId, name, slot);
    } catch (e) {
      log.error('scheduled run could not start', { project: projectId, job: name, slot: slot.toISOString(), error: (e as Error).message });
    }
  }
}
