/**
 * Properties of the confident-learning functions (the cleanlab reference values are checked in
 * confident-learning.test.ts): inputs never modified, permutation equivariance, perfect predictions, K = 2,
 * an absent class, structural relations between filters, and clear errors.
 */
import {
  calibrateConfidentJoint, computeConfidentJoint, estimateJoint, estimateLatent, estimateNoiseMatrices, getConfidentThresholds,
  numLabelIssues,
} from '../../src/quality/confident-joint';
import { PyMethod } from '../../src/quality/internal/latent-algebra';
import { FILTER_BY_METHODS, FilterBy, findLabelIssues } from '../../src/quality/label-issues';
import { getLabelQualityScores, LabelQualityMethod } from '../../src/quality/label-quality';
import { createRng } from '../../src/quality/rng';
import { expectClose } from '../helpers/fixtures';
import { CLEANLAB_CASES, cleanlabFixture } from './cl-helpers';

const RANK_BY: LabelQualityMethod[] = ['self_confidence', 'normalized_margin', 'confidence_weighted_entropy'];

/** Softmax of noisy logits around a true class, 15 % of labels replaced by a random class (seeded). */
function synthetic(n: number, k: number, seed: number, noise = 0.15): { labels: number[]; probs: number[][] } {
  const rng = createRng(seed);
  const labels: number[] = [];
  const probs: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.int(k);
    const z = Array.from({ length: k }, (_, j) => 1.2 * rng.normal() + (j === y ? 2.5 : 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(e.map((v) => v / s));
    labels.push(rng.next() < noise ? rng.int(k) : y);
  }
  return { labels, probs };
}

function argmax(row: number[]): number {
  let b = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[b]) b = j;
  return b;
}

function permutation(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [p[i], p[j]] = [p[j], p[i]]; }
  return p;
}

const count = (m: boolean[]) => m.reduce((a, b) => a + (b ? 1 : 0), 0);

describe('inputs are never modified', () => {
  const { labels, probs } = synthetic(600, 4, 1);
  test('number[][] and typed inputs, every function and filter', () => {
    const l = [...labels];
    const p = probs.map((r) => [...r]);
    const typed = { rows: 600, cols: 4, data: Float64Array.from(probs.flat()) };
    const typedBefore = Float64Array.from(typed.data);
    const lt = Int32Array.from(labels);
    const f32 = { rows: 600, cols: 4, data: Float32Array.from(probs.flat()) };
    const f32Before = Float32Array.from(f32.data);
    for (const [lab, pp] of [[l, p], [lt, typed], [lt, f32]] as const) {
      getConfidentThresholds(lab, pp);
      computeConfidentJoint(lab, pp);
      computeConfidentJoint(lab, pp, { calibrate: false });
      estimateJoint(lab, pp);
      estimateNoiseMatrices(lab, pp);
      numLabelIssues(lab, pp, { estimationMethod: 'off_diagonal_calibrated' });
      for (const filterBy of FILTER_BY_METHODS) findLabelIssues(lab, pp, { filterBy, rankBy: 'normalized_margin' });
      findLabelIssues(lab, pp, { numToRemovePerClass: [5, 5, 5, 5], minExamplesPerClass: 10, fracNoise: 0.5 });
    }
    const cj = computeConfidentJoint(l, p, { calibrate: false });
    const cjBefore = cj.map((r) => [...r]);
    calibrateConfidentJoint(cj, l);
    estimateLatent(cj, l, { pyMethod: 'eqn', convergeLatentEstimates: true });
    expect(cj).toEqual(cjBefore);
    expect(l).toEqual(labels);
    expect(p).toEqual(probs);
    expect(typed.data).toEqual(typedBefore);
    expect(f32.data).toEqual(f32Before);
    expect(Array.from(lt)).toEqual(labels);
  });

  test('typed Float64Array/Int32Array inputs give exactly the number[][] results', () => {
    const typed = { rows: 600, cols: 4, data: Float64Array.from(probs.flat()) };
    const lt = Int32Array.from(labels);
    for (const filterBy of FILTER_BY_METHODS) {
      expect(findLabelIssues(lt, typed, { filterBy, rankBy: 'self_confidence' })).toEqual(findLabelIssues(labels, probs, { filterBy, rankBy: 'self_confidence' }));
    }
    expect(estimateNoiseMatrices(lt, typed)).toEqual(estimateNoiseMatrices(labels, probs));
  });
});

