/**
 * χ² test of homogeneity of two categorical count vectors (scipy.stats.chi2_contingency on the 2×K table).
 */
import { Matrix, QualityInputError } from './matrix';
import { chi2Sf } from './special-functions';

/** Category counts as accepted at the public surface. */
export type CountsInput = ReadonlyArray<number> | Float64Array | Float32Array | Int32Array;

export interface ChiSquareOptions {
  /** Yates' continuity correction, applied (as scipy) only when dof = 1. Default true. */
  correction?: boolean;
}

export interface ChiSquareResult {
  /** Pearson's χ² = Σ (O − E)² / E over the 2×K' table (K' = categories with a non-zero count). */
  statistic: number;
  /** P(χ²_dof ≥ statistic); 1 when dof = 0. */
  pvalue: number;
  /** Degrees of freedom (K' − 1). */
  dof: number;
  /** Expected counts under homogeneity, 2 × K (row 0 = countsA), 0 in the dropped all-zero columns. */
  expectedFreq: Matrix;
}

function toCounts(x: CountsInput, fn: string, arg: string): Float64Array {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array) && !(x instanceof Int32Array) && !Array.isArray(x)) {
    throw new QualityInputError(fn, arg, 'must be number[] or a typed array');
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new QualityInputError(fn, arg, `index ${i} is ${String(v)}, not a finite number`);
    if (v < 0) throw new QualityInputError(fn, arg, `index ${i} is ${v}, counts must be non-negative`);
    out[i] = v;
  }
  return out;
}

/**
 * χ² test that two samples of a categorical variable (counts per category, e.g. reference vs current window)
 * come from the same distribution.
 *
 * Table O (2 × K): row 0 = countsA, row 1 = countsB; columns where both counts are 0 are dropped (K' left).
 * E_rk = R_r · C_k / T (row sums R, column sums C, total T); dof = K' − 1. With `correction` and dof = 1,
 * Yates: O_rk ← O_rk + sign(E_rk − O_rk) · min(0.5, |E_rk − O_rk|). Statistic χ² = Σ (O − E)²/E, p-value
 * P(χ²_dof ≥ χ²) = Q(dof/2, χ²/2) — exactly `scipy.stats.chi2_contingency([countsA, countsB], correction)`
 * after dropping the empty columns (scipy raises on them instead).
 *
 * Read it: small p-value → the category proportions differ between A and B. Pearson (1900); Yates (1934).
 * Cost O(K). Inputs are not modified.
 */
export function chiSquareTest(countsA: CountsInput, countsB: CountsInput, options: ChiSquareOptions = {}): ChiSquareResult {
  const fn = 'chiSquareTest';
  const correction = options.correction ?? true;
  const a = toCounts(countsA, fn, 'countsA');
  const b = toCounts(countsB, fn, 'countsB');
  if (a.length !== b.length) throw new QualityInputError(fn, 'countsB', `has length ${b.length}, countsA has ${a.length}`);
  if (a.length === 0) throw new QualityInputError(fn, 'countsA', 'is empty');
  let ra = 0;
  let rb = 0;
  for (let k = 0; k < a.length; k++) {
    ra += a[k];
    rb += b[k];
  }
  if (ra === 0) throw new QualityInputError(fn, 'countsA', 'sums to 0 (no observations)');
  if (rb === 0) throw new QualityInputError(fn, 'countsB', 'sums to 0 (no observations)');
  return chiSquareInner(a, b, ra, rb, correction);
}

function chiSquareInner(a: Float64Array, b: Float64Array, ra: number, rb: number, correction: boolean): ChiSquareResult {
  const K = a.length;
  const total = ra + rb;
  const expected = new Float64Array(2 * K);
  let kept = 0;
  for (let k = 0; k < K; k++) {
    const c = a[k] + b[k];
    if (c === 0) continue;
    kept++;
    expected[k] = (ra * c) / total;
    expected[K + k] = (rb * c) / total;
  }
  const dof = kept - 1;
  const expectedFreq: Matrix = { rows: 2, cols: K, data: expected };
  if (dof === 0) return { statistic: 0, pvalue: 1, dof, expectedFreq };
  const yates = correction && dof === 1;
  let stat = 0;
  for (let r = 0; r < 2; r++) {
    const obs = r === 0 ? a : b;
    for (let k = 0; k < K; k++) {
      if (a[k] + b[k] === 0) continue;
      const e = expected[r * K + k];
      let o = obs[k];
      if (yates) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      const dlt = o - e;
      stat += (dlt * dlt) / e;
    }
  }
  return { statistic: stat, pvalue: chi2Sf(stat, dof), dof, expectedFreq };
}
