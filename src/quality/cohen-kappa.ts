/**
 * Cohen's kappa between two raters (semantics of scikit-learn `cohen_kappa_score`).
 */
import { LabelsInput, QualityInputError } from './matrix';

/** Disagreement weights, as scikit-learn's `weights` (`None` there is `'none'` here). */
export type KappaWeights = 'none' | 'linear' | 'quadratic';

export interface CohenKappaOptions {
  /** `'none'` (default): every disagreement costs 1; `'linear'`: |i − j|; `'quadratic'`: (i − j)². */
  weights?: KappaWeights | null;
}

/**
 * Largest label value counted in a dense table; above it labels are first re-coded through a Map
 * (a dense table of that size would cost more memory than the pairs themselves).
 */
const DENSE_LABEL_LIMIT = 1 << 20;

/**
 * Cohen's kappa: agreement between two raters on the same N items, corrected for chance.
 *
 * The classes are the distinct values present in `a` or `b`, sorted (as scikit-learn); i, j below are their
 * ranks 0..C−1, so a value absent from both raters does not widen linear or quadratic distances.
 * With the C × C confusion matrix O (O_ij = #{n : a_n = i, b_n = j}), marginals r = O·1, c = Oᵀ·1 and the
 * chance matrix E_ij = r_i c_j / N:
 *
 *   κ = 1 − Σ_ij w_ij O_ij / Σ_ij w_ij E_ij,   w_ij = [i ≠ j] (none), |i − j| (linear), (i − j)² (quadratic).
 *
 * Reading: 1 = perfect agreement, 0 = what chance alone gives, < 0 = worse than chance. NaN when the chance
 * disagreement is 0 (both raters gave one and the same class to every item) or when N = 0, as scikit-learn.
 *
 * Reference: J. Cohen (1960), "A coefficient of agreement for nominal scales"; weighted: J. Cohen (1968).
 * Cost: O(N + C) time (the N × N pairs are never formed; E is summed in closed form), O(max label) memory.
 *
 * @param a labels of the first rater, non-negative integers, length N
 * @param b labels of the second rater, length N
 */
export function cohenKappa(a: LabelsInput, b: LabelsInput, options: CohenKappaOptions = {}): number {
  const fn = 'cohenKappa';
  const weights = options.weights ?? 'none';
  if (weights !== 'none' && weights !== 'linear' && weights !== 'quadratic') {
    throw new QualityInputError(fn, 'options.weights', `must be 'none', 'linear' or 'quadratic', got ${String(weights)}`);
  }
  const maxA = checkLabels(a, fn, 'a');
  const maxB = checkLabels(b, fn, 'b');
  if (a.length !== b.length) throw new QualityInputError(fn, 'b', `has length ${b.length}, expected ${a.length} (length of a)`);
  const n = a.length;
  if (n === 0) return NaN;
  const maxV = Math.max(maxA, maxB);
  if (maxV < DENSE_LABEL_LIMIT) return cohenKappaInner(a, b, n, maxV + 1, weights);
  const { ca, cb, k } = recode(a, b, n);
  return cohenKappaInner(ca, cb, n, k, weights);
}

/** Checks that every entry is a non-negative integer; returns the largest (−1 when empty). */
function checkLabels(x: LabelsInput, fn: string, arg: string): number {
  if (!(x instanceof Int32Array) && !Array.isArray(x)) throw new QualityInputError(fn, arg, 'must be number[] or Int32Array');
  let max = -1;
  const n = x.length;
  if (x instanceof Int32Array) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (v < 0) throw new QualityInputError(fn, arg, `index ${i} is ${v}, not a class index (a non-negative integer)`);
      if (v > max) max = v;
    }
    return max;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!Number.isInteger(v) || v < 0) {
      throw new QualityInputError(fn, arg, `index ${i} is ${String(v)}, not a class index (a non-negative integer)`);
    }
    if (v > max) max = v;
  }
  return max;
}

