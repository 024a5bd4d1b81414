/**
 * Responsiveness benchmark: does the API keep answering while the pipeline works? Starts the real server
 * (`node dist/src/main.js`, the demo dataset seeded on first start) in a process of its own and polls GET /healthz
 * every 100 ms over one kept-alive connection, as a load balancer's health check does, through three phases:
 *   first start   from the "listening" line until the demo pipeline the server starts by itself has ended;
 *   pipeline      runJob(pipeline) on the demo project, until it ends;
 *   trainModel    trainModel on the demo project, until it ends.
 * A second kept-alive client polls `jobRuns` every second, as a dashboard does. Reports per phase the /healthz latency
 * (p50, p99, max), the longest time between two answered polls (a stall shows there even when its requests failed),
 * the requests that failed and the connection resets (ECONNRESET) of both clients.
 * Aim on 2 cores: p99 < 100 ms, max < 500 ms, no resets.
 *
 *   npm run build && node dist/bench/responsiveness.bench.js [--db pglite,postgres] [--pg-url postgresql://…]
 *     [--main dist/src/main.js]  (another build's entry point, to compare two versions in the same minutes)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createScratchPgDatabase } from '../src/db/scratch-database';
import { arg, call } from './cli';

const POLL_MS = Number(arg('--interval', '100'));
const JOB_POLL_MS = 1000;
const PHASE_LIMIT_MS = 15 * 60_000;

interface Sample {
  at: number;
  ms: number | null;
  error: string | null;
}


/** Polls /healthz every POLL_MS (skipping a tick while a request is still out, whose latency then shows the stall). */
class Poller {
  readonly samples: Sample[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;

  constructor(private readonly url: URL) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      this.inFlight = true;
      const t0 = performance.now();
      call(this.agent, this.url).then(
        (r) => this.samples.push({ at: t0, ms: performance.now() - t0, error: r.status === 200 ? null : `HTTP ${r.status}` }),
        (e: NodeJS.ErrnoException) => this.samples.push({ at: t0, ms: null, error: e.code ?? e.message }),
      ).finally(() => (this.inFlight = false));
    }, POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.agent.destroy();
  }
}

/** A GraphQL client on its own kept-alive connection that counts resets. */
class Gql {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  errors: string[] = [];
  constructor(
    private readonly url: URL,
    private readonly key: string,
  ) {}

