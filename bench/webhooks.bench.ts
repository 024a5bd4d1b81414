/**
 * Webhooks benchmark, on PGlite (and PostgreSQL with --pg-url): deliveries per second from the outbox to a local
 * receiver, and what an `annotation.created` subscription adds to submitAnnotations (batches of 1,000, alternating
 * without and with one subscribed webhook; target: within 5 %).
 *
 *   npm run bench -- webhooks [--pg-url postgres://...] [--deliveries 2000] [--batches 20]
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createScratchPgDatabase } from '../src/db/scratch-database';
import { arg, gql } from './cli';

const KEY = 'lp_bench_admin_key_0123456789abcdef';
const SUBMIT = `mutation($p: ID!, $a: [AnnotationInput!]!) { submitAnnotations(projectId: $p, annotations: $a) { inserted } }`;
const CREATE = `mutation($p: ID!, $input: CreateWebhookInput!) { createWebhook(projectId: $p, input: $input) { id } }`;
const ITEMS = 5000;

async function run(label: string, env: Record<string, string>, deliveries: number, batches: number): Promise<void> {
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const app = await createApp(loadConfig({ PORT: '0', LOUPE_ADMIN_KEY: KEY, LOUPE_SEED_DEMO: 'false', LOUPE_SCHEDULER: 'false', LOG_LEVEL: 'warn', LOUPE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOUPE_WEBHOOK_POLL_MS: '10', ...env }));
  try {
    const url = app.server.url;
    const project = async (name: string) => {
      const p = (await gql(url, KEY, `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`, { i: { name, classes: ['a', 'b'] } })).createProject.id as string;
      const items = Array.from({ length: ITEMS }, (_, k) => ({ externalId: `it-${k}` }));
      await gql(url, KEY, `mutation($p: ID!, $items: [ItemInput!]!) { importItems(projectId: $p, items: $items) { inserted } }`, { p, items });
      return p;
    };

    // 1. Deliveries per second: `deliveries` events of one subscribed webhook, written at once, sent by the loop.
    const p1 = await project('deliveries');
    const w = (await gql(url, KEY, CREATE, { p: p1, input: { url: hook, events: ['item.created'] } })).createWebhook.id as string;
    await app.db.query(
      `INSERT INTO webhook_delivery (project_id, webhook_id, event_id, type, body)
       SELECT $1, $2, gen_random_uuid(), 'item.created', '{"bench":' || g || '}' FROM generate_series(1, $3) g`,
      [p1, w, deliveries],
    );
    const t0 = performance.now();
    while (received < deliveries) await new Promise((r) => setTimeout(r, 5));
    const perSecond = deliveries / ((performance.now() - t0) / 1000);

    // 2. Ingest with and without one annotation.created subscriber, alternating batch by batch.
    const quiet = await project('no-subscriber');
    const loud = await project('one-subscriber');
    await gql(url, KEY, CREATE, { p: loud, input: { url: hook, events: ['annotation.created'] } });
    const batch = (b: number) => Array.from({ length: 1000 }, (_, k) => ({ externalId: `it-${(b * 1000 + k) % ITEMS}`, annotator: `ann-${b}`, label: k % 2 ? 'a' : 'b' }));
    const ms = { quiet: 0, loud: 0 };
    for (let b = 0; b < batches; b++) {
      for (const [which, p] of (b % 2 ? [['loud', loud], ['quiet', quiet]] : [['quiet', quiet], ['loud', loud]]) as Array<['quiet' | 'loud', string]>) {
        const s = performance.now();
        await gql(url, KEY, SUBMIT, { p, a: batch(b) });
        if (b > 0) ms[which] += performance.now() - s; // the first batch warms up
      }
    }
    const n = (batches - 1) * 1000;
    const rate = (t: number) => n / (t / 1000);
    console.log(
      `${label}: ${perSecond.toFixed(0)} deliveries/s to a local receiver; ingest ${rate(ms.quiet).toFixed(0)} annotations/s without a subscriber, ` +
        `${rate(ms.loud).toFixed(0)} with one annotation.created subscriber (${(((ms.loud - ms.quiet) / ms.quiet) * 100).toFixed(1)} % slower; target ≤ 5 %)`,
    );
  } finally {
    await app.close();
    await new Promise((r) => receiver.close(r));
  }
}

async function main(): Promise<void> {
  const deliveries = Number(arg('--deliveries', '2000'));
  const batches = Number(arg('--batches', '20'));
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-hooks-'));
  try {
    await run('PGlite', { LOUPE_DATA_DIR: join(dir, 'db') }, deliveries, batches);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = arg('--pg-url', process.env.DATABASE_URL ?? '');
  if (pgUrl) {
    const pg = await createScratchPgDatabase(pgUrl, 'loupe_bench');
    try {
      await run('PostgreSQL', { DATABASE_URL: pg.url }, deliveries, batches);
    } finally {
      await pg.drop();
    }
  }
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