describe('permuting examples permutes outputs', () => {
  const { labels, probs } = synthetic(800, 5, 2);
  const perm = permutation(800, 9);
  const pl = perm.map((i) => labels[i]);
  const pp = perm.map((i) => probs[i]);

  test.each(FILTER_BY_METHODS)('findLabelIssues %s', (filterBy) => {
    const a = findLabelIssues(labels, probs, { filterBy, rankBy: 'normalized_margin' });
    const b = findLabelIssues(pl, pp, { filterBy, rankBy: 'normalized_margin' });
    expect(b.mask).toEqual(perm.map((i) => a.mask[i]));
    expect((b.rankedIndices as number[]).map((q) => perm[q])).toEqual(a.rankedIndices);
  });

  test('confident joint, noise matrices, counts and thresholds are invariant', () => {
    expect(computeConfidentJoint(pl, pp)).toEqual(computeConfidentJoint(labels, probs));
    expect(computeConfidentJoint(pl, pp, { calibrate: false })).toEqual(computeConfidentJoint(labels, probs, { calibrate: false }));
    expect(numLabelIssues(pl, pp)).toBe(numLabelIssues(labels, probs));
    expect(numLabelIssues(pl, pp, { estimationMethod: 'off_diagonal_calibrated' })).toBe(numLabelIssues(labels, probs, { estimationMethod: 'off_diagonal_calibrated' }));
    const a = estimateNoiseMatrices(labels, probs);
    const b = estimateNoiseMatrices(pl, pp);
    expectClose(b.py, a.py, 1e-12);
    expectClose(b.noiseMatrix, a.noiseMatrix, 1e-12);
    expectClose(b.inverseNoiseMatrix, a.inverseNoiseMatrix, 1e-12);
    expectClose(getConfidentThresholds(pl, pp), getConfidentThresholds(labels, probs), 1e-12);
  });
});

describe('perfect predictions give no issues', () => {
  const rng = createRng(4);
  const k = 4;
  const labels = Array.from({ length: 200 }, (_, i) => (i < k ? i : rng.int(k)));
  const oneHot = labels.map((y) => Array.from({ length: k }, (_, j) => (j === y ? 1 : 0)));
  // soft but always right: the given label has the largest probability
  const soft = labels.map((y) => {
    const r = Array.from({ length: k }, () => rng.next());
    r[y] += 1.5;
    const s = r.reduce((a, b) => a + b, 0);
    return r.map((v) => v / s);
  });
  test.each(FILTER_BY_METHODS)('%s', (filterBy) => {
    expect(count(findLabelIssues(labels, oneHot, { filterBy }).mask)).toBe(0);
    expect(count(findLabelIssues(labels, soft, { filterBy }).mask)).toBe(0);
  });
  test('confident joint is diagonal, joint diagonal, noise matrices identity, zero issues', () => {
    const cj = computeConfidentJoint(labels, oneHot);
    const counts = [0, 1, 2, 3].map((c) => labels.filter((y) => y === c).length);
    expect(cj).toEqual(counts.map((n, r) => counts.map((_, c) => (r === c ? n : 0))));
    const est = estimateNoiseMatrices(labels, oneHot);
    expectClose(est.noiseMatrix, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], 1e-12);
    expectClose(est.inverseNoiseMatrix, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], 1e-12);
    expect(numLabelIssues(labels, oneHot)).toBe(0);
    expect(numLabelIssues(labels, oneHot, { estimationMethod: 'off_diagonal_calibrated' })).toBe(0);
  });
});

