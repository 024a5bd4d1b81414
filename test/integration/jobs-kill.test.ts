import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * A job killed mid-way with SIGKILL. The job runs in a child process (test/fixtures/scripts/run-job.cjs: Loupe's
 * sources through a transpile-only require hook) on the test's database.
 * - PostgreSQL: the child is killed inside its write transaction (a model version inserted, not committed, blocked on
 *   a table lock this test holds on `prediction`); the previous model version and its predictions stay, the killed
 *   run's advisory lock goes with its session, recovery marks it FAILED, and the next run succeeds.
 * - PGlite: the child is killed mid-training; the data folder reopens (recovery at start marks the run FAILED), the
 *   previous results are there, and the next run succeeds.
 */
const SCRIPT = join(__dirname, '../fixtures/scripts/run-job.cjs');
const RUN = `mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id status } }`;
const onPostgres = !!process.env.DATABASE_URL;

type Line = { event: string; run?: string; status?: string; step?: string | null; error?: string | null };

/** The child process running a job, with its output lines. */
function runChild(projectId: string, env: Record<string, string>) {
  const lines: Line[] = [];
  let stderr = '';
  let exited: { code: number | null; signal: string | null } | null = null;
  const child: ChildProcess = spawn(process.execPath, [SCRIPT, projectId, 'train'], {
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<void>((resolve) => child.on('exit', (code, signal) => ((exited = { code, signal }), resolve())));
  return {
    child,
    lines,
    exit,
    /** Waits until `pred` holds, failing with the child's output if it exits or the time runs out. */
    async until(pred: () => boolean | Promise<boolean>, what: string, ms = 90_000): Promise<void> {
      const end = Date.now() + ms;
      while (!(await pred())) {
        if (exited) throw new Error(`child exited (${JSON.stringify(exited)}) before ${what}: ${stderr}\n${JSON.stringify(lines.slice(-3))}`);
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${stderr}\n${JSON.stringify(lines.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async kill(): Promise<{ code: number | null; signal: string | null }> {
      child.kill('SIGKILL');
      await exit;
      return exited!;
    },
  };
}

/** A project with 1,500 items (16 dims, 3 separable classes), 900 of them labeled. */
async function seed(t: TestApp): Promise<string> {
  const c = await t.gql(CREATE_PROJECT, { input: { name: 'killed', classes: ['a', 'b', 'c'], embeddingDim: 16 } });
  const pid = c.data.createProject.id;
  let x = 11;
  const jitter = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const items = Array.from({ length: 1500 }, (_, i) => ({
    externalId: `k${i}`,
    embedding: Array.from({ length: 16 }, (_, d) => (d === i % 3 ? 6 : 0) + jitter()),
  }));
  const ids: string[] = (await t.gql(IMPORT_ITEMS, { p: pid, items })).data.importItems.ids;
  const ann = ids.slice(0, 900).map((id, i) => ({ itemId: id, annotator: 'lab', label: ['a', 'b', 'c'][i % 3] }));
  expect((await t.gql(SUBMIT, { p: pid, a: ann })).errors).toBeUndefined();
  return pid;
}

async function trainOnce(t: TestApp, pid: string): Promise<void> {
  const r = await t.gql(RUN, { p: pid, n: 'train' });
  expect(r.errors).toBeUndefined();
  await t.app.services.jobs.idle();
  const [row] = await t.sql(`SELECT status, error FROM job_run WHERE id = $1`, [r.data.runJob.id]);
  expect(row).toEqual({ status: 'SUCCEEDED', error: null });
}

const versions = (t: TestApp, pid: string) =>
  t.sql<{ id: string; preds: number }>(
    `SELECT v.id, (SELECT count(*)::int FROM prediction p WHERE p.model_version_id = v.id) AS preds
     FROM model_version v WHERE v.project_id = $1 ORDER BY v.created_at, v.id`,
    [pid],
  );

(onPostgres ? describe : describe.skip)('a job killed with SIGKILL inside its write transaction (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the previous results stay, recovery marks the run FAILED, the next run succeeds', async () => {
    const pid = await seed(t);
    await trainOnce(t, pid);
    const before = await versions(t, pid);
    expect(before).toEqual([{ id: expect.any(String), preds: 1500 }]);

    const url = t.app.config.databaseUrl!;
    const blocker = new Client({ connectionString: url });
    await blocker.connect();
    const app = 'loupe-kill-child';
    let child: ReturnType<typeof runChild> | null = null;
    try {
      // INSERTs into prediction wait for this lock: the child's transaction stops half-written.
      await blocker.query(`BEGIN`);
      await blocker.query(`LOCK TABLE prediction IN EXCLUSIVE MODE`);
      child = runChild(pid, { DATABASE_URL: url, PGAPPNAME: app });
      // Watched from another connection: inside the blocker's transaction pg_stat_activity is a frozen snapshot.
      await child.until(async () => {
        const r = await t.sql(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL
             AND query LIKE '%INSERT INTO prediction%'`,
          [app],
        );
        return r.length === 1;
      }, 'the child blocked in its write transaction');
      const runId = child.lines.find((l) => l.event === 'started')!.run!;
      expect((await child.kill()).signal).toBe('SIGKILL');
      await blocker.query(`ROLLBACK`);
      // The orphaned backend finishes its INSERT, finds its client gone and rolls the transaction back.
      for (let i = 0; i < 200 && (await t.sql(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [app])).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await t.sql(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [app])).toHaveLength(0);

      expect(await versions(t, pid)).toEqual(before);
      const [left] = await t.sql(`SELECT status FROM job_run WHERE id = $1`, [runId]);
      expect(left.status).toBe('RUNNING');
      expect(await t.app.services.jobs.recover()).toBe(1);
      const [marked] = await t.sql(`SELECT status, error FROM job_run WHERE id = $1`, [runId]);
      expect(marked).toEqual({ status: 'FAILED', error: 'interrupted: the process running it stopped before it finished' });

      await trainOnce(t, pid);
      const after = await versions(t, pid);
      expect(after).toHaveLength(2);
      expect(after[0]).toEqual(before[0]);
      expect(after[1].preds).toBe(1500);
    } finally {
      if (child && child.child.exitCode === null && child.child.signalCode === null) await child.kill();
      await blocker.end();
    }
  });
});

(onPostgres ? describe.skip : describe)('a job killed with SIGKILL mid-training (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-kill-'));
  const dataDir = join(dir, 'db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the data folder reopens, the previous results stay, the run is marked FAILED, the next run succeeds', async () => {
    let t = await startTestApp({ LOUPE_DATA_DIR: dataDir });
    let pid: string;
    let before: Array<{ id: string; preds: number }>;
    try {
      pid = await seed(t);
      await trainOnce(t, pid);
      before = await versions(t, pid);
      expect(before).toEqual([{ id: expect.any(String), preds: 1500 }]);
    } finally {
      await t.close();
    }

    // PGlite is one process per folder: the child has it to itself until it is killed.
    const child = runChild(pid, { DATABASE_URL: '', LOUPE_DATA_DIR: dataDir });
    await child.until(() => child.lines.some((l) => l.status === 'RUNNING' && /training fold [2-5] of 5/.test(l.step ?? '')), 'training fold 2');
    const runId = child.lines.find((l) => l.event === 'started')!.run!;
    expect((await child.kill()).signal).toBe('SIGKILL');

    t = await startTestApp({ LOUPE_DATA_DIR: dataDir });
    try {
      expect(await versions(t, pid)).toEqual(before);
      const [marked] = await t.sql(`SELECT status, error FROM job_run WHERE id = $1`, [runId]);
      expect(marked).toEqual({ status: 'FAILED', error: 'interrupted: the process running it stopped before it finished' });
      await trainOnce(t, pid);
      const after = await versions(t, pid);
      expect(after).toHaveLength(2);
      expect(after[0]).toEqual(before[0]);
      expect(after[1].preds).toBe(1500);
    } finally {
      await t.close();
    }
  });
});
