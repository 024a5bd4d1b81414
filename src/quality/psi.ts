/**
 * Population stability index with quantile bins of the reference sample.
 */
import { QualityInputError } from './matrix';
import { sortFloat64, toFiniteVector, VectorInput } from './ks-2samp';

export interface PsiOptions {
  /** Number of quantile bins of the reference (before merging tied edges). Default 10. */
  bins?: number;
}

export interface PsiResult {
  /** PSI = Σ_b (c_b − r_b) ln(c_b / r_b) ≥ 0. */
  psi: number;
  /** Interior bin edges (sorted, distinct): bins are (−∞, e₁), [e₁, e₂), …, [e_last, ∞). */
  edges: Float64Array;
  /** Per-bin terms (c_b − r_b) ln(c_b / r_b), length edges.length + 1; they sum to psi. */
  contributions: Float64Array;
  /** Reference counts per bin. */
  referenceCounts: Int32Array;
  /** Current counts per bin. */
  currentCounts: Int32Array;
}

/** Floor of each bin fraction so that empty bins give a finite log ratio (no renormalisation). */
export const PSI_EPSILON = 1e-4;

/**
 * numpy's default quantile ('linear', Hyndman–Fan type 7) of a sorted sample at probability q, with numpy's
 * two-sided lerp (b − (b − a)(1 − t) when t ≥ 0.5) so that edges equal numpy's to the last bit.
 */
function quantileType7(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  let lo = Math.floor(h);
  if (lo > n - 1) lo = n - 1;
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** Number of edges ≤ x (numpy searchsorted side='right'). */
function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Population stability index of `current` against `reference` (the "our formula" of test/fixtures/README.md §4).
 *
 * Edges: the reference quantiles at 1/B, …, (B−1)/B (numpy 'linear' = Hyndman–Fan type 7), duplicates removed;
 * bin of x = #edges ≤ x, i.e. bins (−∞, e₁), [e₁, e₂), …, [e_last, ∞). r_b = max(refCount_b / n_ref, ε),
 * c_b = max(curCount_b / n_cur, ε), ε = 1e-4 (no renormalisation). PSI = Σ_b (c_b − r_b) · ln(c_b / r_b).
 *
 * Read it: 0 = same binned distribution; common rule of thumb < 0.1 stable, 0.1–0.25 moderate shift,
 * > 0.25 major shift. Siddiqi (2006), "Credit Risk Scorecards", ch. 8; Yurdakul (2018) for its statistics.
 * Cost O(n_ref + n_cur log B) (radix sort of the reference). Inputs are not modified.
 */
export function psi(reference: VectorInput, current: VectorInput, options: PsiOptions = {}): PsiResult {
  const fn = 'psi';
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) throw new QualityInputError(fn, 'options.bins', `is ${String(bins)}, expected an integer ≥ 1`);
  const ref = toFiniteVector(reference, fn, 'reference');
  const cur = toFiniteVector(current, fn, 'current');
  sortFloat64(ref);
  return psiSorted(ref, cur, bins);
}

function psiSorted(ref: Float64Array, cur: Float64Array, bins: number): PsiResult {
  const raw = new Float64Array(bins - 1);
  for (let i = 1; i < bins; i++) raw[i - 1] = quantileType7(ref, i / bins);
  // raw is non-decreasing (quantiles of a sorted sample); keep distinct values.
  let ne = 0;
  for (let i = 0; i < raw.length; i++) if (ne === 0 || raw[i] !== raw[ne - 1]) raw[ne++] = raw[i];
  const edges = raw.slice(0, ne);
  const nb = ne + 1;
  const refCounts = new Int32Array(nb);
  const curCounts = new Int32Array(nb);
  for (let i = 0; i < ref.length; i++) refCounts[binOf(edges, ref[i])]++;
  for (let i = 0; i < cur.length; i++) curCounts[binOf(edges, cur[i])]++;
  const contributions = new Float64Array(nb);
  let total = 0;
  for (let b = 0; b < nb; b++) {
    const r = Math.max(refCounts[b] / ref.length, PSI_EPSILON);
    const c = Math.max(curCounts[b] / cur.length, PSI_EPSILON);
    contributions[b] = (c - r) * Math.log(c / r);
    total += contributions[b];
  }
  return { psi: total, edges, contributions, referenceCounts: refCounts, currentCounts: curCounts };
}