describe('K = 2', () => {
  const { labels, probs } = synthetic(300, 2, 5, 0.2);
  test('every filter runs, flags only disagreements (except the low-score filters) and finds most flips', () => {
    const neq = findLabelIssues(labels, probs, { filterBy: 'predicted_neq_given' }).mask;
    expect(neq).toEqual(probs.map((p, i) => argmax(p) !== labels[i]));
    for (const filterBy of FILTER_BY_METHODS) {
      const m = findLabelIssues(labels, probs, { filterBy }).mask;
      expect(count(m)).toBeGreaterThan(0);
      if (!filterBy.startsWith('low_')) m.forEach((f, i) => { if (f) expect(neq[i]).toBe(true); });
    }
    expect(computeConfidentJoint(labels, probs).flat().reduce((a, b) => a + b, 0)).toBe(300);
  });
});

describe('a class with no examples', () => {
  const { labels: raw, probs } = synthetic(300, 3, 6);
  const labels = raw.map((y) => (y === 2 ? 0 : y)); // nobody is given class 2
  test('thresholds, joint and filters handle it', () => {
    expect(getConfidentThresholds(labels, probs)[2]).toBe(2);
    const cj = computeConfidentJoint(labels, probs);
    expect(cj[2]).toEqual([0, 0, 0]);
    expect(cj.flat().reduce((a, b) => a + b, 0)).toBe(300);
    const est = estimateNoiseMatrices(labels, probs);
    for (const v of [...est.py, ...est.noiseMatrix.flat(), ...est.inverseNoiseMatrix.flat()]) expect(Number.isFinite(v)).toBe(true);
    for (const filterBy of FILTER_BY_METHODS) {
      const r = findLabelIssues(labels, probs, { filterBy, rankBy: 'self_confidence' });
      expect(r.mask.length).toBe(300);
      expect((r.rankedIndices as number[]).length).toBe(count(r.mask));
    }
  });
  test('a single example per class is never flagged by the pruning filters (as cleanlab)', () => {
    const l = [0, 1, 1, 1];
    const p = [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.9, 0.1]];
    const m = findLabelIssues(l, p, { minExamplesPerClass: 0 }).mask;
    expect(m[0]).toBe(false);
  });
});

describe('exact ties at a cut-off go to the lowest indices', () => {
  // 20 clean examples of class 0, 10 identical mislabeled ones (given 0, clearly 1), 20 clean of class 1;
  // with fracNoise 0.5 the prune counts ask for 5 of the 10 tied rows
  function build(order: number[]) {
    const rows: Array<{ l: number; p: number[]; tied: boolean }> = [];
    for (let i = 0; i < 20; i++) rows.push({ l: 0, p: [0.9, 0.1], tied: false });
    for (let i = 0; i < 10; i++) rows.push({ l: 0, p: [0.05, 0.95], tied: true });
    for (let i = 0; i < 20; i++) rows.push({ l: 1, p: [0.1, 0.9], tied: false });
    const r = order.map((i) => rows[i]);
    return { labels: r.map((x) => x.l), probs: r.map((x) => x.p), tied: r.map((x) => x.tied) };
  }
  test.each([
    ['in order', Array.from({ length: 50 }, (_, i) => i)],
    ['shuffled', permutation(50, 11)],
  ])('%s', (_name, order) => {
    const { labels, probs, tied } = build(order as number[]);
    const tiedIdx = tied.flatMap((t, i) => (t ? [i] : []));
    expect(computeConfidentJoint(labels, probs)).toEqual([[20, 10], [0, 20]]);
    for (const filterBy of ['prune_by_noise_rate', 'prune_by_class', 'both'] as FilterBy[]) {
      const m = findLabelIssues(labels, probs, { filterBy, fracNoise: 0.5 }).mask;
      expect(m.flatMap((f, i) => (f ? [i] : []))).toEqual(tiedIdx.slice(0, 5));
      const all = findLabelIssues(labels, probs, { filterBy }).mask;
      expect(all.flatMap((f, i) => (f ? [i] : []))).toEqual(tiedIdx);
    }
    // ranking: all tied scores, so by index
    expect(findLabelIssues(labels, probs, { rankBy: 'self_confidence' }).rankedIndices).toEqual(tiedIdx);
    // low_self_confidence flags numLabelIssues = 10 rows: exactly the tied ones
    expect(findLabelIssues(labels, probs, { filterBy: 'low_self_confidence' }).mask.flatMap((f, i) => (f ? [i] : []))).toEqual(tiedIdx);
  });
});

