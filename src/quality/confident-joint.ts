/**
 * Confident learning, counting part: per-class confident thresholds, the confident joint, its calibration,
 * the joint distribution of given and true labels, the latent prior and the noise matrices, and the
 * estimated number of label issues. Semantics of cleanlab 2.x `cleanlab.count` (implemented from
 * Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 70, 2021,
 * and cleanlab's documented behaviour; no cleanlab code is copied).
 *
 * Orientation (as in cleanlab): the confident joint and the joint are rows = given label, columns = true label;
 * the noise matrix is P(given = i | true = j) (columns sum to 1); the inverse noise matrix is
 * P(true = i | given = j) (columns sum to 1).
 *
 * Numeric detail that decides integer outputs (rounding of calibrated counts, half-way cases) follows numpy:
 * sums of whole arrays and of rows use numpy's pairwise summation ({@link npSum}), rounding is half-to-even.
 */
import { LabelsInput, Matrix, MatrixInput, QualityInputError, ROW_SUM_TOLERANCE, toLabels, toMatrix, toProbMatrix } from './matrix';

/** cleanlab's fuzzy-equality margin: a probability within this of a class threshold counts as confident. */
export const FLOATING_POINT_COMPARISON = 1e-6;
/** Lower bound of confident thresholds (cleanlab: 2 × the comparison margin, so a threshold minus the margin stays > 0). */
export const CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON;
/** Threshold given to a class absent from the labels: above any probability, so nobody is counted into it. */
const MISSING_CLASS_THRESHOLD = 2;
/** Denominators are clipped from below to this tiny value (cleanlab's TINY_VALUE) instead of dividing by zero. */
const TINY_VALUE = 1e-100;
/** Off-diagonal noise rates are clipped into [0, this] (cleanlab: a noise rate is never 1). */
const MAX_NOISE_RATE = 0.9999;
/** The latent prior py is clipped to at least this before renormalising (no class has probability 0). */
const MIN_PY = 1e-5;

/** Float array types the inner routines read. */
export type FloatArray = Float64Array | Float32Array;

/**
 * Validated inputs shared by the label-error functions; the inner routines take this view.
 * `selfConf[i]` = predProbs[i, labels[i]], extracted during validation so that later passes can decide most
 * rows from it without touching the N×K matrix again.
 */
export interface LabelProbInputs {
  labels: Int32Array;
  probs: Matrix;
  data: FloatArray;
  selfConf: Float64Array;
  n: number;
  k: number;
}

/** A probability above this cannot pass the row-sum check; used as a cheap range bound in the fast validation pass. */
const PROB_UPPER_BOUND = 2;

/**
 * A probability above this is its row's unique maximum, since the row sums to at most 1 + ROW_SUM_TOLERANCE
 * (the 1e-12 covers rounding of the validated sum). Lets the hot loops skip the argmax for most rows.
 */
export const MAJORITY = 0.5 + ROW_SUM_TOLERANCE / 2 + 1e-12;

/**
 * One pass over a Float64Array of rows: returns the first row that has a value outside [0, 2] (NaN included)
 * or does not sum to 1 within ROW_SUM_TOLERANCE, or -1; writes selfConf[i] = d[i, labels[i]] on the way.
 * The caller re-validates a failing input with `toProbMatrix` to get the canonical error message.
 */
function firstBadRowF64(d: Float64Array, n: number, k: number, labels: Int32Array, selfConf: Float64Array): number {
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let s = 0;
    let ok = true;
    for (let j = 0; j < k; j++) {
      const v = d[o + j];
      if (!(v >= 0 && v <= PROB_UPPER_BOUND)) ok = false;
      s += v;
    }
    if (!ok || !(Math.abs(s - 1) <= ROW_SUM_TOLERANCE)) return i;
    selfConf[i] = d[o + labels[i]];
  }
  return -1;
}

/** Index of the first maximum of row `o..o+k` (numpy argmax). */
export function argmaxAt(d: FloatArray, o: number, k: number): number {
  let best = 0;
  let bestV = d[o];
  for (let j = 1; j < k; j++) { const v = d[o + j]; if (v > bestV) { bestV = v; best = j; } }
  return best;
}

