/**
 * First Wasserstein (earth mover's) distance between two 1-D empirical distributions
 * (scipy.stats.wasserstein_distance).
 */
import { QualityInputError } from './matrix';
import { sortFloat64, toFiniteVector, VectorInput } from './ks-2samp';

export interface Wasserstein1dOptions {
  /** Non-negative weights of the u values (same length as u); default: all equal. */
  uWeights?: VectorInput;
  /** Non-negative weights of the v values (same length as v); default: all equal. */
  vWeights?: VectorInput;
}

function toWeights(w: VectorInput, n: number, fn: string, arg: string): Float64Array {
  const out = toFiniteVector(w, fn, arg);
  if (out.length !== n) throw new QualityInputError(fn, arg, `has length ${out.length}, expected ${n} (one weight per value)`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (out[i] < 0) throw new QualityInputError(fn, arg, `index ${i} is ${out[i]}, weights must be non-negative`);
    s += out[i];
  }
  if (!(s > 0)) throw new QualityInputError(fn, arg, 'sums to 0');
  return out;
}

/** Sorts values ascending and returns the weights permuted the same way (a stable index sort). */
function sortWithWeights(values: Float64Array, weights: Float64Array | null): { values: Float64Array; weights: Float64Array | null } {
  if (weights === null) return { values: sortFloat64(values), weights: null };
  const n = values.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((i, j) => values[i] - values[j] || i - j);
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    v[k] = values[idx[k]];
    w[k] = weights[idx[k]];
  }
  return { values: v, weights: w };
}

/**
 * W₁(u, v) = ∫ |F_u(t) − F_v(t)| dt, with F_u, F_v the (weighted) empirical CDFs: for the sorted pooled values
 * t_0 ≤ … ≤ t_{N−1}, W₁ = Σ_k |F_u(t_k) − F_v(t_k)| · (t_{k+1} − t_k), F_u(t) = Σ_{u_i ≤ t} w_i / Σ w_i —
 * the formula of `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`.
 *
 * Read it: in the units of the data, the least average distance mass must move to turn one sample into the
 * other (0 = identical; a pure shift by c gives c). Villani (2009); Ramdas, García Trillos & Cuturi (2017).
 * Cost O((n + m) log(n + m)) (sorting). Inputs are not modified.
 */
export function wasserstein1d(u: VectorInput, v: VectorInput, options: Wasserstein1dOptions = {}): number {
  const fn = 'wasserstein1d';
  const uv = toFiniteVector(u, fn, 'u');
  const vv = toFiniteVector(v, fn, 'v');
  const uw = options.uWeights === undefined || options.uWeights === null ? null : toWeights(options.uWeights, uv.length, fn, 'options.uWeights');
  const vw = options.vWeights === undefined || options.vWeights === null ? null : toWeights(options.vWeights, vv.length, fn, 'options.vWeights');
  const us = sortWithWeights(uv, uw);
  const vs = sortWithWeights(vv, vw);
  return wassersteinSorted(us.values, us.weights, vs.values, vs.weights);
}

/** Inner routine: sorted values, weights aligned (or null for equal weights). */
function wassersteinSorted(u: Float64Array, uw: Float64Array | null, v: Float64Array, vw: Float64Array | null): number {
  const n = u.length;
  const m = v.length;
  let uTotal = n;
  let vTotal = m;
  if (uw !== null) { uTotal = 0; for (let i = 0; i < n; i++) uTotal += uw[i]; }
  if (vw !== null) { vTotal = 0; for (let i = 0; i < m; i++) vTotal += vw[i]; }
  let iu = 0;
  let iv = 0;
  let cu = 0; // cumulative weight of u values ≤ t
  let cv = 0;
  let dist = 0;
  while (iu < n || iv < m) {
    const a = iu < n ? u[iu] : Infinity;
    const b = iv < m ? v[iv] : Infinity;
    const t = a < b ? a : b;
    while (iu < n && u[iu] === t) { cu += uw === null ? 1 : uw[iu]; iu++; }
    while (iv < m && v[iv] === t) { cv += vw === null ? 1 : vw[iv]; iv++; }
    const na = iu < n ? u[iu] : Infinity;
    const nb = iv < m ? v[iv] : Infinity;
    const next = na < nb ? na : nb;
    if (next === Infinity) break;
    dist += Math.abs(cu / uTotal - cv / vTotal) * (next - t);
  }
  return dist;
}