describe('a later, strictly better candidate evicts the highest-index tie', () => {
  // given 0: 20 clean, 6 tied mislabeled (p1 = 0.7), then one clearly mislabeled (p1 = 0.98); given 1: 20 with p1 = 0.6
  const rows: Array<[number, number[]]> = [];
  for (let i = 0; i < 20; i++) rows.push([0, [0.9, 0.1]]);
  for (let i = 0; i < 6; i++) rows.push([0, [0.3, 0.7]]);
  rows.push([0, [0.02, 0.98]]);
  for (let i = 0; i < 20; i++) rows.push([1, [0.4, 0.6]]);
  const labels = rows.map((r) => r[0]);
  const probs = rows.map((r) => r[1]);
  test('prune counts 4 (noise rate) and 5 (class) keep the strong one and the lowest-index ties', () => {
    expect(computeConfidentJoint(labels, probs)).toEqual([[20, 7], [0, 20]]);
    const flagged = (filterBy: FilterBy) => findLabelIssues(labels, probs, { filterBy, fracNoise: 0.6 }).mask.flatMap((f, i) => (f ? [i] : []));
    expect(flagged('prune_by_noise_rate')).toEqual([20, 21, 22, 26]);
    expect(flagged('prune_by_class')).toEqual([20, 21, 22, 23, 26]);
    expect(flagged('both')).toEqual([20, 21, 22, 26]);
  });
});

describe('selection stays exact when the warm-start sample is unrepresentative', () => {
  // N = 4096, K = 2. The warm start samples rows with index % 1024 < 64. Strongly mislabeled rows (given 0,
  // margin 0.7–0.9) sit only in those blocks, weakly mislabeled ones (margin 0.3–0.5) only outside, so the
  // sample puts the floor above every weak row: the selection must notice it kept too few and redo.
  const rng = createRng(21);
  const labels: number[] = [];
  const probs: number[][] = [];
  const inSample = (i: number) => i % 1024 < 64;
  let strong = 0;
  let weak = 0;
  for (let i = 0; i < 4096; i++) {
    if (inSample(i) && strong < 100 && i % 2 === 0) { const p1 = 0.85 + 0.1 * rng.next(); labels.push(0); probs.push([1 - p1, p1]); strong++; }
    else if (!inSample(i) && weak < 300 && i % 7 === 0) { const p1 = 0.66 + 0.08 * rng.next(); labels.push(0); probs.push([1 - p1, p1]); weak++; }
    else if (i % 3 === 0) { labels.push(1); probs.push([0.35, 0.65]); }
    else { labels.push(0); probs.push([0.9, 0.1]); }
  }
  test.each([1, 0.5, 0.25])('fracNoise %f: the top margins among given-0 rows, exactly', (fracNoise) => {
    const cj = computeConfidentJoint(labels, probs);
    expect(cj[0][1]).toBe(400);
    expect(cj[1][0]).toBe(0);
    const m = Math.trunc(400 * fracNoise);
    const byMargin = labels.flatMap((l, i) => (l === 0 ? [i] : []))
      .sort((a, b) => (probs[b][1] - probs[b][0]) - (probs[a][1] - probs[a][0]) || a - b);
    const expected = byMargin.slice(0, m).sort((a, b) => a - b);
    const got = findLabelIssues(labels, probs, { fracNoise }).mask.flatMap((f, i) => (f ? [i] : []));
    expect(got).toEqual(expected);
  });
});

