/**
 * Latent algebra of confident learning (the counterpart of cleanlab's `cleanlab/internal/latent_algebra.py`,
 * with the calibration of the confident joint): calibrated counts to the joint, the latent prior p(true label),
 * the noise matrix and its inverse from one another, their clipping, and the iteration that brings them into
 * algebraic agreement. Orientation as in confident-joint.ts: the noise matrix is P(given = i | true = j), the
 * inverse noise matrix P(true = i | given = j), both with columns summing to 1. Inputs are assumed valid.
 */
import { QualityInputError } from '../matrix';
import { MAX_NOISE_RATE, MIN_PY, TINY_VALUE } from './constants';
import { clipValues, npSum, roundPreservingRowTotals } from './numpy';

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
