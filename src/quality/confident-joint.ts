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
import { LabelsInput, MatrixInput, QualityInputError, toLabels } from './matrix';
import { CONFIDENT_THRESHOLDS_LOWER_BOUND, FLOATING_POINT_COMPARISON, MAJORITY, MISSING_CLASS_THRESHOLD, ROW_SUM_TOLERANCE } from './internal/constants';
import { PyMethod, calibrateInner, estimateLatentInner, jointFromCalibrated } from './internal/latent-algebra';
import { labelCountsOf, npSum, roundHalfEven, squareToArrays } from './internal/numpy';
import { LabelProbInputs, checkPyMethod, toSquareCounts, validateLabelsAndProbs } from './internal/validation';

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

/** Latent estimates. */
export interface LatentEstimates {
  /** p(true label = k), length K, sums to 1. */
  py: number[];
  /** P(given = i | true = j), K×K, columns sum to 1. */
  noiseMatrix: number[][];
  /** P(true = i | given = j), K×K, columns sum to 1. */
  inverseNoiseMatrix: number[][];
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
