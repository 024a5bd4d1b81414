/**
 * Ingest benchmark: annotations per second through submitAnnotations over HTTP (batches of 1,000,
 * 4 concurrent clients) on PostgreSQL and on PGlite, next to a raw multi-row INSERT through `pg` into the same
 * table on the same machine in the same run.
 *
 *   npm run build && node dist/bench/ingest.bench.js [--pg-url postgres://...] [--annotations 100000]
 *     [--cases http-pg,raw,http-pglite]
 *
 * --with-metrics: the PostgreSQL HTTP case runs without and with observability, alternating, in the same
 * run: "with" scrapes GET /metrics every second and pushes by remote write every second to a real Prometheus
 * (Debian package, started here on loopback); prints both rates and the overhead (target ≤ 5%).
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { Database } from '../src/db/database';
import { createScratchPgDatabase } from '../src/db/scratch-database';
import { startPrometheus, TestPrometheus } from '../test/helpers/prometheus';
import { arg, gql } from './cli';

const BATCH = 1000;
const CLIENTS = 4;
const ITEMS = 20_000;

const SUBMIT = `mutation($p: ID!, $a: [AnnotationInput!]!) { submitAnnotations(projectId: $p, annotations: $a) { inserted duplicates } }`;

/** Runs the HTTP ingest against a fresh database; returns annotations/s. */
async function httpIngest(env: Record<string, string>, total: number, label: string, prom?: TestPrometheus): Promise<number> {
  const key = 'lp_bench_admin_key_0123456789abcdef';
  if (prom) {
    env = {
      ...env,
      LOUPE_REMOTE_WRITE_URL: `${prom.url}/api/v1/write`,
      LOUPE_REMOTE_WRITE_USERNAME: prom.username,
      LOUPE_REMOTE_WRITE_PASSWORD: prom.password,
      LOUPE_REMOTE_WRITE_INTERVAL_SECONDS: '1',
    };
  }
  const app = await createApp(loadConfig({ PORT: '0', LOUPE_ADMIN_KEY: key, LOUPE_SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...env }));
  try {
    const url = app.server.url;
    const p = (await gql(url, key, `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`, {
      i: { name: 'bench', classes: ['a', 'b', 'c', 'd', 'e'] },
    })).createProject.id as string;
    for (let s = 0; s < ITEMS; s += 5000) {
      const items = Array.from({ length: 5000 }, (_, k) => ({ externalId: `it-${s + k}`, text: `item ${s + k}` }));
      await gql(url, key, `mutation($p: ID!, $items: [ItemInput!]!) { importItems(projectId: $p, items: $items) { inserted } }`, { p, items });
    }
    const batches = Math.ceil(total / BATCH);
    let next = 0;
    const makeBatch = (b: number) =>
      Array.from({ length: BATCH }, (_, k) => {
        const n = b * BATCH + k;
        return {
          externalId: `it-${n % ITEMS}`,
          annotator: `annotator-${n % 50}`,
          label: ['a', 'b', 'c', 'd', 'e'][n % 5],
          durationMs: 1000 + (n % 7000),
          clientMutationId: `bench-${n}`,
        };
      });
    // Warm-up batch (JIT, caches), not counted.
    await gql(url, key, SUBMIT, { p, a: makeBatch(batches) });
    let scrapes = 0;
    const scraper = prom
      ? setInterval(() => {
          void fetch(url.replace(/\/graphql$/, '/metrics')).then(async (r) => {
            if (r.ok && (await r.text()).includes('loupe_annotations_total')) scrapes++;
          });
        }, 1000)
      : null;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let b = next++; b < batches; b = next++) {
          const r = await gql(url, key, SUBMIT, { p, a: makeBatch(b) });
          if (r.submitAnnotations.inserted !== BATCH) throw new Error('unexpected duplicates');
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (scraper) clearInterval(scraper);
    if (prom) {
      const pushed = await prom.query(`count_over_time(loupe_items{project="bench"}[10m])`);
      label += ` + metrics (${scrapes} scrapes, ${pushed[0]?.value[1] ?? 0} pushes received)`;
    }
    if (process.env.LOUPE_BENCH_CPU) {
      // Per batch: this process (server + the bench's own clients) and everything else on the machine (the database).
      const nodeMs = (cpu.user + cpu.system) / 1e3 / batches;
      const otherMs = ((machineBusySeconds() - busy0) * 1e3) / batches - nodeMs;
      console.log(`cpu per batch of ${BATCH}: node ${nodeMs.toFixed(1)} ms (user ${(cpu.user / 1e3 / batches).toFixed(1)}), rest of the machine ${otherMs.toFixed(1)} ms`);
    }
    const rate = (batches * BATCH) / secs;
    console.log(`| submitAnnotations over HTTP, ${label} | ${batches * BATCH} annotations | ${secs.toFixed(2)} s | ${Math.round(rate)} annotations/s |`);
    return rate;
  } finally {
    await app.close();
  }
}

/** CPU seconds the whole machine has spent busy since boot (Linux /proc/stat; NaN elsewhere). */
function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

