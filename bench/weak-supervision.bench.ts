/**
 * Weak-supervision benchmarks (standalone: `npx tsc -p tsconfig.build.json && node dist/bench/weak-supervision.bench.js`).
 *
 * Data (the spec): N = 100,000 examples, y ~ Bernoulli(0.3); 10 LFs with accuracies evenly from 0.55 to
 * 0.95 and coverages evenly from 0.2 to 0.8; an LF fires with its coverage and, when wrong, votes the other class;
 * seed 0. Input {rows: 100000, cols: 10, data: Int32Array} (−1 = abstain).
 * - fitLabelModel (defaults). Target ≤ 500 ms with accuracy ≥ majority vote's; anchor Snorkel LabelModel.fit
 *   (500 epochs) 0.33 s with accuracy 0.864 against majority vote's 0.935.
 * - majorityLabelVoter and lfSummary on the same matrix, for information.
 * Accuracy = mean over rows of P(argmax) being right with ties broken uniformly at random (in expectation).
 */
import '../src/production-env'; // first: graphql reads NODE_ENV when it loads
import { bench, sizeMB } from './harness';
import { fitLabelModel, type LabelModel } from '../src/quality/label-model';
import { majorityLabelVoter } from '../src/quality/majority-label-voter';
import { lfSummary } from '../src/quality/lf-analysis';
import { createRng } from '../src/quality/rng';

function weakLabels(n: number, m: number, seed: number) {
  const rng = createRng(seed);
  const data = new Int32Array(n * m);
  const y = new Int32Array(n);
  const acc = Array.from({ length: m }, (_, j) => 0.55 + (0.4 * j) / (m - 1));
  const cov = Array.from({ length: m }, (_, j) => 0.2 + (0.6 * j) / (m - 1));
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.3 ? 1 : 0;
    for (let j = 0; j < m; j++) {
      data[i * m + j] = rng.next() < cov[j] ? (rng.next() < acc[j] ? y[i] : 1 - y[i]) : -1;
    }
  }
  return { L: { rows: n, cols: m, data }, y, acc };
}

/** Expected accuracy of argmax with uniform random tie-breaking. */
function accuracy(p: number[][], y: Int32Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const r = p[i];
    let mx = -1;
    for (const v of r) if (v > mx) mx = v;
    let ties = 0;
    for (const v of r) if (v === mx) ties++;
    if (r[y[i]] === mx) s += 1 / ties;
  }
  return s / p.length;
}

const { L, y } = weakLabels(100_000, 10, 0);
const mvAcc = accuracy(majorityLabelVoter(L, 2).predictProba, y);
let model: LabelModel | null = null;
bench('fitLabelModel, 100,000 × 10 LFs, K = 2', () => { model = fitLabelModel(L, 2, { seed: 0 }); }, {
  runs: 7,
  target: '≤ 500 ms, accuracy ≥ majority vote (Snorkel 0.33 s, 0.864 vs MV 0.935)',
  note: () => {
    const m = model as unknown as LabelModel;
    const acc = accuracy(m.predictProba(L), y);
    return `accuracy ${acc.toFixed(4)} vs majority vote ${mvAcc.toFixed(4)}; ${m.nIter} EM iterations; ` +
      `lfAccuracies ${Array.from(m.lfAccuracies, (a) => a.toFixed(3)).join(' ')}; classBalance ${Array.from(m.classBalance, (a) => a.toFixed(3)).join(' ')}; input ${sizeMB(L.data).toFixed(1)} MB`;
  },
});
let fitted: LabelModel | null = null;
fitted = fitLabelModel(L, 2, { seed: 0 });
bench('LabelModel.predictProba, 100,000 × 10 LFs', () => { (fitted as LabelModel).predictProba(L); }, { runs: 7 });
bench('majorityLabelVoter, 100,000 × 10 LFs', () => { majorityLabelVoter(L, 2); }, { runs: 7, note: () => `accuracy ${mvAcc.toFixed(4)}` });
bench('lfSummary with gold, 100,000 × 10 LFs', () => { lfSummary(L, { gold: y }); }, { runs: 7 });