/** Re-codes large label values to 0..k−1 in first-seen order (ranks are recomputed later from presence). */
function recode(a: LabelsInput, b: LabelsInput, n: number): { ca: Int32Array; cb: Int32Array; k: number } {
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!seen.has(a[i])) seen.set(a[i], 0);
    if (!seen.has(b[i])) seen.set(b[i], 0);
  }
  const sorted = Array.from(seen.keys()).sort((x, y) => x - y);
  for (let r = 0; r < sorted.length; r++) seen.set(sorted[r], r);
  const ca = new Int32Array(n);
  const cb = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ca[i] = seen.get(a[i]) as number;
    cb[i] = seen.get(b[i]) as number;
  }
  return { ca, cb, k: sorted.length };
}

/** Inner routine: labels valid in 0..k−1, n ≥ 1. */
function cohenKappaInner(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, weights: KappaWeights): number {
  const r = new Float64Array(k);
  const c = new Float64Array(k);
  let diag = 0;
  let absDiff = 0; // Σ |a − b| in value space (exact integers)
  let sqDiff = 0; // Σ (a − b)² in value space
  for (let t = 0; t < n; t++) {
    const x = a[t];
    const y = b[t];
    r[x] += 1;
    c[y] += 1;
    const d = x - y;
    if (d === 0) diag += 1;
    else {
      absDiff += d < 0 ? -d : d;
      sqDiff += d * d;
    }
  }
  if (weights === 'none') {
    let rc = 0;
    for (let v = 0; v < k; v++) rc += r[v] * c[v];
    const expected = n - rc / n;
    if (expected === 0) return NaN;
    return 1 - (n - diag) / expected;
  }
  // Ranks of the classes present in a or b: weights are distances between ranks, not values.
  const rank = new Int32Array(k);
  let present = 0;
  for (let v = 0; v < k; v++) {
    if (r[v] > 0 || c[v] > 0) rank[v] = present++;
    else rank[v] = -1;
  }
  let observed: number;
  if (present === k) {
    observed = weights === 'linear' ? absDiff : sqDiff;
  } else {
    observed = 0;
    for (let t = 0; t < n; t++) {
      const d = rank[a[t]] - rank[b[t]];
      observed += weights === 'linear' ? (d < 0 ? -d : d) : d * d;
    }
  }
  // Compact marginals by rank.
  const rr = new Float64Array(present);
  const cc = new Float64Array(present);
  for (let v = 0; v < k; v++) {
    if (rank[v] >= 0) {
      rr[rank[v]] = r[v];
      cc[rank[v]] = c[v];
    }
  }
  const expected = (weights === 'linear' ? linearChance(rr, cc) : quadraticChance(rr, cc, n)) / n;
  if (expected === 0) return NaN;
  return 1 - observed / expected;
}

/** Σ_ij r_i c_j |i − j| in O(C): for each j, left and right distance sums are updated incrementally. */
function linearChance(r: Float64Array, c: Float64Array): number {
  const m = r.length;
  let total = 0;
  for (let i = 0; i < m; i++) total += r[i];
  // left = Σ_{i<j} r_i (j − i), right = Σ_{i>j} r_i (i − j); massLeft = Σ_{i<j} r_i.
  let right = 0;
  for (let i = 1; i < m; i++) right += r[i] * i;
  let left = 0;
  let massLeft = 0;
  let s = 0;
  for (let j = 0; j < m; j++) {
    if (j > 0) {
      massLeft += r[j - 1];
      left += massLeft;
      right -= total - massLeft; // every i ≥ j moves one step closer
    }
    s += c[j] * (left + right);
  }
  return s;
}

/** Σ_ij r_i c_j (i − j)² in O(C), centred at the pooled mean rank to avoid cancellation. */
function quadraticChance(r: Float64Array, c: Float64Array, n: number): number {
  const m = r.length;
  let mu = 0;
  for (let i = 0; i < m; i++) mu += (r[i] + c[i]) * i;
  mu /= 2 * n;
  let r1 = 0, r2 = 0, c1 = 0, c2 = 0;
  for (let i = 0; i < m; i++) {
    const d = i - mu;
    r1 += r[i] * d;
    r2 += r[i] * d * d;
    c1 += c[i] * d;
    c2 += c[i] * d * d;
  }
  return n * r2 + n * c2 - 2 * r1 * c1;
}
