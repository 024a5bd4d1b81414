/**
 * Active-learning selection benchmarks (standalone:
 * `npx tsc -p tsconfig.build.json && node dist/bench/sampling.bench.js [case] [gauss|mixture]`).
 *
 * Pool: N = 100,000 rows × d = 128 features in a Float32Array (49 MB), seeded; 1,000 labeled rows drawn
 * uniformly; predProbs = softmax(2·z), z ~ N(0, 1), 10 classes, Float64Array. Two feature distributions:
 * `gauss` = isotropic N(0, I) (the hardest case for k-center pruning: all distances concentrate), and `mixture` =
 * 50 Gaussian clusters (centres N(0, 4²·I), unit noise), closer to real embeddings.
 * Cases (each in its own process when run without a case argument, so that peak RSS belongs to that case):
 * - `kcenter`: kCenterGreedy, 100 picks starting from the cached distances to the labeled set. Target ≤ 500 ms.
 * - `update`: updateDistanceCache with one newly labeled row (O(N·d)), the per-label upkeep of the cache.
 * - `hybrid`: selectBatch('HYBRID', …) with the cache: margins, top-1,000, k-center to 100, reasons.
 *   Target: all of nextBatch ≤ 1 s (this is its pure part).
 * - `hybrid-cold`: the same without a cache (distances of the 1,000 most uncertain rows to the labeled set, cold).
 * - `cold`: createDistanceCache for 1,000 labeled rows: O(N·L·d) = 1.3e10 multiply-adds, reported separately.
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { spawnSync } from 'node:child_process';
import { bench, sizeMB } from './harness';
import { createRng } from '../src/quality/rng';
import { createDistanceCache, kCenterGreedy, selectBatch, updateDistanceCache } from '../src/sampling';
import type { DistanceCache } from '../src/sampling';

const N = 100_000;
const D = 128;
const K = 10;
const L = 1_000;
const PICKS = 100;

type Dist = 'gauss' | 'mixture';

function makePool(dist: Dist, seed: number) {
  const rng = createRng(seed);
  const data = new Float32Array(N * D);
  if (dist === 'gauss') {
    for (let t = 0; t < data.length; t++) data[t] = rng.normal();
  } else {
    const C = 50;
    const centres = new Float64Array(C * D);
    for (let t = 0; t < centres.length; t++) centres[t] = 4 * rng.normal();
    for (let i = 0; i < N; i++) {
      const c = rng.int(C);
      for (let j = 0; j < D; j++) data[i * D + j] = centres[c * D + j] + rng.normal();
    }
  }
  const probs = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < K; j++) { const e = Math.exp(2 * rng.normal()); probs[i * K + j] = e; s += e; }
    for (let j = 0; j < K; j++) probs[i * K + j] /= s;
  }
  const labeledSet = new Set<number>();
  while (labeledSet.size < L) labeledSet.add(rng.int(N));
  const labeled = Int32Array.from(labeledSet);
  return { features: { rows: N, cols: D, data }, predProbs: { rows: N, cols: K, data: probs }, labeled };
}

const CASES = ['kcenter', 'update', 'hybrid', 'hybrid-cold', 'cold'] as const;
const which = process.argv[2] ?? 'all';
const dist = (process.argv[3] ?? 'gauss') as Dist;

if (which === 'all') {
  console.log('| case | time | memory | target | note |');
  console.log('|---|---|---|---|---|');
  for (const d of ['gauss', 'mixture'] as Dist[]) {
    for (const c of CASES) {
      const r = spawnSync(process.execPath, [__filename, c, d], { stdio: 'inherit' });
      if (r.status !== 0) process.exitCode = r.status ?? 1;
    }
  }
} else {
  const t0 = Date.now();
  const pool = makePool(dist, 1);
  const setupMs = Date.now() - t0;
  const note = (extra: () => string = () => '') => () => `${dist}; features ${sizeMB(pool.features.data).toFixed(0)} MB; ${extra()}`;
  // The cache is built outside the timed region (except in the `cold` case); loading it from a file of the
  // service would do the same. Building it here takes as long as the `cold` case.
  const needsCache = which === 'kcenter' || which === 'update' || which === 'hybrid';
  let cache: DistanceCache | null = null;
  let coldMs = 0;
  if (needsCache) {
    const c0 = Date.now();
    cache = createDistanceCache(pool.features, pool.labeled);
    coldMs = Date.now() - c0;
  }
  switch (which) {
    case 'kcenter': {
      let last: Int32Array = new Int32Array(0);
      bench(`kCenterGreedy ${PICKS} picks from the cache (${N}×${D}, ${L} labeled)`, () => {
        last = kCenterGreedy(pool.features, { size: PICKS, cache: cache as DistanceCache }).indices;
      }, { runs: 5, target: '≤ 500 ms', note: note(() => `first pick row ${last[0]}; setup ${setupMs} ms, cold cache ${coldMs} ms (untimed)`) });
      break;
    }
    case 'update': {
      let k = 0;
      bench(`updateDistanceCache, 1 new labeled row (${N}×${D})`, () => {
        updateDistanceCache(cache as DistanceCache, pool.features, [k++ * 997 % N]);
      }, { runs: 9, target: 'O(N·d)', note: note(() => 'includes the O(N·d) finiteness check of the features and the O(N) copy') });
      break;
    }
    case 'hybrid': {
      let fallback: string | undefined = 'none';
      bench(`selectBatch HYBRID, batch ${PICKS}, cached distances (${N}×${D}, K=${K})`, () => {
        const r = selectBatch('HYBRID', { features: pool.features, predProbs: pool.predProbs, distanceCache: cache as DistanceCache }, { size: PICKS, seed: 0 });
        fallback = r.fallback;
      }, { runs: 5, target: '≤ 1 s (all of nextBatch)', note: note(() => `validation + margins + top-1000 + k-center + reasons; fallback ${String(fallback)}`) });
      break;
    }
    case 'hybrid-cold': {
      bench(`selectBatch HYBRID, batch ${PICKS}, labeled list, no cache (${N}×${D}, K=${K})`, () => {
        selectBatch('HYBRID', { features: pool.features, predProbs: pool.predProbs, labeled: pool.labeled }, { size: PICKS, seed: 0 });
      }, { runs: 5, target: '≤ 1 s', note: note(() => 'cold distances for the 1,000 most uncertain rows only') });
      break;
    }
    case 'cold': {
      bench(`createDistanceCache cold, ${L} labeled (${N}×${D})`, () => {
        createDistanceCache(pool.features, pool.labeled);
      }, { runs: 2, target: 'report', note: note(() => 'O(N·L·d) = 1.28e10 multiply-adds') });
      break;
    }
    default:
      console.error(`unknown case ${which}; one of ${CASES.join(', ')}`);
      process.exitCode = 2;
  }
}
