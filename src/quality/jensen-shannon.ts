/**
 * Jensen–Shannon distance between two discrete distributions (scipy.spatial.distance.jensenshannon).
 */
import { QualityInputError } from './matrix';
import { VectorInput } from './ks-2samp';

export interface JensenShannonOptions {
  /** Logarithm base: 2 (default) gives a distance in [0, 1]; `null` = natural log (scipy's base=None), range [0, √ln 2]. */
  base?: number | null;
}

function toDistribution(x: VectorInput, fn: string, arg: string): { v: Float64Array; sum: number } {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array) && !Array.isArray(x)) {
    throw new QualityInputError(fn, arg, 'must be number[], Float64Array or Float32Array');
  }
  const v = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const e = x[i];
    if (typeof e !== 'number' || !Number.isFinite(e)) throw new QualityInputError(fn, arg, `index ${i} is ${String(e)}, not a finite number`);
    if (e < 0) throw new QualityInputError(fn, arg, `index ${i} is ${e}, probabilities must be non-negative`);
    v[i] = e;
    sum += e;
  }
  if (!(sum > 0)) throw new QualityInputError(fn, arg, 'sums to 0');
  return { v, sum };
}

/**
 * Jensen–Shannon distance: JS(p, q) = sqrt( (KL(p‖m) + KL(q‖m)) / 2 ), m = (p + q)/2, with
 * KL(a‖m) = Σ_k a_k log_base(a_k / m_k) (0·log 0 = 0). p and q (length K, non-negative) are normalised to sum 1
 * first, so raw counts are accepted — as `scipy.spatial.distance.jensenshannon(p, q, base)`.
 *
 * Read it: 0 = identical distributions, 1 (base 2) = disjoint supports; it is a metric (the square root of the
 * JS divergence). Lin (1991) IEEE Trans. Inf. Theory 37(1); Endres & Schindelin (2003). Cost O(K).
 */
export function jensenShannon(p: VectorInput, q: VectorInput, options: JensenShannonOptions = {}): number {
  const fn = 'jensenShannon';
  const base = options.base === undefined ? 2 : options.base;
  if (base !== null && (typeof base !== 'number' || !(base > 0) || base === 1 || !Number.isFinite(base))) {
    throw new QualityInputError(fn, 'options.base', `is ${String(base)}, expected a positive number other than 1, or null`);
  }
  const P = toDistribution(p, fn, 'p');
  const Q = toDistribution(q, fn, 'q');
  if (P.v.length !== Q.v.length) throw new QualityInputError(fn, 'q', `has length ${Q.v.length}, p has ${P.v.length}`);
  let left = 0;
  let right = 0;
  for (let k = 0; k < P.v.length; k++) {
    const pk = P.v[k] / P.sum;
    const qk = Q.v[k] / Q.sum;
    const mk = (pk + qk) / 2;
    if (pk > 0) left += pk * Math.log(pk / mk);
    if (qk > 0) right += qk * Math.log(qk / mk);
  }
  let js = left + right;
  if (base !== null) js /= Math.log(base);
  // Rounding can leave a divergence of −1e-17 for identical inputs: the distance is 0 there.
  return Math.sqrt(Math.max(js / 2, 0));
}