/** Whether labels[i] is the first maximum of row i; O(1) when its probability is a majority. @internal */
export function labelIsArgmax(v: LabelProbInputs, i: number): boolean {
  return v.selfConf[i] > MAJORITY || argmaxAt(v.data, i * v.k, v.k) === v.labels[i];
}

/**
 * Validates `labels` and `predProbs` for a confident-learning function: predProbs finite, non-negative, rows
 * summing to 1, at least one row and two columns; labels integers in 0..K-1 with one per row.
 * Errors name `fn` and the argument (messages of matrix.ts). Nothing is copied that is already typed; the
 * self-confidences (N floats) are extracted in the same pass.
 * @internal shared by the quality modules; not part of the public barrel.
 */
export function validateLabelsAndProbs(labels: LabelsInput, predProbs: MatrixInput, fn: string): LabelProbInputs {
  const m = toMatrix(predProbs, fn, 'predProbs');
  const fast = m.data instanceof Float64Array && m.rows > 0 && m.cols > 0;
  const probs = fast ? m : toProbMatrix(m, fn, 'predProbs');
  const n = probs.rows;
  const k = probs.cols;
  if (n < 1) throw new QualityInputError(fn, 'predProbs', 'must have at least one row');
  if (k < 2) throw new QualityInputError(fn, 'predProbs', `must have at least 2 columns (classes), got ${k}`);
  const lab = toLabels(labels, k, fn, 'labels');
  if (lab.length !== n) throw new QualityInputError(fn, 'labels', `has length ${lab.length} but predProbs has ${n} rows`);
  const selfConf = new Float64Array(n);
  if (fast) {
    // one tight pass; on any problem the reference validator produces the message
    if (firstBadRowF64(probs.data as Float64Array, n, k, lab, selfConf) >= 0) toProbMatrix(m, fn, 'predProbs');
  } else {
    for (let i = 0; i < n; i++) selfConf[i] = probs.data[i * k + lab[i]];
  }
  return { labels: lab, probs, data: probs.data, selfConf, n, k };
}

// ---------------------------------------------------------------------------------------------------------
// numpy-faithful small numerics
// ---------------------------------------------------------------------------------------------------------

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
function clipValues(x: Float64Array, low: number, high: number, newSum: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.min(Math.max(x[i], low), high);
  const s = Math.max(npSum(y, 0, y.length), TINY_VALUE);
  for (let i = 0; i < y.length; i++) y[i] = (y[i] * newSum) / s;
  return y;
}

/**
 * Clips off-diagonal noise rates into [0, 0.9999], keeps the diagonal, and renormalises columns to sum to 1
 * (cleanlab `clip_noise_rates`). Returns a new K×K row-major matrix.
 */
function clipNoiseRates(m: Float64Array, k: number): Float64Array {
  const y = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = m[r * k + c];
      y[r * k + c] = r === c ? v : Math.min(Math.max(v, 0), MAX_NOISE_RATE);
    }
  }
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let r = 0; r < k; r++) s += y[r * k + c];
    s = Math.max(s, TINY_VALUE);
    for (let r = 0; r < k; r++) y[r * k + c] /= s;
  }
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

// ---------------------------------------------------------------------------------------------------------
// inner routines (assume valid input)
// ---------------------------------------------------------------------------------------------------------

/**
 * Per-class confident thresholds t_k = mean of predProbs[i, k] over examples i given label k, clipped from
 * below at 2e-6; 2 for a class nobody is given. O(N).
 * @internal
 */
export function confidentThresholdsInner(v: LabelProbInputs): Float64Array {
  const { labels, selfConf, n, k } = v;
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    sums[l] += selfConf[i];
    counts[l]++;
  }
  const t = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const m = counts[c] > 0 ? sums[c] / counts[c] : MISSING_CLASS_THRESHOLD;
    t[c] = Math.max(m, CONFIDENT_THRESHOLDS_LOWER_BOUND);
  }
  return t;
}

/** Result of {@link confidentJointInner}. */
export interface ConfidentJointInner {
  /** K×K counts, row-major, rows = given label, columns = true label (diagonal at least 1). */
  cj: Float64Array;
  /** Indices of examples counted off the diagonal, ascending (only when requested). */
  offDiagonal?: Int32Array;
  /** For each of `offDiagonal`, 1 when the given label is nevertheless the row's argmax. */
  offDiagonalLabelIsArgmax?: Uint8Array;
}