describe.each(CLEANLAB_CASES)('structural relations on %s', (file) => {
  const { labels, pred_probs: probs, K } = cleanlabFixture(file).inputs;
  const masks = Object.fromEntries(FILTER_BY_METHODS.map((f) => [f, findLabelIssues(labels, probs, { filterBy: f }).mask])) as Record<FilterBy, boolean[]>;

  test('both ⊆ prune_by_class ∩ prune_by_noise_rate; confident_learning and prunes ⊆ predicted_neq_given', () => {
    masks.both.forEach((f, i) => { if (f) { expect(masks.prune_by_class[i]).toBe(true); expect(masks.prune_by_noise_rate[i]).toBe(true); } });
    for (const f of ['prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning'] as FilterBy[]) {
      masks[f].forEach((x, i) => { if (x) expect(masks.predicted_neq_given[i]).toBe(true); });
    }
    expect(count(masks.low_self_confidence)).toBe(numLabelIssues(labels, probs));
    expect(count(masks.low_normalized_margin)).toBe(numLabelIssues(labels, probs));
  });

  test('fracNoise 0.5 flags a subset of fracNoise 1; fracNoise 0 flags nothing', () => {
    for (const filterBy of ['prune_by_noise_rate', 'prune_by_class', 'both'] as FilterBy[]) {
      const half = findLabelIssues(labels, probs, { filterBy, fracNoise: 0.5 }).mask;
      half.forEach((f, i) => { if (f) expect(masks[filterBy][i]).toBe(true); });
      expect(count(findLabelIssues(labels, probs, { filterBy, fracNoise: 0 }).mask)).toBe(0);
    }
  });

  test.each(RANK_BY)('rankBy %s: flagged indices by ascending score', (rankBy) => {
    const r = findLabelIssues(labels, probs, { rankBy });
    const s = getLabelQualityScores(labels, probs, { method: rankBy });
    const idx = r.rankedIndices as number[];
    expect([...idx].sort((a, b) => a - b)).toEqual(r.mask.flatMap((f, i) => (f ? [i] : [])));
    for (let q = 1; q < idx.length; q++) expect(s[idx[q]]).toBeGreaterThanOrEqual(s[idx[q - 1]]);
  });

  test('estimates are valid distributions', () => {
    const e = estimateNoiseMatrices(labels, probs);
    expectClose(e.py.reduce((a, b) => a + b, 0), 1, 1e-12);
    for (let c = 0; c < K; c++) {
      expectClose(e.noiseMatrix.reduce((a, row) => a + row[c], 0), 1, 1e-12);
      expectClose(e.inverseNoiseMatrix.reduce((a, row) => a + row[c], 0), 1, 1e-12);
    }
    const cj = computeConfidentJoint(labels, probs);
    cj.forEach((row, r) => expect(row.reduce((a, b) => a + b, 0)).toBe(labels.filter((y) => y === r).length));
  });
});

