/**
 * Drift benchmarks: ks2samp on 1M vs 1M (target ≤ 0.5 s; scipy 1.10 ks_2samp anchor 1.05 s on this machine) and
 * mmd2 on 2,000 vs 2,000 × 128 with 100 permutations (target ≤ 3 s).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/drift.bench.js [ks2samp|ks2samp-shift|mmd2]
 *
 * With no argument every case runs in this process (then the peak-RSS column of later cases only shows growth
 * beyond earlier peaks); name one case to measure its memory alone. The first timed run is the first call, so
 * its allocations are what the peak-RSS column reports.
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { bench, sizeMB } from './harness';
import { createRng } from '../src/quality/rng';
import { ks2samp, Ks2sampResult } from '../src/quality/ks-2samp';
import { mmd2, Mmd2Result } from '../src/quality/mmd';

function normals(n: number, seed: number, mean = 0): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + rng.normal();
  return out;
}

/** Wraps a case to also record CPU time per run (user + system): the 2 cores are shared, so wall time is noisy. */
function withCpu(fn: () => void): { fn: () => void; cpuMs: () => string } {
  let total = 0;
  let runs = 0;
  return {
    fn: () => {
      const c0 = process.cpuUsage();
      fn();
      const c = process.cpuUsage(c0);
      total += (c.user + c.system) / 1000;
      runs++;
    },
    cpuMs: () => `cpu ${(total / runs).toFixed(0)} ms/run`,
  };
}

const which = process.argv[2];
const run = (name: string) => which === undefined || which === name;

if (run('ks2samp')) {
  const x = normals(1_000_000, 1);
  const y = normals(1_000_000, 2);
  let r: Ks2sampResult | undefined;
  const c = withCpu(() => { r = ks2samp(x, y); });
  bench('ks2samp 1M vs 1M (same distribution, auto → asymp)', c.fn, {
    runs: 5,
    target: '≤ 500 ms (scipy 1.05 s)',
    note: () => `${c.cpuMs()}; D=${r!.statistic.toFixed(5)} p=${r!.pvalue.toPrecision(3)}; inputs ${(sizeMB(x) + sizeMB(y)).toFixed(0)} MB`,
  });
}

if (run('ks2samp-shift')) {
  // A shift large enough for nx² ≥ 2.2, where kstwo.sf uses the O(n) Smirnov sum with n = 500,000.
  const x = normals(1_000_000, 3);
  const y = normals(1_000_000, 4, 0.005);
  let r: Ks2sampResult | undefined;
  const c = withCpu(() => { r = ks2samp(x, y); });
  bench('ks2samp 1M vs 1M (shift 0.005 sd, Smirnov-sum p-value)', c.fn, {
    runs: 5,
    target: '≤ 500 ms',
    note: () => `${c.cpuMs()}; D=${r!.statistic.toFixed(5)} p=${r!.pvalue.toPrecision(3)}`,
  });
}

if (run('mmd2')) {
  const n = 2000;
  const d = 128;
  const X = { rows: n, cols: d, data: normals(n * d, 5) };
  const Y = { rows: n, cols: d, data: normals(n * d, 6, 0.05) };
  let r: Mmd2Result | undefined;
  const c = withCpu(() => { r = mmd2(X, Y, { permutations: 100, seed: 0 }); });
  bench('mmd2 2,000 vs 2,000 × 128, 100 permutations', c.fn, {
    runs: 3,
    target: '≤ 3 s',
    note: () => `${c.cpuMs()}; mmd2=${r!.mmd2.toExponential(3)} σ=${r!.sigma.toFixed(3)} p=${r!.pvalue.toFixed(3)}; kernel triangle ${(((2 * n) * (2 * n - 1)) / 2 * 8 / 2 ** 20).toFixed(0)} MB`,
  });
}
