import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Database } from '../../src/db/database';
import { createScratchPgDatabase } from '../../src/db/scratch-database';
import { CREATE_PROJECT, IMPORT_ITEMS, SUBMIT } from '../helpers/app';
import { TEMPLATE_ENV } from '../setup/templates';

/**
 * SIGTERM sent to the real server (src/main.ts in a child process, Loupe's sources through the transpiling require
 * hook of src/compute/register-ts.cjs) while import batches are in flight and a training job runs. The child runs with
 * NODE_ENV=production, as deployed: there Apollo Server would install its own signal handler unless told not to.
 * - every request in flight gets its whole answer (200, the batch imported, `Connection: close`), none a reset
 *   connection;
 * - a request sent on a kept-alive connection after the signal is answered 503 SHUTTING_DOWN with Connection: close,
 *   a new connection is refused;
 * - the running job ends FAILED with a "shutdown" error, the process logs "stopped" and exits 0.
 * On PostgreSQL the batches are held in the server by a lock this test takes on `item` (seen waiting in
 * pg_stat_activity), so they are certainly in flight at the signal and still running after it. On PGlite (one
 * process per data folder: nothing else may open it) they are large batches queued on PGlite's one connection; the
 * drain's log line says how many requests were in flight.
 */
const onPostgres = !!process.env.DATABASE_URL;
const ROOT = join(__dirname, '../..');
const ADMIN_KEY = 'lp_test_admin_' + randomBytes(16).toString('hex');
const BATCHES = 4;
const BATCH = onPostgres ? 500 : 3000;
const DIM = 16;
const APP_NAME = 'loupe-sigterm-child';

type LogLine = { msg: string; [k: string]: unknown };
type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string } | { error: string };

