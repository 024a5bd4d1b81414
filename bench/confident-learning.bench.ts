/**
 * Confident-learning benchmarks (standalone: `npx tsc -p tsconfig.build.json && node dist/bench/confident-learning.bench.js [case]`).
 *
 * Input: N = 1,000,000 examples, K = 10 classes; predProbs = softmax(z + 3.5·onehot(true)) with z ~ N(0, 1)
 * (seeded; the argmax is the true class for ~87 % of rows), as {rows, cols, data: Float64Array} (80 MB); labels Int32Array = true label, 10 % replaced by a
 * uniformly drawn other class.
 * Cases (each in its own process when run without an argument, so that peak RSS belongs to one case):
 * - `find`: findLabelIssues default (prune_by_noise_rate). Target ≤ 300 ms; cleanlab 2.9 1.42 s (n_jobs = 2).
 * - `scores`: getLabelQualityScores default (self_confidence). Target ≤ 40 ms; cleanlab 0.21 s.
 * - `cj`: computeConfidentJoint default (calibrated). Target ≤ 60 ms; cleanlab 0.30 s.
 * - `extra`: the other filters / scores, for information.
 * Every case targets peak extra memory ≤ 2 × predProbs (160 MB).
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { spawnSync } from 'node:child_process';
import { bench, sizeMB } from './harness';
import { computeConfidentJoint } from '../src/quality/confident-joint';
import { FilterBy, findLabelIssues } from '../src/quality/label-issues';
import { getLabelQualityScores, LabelQualityMethod } from '../src/quality/label-quality';
import { createRng } from '../src/quality/rng';

const N = 1_000_000;
const K = 10;

function makeInputs(n: number, k: number, seed: number) {
  const rng = createRng(seed);
  const data = new Float64Array(n * k);
  const labels = new Int32Array(n);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rng.int(k);
    truth[i] = y;
    const o = i * k;
    let m = -Infinity;
    for (let j = 0; j < k; j++) { const z = rng.normal() + (j === y ? 3.5 : 0); data[o + j] = z; if (z > m) m = z; }
    let s = 0;
    for (let j = 0; j < k; j++) { const e = Math.exp(data[o + j] - m); data[o + j] = e; s += e; }
    for (let j = 0; j < k; j++) data[o + j] /= s;
    labels[i] = rng.next() < 0.1 ? (y + 1 + rng.int(k - 1)) % k : y;
  }
  return { probs: { rows: n, cols: k, data }, labels, truth };
}

/**
 * Wraps a case so that each run's CPU time (user + system) is recorded: on a shared machine the wall-clock
 * median of the harness includes time the process waited for a core; the CPU median does not.
 */
function withCpu(fn: () => void): { run: () => void; cpu: () => string } {
  const times: number[] = [];
  return {
    run: () => { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); times.push((c.user + c.system) / 1000); },
    cpu: () => { const t = [...times].sort((a, b) => a - b); return `CPU median ${t[Math.floor(t.length / 2)].toFixed(1)} ms`; },
  };
}

const which = process.argv[2] ?? 'all';

if (which === 'all') {
  // one process per case so that the peak-RSS growth is that case's own
  for (const c of ['find', 'scores', 'cj', 'extra']) {
    const r = spawnSync(process.execPath, [__filename, c], { stdio: 'inherit' });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
} else {
  const { probs, labels, truth } = makeInputs(N, K, 0);
  const inputMB = sizeMB(probs.data);
  const budget = `≤ 2× predProbs (${(2 * inputMB).toFixed(0)} MB)`;
  const flips = (() => { let f = 0; for (let i = 0; i < N; i++) f += labels[i] !== truth[i] ? 1 : 0; return f; })();
  const pr = (mask: boolean[]) => {
    let tp = 0, fl = 0;
    for (let i = 0; i < N; i++) if (mask[i]) { fl++; if (labels[i] !== truth[i]) tp++; }
    return `flagged ${fl}, precision ${(tp / fl).toFixed(3)}, recall ${(tp / flips).toFixed(3)}`;
  };

  if (which === 'find') {
    let mask: boolean[] = [];
    const w = withCpu(() => { mask = findLabelIssues(labels, probs).mask; });
    bench('findLabelIssues (prune_by_noise_rate), N = 1,000,000, K = 10', w.run, {
      runs: 7, target: `≤ 300 ms, ${budget} (cleanlab 1.42 s)`, note: () => `${w.cpu()}; ${pr(mask)}`,
    });
  }
  if (which === 'scores') {
    let s: Float64Array = new Float64Array(0);
    const w = withCpu(() => { s = getLabelQualityScores(labels, probs); });
    bench('getLabelQualityScores (self_confidence), N = 1,000,000, K = 10', w.run, {
      runs: 11, target: `≤ 40 ms, ${budget} (cleanlab 0.21 s)`, note: () => `${w.cpu()}; mean score ${(s.reduce((a, b) => a + b, 0) / N).toFixed(4)}`,
    });
  }
  if (which === 'cj') {
    let cj: number[][] = [];
    const w = withCpu(() => { cj = computeConfidentJoint(labels, probs); });
    bench('computeConfidentJoint (calibrated), N = 1,000,000, K = 10', w.run, {
      runs: 11, target: `≤ 60 ms, ${budget} (cleanlab 0.30 s)`,
      note: () => `${w.cpu()}; off-diagonal ${cj.reduce((a, r, i) => a + r.reduce((x, y, j) => x + (i === j ? 0 : y), 0), 0)}`,
    });
  }
  if (which === 'extra') {
    for (const filterBy of ['prune_by_class', 'both', 'confident_learning', 'predicted_neq_given', 'low_self_confidence', 'low_normalized_margin'] as FilterBy[]) {
      let mask: boolean[] = [];
      const w = withCpu(() => { mask = findLabelIssues(labels, probs, { filterBy }).mask; });
      bench(`findLabelIssues (${filterBy})`, w.run, { runs: 3, note: () => `${w.cpu()}; ${pr(mask)}` });
    }
    let ranked: number[] = [];
    const wr = withCpu(() => { ranked = findLabelIssues(labels, probs, { rankBy: 'self_confidence' }).rankedIndices as number[]; });
    bench('findLabelIssues (default, rankBy self_confidence)', wr.run, { runs: 3, note: () => `${wr.cpu()}; ${ranked.length} ranked` });
    for (const method of ['normalized_margin', 'confidence_weighted_entropy'] as LabelQualityMethod[]) {
      const w = withCpu(() => { getLabelQualityScores(labels, probs, { method }); });
      bench(`getLabelQualityScores (${method})`, w.run, { runs: 5, note: w.cpu });
    }
    const wa = withCpu(() => { getLabelQualityScores(labels, probs, { adjustPredProbs: true }); });
    bench('getLabelQualityScores (self_confidence, adjustPredProbs)', wa.run, { runs: 5, note: wa.cpu });
  }
}
