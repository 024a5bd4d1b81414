/**
 * Weak supervision: lfSummary and majorityLabelVoter against Snorkel 0.10 (`LFAnalysis.lf_summary`,
 * `MajorityLabelVoter.predict_proba` / `.predict`; test/fixtures/snorkel.json, README §5), and fitLabelModel
 * against majority vote and Snorkel's `LabelModel` accuracy on the same fixtures, plus benchmark-style synthetic data.
 */
import { lfSummary } from '../../src/quality/lf-analysis';
import { majorityLabelVoter } from '../../src/quality/majority-label-voter';
import { fitLabelModel } from '../../src/quality/label-model';
import { createRng } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface SnorkelCase {
  name: string;
  inputs: { L: number[][]; Y: number[]; K: number; lf_names: string[] };
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: unknown }>;
}
interface SummaryFrame {
  index: number[];
  column_order: string[];
  columns: Record<string, unknown[]>;
}
const fixture = loadFixture<{ cases: SnorkelCase[] }>('snorkel.json');
const CASES = fixture.cases.map((c) => [c.name, c] as const);

function call(c: SnorkelCase, fn: string, match: Record<string, unknown> = {}): SnorkelCase['calls'][number] {
  const found = findCalls(c, fn, match) as SnorkelCase['calls'];
  if (found.length !== 1) throw new Error(`${c.name}: expected one call of ${fn}, found ${found.length}`);
  return found[0];
}

/** Expected accuracy of argmax with ties broken uniformly at random (Snorkel's tie_break_policy='random', in expectation). */
function accuracy(p: number[][], y: ArrayLike<number>, rows?: boolean[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    if (rows && !rows[i]) continue;
    const r = p[i];
    const mx = Math.max(...r);
    const ties = r.filter((v) => v === mx).length;
    if (r[y[i]] === mx) s += 1 / ties;
    n++;
  }
  return s / n;
}
const covered = (L: number[][]): boolean[] => L.map((r) => r.some((v) => v !== -1));

/** Benchmark-style data: y ~ Bernoulli(prior1) (or uniform over K), LF j fires with cov[j], right with acc[j], else a uniformly drawn other class. */
function synthLabels(n: number, k: number, acc: number[], cov: number[], seed: number, prior1 = 0.3) {
  const rng = createRng(seed);
  const m = acc.length;
  const L: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const yi = k === 2 ? (rng.next() < prior1 ? 1 : 0) : rng.int(k);
    y.push(yi);
    const row: number[] = [];
    for (let j = 0; j < m; j++) {
      if (rng.next() >= cov[j]) { row.push(-1); continue; }
      if (rng.next() < acc[j]) row.push(yi);
      else { const o = rng.int(k - 1); row.push(o >= yi ? o + 1 : o); }
    }
    L.push(row);
  }
  return { L, y };
}
const evenly = (lo: number, hi: number, m: number): number[] => Array.from({ length: m }, (_, j) => lo + ((hi - lo) * j) / (m - 1));

function permuteRows<T>(a: T[], perm: number[]): T[] { return perm.map((p) => a[p]); }
function randomPerm(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [p[i], p[j]] = [p[j], p[i]]; }
  return p;
}
function toTyped(L: number[][]): { rows: number; cols: number; data: Int32Array } {
  return { rows: L.length, cols: L[0].length, data: Int32Array.from(L.flat()) };
}

