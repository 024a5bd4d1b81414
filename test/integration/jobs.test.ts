import { Database } from '../../src/db/database';
import { JOB_NAMES, Job } from '../../src/jobs/job';
import { jobLockKey, locksFor } from '../../src/db/locks';
import { metricsJob } from '../../src/jobs/metrics.job';
import { jobsFor } from '../../src/core';
import { JobRunner } from '../../src/jobs/runner';
import { Scheduler } from '../../src/jobs/scheduler';
import { createServices } from '../../src/services/services';
import { CREATE_KEY, CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Jobs over real HTTP on PGlite or PostgreSQL (DATABASE_URL): runJob records runs (status, progress, counts, timings,
 * per-step results), a failing step fails the run and leaves earlier results, two schedulers fire a slot and it runs
 * once, node-cron fires a project's schedule, and runs left behind by a dead process are marked FAILED.
 */
const RUN = `mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id name status trigger slot progress } }`;
const RUNS = `query($p: ID!) { jobRuns(projectId: $p) {
  id name status trigger slot progress step error counts durationMs startedAt finishedAt steps { name status ms counts error reason } } }`;

type Run = {
  id: string;
  name: string;
  status: string;
  trigger: string;
  slot: string | null;
  progress: number;
  step: string | null;
  error: string | null;
  counts: Record<string, number> | null;
  durationMs: number | null;
  steps: Array<{ name: string; status: string; ms: number | null; counts: Record<string, number> | null; error: string | null; reason: string | null }> | null;
};

describe('jobs', () => {
  let t: TestApp;
  let pid: string;
  let ids: string[];
  const runs = async (p = pid): Promise<Run[]> => {
    const r = await t.gql(RUNS, { p });
    expect(r.errors).toBeUndefined();
    return r.data.jobRuns;
  };
  const runJob = async (name: string, p = pid, key?: string) => {
    const r = await t.gql(RUN, { p, n: name }, key);
    expect(r.errors).toBeUndefined();
    return r.data.runJob as Run;
  };
  const finished = async (id: string, p = pid): Promise<Run> => {
    await t.app.services.jobs.idle();
    return (await runs(p)).find((r) => r.id === id)!;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const c = await t.gql(CREATE_PROJECT, { input: { name: 'jobs', classes: ['a', 'b', 'c'], embeddingDim: 4 } });
    pid = c.data.createProject.id;
    let x = 7;
    const jitter = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const items = Array.from({ length: 60 }, (_, i) => {
      const cls = i % 3;
      return { externalId: `j${i}`, embedding: [cls * 10 + jitter(), cls === 1 ? 10 : jitter(), jitter(), jitter()] };
    });
    ids = (await t.gql(IMPORT_ITEMS, { p: pid, items })).data.importItems.ids;
    const ann = ids.slice(0, 30).map((id, i) => ({ itemId: id, annotator: 'lab', label: ['a', 'b', 'c'][i % 3] }));
    expect((await t.gql(SUBMIT, { p: pid, a: ann })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('runJob(train): QUEUED at once, one run at a time, then SUCCEEDED with counts and timings; trainModel is the same job', async () => {
    const r = await runJob('train');
    expect(r).toMatchObject({ name: 'train', status: 'QUEUED', trigger: 'MANUAL', slot: null, progress: 0 });
    // While it runs, runJob and trainModel return the same run.
    expect((await runJob('train')).id).toBe(r.id);
    const tm = await t.gql(`mutation($p: ID!) { trainModel(projectId: $p) { id } }`, { p: pid });
    expect(tm.data.trainModel.id).toBe(r.id);
    const done = await finished(r.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1, step: 'done', error: null, steps: null });
    expect(done.counts).toEqual({ labeled: 30, pool: 30, predictions: 60 });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    const [v] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM model_version WHERE project_id = $1`, [pid]);
    expect(v.n).toBe(1);
  });

  test('runJob(metrics): one metrics_snapshot row with the key figures', async () => {
    const r = await runJob('metrics');
    const done = await finished(r.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.counts).toMatchObject({ items: 60, labeledItems: 30, annotations: 30, annotators: 1 });
    const snaps = await t.sql(`SELECT * FROM metrics_snapshot WHERE project_id = $1`, [pid]);
    expect(snaps).toHaveLength(1);
    const [latest] = await t.sql<{ id: string }>(`SELECT id FROM model_version WHERE project_id = $1 ORDER BY created_at DESC LIMIT 1`, [pid]);
    expect(snaps[0]).toMatchObject({
      job_run_id: r.id,
      items: 60,
      labeled_items: 30,
      annotations: 30,
      annotators: 1,
      annotations_by_kind: { HUMAN: 30, MODEL: 0, WEAK: 0, GOLD: 0, REVIEW: 0 },
      model_version_id: latest.id,
    });
    expect(snaps[0].cross_val_accuracy).toBeGreaterThan(0.9);
    const [{ has }] = await t.sql<{ has: boolean }>(`SELECT to_regclass('label_issue') IS NOT NULL AS has`);
    if (has) expect(typeof snaps[0].open_label_issues).toBe('number');
  });

  test('runJob(pipeline): every step in order, registered ones run with their time and counts, the others skipped', async () => {
    const r = await runJob('pipeline');
    const done = await finished(r.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.steps!.map((s) => s.name)).toEqual(JOB_NAMES.filter((n) => n !== 'pipeline'));
    const runner = t.app.runner;
    for (const s of done.steps!) {
      if (runner.find(s.name)) {
        expect(s).toMatchObject({ status: 'SUCCEEDED', error: null });
        expect(s.ms).toBeGreaterThanOrEqual(0);
        expect(done.counts![`${s.name}.ms`]).toBe(s.ms);
      } else expect(s).toMatchObject({ status: 'SKIPPED', ms: null, reason: 'not available in this version' });
    }
    expect(done.steps!.find((s) => s.name === 'train')!.counts).toEqual({ labeled: 30, pool: 30, predictions: 60 });
    expect(done.counts).toMatchObject({ 'train.labeled': 30, 'metrics.items': 60, steps: done.steps!.filter((s) => s.status === 'SUCCEEDED').length });
    const n = await t.sql<{ v: number; s: number }>(
      `SELECT (SELECT count(*)::int FROM model_version WHERE project_id = $1) AS v, (SELECT count(*)::int FROM metrics_snapshot WHERE project_id = $1) AS s`,
      [pid],
    );
    expect(n[0]).toEqual({ v: 2, s: 2 });
  });

  test('a failing step: the run is FAILED with the error, later steps are not run, earlier results stay', async () => {
    const c = await t.gql(CREATE_PROJECT, { input: { name: 'jobs-fail', classes: ['a', 'b'], embeddingDim: 2 } });
    const fp = c.data.createProject.id;
    const its = Array.from({ length: 12 }, (_, i) => ({ externalId: `f${i}`, embedding: [i % 2 ? 5 + i / 10 : -5 - i / 10, i / 10] }));
    const fids: string[] = (await t.gql(IMPORT_ITEMS, { p: fp, items: its })).data.importItems.ids;
    const ann = fids.slice(0, 10).map((id, i) => ({ itemId: id, annotator: 'lab', label: i % 2 ? 'b' : 'a' }));
    expect((await t.gql(SUBMIT, { p: fp, a: ann })).errors).toBeUndefined();
    expect((await finished((await runJob('train', fp)).id, fp)).status).toBe('SUCCEEDED');
    expect((await finished((await runJob('metrics', fp)).id, fp)).status).toBe('SUCCEEDED');
    const before = await t.sql(
      `SELECT v.id, (SELECT count(*)::int FROM prediction WHERE model_version_id = v.id) AS preds,
         (SELECT count(*)::int FROM metrics_snapshot WHERE project_id = $1) AS snaps FROM model_version v WHERE v.project_id = $1`,
      [fp],
    );
    expect(before).toEqual([{ id: expect.any(String), preds: 12, snaps: 1 }]);

    // A QA lead relabels four b items as a: class b keeps one label, too few to train on.
    const review = fids.slice(0, 8).filter((_, i) => i % 2).map((id) => ({ itemId: id, annotator: 'qa', label: 'a', kind: 'REVIEW' }));
    expect((await t.gql(SUBMIT, { p: fp, a: review })).errors).toBeUndefined();
    const r = await runJob('pipeline', fp);
    const done = await finished(r.id, fp);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/^step train failed: needs at least 5 labeled items with embeddings in at least 2 classes, 2 or more per labeled class/);
    expect(done.steps![0]).toMatchObject({ name: 'train', status: 'FAILED', counts: null });
    expect(done.steps![0].error).toMatch(/has 10: a 9, b 1/);
    for (const s of done.steps!.slice(1)) expect(s).toMatchObject({ status: 'SKIPPED', reason: 'step train failed' });
    const after = await t.sql(
      `SELECT v.id, (SELECT count(*)::int FROM prediction WHERE model_version_id = v.id) AS preds,
         (SELECT count(*)::int FROM metrics_snapshot WHERE project_id = $1) AS snaps FROM model_version v WHERE v.project_id = $1`,
      [fp],
    );
    expect(after).toEqual(before);
  });

  test('runJob: roles, scope and names', async () => {
    const key = async (role: string, projectIds?: string[]) =>
      (await t.gql(CREATE_KEY, { input: { name: `k-${role}-${projectIds ? 'scoped' : 'all'}`, role, projectIds } })).data.createApiKey.key as string;
    for (const role of ['QA_LEAD', 'MANAGER', 'LABELING_TOOL']) {
      expectError(await t.gql(RUN, { p: pid, n: 'metrics' }, await key(role)), 'FORBIDDEN', 'jobs:run');
    }
    const ml = await key('ML_ENGINEER');
    const r = await t.gql(RUN, { p: pid, n: 'metrics' }, ml);
    expect(r.data.runJob).toMatchObject({ name: 'metrics', trigger: 'MANUAL' });
    await t.app.services.jobs.idle();
    const other = (await t.gql(CREATE_PROJECT, { input: { name: 'jobs-other', classes: ['x', 'y'] } })).data.createProject.id;
    expectError(await t.gql(RUN, { p: other, n: 'metrics' }, await key('ML_ENGINEER', [pid])), 'NOT_FOUND');
    expectError(await t.gql(RUN, { p: '00000000-0000-4000-8000-000000000000', n: 'metrics' }), 'NOT_FOUND');
    const bad = await t.gql(RUN, { p: pid, n: 'nope' });
    expect(bad.errors?.[0].message).toMatch(/JobName/);
    expectError(await t.gql(`mutation { runJob(projectId: "${pid}", name: train) { id } }`, undefined, null), 'UNAUTHENTICATED');
  });

  describe('scheduling', () => {
    /** Second database handles on the same database (PostgreSQL), as two replicas have. */
    const extra: Database[] = [];
    afterAll(async () => {
      for (const db of extra) await db.close();
    });
    const replica = async (): Promise<{ db: Database; runner: JobRunner }> => {
      if (t.dbKind === 'pglite') {
        // PGlite is one process: a second runner on the same handle, coordinated by the in-process lock.
        return { db: t.app.db, runner: new JobRunner(t.app.db, t.app.jobs) };
      }
      const db = await Database.open({ databaseUrl: t.app.config.databaseUrl, dataDir: '' });
      extra.push(db);
      return { db, runner: new JobRunner(db, jobsFor(db, createServices(db))) };
    };

    test(`two schedulers fire the same slot: it runs once (${process.env.DATABASE_URL ? 'PostgreSQL advisory lock + slot claim, two Database handles' : 'PGlite: in-process lock + slot claim'})`, async () => {
      const [{ db: da, runner: ra }, { db: dbb, runner: rb }] = [await replica(), await replica()];
      const [a, b] = [new Scheduler(da, ra), new Scheduler(dbb, rb)];
      const snaps = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM metrics_snapshot WHERE project_id = $1`, [pid]))[0].n;
      const s0 = await snaps();
      const slot = new Date('2030-01-01T10:15:00Z');
      const fired = await Promise.all([a.trigger(pid, 'metrics', slot), b.trigger(pid, 'metrics', slot), a.trigger(pid, 'metrics', slot), b.trigger(pid, 'metrics', slot)]);
      const started = fired.filter((r) => r !== null);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ name: 'metrics', status: 'QUEUED', trigger: 'SCHEDULE' });
      await Promise.all([ra.idle(), rb.idle()]);
      // The slot is claimed for good: a late replica firing it after the run ended does not run it again.
      expect(await b.trigger(pid, 'metrics', slot)).toBeNull();
      expect(await a.trigger(pid, 'metrics', slot)).toBeNull();
      const rows = await t.sql(`SELECT status, trigger, slot FROM job_run WHERE project_id = $1 AND slot IS NOT NULL`, [pid]);
      expect(rows).toEqual([{ status: 'SUCCEEDED', trigger: 'SCHEDULE', slot: slot }]);
      expect(await snaps()).toBe(s0 + 1);
      // The next slot runs again.
      expect(await b.trigger(pid, 'metrics', new Date('2030-01-01T10:30:00Z'))).not.toBeNull();
      await rb.idle();
      expect(await snaps()).toBe(s0 + 2);
    });

    test('a slot that fires while a run of the job is in progress is skipped', async () => {
      const { runner } = await replica();
      const lock = await locksFor(t.app.db).tryAcquire(jobLockKey(pid, 'metrics'));
      expect(lock).not.toBeNull();
      try {
        expect(await new Scheduler(t.app.db, runner).trigger(pid, 'metrics', new Date('2030-01-01T11:00:00Z'))).toBeNull();
      } finally {
        await lock!.release();
      }
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM job_run WHERE slot = '2030-01-01T11:00:00Z'`);
      expect(n).toBe(0);
    });

    test("node-cron fires the project's schedule from settings; 'off' turns a job off, null restores its default, an invalid stored one falls back", async () => {
      const c = await t.gql(CREATE_PROJECT, {
        input: { name: 'jobs-cron', classes: ['x', 'y'], settings: { schedules: { metrics: '* * * * * *', pipeline: 'off' } } },
      });
      const cp = c.data.createProject.id;
      // An invalid schedule stored before settings were validated.
      await t.sql(`UPDATE project SET settings = jsonb_set(settings, '{schedules,train}', '"not a cron"') WHERE id = $1`, [cp]);
      const s = new Scheduler(t.app.db, t.app.runner, { syncIntervalMs: 3_600_000 });
      await s.start();
      try {
        const plan = s.scheduled();
        expect(plan.get(`${cp}:metrics`)).toBe('* * * * * *');
        expect(plan.has(`${cp}:pipeline`)).toBe(false); // 'off'
        expect(plan.has(`${cp}:train`)).toBe(false); // invalid: the default, which is on demand only
        expect(plan.get(`${pid}:pipeline`)).toBe('0 * * * *'); // defaults
        expect(plan.get(`${pid}:metrics`)).toBe('*/15 * * * *');
        let rows: Array<{ slot: Date; status: string }> = [];
        for (let i = 0; i < 60 && rows.filter((r) => r.status === 'SUCCEEDED').length < 1; i++) {
          await new Promise((r) => setTimeout(r, 100));
          rows = await t.sql(`SELECT slot, status FROM job_run WHERE project_id = $1 AND trigger = 'SCHEDULE' ORDER BY slot`, [cp]);
        }
        expect(rows.length).toBeGreaterThanOrEqual(1);
        expect(new Date(rows[0].slot).getMilliseconds()).toBe(0);
        // Settings change: the next sync follows them.
        await t.gql(`mutation($id: ID!, $s: JSONObject!) { updateProject(id: $id, input: { settings: $s }) { id } }`, {
          id: cp,
          s: { schedules: { metrics: 'off', pipeline: '0 3 * * *', train: null } },
        });
        await s.sync();
        expect(s.scheduled().has(`${cp}:metrics`)).toBe(false);
        expect(s.scheduled().has(`${cp}:train`)).toBe(false); // null: back to the default, on demand only
        expect(s.scheduled().get(`${cp}:pipeline`)).toBe('0 3 * * *');
      } finally {
        await s.stop();
      }
      await t.app.services.jobs.idle();
      expect(s.scheduled().size).toBe(0);
    });
  });

  test('runs left QUEUED or RUNNING by a dead process are marked FAILED; a live one (its lock held) is left alone', async () => {
    const [dead] = await t.sql<{ id: string }>(
      `INSERT INTO job_run (project_id, name, status, started_at) VALUES ($1, 'metrics', 'RUNNING', now()) RETURNING id`,
      [pid],
    );
    const [live] = await t.sql<{ id: string }>(`INSERT INTO job_run (project_id, name, status) VALUES ($1, 'drift', 'QUEUED') RETURNING id`, [pid]);
    const lock = await locksFor(t.app.db).tryAcquire(jobLockKey(pid, 'drift'));
    try {
      expect(await t.app.services.jobs.recover()).toBe(1);
    } finally {
      await lock!.release();
    }
    const status = async (id: string) => (await t.sql<{ status: string; error: string | null }>(`SELECT status, error FROM job_run WHERE id = $1`, [id]))[0];
    expect(await status(dead.id)).toEqual({ status: 'FAILED', error: 'interrupted: the process running it stopped before it finished' });
    expect(await status(live.id)).toEqual({ status: 'QUEUED', error: null });
    expect(await t.app.services.jobs.recover()).toBe(1); // its holder is gone now
    expect((await status(live.id)).status).toBe('FAILED');
    // The job runs again afterwards.
    expect((await finished((await runJob('metrics')).id)).status).toBe('SUCCEEDED');
  });

  test('a job that throws records FAILED with its error and progress; an injected registry shows the runner runs what it is given', async () => {
    const boom: Job = {
      name: 'drift',
      schedule: null,
      run: async (ctx) => {
        await ctx.progress(0.5, 'half way');
        throw Object.assign(new Error('boom'), { expected: true }); // expected: recorded without an error log
      },
    };
    const runner = new JobRunner(t.app.db, [boom, metricsJob(t.app.services.metricsSnapshots)]);
    const r = await runner.startManual(pid, 'drift');
    await runner.idle();
    const [row] = await t.sql(`SELECT status, error, progress, step FROM job_run WHERE id = $1`, [r.id]);
    expect(row).toMatchObject({ status: 'FAILED', error: 'boom', step: 'half way' });
    expect(row.progress).toBeCloseTo(0.5);
    await expect(runner.startManual(pid, 'train')).rejects.toThrow(/job train is not available/);
  });
});