/** One HTTP request; resolves with the whole response or with the socket error's code (never rejects). */
function send(url: string, opts: { method?: string; body?: unknown; agent?: Agent | false } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: opts.method ?? (body ? 'POST' : 'GET'),
        agent: opts.agent ?? false,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

/** The server in a child process: its log lines (stderr, JSON), its URL once listening, its exit. */
function startServer(dbEnv: Record<string, string>) {
  const logs: LogLine[] = [];
  let stderr = '';
  let stdout = '';
  let exited: { code: number | null; signal: string | null } | null = null;
  const child: ChildProcess = spawn(process.execPath, ['-r', join(ROOT, 'src/compute/register-ts.cjs'), join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'production',
      DATABASE_URL: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOUPE_ADMIN_KEY: ADMIN_KEY,
      LOUPE_SEED_DEMO: 'false',
      LOUPE_SCHEDULER: 'false',
      LOUPE_SHUTDOWN_GRACE_MS: '20000',
      LOG_LEVEL: 'info',
      PGAPPNAME: APP_NAME,
      ...dbEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve((exited = { code, signal }))),
  );
  const until = async (pred: () => boolean | Promise<boolean>, what: string, ms = 40_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await pred())) {
      if (exited) throw new Error(`server exited (${JSON.stringify(exited)}) before ${what}:\n${stderr.slice(-3000)}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${stderr.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    child,
    logs,
    exit,
    until,
    stderr: () => stderr,
    async url(): Promise<string> {
      await until(() => /Loupe GraphQL API on (\S+)/.test(stdout), 'listening', 45_000);
      return /Loupe GraphQL API on (\S+)/.exec(stdout)![1];
    },
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

async function gql(url: string, query: string, variables?: Record<string, unknown>) {
  const a = await send(url, { body: { query, variables } });
  if ('error' in a) throw new Error(`${query}: ${a.error}`);
  return { status: a.status, ...(JSON.parse(a.body) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> }) }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Deterministic items: DIM-dimensional embeddings in 3 separable classes. */
function items(prefix: string, n: number) {
  let x = prefix.length * 7919 + 11;
  const jitter = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: n }, (_, i) => ({
    externalId: `${prefix}${i}`,
    embedding: Array.from({ length: DIM }, (_, d) => (d === i % 3 ? 6 : 0) + jitter()),
  }));
}

const JOB_RUNS = `query($p: ID!) { jobRuns(projectId: $p) { id name status step error } }`;

describe(`SIGTERM with requests in flight and a job running (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-sigterm-'));
  let databaseUrl: string | undefined;
  let drop = async () => {};
  let server: ReturnType<typeof startServer> | null = null;

  beforeAll(async () => {
    const template = process.env[TEMPLATE_ENV.empty];
    if (onPostgres) {
      const pg = await createScratchPgDatabase(process.env.DATABASE_URL!, 'loupe_sigterm', { template });
      databaseUrl = pg.url;
      drop = pg.drop;
    } else if (template) {
      cpSync(template, join(dir, 'db'), { recursive: true });
    }
  });
  afterAll(async () => {
    server?.kill();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('in-flight requests answered, later ones refused, the job FAILED "shutdown", "stopped" logged, exit 0', async () => {
    server = startServer(onPostgres ? { DATABASE_URL: databaseUrl! } : { LOUPE_DATA_DIR: join(dir, 'db') });
    const s = server;
    const url = await s.url();
    const base = url.replace(/\/graphql$/, '');

    // A project with a model to train: 1,500 items, 900 labeled.
    const created = await gql(url, CREATE_PROJECT, { input: { name: 'sigterm', classes: ['a', 'b', 'c'], embeddingDim: DIM } });
    expect(created.errors).toBeUndefined();
    const pid: string = created.data.createProject.id;
    const seeded = await gql(url, IMPORT_ITEMS, { p: pid, items: items('seed-', 1500) });
    expect(seeded.errors).toBeUndefined();
    const ids: string[] = seeded.data.importItems.ids;
    const ann = ids.slice(0, 900).map((id, i) => ({ itemId: id, annotator: 'lab', label: ['a', 'b', 'c'][i % 3] }));
    expect((await gql(url, SUBMIT, { p: pid, a: ann })).errors).toBeUndefined();

    // The job, running.
    const started = await gql(url, `mutation($p: ID!) { runJob(projectId: $p, name: train) { id status } }`, { p: pid });
    expect(started.errors).toBeUndefined();
    const runId: string = started.data.runJob.id;
    await s.until(async () => {
      const r = (await gql(url, JOB_RUNS, { p: pid })).data.jobRuns.find((j: { id: string }) => j.id === runId);
      if (r.status === 'SUCCEEDED' || r.status === 'FAILED') throw new Error(`the job ended before the signal: ${JSON.stringify(r)}`);
      return r.status === 'RUNNING' && /training/.test(r.step ?? '');
    }, 'the job training');

    // A kept-alive connection, idle at the signal.
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send(`${base}/healthz`, { agent: keepAlive });
    expect(first).toMatchObject({ status: 200 });

    // Batches in flight, each on a kept-alive connection of its own.
    const pool = new Agent({ keepAlive: true, maxSockets: BATCHES });
    let blocker: Client | null = null;
    let inFlight: Array<Promise<Answer>>;
    try {
      if (onPostgres) {
        blocker = new Client({ connectionString: databaseUrl });
        await blocker.connect();
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE item IN EXCLUSIVE MODE');
      }
      inFlight = Array.from({ length: BATCHES }, (_, b) =>
        send(url, { agent: pool, body: { query: IMPORT_ITEMS, variables: { p: pid, items: items(`b${b}-`, BATCH) } } }),
      );
      if (blocker) {
        const watcher = new Client({ connectionString: databaseUrl });
        await watcher.connect();
        try {
          await s.until(async () => {
            const r = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [APP_NAME]);
            return r.rows[0].n >= BATCHES;
          }, 'the batches waiting on the lock');
        } finally {
          await watcher.end();
        }
      } else {
        // Answered after the batches' connections were accepted and their headers read (one event loop, in order).
        expect(await send(`${base}/healthz`)).toMatchObject({ status: 200 });
      }

      s.child.kill('SIGTERM');
      await s.until(() => s.logs.some((l) => l.msg === 'http draining'), 'the drain to begin', 10_000);
      const draining = s.logs.find((l) => l.msg === 'http draining')!;
      expect(draining.inFlight).toBeGreaterThanOrEqual(onPostgres ? BATCHES : 1);

      // After the signal: a new connection is refused; a request on the open connection is answered 503 (on PGlite the
      // drain may be over by then, and the connection closed: refused too, not left waiting).
      expect(await send(`${base}/healthz`)).toEqual({ error: 'ECONNREFUSED' });
      const late = await send(url, { body: { query: '{ __typename }' }, agent: keepAlive });
      if (onPostgres || 'status' in late) {
        if (!('status' in late)) throw new Error(`expected a 503 on the kept-alive connection, got ${late.error}`);
        expect(late.status).toBe(503);
        expect(late.headers.connection).toBe('close');
        expect(JSON.parse(late.body).errors[0].extensions.code).toBe('SHUTTING_DOWN');
      } else {
        expect(late.error).toMatch(/ECONNRESET|ECONNREFUSED|EPIPE|socket hang up/);
      }
      keepAlive.destroy();
    } finally {
      if (blocker) {
        await blocker.query('ROLLBACK');
        await blocker.end();
      }
    }

    // Every batch in flight: a whole 200 answer, imported, telling the client not to reuse the connection.
    const answers = await Promise.all(inFlight!);
    pool.destroy();
    for (const a of answers) {
      if ('error' in a) throw new Error(`a request in flight got ${a.error}\n${s.stderr().slice(-3000)}`);
      expect(a.status).toBe(200);
      expect(a.headers.connection).toBe('close');
      const body = JSON.parse(a.body);
      expect(body.errors).toBeUndefined();
      expect(body.data.importItems.inserted).toBe(BATCH);
    }

    const exited = await s.exit;
    expect(exited).toEqual({ code: 0, signal: null });
    expect(s.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    expect(s.logs.filter((l) => l.msg === 'shutdown failed' || /grace period over/.test(l.msg))).toEqual([]);

    // Opened again: the job's end recorded, every batch there.
    const db = await Database.open({ databaseUrl, dataDir: join(dir, 'db') });
    try {
      const [run] = await db.query<{ status: string; error: string | null }>(`SELECT status, error FROM job_run WHERE id = $1`, [runId]);
      expect(run.status).toBe('FAILED');
      expect(run.error).toMatch(/^shutdown/);
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE project_id = $1`, [pid]);
      expect(n).toBe(1500 + BATCHES * BATCH);
    } finally {
      await db.close();
    }
  });
});
