/**
 * numpy-faithful small numerics of confident learning (the counterpart of cleanlab's `cleanlab/internal/util.py`):
 * pairwise summation as `np.sum`, half-to-even rounding, rounding that preserves row totals, clipping with
 * renormalisation, and conversions between K×K row-major arrays and nested arrays.
 */
import { FLOATING_POINT_COMPARISON, TINY_VALUE } from './constants';

/**
 * Sum of `n` values of `a` starting at `off` with `stride`, in numpy's pairwise order (8 partial sums for
 * blocks of ≤ 128, recursive halving above). Matches `np.sum` bit for bit on contiguous data, which matters
 * where a rounded count depends on the last bit (half-way cases). O(n).
 * @internal
 */
export function npSum(a: ArrayLike<number>, off: number, n: number, stride = 1): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += a[off + i * stride];
    return r;
  }
  if (n <= 128) {
    let r0 = a[off], r1 = a[off + stride], r2 = a[off + 2 * stride], r3 = a[off + 3 * stride];
    let r4 = a[off + 4 * stride], r5 = a[off + 5 * stride], r6 = a[off + 6 * stride], r7 = a[off + 7 * stride];
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      const o = off + i * stride;
      r0 += a[o]; r1 += a[o + stride]; r2 += a[o + 2 * stride]; r3 += a[o + 3 * stride];
      r4 += a[o + 4 * stride]; r5 += a[o + 5 * stride]; r6 += a[o + 6 * stride]; r7 += a[o + 7 * stride];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[off + i * stride];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return npSum(a, off, n2, stride) + npSum(a, off + n2 * stride, n - n2, stride);
}

/** Rounds half to even (numpy's `round`/`rint`). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Stable ascending argsort of a short vector (insertion sort; numpy's quicksort is also insertion sort below 17). */
function argsortSmall(v: Float64Array): Int32Array {
  const n = v.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    let j = i - 1;
    while (j >= 0 && v[idx[j]] > x) { idx[j + 1] = idx[j]; j--; }
    idx[j + 1] = i;
  }
  return idx;
}

/**
 * Rounds each row of a K×K float matrix to integers while keeping each row's rounded total: round half to
 * even, then move the rows's largest (or smallest) remainders up (or down) by one until the integer row total
 * equals the rounded float total (cleanlab's `round_preserving_row_totals`). Returns a new matrix. O(K²) per pass.
 * @internal
 */
export function roundPreservingRowTotals(m: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  const floats = new Float64Array(k);
  const ints = new Float64Array(k);
  const rem = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) { floats[c] = m[r * k + c]; ints[c] = roundHalfEven(floats[c]); }
    const origSum = roundHalfEven(npSum(floats, 0, k));
    let intSum = roundHalfEven(npSum(ints, 0, k));
    let guard = 0;
    while (Math.abs(intSum - origSum) > FLOATING_POINT_COMPARISON && guard++ < 4 * k + 8) {
      const diff = roundHalfEven(origSum - intSum);
      const inc = diff < 0 ? -1 : 1;
      const changes = Math.min(Math.trunc(Math.abs(diff)), k);
      for (let c = 0; c < k; c++) rem[c] = floats[c] - ints[c];
      const order = argsortSmall(rem);
      for (let t = 0; t < changes; t++) {
        const c = inc === 1 ? order[k - 1 - t] : order[t];
        ints[c] += inc;
      }
      intSum = roundHalfEven(npSum(ints, 0, k));
    }
    out.set(ints, r * k);
  }
  return out;
}

/** Copies clipped values: clip to [low, high] then rescale to sum to `newSum` (cleanlab `clip_values`). */
export function clipValues(x: Float64Array, low: number, high: number, newSum: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.min(Math.max(x[i], low), high);
  const s = Math.max(npSum(y, 0, y.length), TINY_VALUE);
  for (let i = 0; i < y.length; i++) y[i] = (y[i] * newSum) / s;
  return y;
}

/** K×K row-major Float64Array → number[][]. */
export function squareToArrays(m: Float64Array, k: number): number[][] {
  const out: number[][] = new Array(k);
  for (let r = 0; r < k; r++) out[r] = Array.from(m.subarray(r * k, (r + 1) * k));
  return out;
}

/** Number of examples given each label. */
export function labelCountsOf(labels: Int32Array, k: number): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