describe('clear errors name the function and the argument', () => {
  const p = [[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]];
  const l = [0, 1, 1];
  test('predProbs and labels', () => {
    expect(() => findLabelIssues(l, [[0.6, 0.4], [NaN, 0.7], [0.5, 0.5]])).toThrow(/^findLabelIssues: predProbs row 1 column 0 is not a finite number/);
    expect(() => findLabelIssues(l, [[0.6, 0.4], [0.3, 0.7], [0.5, 0.6]])).toThrow(/^findLabelIssues: predProbs row 2 does not sum to 1/);
    expect(() => findLabelIssues([0, 1, 2], p)).toThrow(/^findLabelIssues: labels index 2 is 2, not a class index in 0\.\.1/);
    expect(() => findLabelIssues([0, 1, NaN], p)).toThrow(/^findLabelIssues: labels index 2/);
    expect(() => findLabelIssues(l, [[0.6, 0.4], [0.3, 0.7], [1]])).toThrow(/^findLabelIssues: predProbs is ragged: row 2/);
    expect(() => findLabelIssues(l, { rows: 3, cols: 2, data: new Float64Array(5) })).toThrow(/^findLabelIssues: predProbs data length 5/);
    expect(() => findLabelIssues([0, 1], p)).toThrow(/^findLabelIssues: labels has length 2 but predProbs has 3 rows/);
    expect(() => computeConfidentJoint(l, [[0.6, 0.4], [0.3, 0.7], [Infinity, 0]])).toThrow(/^computeConfidentJoint: predProbs row 2 column 0/);
    expect(() => estimateJoint([0, 5, 1], p)).toThrow(/^estimateJoint: labels index 1 is 5/);
    expect(() => estimateNoiseMatrices(l, [[0.6, 0.4], [0.3, 0.7]])).toThrow(/^estimateNoiseMatrices: labels has length 3 but predProbs has 2 rows/);
    expect(() => numLabelIssues(l, [[1.2, -0.2], [0.3, 0.7], [0.5, 0.5]])).toThrow(/^numLabelIssues: predProbs row 0 column 1 is negative/);
    expect(() => getConfidentThresholds(l, [[1], [1], [1]])).toThrow(/^getConfidentThresholds: predProbs must have at least 2 columns/);
  });
  test('options', () => {
    expect(() => findLabelIssues(l, p, { filterBy: 'nope' as FilterBy })).toThrow(/^findLabelIssues: options\.filterBy must be one of/);
    expect(() => findLabelIssues(l, p, { fracNoise: 1.5 })).toThrow(/^findLabelIssues: options\.fracNoise/);
    expect(() => findLabelIssues(l, p, { minExamplesPerClass: -1 })).toThrow(/^findLabelIssues: options\.minExamplesPerClass/);
    expect(() => findLabelIssues(l, p, { rankBy: 'margin' as LabelQualityMethod })).toThrow(/^findLabelIssues: options\.rankBy/);
    expect(() => findLabelIssues(l, p, { filterBy: 'confident_learning', numToRemovePerClass: [1, 1] })).toThrow(/^findLabelIssues: options\.numToRemovePerClass is only supported/);
    expect(() => findLabelIssues(l, p, { numToRemovePerClass: [1] })).toThrow(/^findLabelIssues: options\.numToRemovePerClass must be an array of length K = 2/);
    expect(() => findLabelIssues(l, p, { numToRemovePerClass: [1, -2] })).toThrow(/^findLabelIssues: options\.numToRemovePerClass entry 1/);
    expect(() => numLabelIssues(l, p, { estimationMethod: 'x' as 'off_diagonal' })).toThrow(/^numLabelIssues: options\.estimationMethod/);
    expect(() => estimateNoiseMatrices(l, p, { pyMethod: 'x' as PyMethod })).toThrow(/^estimateNoiseMatrices: options\.pyMethod/);
  });
  test('matrices given to calibrate / estimateLatent', () => {
    expect(() => calibrateConfidentJoint([[1, 2, 3], [4, 5, 6]], l)).toThrow(/^calibrateConfidentJoint: confidentJoint must be a non-empty square/);
    expect(() => calibrateConfidentJoint([[1, 2], [3]], l)).toThrow(/^calibrateConfidentJoint: confidentJoint is ragged/);
    expect(() => calibrateConfidentJoint([[1, -2], [3, 4]], l)).toThrow(/^calibrateConfidentJoint: confidentJoint row 0 column 1 is -2/);
    expect(() => estimateLatent([[1, NaN], [3, 4]], l)).toThrow(/^estimateLatent: confidentJoint row 0 column 1 is NaN/);
    expect(() => estimateLatent([[1, 2], [3, 4]], [0, 2])).toThrow(/^estimateLatent: labels index 1 is 2/);
    expect(() => estimateLatent([[1, 2], [3, 4]], l, { pyMethod: 'bad' as PyMethod })).toThrow(/^estimateLatent: options\.pyMethod/);
  });
});
