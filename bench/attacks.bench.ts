/**
 * Attacks benchmark: queries built to freeze the service, each sent 20 times (distinct texts, so no cached verdict
 * helps) while GET /healthz is polled every 50 ms over one kept-alive connection, as a load balancer does. Reports per
 * attack the HTTP status and error code, the refusal time (median and max) and /healthz p50 / p99 / max during it.
 * Aim: every attack refused in a few milliseconds, /healthz p99 < 100 ms.
 *
 *   npm run bench -- attacks                                     # PGlite
 *   npm run build && node dist/bench/attacks.bench.js [--pg-url postgresql://…] [--repeat 20]
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createScratchPgDatabase } from '../src/db/scratch-database';
import { arg, call, gql } from './cli';

const REPEAT = Number(arg('--repeat', '20'));
const POLL_MS = 50;

function fanOut(n: number, tag: string): string {
  const frags = ['fragment F0 on Project { id name }'];
  for (let k = 1; k <= n; k++) frags.push(`fragment F${k} on Project { ...F${k - 1} ...F${k - 1} }`);
  return `{ projects { ...F${n} } } ${frags.join(' ')} # ${tag}`;
}
const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;


const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

interface Attack {
  name: string;
  key: string | null;
  /** The body of repetition `i`. */
  body: (i: number) => string;
}

async function runAttack(base: string, attack: Attack): Promise<string> {
  const health = new URL('/healthz', base);
  const gqlUrl = new URL('/graphql', base);
  const pollAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const attackAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const healthMs: number[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      const t0 = performance.now();
      await call(pollAgent, health);
      healthMs.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  const refusalMs: number[] = [];
  const outcomes = new Set<string>();
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    const r = await call(attackAgent, gqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(attack.key ? { authorization: `Bearer ${attack.key}` } : {}) },
      body: attack.body(i),
    });
    refusalMs.push(performance.now() - t0);
    let code = '?';
    try {
      code = (JSON.parse(r.body) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code ?? 'no error';
    } catch {
      code = 'not JSON';
    }
    outcomes.add(`${r.status} ${code}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  done = true;
  await poller;
  pollAgent.destroy();
  attackAgent.destroy();
  const f = (x: number) => x.toFixed(1);
  return `| ${attack.name} | ${[...outcomes].join(', ')} | ${f(pct(refusalMs, 0.5))} ms (max ${f(Math.max(...refusalMs))}) | ${f(pct(healthMs, 0.5))} ms | ${f(pct(healthMs, 0.99))} ms | ${f(Math.max(...healthMs))} ms | ${healthMs.length} |`;
}

async function main() {
  const pgUrl = process.argv.includes('--pg-url') ? arg('--pg-url', '') : '';
  const key = 'lp_bench_admin_key_0123456789abcdef';
  let cleanup: () => Promise<void>;
  let dbEnv: Record<string, string>;
  if (pgUrl) {
    const scratch = await createScratchPgDatabase(pgUrl, 'loupe_bench');
    dbEnv = { DATABASE_URL: scratch.url };
    cleanup = scratch.drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-'));
    dbEnv = { LOUPE_DATA_DIR: join(dir, 'db') };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const app = await createApp(loadConfig({ PORT: '0', LOUPE_ADMIN_KEY: key, LOUPE_SEED_DEMO: 'false', LOUPE_SCHEDULER: 'false', LOG_LEVEL: 'error', ...dbEnv }));
  try {
    const url = app.server.url;
    const base = url.replace(/\/graphql$/, '');
    const p = (await gql(url, key, `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`, { i: { name: 'attacks', classes: ['a', 'b'] } })).createProject.id as string;
    await gql(url, key, `mutation($p: ID!, $items: [ItemInput!]!) { importItems(projectId: $p, items: $items) { inserted } }`, {
      p,
      items: Array.from({ length: 200 }, (_, k) => ({ externalId: `it-${k}`, text: `item ${k}` })),
    });
    const newKey = async (role: string) =>
      (await gql(url, key, `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { name: `bench-${role}`, role, projectIds: [p] } })).createApiKey.key as string;
    const manager = await newKey('MANAGER');
    const tool = await newKey('LABELING_TOOL');
    const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
    const stats = (n: number, i: number) => `query Q${i}($p: ID!) ${aliases(n, 'annotatorStats(projectId: $p) { annotators { name } meanKappa }')}`;
    const nb = `nextBatch(projectId: "${p}", size: 1, annotator: "bot") { items { item { id } } }`;
    const attacks: Attack[] = [
      { name: '2^26 fragment fan-out, no key', key: null, body: (i) => body(fanOut(26, `n${i}`)) },
      { name: '2^26 fragment fan-out, ADMIN key', key, body: (i) => body(fanOut(26, `a${i}`)) },
      { name: 'fragment cycle, ADMIN key', key, body: (i) => body(`query Q${i} { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`) },
      { name: '1,000 aliased annotatorStats, MANAGER key', key: manager, body: (i) => body(stats(1000, i), { p }) },
      { name: '60 aliased annotatorStats, MANAGER key', key: manager, body: (i) => body(stats(60, i), { p }) },
      { name: '300 aliased nextBatch(size: 1), LABELING_TOOL key', key: tool, body: (i) => body(`query Q${i} ${aliases(300, nb)}`) },
      { name: 'introspection, no key', key: null, body: (i) => body(`query Q${i} { __schema { types { name fields { name } } } }`) },
    ];
    console.log(`Database: ${app.db.kind}; each attack sent ${REPEAT} times; /healthz polled every ${POLL_MS} ms.\n`);
    console.log('| attack | answer | refusal time (median) | /healthz p50 | /healthz p99 | /healthz max | polls |');
    console.log('|---|---|---|---|---|---|---|');
    for (const a of attacks) console.log(await runAttack(base, a));
    const [{ n }] = await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM lease`);
    console.log(`\nLeases written by the refused nextBatch attack: ${n}`);
  } finally {
    await app.close();
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