// ---------------------------------------------------------------------------------------------------------------
describe.each(CASES)('lfSummary vs Snorkel LFAnalysis.lf_summary: %s', (_name, c) => {
  const { L, Y } = c.inputs;
  const withGold = call(c, 'snorkel.labeling.LFAnalysis(L).lf_summary', { Y: '<inputs.Y>' }).result as SummaryFrame;
  const noGold = (findCalls(c, 'snorkel.labeling.LFAnalysis(L).lf_summary') as SnorkelCase['calls'])
    .find((x) => !('Y' in x.kwargs))!.result as SummaryFrame;

  test('with gold: every column matches exactly (same float operations as numpy)', () => {
    expect(withGold.column_order).toEqual(['Polarity', 'Coverage', 'Overlaps', 'Conflicts', 'Correct', 'Incorrect', 'Emp. Acc.']);
    const res = lfSummary(L, { gold: Y });
    expect(res).toHaveLength(withGold.index.length);
    const col = withGold.columns;
    res.forEach((r, j) => {
      expect(r.polarity).toEqual(col.Polarity[j]);
      expect(r.coverage).toBe(col.Coverage[j]);
      expect(r.overlaps).toBe(col.Overlaps[j]);
      expect(r.conflicts).toBe(col.Conflicts[j]);
      expect(r.correct).toBe(col.Correct[j]);
      expect(r.incorrect).toBe(col.Incorrect[j]);
      expect(r.empiricalAccuracy).toBe(col['Emp. Acc.'][j]);
    });
  });

  test('without gold: the four default columns, no gold columns', () => {
    expect(noGold.column_order).toEqual(['Polarity', 'Coverage', 'Overlaps', 'Conflicts']);
    const res = lfSummary(L);
    res.forEach((r, j) => {
      expect(r).toEqual({
        polarity: noGold.columns.Polarity[j],
        coverage: noGold.columns.Coverage[j],
        overlaps: noGold.columns.Overlaps[j],
        conflicts: noGold.columns.Conflicts[j],
      });
    });
  });

  test('typed inputs (Int32Array / Float64Array with NaN as abstain, Int32Array gold) give the same summary', () => {
    const ref = lfSummary(L, { gold: Y });
    expect(lfSummary(toTyped(L), { gold: Int32Array.from(Y) })).toEqual(ref);
    const f64 = Float64Array.from(L.flat(), (v) => (v === -1 ? NaN : v));
    expect(lfSummary({ rows: L.length, cols: L[0].length, data: f64 }, { gold: Y })).toEqual(ref);
    expect(lfSummary(L.map((r) => r.map((v) => (v === -1 ? null : v))), { gold: Y })).toEqual(ref);
  });

  test('inputs are not modified; permuting examples leaves the summary unchanged; permuting LFs permutes it', () => {
    const Lc = JSON.parse(JSON.stringify(L));
    const Yc = Y.slice();
    const typed = toTyped(L);
    const typedCopy = typed.data.slice();
    const ref = lfSummary(L, { gold: Y });
    lfSummary(typed, { gold: Y });
    expect(L).toEqual(Lc);
    expect(Y).toEqual(Yc);
    expect(typed.data).toEqual(typedCopy);
    const perm = randomPerm(L.length, 7);
    expect(lfSummary(permuteRows(L, perm), { gold: permuteRows(Y, perm) })).toEqual(ref);
    const cols = randomPerm(L[0].length, 8);
    const Lp = L.map((r) => cols.map((j) => r[j]));
    expect(lfSummary(Lp, { gold: Y })).toEqual(cols.map((j) => ref[j]));
  });
});