  async q<T>(query: string, variables: Record<string, unknown> = {}): Promise<T | null> {
    try {
      const r = await call(this.agent, this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = JSON.parse(r.body) as { data?: T; errors?: { message: string }[] };
      if (body.errors) throw new Error(body.errors[0].message);
      return body.data ?? null;
    } catch (e) {
      this.errors.push((e as NodeJS.ErrnoException).code ?? (e as Error).message);
      return null;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

const quantile = (sorted: number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);

interface PhaseResult {
  db: string;
  phase: string;
  seconds: number;
  polls: number;
  p50: number;
  p99: number;
  max: number;
  /** Longest time between two answered polls: a stall shows here even when its requests failed. */
  gap: number;
  failed: number;
  resets: number;
  status: string;
}

function summarise(db: string, phase: string, samples: Sample[], from: number, to: number, gqlErrors: string[], status: string): PhaseResult {
  const inPhase = samples.filter((s) => s.at >= from && s.at < to);
  const ms = inPhase.filter((s) => s.ms !== null).map((s) => s.ms!).sort((a, b) => a - b);
  const errors = [...inPhase.filter((s) => s.error).map((s) => s.error!), ...gqlErrors];
  const answered = inPhase.filter((s) => s.ms !== null).map((s) => s.at + s.ms!);
  let gap = answered.length ? answered[0] - from : to - from;
  for (let i = 1; i < answered.length; i++) gap = Math.max(gap, answered[i] - answered[i - 1]);
  return {
    db,
    phase,
    seconds: (to - from) / 1000,
    polls: inPhase.length,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    max: ms.length ? ms[ms.length - 1] : NaN,
    gap,
    failed: inPhase.filter((s) => s.error).length,
    resets: errors.filter((e) => e === 'ECONNRESET').length,
    status,
  };
}

const JOB_RUNS = `query($p: ID!) { jobRuns(projectId: $p) { id name status } }`;

/** Polls jobRuns until the run `id` (or, with id null, every run of the project) has ended. */
async function waitForRun(g: Gql, projectId: string, id: string | null): Promise<string> {
  const deadline = Date.now() + PHASE_LIMIT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, JOB_POLL_MS));
    const d = await g.q<{ jobRuns: { id: string; name: string; status: string }[] }>(JOB_RUNS, { p: projectId });
    if (!d) continue;
    const runs = id ? d.jobRuns.filter((r) => r.id === id) : d.jobRuns.filter((r) => r.name === 'pipeline');
    if (runs.length && runs.every((r) => r.status === 'SUCCEEDED' || r.status === 'FAILED')) return runs.map((r) => r.status).join(',');
  }
  return 'TIMEOUT';
}

async function benchOne(db: 'pglite' | 'postgres', main: string, pgUrl: string): Promise<PhaseResult[]> {
  const adminKey = 'lp_bench_' + randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'loupe-resp-'));
  const pg = db === 'postgres' ? await createScratchPgDatabase(pgUrl, 'loupe_bench_resp') : null;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOUPE_ADMIN_KEY: adminKey,
    LOUPE_SEED_DEMO: 'true',
    LOUPE_SCHEDULER: 'false',
    LOG_LEVEL: 'warn',
    ...(pg ? { DATABASE_URL: pg.url } : { DATABASE_URL: '', LOUPE_DATA_DIR: join(dir, 'db') }),
  };
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const results: PhaseResult[] = [];
  try {
    const url = await new Promise<URL>((ok, fail) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        out += c;
        const m = /Loupe GraphQL API on (\S+)/.exec(out);
        if (m) ok(new URL(m[1]));
      });
      child.once('exit', (code) => fail(new Error(`server exited with ${code} before listening`)));
    });
    const listening = performance.now();
    const health = new URL('/healthz', url);
    const poller = new Poller(health);
    poller.start();
    const g = new Gql(url, adminKey);
    try {
      // First start: the demo is seeded and its pipeline runs in the background.
      let projectId: string | null = null;
      while (!projectId && performance.now() - listening < PHASE_LIMIT_MS) {
        const d = await g.q<{ projects: { id: string }[] }>(`{ projects { id } }`);
        projectId = d?.projects[0]?.id ?? null;
        if (!projectId) await new Promise((r) => setTimeout(r, 250));
      }
      if (!projectId) throw new Error('the demo project did not appear');
      let status = await waitForRun(g, projectId, null);
      results.push(summarise(db, 'first start', poller.samples, listening, performance.now(), g.errors.splice(0), status));

      for (const [phase, mutation] of [
        ['pipeline', `mutation($p: ID!) { runJob(projectId: $p, name: pipeline) { id } }`],
        ['trainModel', `mutation($p: ID!) { trainModel(projectId: $p) { id } }`],
      ] as const) {
        const t0 = performance.now();
        const d = await g.q<Record<string, { id: string }>>(mutation, { p: projectId });
        const run = d ? Object.values(d)[0].id : null;
        status = run ? await waitForRun(g, projectId, run) : `not started (${g.errors.join('; ')})`;
        results.push(summarise(db, phase, poller.samples, t0, performance.now(), g.errors.splice(0), status));
      }
    } finally {
      poller.stop();
      g.close();
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<void> {
  const main = resolve(arg('--main', join(__dirname, '..', 'src', 'main.js')));
  const dbs = arg('--db', 'pglite,postgres').split(',') as ('pglite' | 'postgres')[];
  const pgUrl = arg('--pg-url', process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres');
  console.log(`server: ${main}; /healthz every ${POLL_MS} ms on one kept-alive connection`);
  console.log('| database | phase | s | polls | p50 ms | p99 ms | max ms | longest gap ms | failed | resets | runs |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const f = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(1));
  for (const db of dbs) {
    for (const r of await benchOne(db, main, pgUrl)) {
      console.log(`| ${r.db} | ${r.phase} | ${r.seconds.toFixed(1)} | ${r.polls} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${f(r.gap)} | ${r.failed} | ${r.resets} | ${r.status} |`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