/** Raw multi-row INSERTs of the same rows through `pg`, 4 connections, 1,000 rows a statement. */
async function rawInsert(dbUrl: string, total: number): Promise<number> {
  const c0 = new Client({ connectionString: dbUrl });
  await c0.connect();
  const [{ id: projectId }] = (await c0.query(`INSERT INTO project (name, classes) VALUES ('raw', ARRAY['a','b','c','d','e']) RETURNING id`)).rows;
  const items = (
    await c0.query(
      `INSERT INTO item (project_id, external_id) SELECT $1, 'raw-' || g FROM generate_series(0, ${ITEMS - 1}) g RETURNING id`,
      [projectId],
    )
  ).rows.map((r: { id: string }) => r.id);
  const annotators = (
    await c0.query(`INSERT INTO annotator (project_id, name, kind) SELECT $1, 'raw-' || g, 'HUMAN' FROM generate_series(0, 49) g RETURNING id`, [projectId])
  ).rows.map((r: { id: string }) => r.id);
  await c0.end();
  const batches = Math.ceil(total / BATCH);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = new Client({ connectionString: dbUrl });
      await c.connect();
      for (let b = next++; b < batches; b = next++) {
        const values: string[] = [];
        const params: unknown[] = [projectId];
        for (let k = 0; k < BATCH; k++) {
          const n = b * BATCH + k;
          params.push(items[n % ITEMS], annotators[n % 50], n % 5, 1000 + (n % 7000), `raw-${n}`);
          const o = params.length - 5;
          values.push(`($1, $${o + 1}, $${o + 2}, $${o + 3}, 'HUMAN', $${o + 4}, $${o + 5})`);
        }
        await c.query(
          `INSERT INTO annotation (project_id, item_id, annotator_id, label, kind, duration_ms, client_mutation_id) VALUES ${values.join(',')}`,
          params,
        );
      }
      await c.end();
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const rate = (batches * BATCH) / secs;
  console.log(`| raw multi-row INSERT through pg, PostgreSQL | ${batches * BATCH} annotations | ${secs.toFixed(2)} s | ${Math.round(rate)} annotations/s |`);
  return rate;
}

async function main(): Promise<void> {
  const pgBase = arg('--pg-url', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const total = Number(arg('--annotations', '100000'));
  const totalPglite = Number(arg('--annotations-pglite', String(Math.min(total, 40_000))));
  console.log(`| ingest case | rows | time | rate |\n|---|---|---|---|`);

  if (process.argv.includes('--with-metrics')) {
    await withMetrics(pgBase, total);
    return;
  }
  // --cases http-pg,raw,http-pglite (default: all three) runs a subset, e.g. to profile one of them.
  const cases = new Set(arg('--cases', 'http-pg,raw,http-pglite').split(','));
  let httpPg = NaN;
  let raw = NaN;
  if (cases.has('http-pg') || cases.has('raw')) {
    const scratch = await createScratchPgDatabase(pgBase, 'loupe_bench');
    try {
      if (cases.has('http-pg')) httpPg = await httpIngest({ DATABASE_URL: scratch.url }, total, 'PostgreSQL');
      if (cases.has('raw')) {
        if (!cases.has('http-pg')) await (await Database.open({ databaseUrl: scratch.url, dataDir: '' })).close(); // migrations only
        raw = await rawInsert(scratch.url, total);
      }
    } finally {
      await scratch.drop();
    }
  }
  let httpLite = NaN;
  if (cases.has('http-pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-'));
    try {
      httpLite = await httpIngest({ LOUPE_DATA_DIR: join(dir, 'db') }, totalPglite, 'PGlite');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\nPostgreSQL: HTTP/raw = ${((100 * httpPg) / raw).toFixed(1)}% (target ≥ 20,000/s, aim 30% of raw); PGlite: ${Math.round(httpLite)}/s`);
}

/** Without and with scrape + push, alternating (off, on, off, on), each on a fresh database; reports the means. */
async function withMetrics(pgBase: string, total: number): Promise<void> {
  const rounds = Number(arg('--rounds', '2'));
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const metrics of [false, true]) {
      const scratch = await createScratchPgDatabase(pgBase, 'loupe_bench');
      const prom = metrics ? await startPrometheus() : undefined;
      if (metrics && !prom) throw new Error('--with-metrics needs the prometheus binary (apt-get install -y --no-install-recommends prometheus)');
      try {
        (metrics ? on : off).push(await httpIngest({ DATABASE_URL: scratch.url }, total, 'PostgreSQL', prom ?? undefined));
      } finally {
        await prom?.stop();
        await scratch.drop();
      }
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const a = mean(off);
  const b = mean(on);
  // Time for the same work grows by a/b − 1.
  console.log(`\nwithout metrics: ${Math.round(a)} annotations/s; with scrape (1 s) + remote write (1 s): ${Math.round(b)} annotations/s; ` +
    `time +${(100 * (a / b - 1)).toFixed(1)}% (target ≤ 5%)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