describe('lfSummary: documented examples and edge cases', () => {
  // Snorkel's own docstring example (snorkel/labeling/analysis.py).
  const L = [[-1, 0, 0], [-1, -1, -1], [1, 0, -1], [-1, 0, -1], [0, 0, 0]];

  test('Snorkel docstring example: polarities, coverages, overlaps, conflicts', () => {
    const res = lfSummary(L);
    expect(res.map((r) => r.polarity)).toEqual([[0, 1], [0], [0]]);
    expectClose(res.map((r) => r.coverage), [0.4, 0.8, 0.4], 1e-15);
    expectClose(res.map((r) => r.overlaps), [0.4, 0.6, 0.4], 1e-15);
    expectClose(res.map((r) => r.conflicts), [0.2, 0.2, 0], 1e-15);
  });

  test('gold −1 (unknown): excluded from Correct/Incorrect but counted wrong in Emp. Acc. (Snorkel semantics)', () => {
    const gold = [0, 1, -1, 0, 1];
    const res = lfSummary(L, { gold });
    // LF0 votes rows 2 (1, gold −1) and 4 (0, gold 1): correct 0, incorrect 1; emp acc 0.5·((0−2)/2+1) = 0
    expect([res[0].correct, res[0].incorrect, res[0].empiricalAccuracy]).toEqual([0, 1, 0]);
    // LF1 votes rows 0 (0 = 0 ✓), 2 (0, gold −1), 3 (0 = 0 ✓), 4 (0 ≠ 1): correct 2, incorrect 1; emp acc 0.5·((2−2)/4+1) = 0.5
    expect([res[1].correct, res[1].incorrect, res[1].empiricalAccuracy]).toEqual([2, 1, 0.5]);
    // LF2 votes rows 0 (✓) and 4 (✗): 1, 1, 0.5
    expect([res[2].correct, res[2].incorrect, res[2].empiricalAccuracy]).toEqual([1, 1, 0.5]);
  });

  test('an LF that always abstains: empty polarity, zero coverage, Emp. Acc. 0 (nan_to_num)', () => {
    const res = lfSummary([[-1, 1], [-1, 0], [-1, 1]], { gold: [1, 0, 0] });
    expect(res[0]).toEqual({ polarity: [], coverage: 0, overlaps: 0, conflicts: 0, correct: 0, incorrect: 0, empiricalAccuracy: 0 });
    expect(res[1]).toEqual({ polarity: [0, 1], coverage: 1, overlaps: 0, conflicts: 0, correct: 2, incorrect: 1, empiricalAccuracy: 0.5 * (1 / 3 + 1) });
  });

  test('every LF abstaining everywhere; a single LF', () => {
    expect(lfSummary([[-1, -1], [-1, -1]])).toEqual([
      { polarity: [], coverage: 0, overlaps: 0, conflicts: 0 },
      { polarity: [], coverage: 0, overlaps: 0, conflicts: 0 },
    ]);
    expect(lfSummary([[2], [0], [-1], [2]], { gold: [2, 1, 0, 2] })).toEqual([
      { polarity: [0, 2], coverage: 0.75, overlaps: 0, conflicts: 0, correct: 2, incorrect: 1, empiricalAccuracy: 0.5 * (1 / 3 + 1) },
    ]);
  });

  test('clear errors naming the function and the argument', () => {
    expect(() => lfSummary([[0, 1], [1]])).toThrow('lfSummary: L is ragged: row 1 has length 1, expected 2');
    expect(() => lfSummary([[0, -2]])).toThrow('lfSummary: L row 0 column 1 is -2');
    expect(() => lfSummary([[0, 1.5]])).toThrow('lfSummary: L row 0 column 1 is 1.5');
    expect(() => lfSummary([[0, Infinity]])).toThrow('lfSummary: L row 0 column 1 is Infinity');
    expect(() => lfSummary({ rows: 2, cols: 2, data: new Int32Array(3) })).toThrow('lfSummary: L data length 3 is not rows*cols = 4');
    expect(() => lfSummary([[0, 1]], { gold: [0, 1] })).toThrow('lfSummary: gold has length 2, expected 1');
    expect(() => lfSummary([[0, 1]], { gold: [NaN] })).toThrow('lfSummary: gold index 0 is NaN');
    expect(() => lfSummary([[0, 1]], { gold: [-3] })).toThrow('lfSummary: gold index 0 is -3');
    expect(() => lfSummary('x' as unknown as number[][])).toThrow('lfSummary: L must be number[][] or {rows, cols, data}');
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe.each(CASES)('majorityLabelVoter vs Snorkel MajorityLabelVoter: %s', (_name, c) => {
  const { L, K } = c.inputs;
  const proba = call(c, 'snorkel.labeling.model.MajorityLabelVoter.predict_proba', { cardinality: K }).result as number[][];
  const predict = call(c, 'snorkel.labeling.model.MajorityLabelVoter.predict', { cardinality: K, tie_break_policy: 'abstain' }).result as number[];

  test('predict_proba matches exactly (ties split evenly, all-abstain rows uniform)', () => {
    const res = majorityLabelVoter(L, K);
    expect(Object.keys(res)).toEqual(['predictProba']);
    expect(res.predictProba).toEqual(proba);
  });

  test("argmax with ties → −1 reproduces predict(tie_break_policy='abstain')", () => {
    const res = majorityLabelVoter(L, K).predictProba;
    const pred = res.map((r) => {
      const mx = Math.max(...r);
      const at = r.flatMap((v, i) => (v === mx ? [i] : []));
      return at.length === 1 ? at[0] : -1;
    });
    expect(pred).toEqual(predict);
  });

  test('typed input gives the same rows; inputs not modified; permuting examples permutes rows', () => {
    const typed = toTyped(L);
    const copy = typed.data.slice();
    const Lc = JSON.parse(JSON.stringify(L));
    expect(majorityLabelVoter(typed, K).predictProba).toEqual(proba);
    expect(typed.data).toEqual(copy);
    majorityLabelVoter(L, K);
    expect(L).toEqual(Lc);
    const perm = randomPerm(L.length, 3);
    expect(majorityLabelVoter(permuteRows(L, perm), K).predictProba).toEqual(permuteRows(proba, perm));
  });
});

describe('majorityLabelVoter: documented example, edge cases, errors', () => {
  test("Snorkel docstring example", () => {
    expect(majorityLabelVoter([[0, 0, -1], [-1, 0, 1], [1, -1, 0]], 2).predictProba).toEqual([[1, 0], [0.5, 0.5], [0.5, 0.5]]);
  });

  test('all-abstain rows uniform; K = 3 three-way tie; one LF; null/NaN read as abstain; empty L', () => {
    expect(majorityLabelVoter([[-1, -1], [2, -1]], 3).predictProba).toEqual([[1 / 3, 1 / 3, 1 / 3], [0, 0, 1]]);
    expect(majorityLabelVoter([[0, 1, 2]], 3).predictProba).toEqual([[1 / 3, 1 / 3, 1 / 3]]);
    expect(majorityLabelVoter([[1], [0], [-1]], 2).predictProba).toEqual([[0, 1], [1, 0], [0.5, 0.5]]);
    expect(majorityLabelVoter([[null, 1], [NaN, -1]], 2).predictProba).toEqual([[0, 1], [0.5, 0.5]]);
    expect(majorityLabelVoter([], 2).predictProba).toEqual([]);
  });

  test('perfect LFs give one-hot truth', () => {
    const y = [0, 2, 1, 1, 0];
    expect(majorityLabelVoter(y.map((v) => [v, -1, v]), 3).predictProba).toEqual(y.map((v) => [0, 1, 2].map((c) => (c === v ? 1 : 0))));
  });

  test('clear errors naming the function and the argument', () => {
    expect(() => majorityLabelVoter([[0, 2]], 2)).toThrow('majorityLabelVoter: L row 0 column 1 is 2, not -1 (abstain) or a class index in 0..1');
    expect(() => majorityLabelVoter([[0, -2]], 2)).toThrow('majorityLabelVoter: L row 0 column 1 is -2');
    expect(() => majorityLabelVoter([[0, 1], [0]], 2)).toThrow('majorityLabelVoter: L is ragged');
    expect(() => majorityLabelVoter([[0]], 1)).toThrow('majorityLabelVoter: cardinality must be an integer >= 2, got 1');
    expect(() => majorityLabelVoter([[0]], 2.5)).toThrow('majorityLabelVoter: cardinality must be an integer >= 2, got 2.5');
    expect(() => majorityLabelVoter([[0]], NaN)).toThrow('majorityLabelVoter: cardinality');
    expect(() => majorityLabelVoter({ rows: 1, cols: 2, data: Int32Array.of(0, 5) }, 3)).toThrow('majorityLabelVoter: L row 0 column 1 is 5');
  });
});

// ---------------------------------------------------------------------------------------------------------------
describe.each(CASES)('fitLabelModel on the Snorkel fixture: %s', (_name, c) => {
  const { L, Y, K } = c.inputs;
  const mv = majorityLabelVoter(L, K).predictProba;
  const snorkel = call(c, 'snorkel.labeling.model.LabelModel.fit -> predict_proba').result as number[][];
  const cov = covered(L);
  const model = fitLabelModel(L, K, { seed: 51 });
  const proba = model.predictProba(L);

  test('accuracy ≥ majority vote − 0.01 (rows with a vote, and all rows) and ≥ Snorkel LabelModel − 0.01', () => {
    const ours = accuracy(proba, Y, cov);
    const base = accuracy(mv, Y, cov);
    expect(ours).toBeGreaterThanOrEqual(base - 0.01);
    expect(accuracy(proba, Y)).toBeGreaterThanOrEqual(accuracy(mv, Y) - 0.01);
    expect(ours).toBeGreaterThanOrEqual(accuracy(snorkel, Y, cov) - 0.01);
  });

  test('posteriors are probability rows; all-abstain rows equal the class balance; shapes', () => {
    expect(proba).toHaveLength(L.length);
    expect(model.lfAccuracies).toBeInstanceOf(Float64Array);
    expect(model.lfAccuracies).toHaveLength(L[0].length);
    expect(model.classBalance).toBeInstanceOf(Float64Array);
    expect(model.classBalance).toHaveLength(K);
    expectClose(Array.from(model.classBalance).reduce((a, b) => a + b), 1, 1e-12);
    proba.forEach((r, i) => {
      expectClose(r.reduce((a, b) => a + b), 1, 1e-12);
      if (!cov[i]) expect(r).toEqual(Array.from(model.classBalance));
    });
    expect(model.converged).toBe(true);
    for (const a of model.lfAccuracies) { expect(a).toBeGreaterThan(1 / K); expect(a).toBeLessThan(1); }
  });

  test('deterministic; permuting examples permutes posteriors; permuting LFs permutes accuracies; inputs unchanged', () => {
    const Lc = JSON.parse(JSON.stringify(L));
    const typed = toTyped(L);
    const typedCopy = typed.data.slice();
    expectClose(fitLabelModel(typed, K).predictProba(typed), proba, 1e-12);
    expect(typed.data).toEqual(typedCopy);
    const again = fitLabelModel(L, K, { seed: 51 });
    expect(Array.from(again.lfAccuracies)).toEqual(Array.from(model.lfAccuracies));
    expect(again.predictProba(L)).toEqual(proba);
    expect(L).toEqual(Lc);
    const perm = randomPerm(L.length, 5);
    const mp = fitLabelModel(permuteRows(L, perm), K, { seed: 51 });
    expectClose(mp.predictProba(permuteRows(L, perm)), permuteRows(proba, perm), 1e-9);
    expectClose(mp.lfAccuracies, model.lfAccuracies, 1e-9);
    expectClose(mp.classBalance, model.classBalance, 1e-9);
    const cols = randomPerm(L[0].length, 6);
    const mc = fitLabelModel(L.map((r) => cols.map((j) => r[j])), K);
    expectClose(mc.lfAccuracies, cols.map((j) => model.lfAccuracies[j]), 1e-9);
    expectClose(mc.predictProba(L.map((r) => cols.map((j) => r[j]))), proba, 1e-9);
  });
});

describe('fitLabelModel on benchmark-style synthetic data', () => {
  // The benchmark recipe at N = 20,000: y ~ Bernoulli(0.3); 10 LFs, accuracies 0.55..0.95, coverages 0.2..0.8.
  const accTrue = evenly(0.55, 0.95, 10);
  const { L, y } = synthLabels(20_000, 2, accTrue, evenly(0.2, 0.8, 10), 0);

  test('accuracy ≥ majority vote (Snorkel LabelModel falls short here); accuracies and class balance recovered', () => {
    const model = fitLabelModel(toTyped(L), 2, { seed: 0 });
    const ours = accuracy(model.predictProba(L), y);
    const base = accuracy(majorityLabelVoter(L, 2).predictProba, y);
    expect(ours).toBeGreaterThanOrEqual(base);
    expect(ours).toBeGreaterThan(0.955); // Bayes-rule territory (≈ 0.965); majority vote ≈ 0.934
    expectClose(model.lfAccuracies, accTrue, 0.02);
    // One-step estimate (mean flat-prior posterior), slightly pulled towards uniform: ≈ 0.68 / 0.32.
    expectClose(model.classBalance, [0.7, 0.3], 0.03);
  });

  test('K = 3 with uniformly spread wrong votes: beats majority vote and recovers accuracies', () => {
    const acc3 = evenly(0.45, 0.9, 8);
    const d = synthLabels(15_000, 3, acc3, evenly(0.3, 0.7, 8), 11);
    const model = fitLabelModel(d.L, 3);
    const ours = accuracy(model.predictProba(d.L), d.y);
    expect(ours).toBeGreaterThanOrEqual(accuracy(majorityLabelVoter(d.L, 3).predictProba, d.y));
    expectClose(model.lfAccuracies, acc3, 0.02);
    expectClose(model.classBalance, [1 / 3, 1 / 3, 1 / 3], 0.02);
  });

  test('given classBalance is used as is (and returned), not learned', () => {
    const model = fitLabelModel(L, 2, { classBalance: [0.7, 0.3] });
    expect(Array.from(model.classBalance)).toEqual([0.7, 0.3]);
    expectClose(model.lfAccuracies, accTrue, 0.02);
    expect(accuracy(model.predictProba(L), y)).toBeGreaterThanOrEqual(accuracy(majorityLabelVoter(L, 2).predictProba, y));
  });
});

describe('fitLabelModel: edge cases, value semantics, errors', () => {
  test('every LF abstaining: posteriors are the class balance (uniform, or the given one)', () => {
    const L = [[-1, -1], [-1, -1], [-1, -1]];
    const m = fitLabelModel(L, 3);
    expect(m.predictProba(L)).toEqual([[1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]]);
    expect(Array.from(m.classBalance)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const g = fitLabelModel(L, 3, { classBalance: [0.5, 0.25, 0.25] });
    expect(g.predictProba([[-1, -1]])).toEqual([[0.5, 0.25, 0.25]]);
    expect(fitLabelModel([], 2).predictProba([])).toEqual([]);
  });

  test('perfect LFs: posterior argmax is the truth', () => {
    const y = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1];
    const L = y.map((v, i) => [v, i % 2 ? v : -1, i % 3 ? v : -1]);
    const m = fitLabelModel(L, 2);
    expect(accuracy(m.predictProba(L), y)).toBe(1);
    for (const a of m.lfAccuracies) expect(a).toBeGreaterThan(0.75);
  });

  test('one LF (accuracy not identifiable without gold): stays near 1/2, predictions follow its votes like majority vote', () => {
    const y = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1];
    const L = y.map((v) => [v]);
    const m = fitLabelModel(L, 2);
    expect(m.lfAccuracies[0]).toBeGreaterThan(0.5);
    expect(m.lfAccuracies[0]).toBeLessThan(0.52);
    expectClose(m.classBalance, [0.5, 0.5], 0.01);
    expect(accuracy(m.predictProba(L), y)).toBe(1);
    expect(m.predictProba(L).map((r) => (r[1] > r[0] ? 1 : 0))).toEqual(y);
  });

  test('a class no LF ever votes (K = 3, votes only 0/1): runs, keeps probability rows, never predicts it from votes', () => {
    const { L } = synthLabels(500, 2, [0.8, 0.7, 0.9], [0.6, 0.6, 0.6], 4);
    const m = fitLabelModel(L, 3);
    const p = m.predictProba(L);
    p.forEach((r) => expectClose(r.reduce((a, b) => a + b), 1, 1e-12));
    // No LF emits all three classes, so the prior stays uniform and class 2 is never the argmax of a voted row.
    expect(Array.from(m.classBalance)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    p.forEach((r, i) => { if (L[i].some((v) => v !== -1)) expect(r[2]).toBeLessThan(Math.max(r[0], r[1])); });
  });

  test('fit returns a new frozen value; its arrays are copies; the seed does not change the (deterministic) fit', () => {
    const { L } = synthLabels(300, 2, [0.8, 0.7, 0.6], [0.7, 0.7, 0.7], 9);
    const a = fitLabelModel(L, 2, { seed: 1 });
    const b = fitLabelModel(L, 2, { seed: 2 });
    expect(a).not.toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Array.from(a.lfAccuracies)).toEqual(Array.from(b.lfAccuracies));
    const before = a.predictProba(L);
    a.lfAccuracies[0] = 0.01;
    a.classBalance[0] = 0.99;
    expect(a.predictProba(L)).toEqual(before);
    const cb = [0.6, 0.4];
    fitLabelModel(L, 2, { classBalance: cb });
    expect(cb).toEqual([0.6, 0.4]);
  });

  test('clear errors naming the function and the argument', () => {
    const L = [[0, 1], [1, -1]];
    expect(() => fitLabelModel(L, 1)).toThrow('fitLabelModel: cardinality must be an integer >= 2, got 1');
    expect(() => fitLabelModel(L, 2.5)).toThrow('fitLabelModel: cardinality must be an integer >= 2, got 2.5');
    expect(() => fitLabelModel([[0, 2]], 2)).toThrow('fitLabelModel: L row 0 column 1 is 2, not -1 (abstain) or a class index in 0..1');
    expect(() => fitLabelModel([[0, -5]], 2)).toThrow('fitLabelModel: L row 0 column 1 is -5');
    expect(() => fitLabelModel([[0, 1], [0]], 2)).toThrow('fitLabelModel: L is ragged: row 1 has length 1, expected 2');
    expect(() => fitLabelModel(L, 2, { classBalance: [1] })).toThrow('fitLabelModel: classBalance has length 1, expected cardinality 2');
    expect(() => fitLabelModel(L, 2, { classBalance: [0.5, 0.6] })).toThrow('fitLabelModel: classBalance does not sum to 1');
    expect(() => fitLabelModel(L, 2, { classBalance: [NaN, 1] })).toThrow('fitLabelModel: classBalance entry 0 is NaN');
    expect(() => fitLabelModel(L, 2, { classBalance: [-0.5, 1.5] })).toThrow('fitLabelModel: classBalance entry 0 is -0.5');
    expect(() => fitLabelModel(L, 2, { nEpochs: -1 })).toThrow('fitLabelModel: nEpochs must be a non-negative integer');
    expect(() => fitLabelModel(L, 2, { seed: NaN })).toThrow('fitLabelModel: seed must be a finite number');
    const m = fitLabelModel(L, 2);
    expect(() => m.predictProba([[0, 1, 1]])).toThrow('LabelModel.predictProba: L has 3 columns, but the model was fitted on 2 LFs');
    expect(() => m.predictProba([[0, 3]])).toThrow('LabelModel.predictProba: L row 0 column 1 is 3');
  });
});