/**
 * The uncalibrated confident joint: example i (given label l) counts into (l, j) where j is the only class
 * with predProbs[i, j] ≥ t_j − 1e-6, or the argmax of the row when several classes pass; rows passing no
 * threshold are not counted. The diagonal is then raised to at least 1. O(N·K) worst case; O(1) per row whose
 * given label holds a majority of the probability.
 * @internal
 */
export function confidentJointInner(v: LabelProbInputs, thresholds: Float64Array, wantOffDiagonal: boolean): ConfidentJointInner {
  const { labels, data, n, k } = v;
  const thr = new Float64Array(k);
  for (let c = 0; c < k; c++) thr[c] = thresholds[c] - FLOATING_POINT_COMPARISON;
  // lowest threshold among the other classes: when even that exceeds what the other classes can hold
  // (1 + tolerance − p_l), no other class passes
  const minOther = new Float64Array(k).fill(Infinity);
  for (let c = 0; c < k; c++) for (let j = 0; j < k; j++) if (j !== c && thr[j] < minOther[c]) minOther[c] = thr[j];
  const rest = 1 + ROW_SUM_TOLERANCE + 1e-12;
  // int32 counts in the hot loop (N < 2^31), copied to float at the end
  const counts = new Int32Array(k * k);
  let off: Int32Array | undefined;
  let offMax: Uint8Array | undefined;
  let nOff = 0;
  if (wantOffDiagonal) { off = new Int32Array(Math.min(n, 1024)); offMax = new Uint8Array(off.length); }
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    const o = i * k;
    // read from the matrix, not from selfConf: touching every row keeps the access sequential, which the
    // hardware prefetcher streams faster than the sparse reads of the rows that need the general rule
    const pl = data[o + l];
    // fast path: the given label holds a majority, so it is the argmax; it is the guess if it passes its
    // threshold (whatever else passes), and nothing is counted if no other class can pass either
    if (pl > MAJORITY && (pl >= thr[l] || rest - pl < minOther[l])) {
      if (pl >= thr[l]) counts[l * k + l]++;
      continue;
    }
    // general rule: the only class at or above its threshold, the argmax when several are, none when none is
    let nConf = 0;
    let first = -1;
    let best = 0;
    let bestV = data[o];
    for (let j = 0; j < k; j++) {
      const x = data[o + j];
      if (x >= thr[j]) { if (nConf === 0) first = j; nConf++; }
      if (x > bestV) { bestV = x; best = j; }
    }
    if (nConf === 0) continue;
    const guess = nConf === 1 ? first : best;
    counts[l * k + guess]++;
    if (off !== undefined && offMax !== undefined && guess !== l) {
      if (nOff === off.length) {
        const size = Math.min(n, off.length * 2);
        const g = new Int32Array(size); g.set(off); off = g;
        const gm = new Uint8Array(size); gm.set(offMax); offMax = gm;
      }
      offMax[nOff] = best === l ? 1 : 0;
      off[nOff++] = i;
    }
  }
  const cj = new Float64Array(k * k);
  for (let t = 0; t < k * k; t++) cj[t] = counts[t];
  for (let c = 0; c < k; c++) if (cj[c * k + c] < 1) cj[c * k + c] = 1;
  return { cj, offDiagonal: off?.slice(0, nOff), offDiagonalLabelIsArgmax: offMax?.slice(0, nOff) };
}

/**
 * Calibrates a confident joint: scale each row to the number of examples given that label, rescale the whole
 * matrix to sum to N, then round to integers preserving row totals. O(K²).
 * @internal
 */
export function calibrateInner(cj: Float64Array, labelCounts: Float64Array, k: number): Float64Array {
  const cal = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    const rs = Math.max(npSum(cj, r * k, k), TINY_VALUE);
    for (let c = 0; c < k; c++) cal[r * k + c] = (cj[r * k + c] / rs) * labelCounts[r];
  }
  const total = Math.max(npSum(cal, 0, k * k), TINY_VALUE);
  let n = 0;
  for (let c = 0; c < k; c++) n += labelCounts[c];
  for (let t = 0; t < k * k; t++) cal[t] = (cal[t] / total) * n;
  return roundPreservingRowTotals(cal, k);
}

