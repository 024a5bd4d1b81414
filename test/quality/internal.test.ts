/**
 * The internal helpers of confident learning (src/quality/internal): constants, numpy-faithful numerics, input
 * validation and latent algebra, checked directly on small hand-computed cases (the cleanlab reference values
 * reach them through confident-learning.test.ts).
 */
import {
  CLIPPING_LOWER_BOUND, CONFIDENT_THRESHOLDS_LOWER_BOUND, FLOATING_POINT_COMPARISON, MAJORITY, ROW_SUM_TOLERANCE,
} from '../../src/quality/internal/constants';
import { calibrateInner, estimateLatentInner, jointFromCalibrated } from '../../src/quality/internal/latent-algebra';
import {
  clipValues, labelCountsOf, npSum, roundHalfEven, roundPreservingRowTotals, squareToArrays,
} from '../../src/quality/internal/numpy';
import {
  argmaxAt, checkPyMethod, labelIsArgmax, toSquareCounts, validateLabelsAndProbs,
} from '../../src/quality/internal/validation';
import { QualityInputError } from '../../src/quality/matrix';

describe('constants', () => {
  test('a threshold minus the comparison margin stays positive', () => {
    expect(CONFIDENT_THRESHOLDS_LOWER_BOUND).toBe(2 * FLOATING_POINT_COMPARISON);
    expect(CONFIDENT_THRESHOLDS_LOWER_BOUND - FLOATING_POINT_COMPARISON).toBeGreaterThan(0);
    expect(CLIPPING_LOWER_BOUND).toBeGreaterThan(0);
  });

  test('a probability above MAJORITY is its row\'s unique maximum under the row-sum tolerance', () => {
    expect(MAJORITY).toBeGreaterThan(0.5);
    expect(2 * MAJORITY).toBeGreaterThan(1 + ROW_SUM_TOLERANCE);
  });
});

describe('numpy helpers', () => {
  test('npSum: short, blocked and recursive lengths, offset and stride', () => {
    const ints = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(npSum(ints, 0, 5)).toBe(15);
    expect(npSum(ints, 0, 100)).toBe(5050);
    expect(npSum(ints, 0, 1000)).toBe(500500);
    expect(npSum(ints, 10, 3)).toBe(11 + 12 + 13);
    expect(npSum([1, 2, 3, 4, 5, 6, 7, 8, 9], 0, 3, 4)).toBe(1 + 5 + 9);
    expect(npSum([], 0, 0)).toBe(0);
  });

  test('npSum adds in numpy\'s pairwise order, not left to right', () => {
    // left to right, 1 + 1e-16 + … stays 1; pairwise, the eight partial sums meet the small terms first
    const a = new Float64Array(16).fill(1e-16);
    a[0] = 1;
    let sequential = 0;
    for (const x of a) sequential += x;
    expect(sequential).toBe(1);
    const r0 = 1 + 1e-16, r = 1e-16 + 1e-16;
    expect(npSum(a, 0, 16)).toBe(((r0 + r) + (r + r)) + ((r + r) + (r + r)));
    expect(npSum(a, 0, 16)).toBeGreaterThan(1);
  });

  test('roundHalfEven rounds half-way cases to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, 3.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, -2, -2, 2, 3]);
    expect(roundHalfEven(-0.5) === 0).toBe(true);
  });

  test('roundPreservingRowTotals keeps each row\'s rounded total', () => {
    const m = Float64Array.from([0.5, 0.5, 1, 1.4, 1.4, 0.2, 3, 0, 0]);
    const r = roundPreservingRowTotals(m, 3);
    expect(Array.from(r)).toEqual([0, 1, 1, 1, 2, 0, 3, 0, 0]);
    expect(Array.from(m)).toEqual([0.5, 0.5, 1, 1.4, 1.4, 0.2, 3, 0, 0]);
  });

  test('clipValues clips then rescales to the new sum, leaving the input alone', () => {
    const x = Float64Array.from([0, 2, 0.5]);
    const y = clipValues(x, 0.1, 1, 1);
    const s = 0.1 + 1 + 0.5;
    expect(Array.from(y)).toEqual([0.1 / s, 1 / s, 0.5 / s]);
    expect(Array.from(x)).toEqual([0, 2, 0.5]);
  });

  test('squareToArrays and labelCountsOf', () => {
    expect(squareToArrays(Float64Array.from([1, 2, 3, 4]), 2)).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(labelCountsOf(Int32Array.from([0, 2, 2, 1, 2]), 4))).toEqual([1, 1, 3, 0]);
  });
});

