/**
 * Agreement benchmarks (standalone: `npx tsc -p tsconfig.build.json && node dist/bench/agreement.bench.js`).
 *
 * - krippendorffAlpha on 100 coders × 100,000 units, ~10 values per unit (each coder rates a unit with
 *   probability 0.1), 5 nominal categories, input {rows: 100, cols: 100000, data: Float64Array} with NaN missing.
 *   Target ≤ 100 ms; anchor fast-krippendorff (numpy) 225 ms on this machine.
 * - cohenKappa on 1,000,000 pairs of Int32Array labels, K = 10. Target ≤ 30 ms; anchor scikit-learn 120 ms.
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { bench, sizeMB } from './harness';
import { cohenKappa } from '../src/quality/cohen-kappa';
import { krippendorffAlpha } from '../src/quality/krippendorff-alpha';
import { createRng } from '../src/quality/rng';

function reliabilityData(coders: number, units: number, rate: number, k: number, seed: number) {
  const rng = createRng(seed);
  const data = new Float64Array(coders * units).fill(NaN);
  const truth = new Int32Array(units);
  for (let u = 0; u < units; u++) truth[u] = rng.int(k);
  for (let c = 0; c < coders; c++) {
    const skill = 0.5 + 0.45 * rng.next();
    const o = c * units;
    for (let u = 0; u < units; u++) {
      if (rng.next() >= rate) continue;
      data[o + u] = rng.next() < skill ? truth[u] : rng.int(k);
    }
  }
  return { rows: coders, cols: units, data };
}

function labelPairs(n: number, k: number, seed: number) {
  const rng = createRng(seed);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.int(k);
    b[i] = rng.next() < 0.7 ? a[i] : rng.int(k);
  }
  return { a, b };
}

const which = process.argv[2] ?? 'all';

if (which === 'all' || which === 'krippendorff') {
  const rd = reliabilityData(100, 100_000, 0.1, 5, 1);
  let alpha = NaN;
  bench('krippendorffAlpha nominal, 100 coders × 100,000 units, ~10 values/unit', () => { alpha = krippendorffAlpha(rd, { level: 'nominal' }); }, {
    runs: 7, target: '≤ 100 ms (numpy fast-krippendorff 225 ms)', note: () => `α = ${alpha.toFixed(4)}, input ${sizeMB(rd.data).toFixed(0)} MB`,
  });
  bench('krippendorffAlpha interval, same data', () => { alpha = krippendorffAlpha(rd, { level: 'interval' }); }, {
    runs: 7, note: () => `α = ${alpha.toFixed(4)}`,
  });
  bench('krippendorffAlpha ordinal, same data', () => { alpha = krippendorffAlpha(rd, { level: 'ordinal' }); }, {
    runs: 7, note: () => `α = ${alpha.toFixed(4)}`,
  });
}

if (which === 'all' || which === 'cohen') {
  const { a, b } = labelPairs(1_000_000, 10, 2);
  let kappa = NaN;
  bench('cohenKappa, 1,000,000 pairs, K = 10', () => { kappa = cohenKappa(a, b); }, {
    runs: 21, target: '≤ 30 ms (scikit-learn 120 ms)', note: () => `κ = ${kappa.toFixed(4)}, input ${(sizeMB(a) + sizeMB(b)).toFixed(0)} MB`,
  });
  bench('cohenKappa quadratic, 1,000,000 pairs, K = 10', () => { kappa = cohenKappa(a, b, { weights: 'quadratic' }); }, {
    runs: 21, note: () => `κ = ${kappa.toFixed(4)}`,
  });
}