/** Joint = calibrated counts / their total. @internal */
export function jointFromCalibrated(cal: Float64Array): Float64Array {
  const s = Math.max(npSum(cal, 0, cal.length), TINY_VALUE);
  const j = new Float64Array(cal.length);
  for (let t = 0; t < cal.length; t++) j[t] = cal[t] / s;
  return j;
}

/** Inverse of a small square matrix by LU with partial pivoting (what LAPACK gesv does). Throws when singular. */
function invertSmall(a: Float64Array, k: number, fn: string): Float64Array {
  const lu = Float64Array.from(a);
  const inv = new Float64Array(k * k);
  const perm = new Int32Array(k);
  for (let i = 0; i < k; i++) perm[i] = i;
  for (let col = 0; col < k; col++) {
    let p = col;
    let pv = Math.abs(lu[col * k + col]);
    for (let r = col + 1; r < k; r++) { const v = Math.abs(lu[r * k + col]); if (v > pv) { pv = v; p = r; } }
    if (pv === 0) throw new QualityInputError(fn, 'noiseMatrix', 'is singular (pyMethod "eqn" needs an invertible noise matrix)');
    if (p !== col) {
      for (let c = 0; c < k; c++) { const t = lu[col * k + c]; lu[col * k + c] = lu[p * k + c]; lu[p * k + c] = t; }
      const t = perm[col]; perm[col] = perm[p]; perm[p] = t;
    }
    for (let r = col + 1; r < k; r++) {
      const f = (lu[r * k + col] /= lu[col * k + col]);
      for (let c = col + 1; c < k; c++) lu[r * k + c] -= f * lu[col * k + c];
    }
  }
  const y = new Float64Array(k);
  for (let e = 0; e < k; e++) {
    // solve L U x = P e_e
    for (let r = 0; r < k; r++) {
      let s = perm[r] === e ? 1 : 0;
      for (let c = 0; c < r; c++) s -= lu[r * k + c] * y[c];
      y[r] = s;
    }
    for (let r = k - 1; r >= 0; r--) {
      let s = y[r];
      for (let c = r + 1; c < k; c++) s -= lu[r * k + c] * inv[c * k + e];
      inv[r * k + e] = s / lu[r * k + r];
    }
  }
  return inv;
}

/**
 * a / b, except 0 / 0 = 0. Only differs from cleanlab where cleanlab produces NaN (a class that no example is
 * given and none is confidently counted into); elsewhere identical, including x / 0 = ∞ (then clipped).
 */
function div0(a: number, b: number): number {
  return a === 0 && b === 0 ? 0 : a / b;
}

/** How the latent prior p(true label) is estimated (cleanlab `py_method`). */
export type PyMethod = 'cnt' | 'eqn' | 'marginal' | 'marginal_ps';

function computePy(
  ps: Float64Array, nm: Float64Array, inv: Float64Array, k: number, method: PyMethod, trueCounts: Float64Array | null, fn: string,
): Float64Array {
  const py = new Float64Array(k);
  if (method === 'cnt') {
    for (let c = 0; c < k; c++) py[c] = div0(inv[c * k + c], nm[c * k + c]) * ps[c];
  } else if (method === 'eqn') {
    const ni = invertSmall(nm, k, fn);
    for (let r = 0; r < k; r++) { let s = 0; for (let c = 0; c < k; c++) s += ni[r * k + c] * ps[c]; py[r] = s; }
  } else if (method === 'marginal') {
    const tc = trueCounts as Float64Array;
    let s = 0;
    for (let c = 0; c < k; c++) s += tc[c];
    for (let c = 0; c < k; c++) py[c] = tc[c] / s;
  } else {
    for (let r = 0; r < k; r++) { let s = 0; for (let c = 0; c < k; c++) s += inv[r * k + c] * ps[c]; py[r] = s; }
  }
  return clipValues(py, MIN_PY, 1, 1);
}

/** P(true | given) from P(given | true), py and ps; clipped (cleanlab `compute_inv_noise_matrix`). */
function invFromNoise(py: Float64Array, nm: Float64Array, ps: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) inv[a * k + b] = div0(nm[b * k + a] * py[a], ps[b]);
  return clipNoiseRates(inv, k);
}

