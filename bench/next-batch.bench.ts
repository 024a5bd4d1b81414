/**
 * nextBatch at scale: a 100,000 × 128 pool with 1,000 labeled items, batch 100, the default strategy,
 * a model's predictions already stored (sent through submitPredictions), over HTTP on PostgreSQL.
 * The first call reads the embeddings into the in-memory cache; later calls only read what changed.
 *
 *   npm run build && node dist/bench/next-batch.bench.js [--pg-url postgres://...] [--items 100000]
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createScratchPgDatabase } from '../src/db/scratch-database';
import { createRng } from '../src/quality/rng';
import { arg, gql } from './cli';

async function main(): Promise<void> {
  const N = Number(arg('--items', '100000'));
  const D = 128;
  const K = 10;
  const LABELED = 1000;
  const pgBase = arg('--pg-url', process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const scratch = await createScratchPgDatabase(pgBase, 'loupe_bench');
  const key = 'lp_bench_admin_key_0123456789abcdef';
  const app = await createApp(loadConfig({ PORT: '0', LOUPE_ADMIN_KEY: key, LOUPE_SEED_DEMO: 'false', LOG_LEVEL: 'warn', DATABASE_URL: scratch.url, LOUPE_SCHEDULER: 'false' }));
  try {
    const url = app.server.url;
    const classes = Array.from({ length: K }, (_, k) => `c${k}`);
    const p = (await gql(url, key, `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`, { i: { name: 'nb', classes, embeddingDim: D } })).createProject.id;
    const rng = createRng(0);
    const centers = Array.from({ length: K }, () => Float32Array.from({ length: D }, () => rng.normal() * 2));
    const truth = new Int32Array(N);
    const t0 = performance.now();
    for (let s = 0; s < N; s += 2000) {
      const items = [];
      for (let i = s; i < Math.min(N, s + 2000); i++) {
        const c = rng.int(K);
        truth[i] = c;
        const v = new Float32Array(D);
        for (let d = 0; d < D; d++) v[d] = centers[c][d] + rng.normal();
        items.push({ externalId: `x${i}`, embeddingBase64: Buffer.from(v.buffer).toString('base64') });
      }
      await gql(url, key, `mutation($p: ID!, $items: [ItemInput!]!) { importItems(projectId: $p, items: $items) { inserted } }`, { p, items });
    }
    const importS = (performance.now() - t0) / 1000;
    const annotations = Array.from({ length: LABELED }, (_, i) => ({ externalId: `x${(i * 97) % N}`, annotator: 'seed', label: classes[truth[(i * 97) % N]] }));
    await gql(url, key, `mutation($p: ID!, $a: [AnnotationInput!]!) { submitAnnotations(projectId: $p, annotations: $a) { inserted } }`, { p, a: annotations });
    // A "trained model": softmax of noisy scores, peaked on the true class for most items.
    const predictions = [];
    for (let i = 0; i < N; i++) {
      const logits = Array.from({ length: K }, (_, k) => (k === truth[i] ? 2 : 0) + rng.normal());
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((a, b) => a + b, 0);
      predictions.push({ externalId: `x${i}`, probs: e.map((x) => x / z) });
    }
    const tp = performance.now();
    await gql(url, key, `mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "bench", predictions: $pr) { id } }`, { p, pr: predictions });
    const predS = (performance.now() - tp) / 1000;
    console.log(`setup: import ${N} × ${D} in ${importS.toFixed(1)} s, ${N} predictions in ${predS.toFixed(1)} s\n`);
    console.log('| nextBatch (default strategy, batch 100, 100,000 × 128, 1,000 labeled) | time | candidates |\n|---|---|---|');
    const NEXT = `query($p: ID!, $a: String!) { nextBatch(projectId: $p, size: 100, annotator: $a) { candidateCount fallback items { totalScore } } }`;
    for (let r = 0; r < 6; r++) {
      const t = performance.now();
      const b = (await gql(url, key, NEXT, { p, a: `annotator-${r}` })).nextBatch;
      const ms = performance.now() - t;
      if (b.items.length !== 100) throw new Error(`expected 100 items, got ${b.items.length} (${b.fallback})`);
      console.log(`| call ${r + 1}${r === 0 ? ' (cold: embeddings and predictions read into memory)' : ''} | ${ms.toFixed(0)} ms | ${b.candidateCount} |`);
    }
    console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (server and client in one process)`);
  } finally {
    await app.close();
    await scratch.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