describe('validation', () => {
  const probs = [[0.9, 0.1], [0.3, 0.7], [0.5, 0.5]];

  test('validateLabelsAndProbs extracts the self-confidences of Float64 and Float32 inputs', () => {
    const v = validateLabelsAndProbs([0, 0, 1], probs, 'f');
    expect(v.n).toBe(3);
    expect(v.k).toBe(2);
    expect(Array.from(v.labels)).toEqual([0, 0, 1]);
    expect(Array.from(v.selfConf)).toEqual([0.9, 0.3, 0.5]);
    const f32 = { rows: 3, cols: 2, data: Float32Array.from(probs.flat()) };
    const w = validateLabelsAndProbs(Int32Array.from([0, 0, 1]), f32, 'f');
    expect(Array.from(w.selfConf)).toEqual(Array.from(Float32Array.from([0.9, 0.3, 0.5])));
  });

  test('validateLabelsAndProbs names the function and the argument', () => {
    expect(() => validateLabelsAndProbs([0, 1], probs, 'fnName')).toThrow(/^fnName: labels has length 2 but predProbs has 3 rows$/);
    expect(() => validateLabelsAndProbs([0, 1, 2], probs, 'fnName')).toThrow(QualityInputError);
    expect(() => validateLabelsAndProbs([0], [[1]], 'fnName')).toThrow(/fnName: predProbs must have at least 2 columns/);
    expect(() => validateLabelsAndProbs([0, 0, 1], [[0.9, 0.2], [0.3, 0.7], [0.5, 0.5]], 'fnName')).toThrow(/fnName: predProbs row 0/);
    expect(() => validateLabelsAndProbs([0, 0, 1], [[0.9, 0.1], [NaN, 0.7], [0.5, 0.5]], 'fnName')).toThrow(/fnName: predProbs/);
  });

  test('argmaxAt takes the first maximum; labelIsArgmax agrees with it', () => {
    const d = Float64Array.from([0.2, 0.4, 0.4, 0.6, 0.2, 0.2]);
    expect(argmaxAt(d, 0, 3)).toBe(1);
    expect(argmaxAt(d, 3, 3)).toBe(0);
    const v = validateLabelsAndProbs([2, 0], { rows: 2, cols: 3, data: d }, 'f');
    expect(labelIsArgmax(v, 0)).toBe(false);
    expect(labelIsArgmax(v, 1)).toBe(true);
  });

  test('toSquareCounts accepts non-negative square matrices only', () => {
    expect(toSquareCounts([[1, 0], [2, 3]], 'f', 'cj').rows).toBe(2);
    expect(() => toSquareCounts([[1, 0, 1], [2, 3, 1]], 'f', 'cj')).toThrow(/^f: cj must be a non-empty square K×K matrix, got 2×3$/);
    expect(() => toSquareCounts([[1, -1], [2, 3]], 'f', 'cj')).toThrow(/^f: cj row 0 column 1 is -1, not a finite non-negative count$/);
  });

  test('checkPyMethod', () => {
    expect(checkPyMethod('f', 'eqn')).toBe('eqn');
    expect(() => checkPyMethod('f', 'bogus')).toThrow(/^f: options\.pyMethod must be one of cnt, eqn, marginal, marginal_ps, got bogus$/);
  });
});

describe('latent algebra', () => {
  test('calibrateInner: rows sum to the given-label counts, integers', () => {
    const cj = Float64Array.from([3, 1, 0, 1, 4, 1, 0, 2, 2]);
    const lc = Float64Array.from([10, 7, 5]);
    const cal = calibrateInner(cj, lc, 3);
    for (let r = 0; r < 3; r++) expect(npSum(cal, r * 3, 3)).toBe(lc[r]);
    for (const x of cal) expect(Number.isInteger(x)).toBe(true);
    const joint = jointFromCalibrated(cal);
    expect(npSum(joint, 0, 9)).toBeCloseTo(1, 15);
  });

  test('estimateLatentInner: a diagonal confident joint means no noise and py = given-label frequencies', () => {
    const cj = Float64Array.from([6, 0, 0, 4]);
    const lc = Float64Array.from([6, 4]);
    for (const method of ['cnt', 'eqn', 'marginal', 'marginal_ps'] as const) {
      for (const converge of [false, true]) {
        const { py, nm, inv } = estimateLatentInner(cj, lc, 10, 2, method, converge, 'f');
        expect(Array.from(nm)).toEqual([1, 0, 0, 1]);
        expect(Array.from(inv)).toEqual([1, 0, 0, 1]);
        expect(py[0]).toBeCloseTo(0.6, 12);
        expect(py[1]).toBeCloseTo(0.4, 12);
      }
    }
  });

  test('estimateLatentInner: noise columns sum to 1', () => {
    const cj = Float64Array.from([5, 1, 2, 4]);
    const { nm, inv } = estimateLatentInner(cj, Float64Array.from([6, 6]), 12, 2, 'cnt', false, 'f');
    expect(nm[0] + nm[2]).toBeCloseTo(1, 12);
    expect(nm[1] + nm[3]).toBeCloseTo(1, 12);
    expect(inv[0] + inv[2]).toBeCloseTo(1, 12);
    expect(inv[1] + inv[3]).toBeCloseTo(1, 12);
  });
});