/** P(given | true) from P(true | given), ps and py; clipped (cleanlab `compute_noise_matrix_from_inverse`). */
function noiseFromInv(ps: Float64Array, inv: Float64Array, py: Float64Array, k: number): Float64Array {
  const nm = new Float64Array(k * k);
  for (let b = 0; b < k; b++) for (let a = 0; a < k; a++) nm[b * k + a] = (inv[a * k + b] * ps[b]) / py[a];
  return clipNoiseRates(nm, k);
}

/** Latent estimates. */
export interface LatentEstimates {
  /** p(true label = k), length K, sums to 1. */
  py: number[];
  /** P(given = i | true = j), K×K, columns sum to 1. */
  noiseMatrix: number[][];
  /** P(true = i | given = j), K×K, columns sum to 1. */
  inverseNoiseMatrix: number[][];
}

/** @internal */
export function estimateLatentInner(
  cj: Float64Array, labelCounts: Float64Array, n: number, k: number, pyMethod: PyMethod, converge: boolean, fn: string,
): { py: Float64Array; nm: Float64Array; inv: Float64Array } {
  const ps = new Float64Array(k);
  for (let c = 0; c < k; c++) ps[c] = labelCounts[c] / n;
  const givenCounts = new Float64Array(k);
  const trueCounts = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    givenCounts[r] = npSum(cj, r * k, k);
    for (let c = 0; c < k; c++) trueCounts[c] += cj[r * k + c];
  }
  let nm: Float64Array = new Float64Array(k * k);
  let inv: Float64Array = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      nm[r * k + c] = cj[r * k + c] / Math.max(trueCounts[c], TINY_VALUE);
      inv[c * k + r] = cj[r * k + c] / Math.max(givenCounts[r], TINY_VALUE);
    }
  }
  let py = computePy(ps, nm, inv, k, pyMethod, trueCounts, fn);
  nm = clipNoiseRates(nm, k);
  inv = clipNoiseRates(inv, k);
  if (converge) {
    // cleanlab's schedule: 3 rounds of (5 × [inverse from noise, py from both]) then noise from inverse
    for (let outer = 0; outer < 3; outer++) {
      for (let inner = 0; inner < 5; inner++) {
        inv = invFromNoise(py, nm, ps, k);
        py = computePy(ps, nm, inv, k, 'cnt', null, fn);
      }
      nm = noiseFromInv(ps, inv, py, k);
    }
    py = clipValues(py, MIN_PY, 1, 1);
    nm = clipNoiseRates(nm, k);
    inv = clipNoiseRates(inv, k);
  }
  return { py, nm, inv };
}

/**
 * Off-diagonal count used by `numLabelIssues('off_diagonal')` and the low-score filters: examples counted off
 * the diagonal of the confident joint, minus those whose given label wins the argmax after adding 1e-6 to it.
 * @internal
 */
