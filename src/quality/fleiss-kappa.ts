/**
 * Fleiss' kappa for many raters (semantics of statsmodels `stats.inter_rater.fleiss_kappa`).
 */
import { MatrixInput, QualityInputError, toMatrix } from './matrix';

/** `'fleiss'`: chance agreement from the observed category shares; `'randolph'`: uniform chance 1/K (free-marginal). */
export type FleissMethod = 'fleiss' | 'randolph';

export interface FleissKappaOptions {
  /** Default `'fleiss'`. */
  method?: FleissMethod;
}

/** Row totals must agree to this relative tolerance (counts may arrive as floats from aggregation). */
const RATER_COUNT_TOLERANCE = 1e-9;

/**
 * Fleiss' kappa: chance-corrected agreement when every subject is rated by the same number n ≥ 2 of raters
 * (not necessarily the same raters).
 *
 * Input `counts` is N × K: counts[i][j] = how many raters put subject i in category j; every row sums to n.
 *
 *   P_i = (Σ_j counts_ij² − n) / (n (n − 1))           agreement among the raters of subject i
 *   P̄  = mean_i P_i
 *   P_e = Σ_j p_j²,  p_j = Σ_i counts_ij / (N n)       ('fleiss')   or   P_e = 1 / K   ('randolph')
 *   κ  = (P̄ − P_e) / (1 − P_e)
 *
 * Reading: 1 = all raters agree on every subject, 0 = chance level, < 0 = below chance. NaN when
 * 1 − P_e = 0 (every rating in one category with 'fleiss', or K = 1).
 *
 * References: J. L. Fleiss (1971), "Measuring nominal scale agreement among many raters";
 * J. J. Randolph (2005), "Free-marginal multirater kappa". Cost: O(N K) time, O(K) memory.
 *
 * @param counts N × K subjects × categories table of rating counts (non-negative, equal row sums ≥ 2)
 */
export function fleissKappa(counts: MatrixInput, options: FleissKappaOptions = {}): number {
  const fn = 'fleissKappa';
  const method = options.method ?? 'fleiss';
  if (method !== 'fleiss' && method !== 'randolph') {
    throw new QualityInputError(fn, 'options.method', `must be 'fleiss' or 'randolph', got ${String(method)}`);
  }
  const m = toMatrix(counts, fn, 'counts');
  const { rows, cols, data } = m;
  if (rows === 0 || cols === 0) throw new QualityInputError(fn, 'counts', 'is empty (need at least one subject and one category)');
  let raters = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      if (!Number.isFinite(v)) throw new QualityInputError(fn, 'counts', `row ${i} column ${j} is not a finite number`);
      if (v < 0) throw new QualityInputError(fn, 'counts', `row ${i} column ${j} is negative`);
      s += v;
    }
    if (i === 0) {
      raters = s;
      if (!(raters >= 2)) throw new QualityInputError(fn, 'counts', `row 0 sums to ${s}: every subject needs at least 2 ratings`);
    } else if (Math.abs(s - raters) > RATER_COUNT_TOLERANCE * raters) {
      throw new QualityInputError(fn, 'counts', `row ${i} sums to ${s}, expected ${raters} raters per subject (the sum of row 0)`);
    }
  }
  return fleissKappaInner(data, rows, cols, raters, method);
}

function fleissKappaInner(data: Float64Array | Float32Array, rows: number, cols: number, raters: number, method: FleissMethod): number {
  const catTotals = new Float64Array(cols);
  let sumSq = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      sumSq += v * v;
      catTotals[j] += v;
    }
  }
  const pBar = (sumSq - rows * raters) / (rows * raters * (raters - 1));
  let pe: number;
  if (method === 'randolph') pe = 1 / cols;
  else {
    pe = 0;
    const total = rows * raters;
    for (let j = 0; j < cols; j++) {
      const p = catTotals[j] / total;
      pe += p * p;
    }
  }
  const denom = 1 - pe;
  if (denom === 0) return NaN;
  return (pBar - pe) / denom;
}