export function numOffDiagonalIssuesInner(v: LabelProbInputs): number {
  const { labels, data, k } = v;
  const { offDiagonal } = confidentJointInner(v, confidentThresholdsInner(v), true);
  const off = offDiagonal as Int32Array;
  let count = 0;
  for (let q = 0; q < off.length; q++) {
    const i = off[q];
    const o = i * k;
    const l = labels[i];
    let best = 0;
    let bestV = l === 0 ? data[o] + FLOATING_POINT_COMPARISON : data[o];
    for (let j = 1; j < k; j++) {
      const x = j === l ? data[o + j] + FLOATING_POINT_COMPARISON : data[o + j];
      if (x > bestV) { bestV = x; best = j; }
    }
    if (best !== l) count++;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// public API
// ---------------------------------------------------------------------------------------------------------

/**
 * Per-class confident thresholds (cleanlab `get_confident_thresholds`).
 *
 * t_k = (1/|{i : labels_i = k}|) · Σ_{i : labels_i = k} predProbs[i, k], the average self-confidence of class k;
 * clipped from below at 2e-6; a class that no example is given gets 2 (above any probability).
 * Inputs: labels (N), predProbs (N×K, rows sum to 1). Output: length K.
 * Read it as: an example "confidently belongs" to class k when its predicted probability of k is at least t_k.
 * Reference: Northcutt et al., JAIR 2021, §3.1 eq. (2). Cost: O(N).
 */
export function getConfidentThresholds(labels: LabelsInput, predProbs: MatrixInput): number[] {
  const v = validateLabelsAndProbs(labels, predProbs, 'getConfidentThresholds');
  return Array.from(confidentThresholdsInner(v));
}

/** Options of {@link computeConfidentJoint}. */
export interface ComputeConfidentJointOptions {
  /** Calibrate rows to the given-label counts and the total to N (default true). */
  calibrate?: boolean;
}

/**
 * The confident joint C (cleanlab `compute_confident_joint`), K×K, rows = given label, columns = true label.
 *
 * C[l][j] = |{i : labels_i = l, j = guess_i}| where guess_i is the only class with predProbs[i, j] ≥ t_j − 1e-6
 * ({@link getConfidentThresholds}), or argmax_j predProbs[i, j] when several pass; examples above no threshold
 * are not counted. The diagonal is raised to at least 1. With `calibrate` (default), each row is rescaled to
 * the number of examples given that label, the matrix to sum to N, and rounded preserving row totals
 * ({@link calibrateConfidentJoint}).
 * Read it as: off-diagonal counts estimate how many examples given label l truly belong to class j.
 * Reference: Northcutt et al., JAIR 2021, §3.1 eqs. (1)–(3). Cost: O(N·K) time, O(K²) extra memory.
 */
export function computeConfidentJoint(
  labels: LabelsInput, predProbs: MatrixInput, options: ComputeConfidentJointOptions = {},
): number[][] {
  const v = validateLabelsAndProbs(labels, predProbs, 'computeConfidentJoint');
  const { calibrate = true } = options;
  const { cj } = confidentJointInner(v, confidentThresholdsInner(v), false);
  const out = calibrate ? calibrateInner(cj, labelCountsOf(v.labels, v.k), v.k) : cj;
  return squareToArrays(out, v.k);
}

/**
 * The confident joint together with the indices of the examples counted off its diagonal (cleanlab
 * `compute_confident_joint(..., return_indices_of_off_diagonals=True)`); indices ascending.
 * Read `indicesOffDiagonal` as a baseline list of label issues (it is what `filterBy: 'confident_learning'`
 * starts from). Cost: O(N·K).
 */
export function computeConfidentJointWithOffDiagonals(
  labels: LabelsInput, predProbs: MatrixInput, options: ComputeConfidentJointOptions = {},
): { confidentJoint: number[][]; indicesOffDiagonal: number[] } {
  const v = validateLabelsAndProbs(labels, predProbs, 'computeConfidentJointWithOffDiagonals');
  const { calibrate = true } = options;
  const { cj, offDiagonal } = confidentJointInner(v, confidentThresholdsInner(v), true);
  const out = calibrate ? calibrateInner(cj, labelCountsOf(v.labels, v.k), v.k) : cj;
  return { confidentJoint: squareToArrays(out, v.k), indicesOffDiagonal: Array.from(offDiagonal as Int32Array) };
}

function toSquareCounts(x: MatrixInput, fn: string, arg: string): Matrix {
  const m = toMatrix(x, fn, arg);
  if (m.rows !== m.cols || m.rows < 1) throw new QualityInputError(fn, arg, `must be a non-empty square K×K matrix, got ${m.rows}×${m.cols}`);
  for (let t = 0; t < m.data.length; t++) {
    const v = m.data[t];
    if (!Number.isFinite(v) || v < 0) {
      throw new QualityInputError(fn, arg, `row ${Math.floor(t / m.cols)} column ${t % m.cols} is ${v}, not a finite non-negative count`);
    }
  }
  return m;
}

/**
 * Calibrates a confident joint (cleanlab `calibrate_confident_joint`): K×K in, K×K integer counts out with
 * row sums = the number of examples given each label and total = N.
 *
 * C'[l][j] = round(C[l][j] / Σ_j C[l][j] · n_l / S · N) with S the total after row scaling, rounded half to
 * even and corrected so each row keeps its rounded total. Read it as an estimate of the joint *counts* of
 * (given, true) labels. Reference: Northcutt et al., JAIR 2021, §3.1 eq. (3). Cost: O(N + K²).
 */
export function calibrateConfidentJoint(confidentJoint: MatrixInput, labels: LabelsInput): number[][] {
  const fn = 'calibrateConfidentJoint';
  const m = toSquareCounts(confidentJoint, fn, 'confidentJoint');
  const k = m.rows;
  const lab = toLabels(labels, k, fn, 'labels');
  return squareToArrays(calibrateInner(Float64Array.from(m.data), labelCountsOf(lab, k), k), k);
}

/**
 * The joint distribution of given and true labels, Q[l][j] ≈ p(given = l, true = j) (cleanlab `estimate_joint`),
 * K×K, rows = given label: the calibrated confident joint divided by N. Sums to 1 and its row sums equal the
 * given-label frequencies. Read the diagonal as the fraction of correctly labeled examples per class and the
 * off-diagonal as the fraction of each kind of error. Reference: Northcutt et al., JAIR 2021, §3.1.
 * Cost: O(N·K).
 */
export function estimateJoint(labels: LabelsInput, predProbs: MatrixInput): number[][] {
  const v = validateLabelsAndProbs(labels, predProbs, 'estimateJoint');
  return squareToArrays(estimateJointInner(v), v.k);
}

/** @internal */
export function estimateJointInner(v: LabelProbInputs): Float64Array {
  const { cj } = confidentJointInner(v, confidentThresholdsInner(v), false);
  const k = v.k;
  const lc = labelCountsOf(v.labels, k);
  return jointFromCalibrated(calibrateInner(cj, lc, k));
}

/** Options of {@link estimateLatent}. */
export interface EstimateLatentOptions {
  /** How to estimate p(true label): 'cnt' (default), 'eqn', 'marginal', 'marginal_ps'. */
  pyMethod?: PyMethod;
  /** Iterate py and both noise matrices into algebraic agreement (default false, as cleanlab's `estimate_latent`). */
  convergeLatentEstimates?: boolean;
}

const PY_METHODS: readonly PyMethod[] = ['cnt', 'eqn', 'marginal', 'marginal_ps'];

function checkPyMethod(fn: string, m: unknown): PyMethod {
  if (!PY_METHODS.includes(m as PyMethod)) throw new QualityInputError(fn, 'options.pyMethod', `must be one of ${PY_METHODS.join(', ')}, got ${String(m)}`);
  return m as PyMethod;
}

/**
 * Latent prior and noise matrices from a confident joint (cleanlab `estimate_latent`).
 *
 * With C the K×K confident joint (rows given, columns true), n_l the given-label counts and ps = n/N:
 * noiseMatrix[i][j] = C[i][j] / Σ_i C[i][j] = P(given = i | true = j);
 * inverseNoiseMatrix[j][i] = C[i][j] / Σ_j C[i][j] = P(true = j | given = i);
 * py ('cnt') = inv[k][k] / nm[k][k] · ps[k]; 'eqn' = nm⁻¹·ps; 'marginal' = column sums of C / total;
 * 'marginal_ps' = inv·ps; py clipped to ≥ 1e-5 and renormalised; off-diagonal noise rates clipped to
 * [0, 0.9999] and columns renormalised. `convergeLatentEstimates` then alternates the closed-form relations
 * (3 × [5 × (inv from nm, py), nm from inv]).
 * A class that no example is given gets py ≈ 1e-5 and zero noise columns (cleanlab returns NaN there).
 * Read noiseMatrix columns as "of the examples truly in class j, this fraction was given label i".
 * Reference: Northcutt et al., JAIR 2021, §3.1 and Appendix. Cost: O(N + K³).
 */
export function estimateLatent(confidentJoint: MatrixInput, labels: LabelsInput, options: EstimateLatentOptions = {}): LatentEstimates {
  const fn = 'estimateLatent';
  const m = toSquareCounts(confidentJoint, fn, 'confidentJoint');
  const k = m.rows;
  const lab = toLabels(labels, k, fn, 'labels');
  if (lab.length < 1) throw new QualityInputError(fn, 'labels', 'must not be empty');
  const pyMethod = checkPyMethod(fn, options.pyMethod ?? 'cnt');
  const r = estimateLatentInner(Float64Array.from(m.data), labelCountsOf(lab, k), lab.length, k, pyMethod, options.convergeLatentEstimates ?? false, fn);
  return { py: Array.from(r.py), noiseMatrix: squareToArrays(r.nm, k), inverseNoiseMatrix: squareToArrays(r.inv, k) };
}

/** Options of {@link estimateNoiseMatrices}. */
export interface EstimateNoiseMatricesOptions {
  /** Iterate the estimates into algebraic agreement (default true). */
  convergeLatentEstimates?: boolean;
  /** How to estimate p(true label) (default 'cnt'). */
  pyMethod?: PyMethod;
  /** Calibrate the confident joint first (default true). */
  calibrate?: boolean;
}

/**
 * Latent prior, noise matrix, inverse noise matrix and confident joint from labels and out-of-sample predicted
 * probabilities (cleanlab `estimate_py_and_noise_matrices_from_probabilities`, the pred_probs core of
 * `estimate_noise_matrices`): {@link computeConfidentJoint} then {@link estimateLatent}.
 * Output: py (K), noiseMatrix P(given = i | true = j) (K×K, columns sum to 1), inverseNoiseMatrix
 * P(true = i | given = j) (K×K, columns sum to 1), confidentJoint (K×K, rows given).
 * Reference: Northcutt et al., JAIR 2021, §3.1. Cost: O(N·K + K³).
 */
export function estimateNoiseMatrices(
  labels: LabelsInput, predProbs: MatrixInput, options: EstimateNoiseMatricesOptions = {},
): LatentEstimates & { confidentJoint: number[][] } {
  const fn = 'estimateNoiseMatrices';
  const v = validateLabelsAndProbs(labels, predProbs, fn);
  const { convergeLatentEstimates = true, calibrate = true } = options;
  const pyMethod = checkPyMethod(fn, options.pyMethod ?? 'cnt');
  const { cj } = confidentJointInner(v, confidentThresholdsInner(v), false);
  const lc = labelCountsOf(v.labels, v.k);
  const c = calibrate ? calibrateInner(cj, lc, v.k) : cj;
  const r = estimateLatentInner(c, lc, v.n, v.k, pyMethod, convergeLatentEstimates, fn);
  return {
    py: Array.from(r.py),
    noiseMatrix: squareToArrays(r.nm, v.k),
    inverseNoiseMatrix: squareToArrays(r.inv, v.k),
    confidentJoint: squareToArrays(c, v.k),
  };
}

/** How {@link numLabelIssues} counts. */
export type EstimationMethod = 'off_diagonal' | 'off_diagonal_calibrated';

/**
 * Estimated number of label issues (cleanlab `count.num_label_issues`).
 *
 * 'off_diagonal' (default): the examples counted off the diagonal of the confident joint, except those whose
 * given label is the argmax of predProbs after adding 1e-6 to it — equals the size of
 * `findLabelIssues(..., {filterBy: 'confident_learning'})` up to that 1e-6 margin.
 * 'off_diagonal_calibrated': round(N · (1 − trace(Q))) with Q the estimated joint ({@link estimateJoint}),
 * half to even; usually larger, better when K < 4.
 * Read it as the cut-off for ranking by a label quality score: the this-many lowest scores are likely errors.
 * Reference: Northcutt et al., JAIR 2021, §3. Cost: O(N·K).
 */
export function numLabelIssues(
  labels: LabelsInput, predProbs: MatrixInput, options: { estimationMethod?: EstimationMethod } = {},
): number {
  const fn = 'numLabelIssues';
  const v = validateLabelsAndProbs(labels, predProbs, fn);
  const method = options.estimationMethod ?? 'off_diagonal';
  if (method === 'off_diagonal') return numOffDiagonalIssuesInner(v);
  if (method === 'off_diagonal_calibrated') {
    const { cj } = confidentJointInner(v, confidentThresholdsInner(v), false);
    const lc = labelCountsOf(v.labels, v.k);
    // cleanlab calibrates, then estimate_joint calibrates the calibrated matrix again before normalising
    const joint = jointFromCalibrated(calibrateInner(calibrateInner(cj, lc, v.k), lc, v.k));
    const trace = npSum(joint, 0, v.k, v.k + 1);
    return roundHalfEven((1 - trace) * v.n);
  }
  throw new QualityInputError(fn, 'options.estimationMethod', `must be 'off_diagonal' or 'off_diagonal_calibrated', got ${String(method)}`);
}
