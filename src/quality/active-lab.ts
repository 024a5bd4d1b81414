/**
 * ActiveLab: which item to (re)label next, on one scale for labeled and unlabeled items
 * (cleanlab 2.x `multiannotator.get_active_learning_scores` semantics).
 */
import { LabelMatrix, majorityVoteCore } from './majority-vote';
import { Matrix, MatrixInput, QualityInputError, toProbMatrix } from './matrix';
import { crowdlabCore, validateLabelsMulti } from './multiannotator';

export interface ActiveLabOptions {
  /**
   * Target distribution of the temperature search (only used when some item has several labels).
   * - 'cleanlab' (default): reproduces cleanlab 2.9, whose vote counts of float-coded labels (`value_counts`) put the
   *   counts of the classes present in a row at positions 0..u−1 instead of at their class indices, except where all
   *   K classes are present. Scores then match cleanlab's to 1e-6; the chosen temperature is usually the largest
   *   searched (flatter probabilities).
   * - 'vote_share': the annotators' actual vote shares (the calibration the ActiveLab paper describes).
   */
  calibrationTarget?: 'cleanlab' | 'vote_share';
}

export interface ActiveLabResult {
  /** One score per labeled item (empty without labeled data); lower = collecting another label is worth more. */
  scores: Float64Array;
  /** One score per unlabeled item (empty without `predProbsUnlabeled`), comparable with `scores`. */
  scoresUnlabeled: Float64Array;
  /** Temperature applied to the probabilities (1 unless some item has several labels). */
  temperature: number;
}

/** Probabilities are clipped from below at this value before taking logs in temperature scaling (cleanlab's SMALL_CONST). */
export const TEMPERATURE_PROB_FLOOR = 1e-30;
/** Temperatures are bounded below by this in the softmax, so that 1/T stays finite (cleanlab's EPSILON). */
export const TEMPERATURE_FLOOR = 1e-6;
/** Coarse grid of the temperature search (then refined around the best value; as in cleanlab). */
export const TEMPERATURE_GRID: readonly number[] = [0.1, 0.2, 0.5, 0.8, 1, 2, 3, 5, 8];
/** Points per side of the fine temperature search. */
const FINE_SEARCH_SIZE = 4;

/**
 * ActiveLab active-learning scores for labeled items (should we collect another label?) and unlabeled items
 * (should we label it at all?), on one scale: **lower = more worth labeling**.
 *
 * With K classes, model probabilities p (N × K, out of sample) and annotators' labels (N × M, missing allowed):
 * - if several annotators labeled some items, p is first temperature-scaled (T minimising the mean soft cross
 *   entropy −Σ_k v_ik log p̃_ik / log K against the vote shares v — by default cleanlab's variant of v, see
 *   `calibrationTarget`; grid search then refinement), and CROWDLAB
 *   (`multiannotatorLabelQuality`, best_quality) gives each item's consensus quality q_i, the model weight W and
 *   annotator weights w_j; w̄ = mean_j w_j. If every item has exactly one label: T = 1, q_i = p_i,label, W = 1, w_j = 1.
 * - labeled item i:   score_i = (q_i·(W + Σ_{j labels i} w_j) + (1/K)·w̄) / (W + Σ_{j labels i} w_j + w̄);
 * - unlabeled item u: score_u = (max_k p̃_uk·W + (1/K)·w̄) / (W + w̄), p̃ = the temperature-scaled probabilities
 *   (with no labeled data, T = 1, W = 1, w̄ = 1).
 * The 1/K term is a "random guess" pseudo-annotation weighted like an average annotator, so an item with more or
 * better labels moves further from 1/K: fewer, poorer labels and uncertain predictions mean a lower score.
 *
 * Reference: H. W. Goh, J. Mueller, "ActiveLab: Active Learning with Re-Labeling by Multiple Annotators",
 * ICLR 2023 workshop, arXiv:2301.11856; semantics of cleanlab 2.9 `get_active_learning_scores` (checked against it).
 *
 * Cost: O(G·N·K) for the temperature search (G ≈ 18 grid points) plus CROWDLAB's O(N·M + N·K) and O(U·K) for U
 * unlabeled items.
 *
 * @param labelsMulti N × M labels (`null`/NaN = not labeled; a flat N-vector means one annotator), or null.
 * @param predProbs N × K probabilities for the labeled items, or null (then only unlabeled items are scored).
 * @param predProbsUnlabeled U × K probabilities for unlabeled items (optional).
 * @param options `calibrationTarget` ('cleanlab' default, or 'vote_share').
 * @throws QualityInputError naming the argument on inconsistent or invalid input.
 */
export function activeLabScores(
  labelsMulti: MatrixInput | ReadonlyArray<number | null> | Int32Array | null,
  predProbs: MatrixInput | null,
  predProbsUnlabeled?: MatrixInput | null,
  options: ActiveLabOptions = {},
): ActiveLabResult {
  const fn = 'activeLabScores';
  const calibrationTarget = options.calibrationTarget ?? 'cleanlab';
  if (calibrationTarget !== 'cleanlab' && calibrationTarget !== 'vote_share') {
    throw new QualityInputError(fn, 'calibrationTarget', `'${String(calibrationTarget)}' is not one of 'cleanlab', 'vote_share'`);
  }
  const ppu = predProbsUnlabeled !== undefined && predProbsUnlabeled !== null ? toProbMatrix(predProbsUnlabeled, fn, 'predProbsUnlabeled') : null;
  let temperature = 1;
  let modelWeight = 1;
  let avgAnnotatorWeight = 1;
  let scores = new Float64Array(0);
  let k: number;

  if (predProbs !== null && predProbs !== undefined) {
    if (labelsMulti === null || labelsMulti === undefined) {
      throw new QualityInputError(fn, 'labelsMulti', 'is required when predProbs is given (pass only predProbsUnlabeled to score unlabeled items)');
    }
    const pp = toProbMatrix(predProbs, fn, 'predProbs');
    if (ppu && ppu.cols !== pp.cols) {
      throw new QualityInputError(fn, 'predProbsUnlabeled', `has ${ppu.cols} columns but predProbs has ${pp.cols}`);
    }
    k = pp.cols;
    const lm = validateLabelsMulti(asMatrixInput(labelsMulti), pp, fn, true);
    const { rows: n, cols: m, data: L } = lm;
    const numAnn = new Int32Array(n);
    let allSingle = true;
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let j = 0; j < m; j++) if (L[i * m + j] >= 0) c++;
      numAnn[i] = c;
      if (c !== 1) allSingle = false;
    }
    let quality: Float64Array;
    let annotatorWeight: Float64Array;
    if (allSingle) {
      const cons = majorityVoteCore(lm, k, pp).labels;
      quality = new Float64Array(n);
      for (let i = 0; i < n; i++) quality[i] = pp.data[i * k + cons[i]];
      annotatorWeight = new Float64Array(m).fill(1);
    } else {
      temperature = bestTemperature(targetDistribution(lm, numAnn, k, calibrationTarget), pp);
      const scaled = temperatureScale(pp, temperature);
      const res = crowdlabCore(lm, scaled, ['best_quality'], 'crowdlab');
      quality = res.consensusQualityScore;
      modelWeight = res.modelWeight as number;
      annotatorWeight = res.annotatorWeight as Float64Array;
    }
    let wSum = 0;
    for (let j = 0; j < m; j++) wSum += annotatorWeight[j];
    avgAnnotatorWeight = wSum / m;
    scores = new Float64Array(n);
    const guess = 1 / k;
    for (let i = 0; i < n; i++) {
      let w = modelWeight;
      for (let j = 0; j < m; j++) if (L[i * m + j] >= 0) w += annotatorWeight[j];
      scores[i] = (quality[i] * w + guess * avgAnnotatorWeight) / (w + avgAnnotatorWeight);
    }
  } else if (ppu) {
    if (labelsMulti !== null && labelsMulti !== undefined) {
      throw new QualityInputError(fn, 'predProbs', 'is required when labelsMulti is given');
    }
    k = ppu.cols;
  } else {
    throw new QualityInputError(fn, 'predProbs', 'and predProbsUnlabeled cannot both be null: give at least one');
  }

  let scoresUnlabeled = new Float64Array(0);
  if (ppu) {
    const scaled = temperatureScale(ppu, temperature);
    const u = ppu.rows;
    scoresUnlabeled = new Float64Array(u);
    const guess = 1 / k;
    const d = scaled.data;
    for (let i = 0; i < u; i++) {
      let mx = -Infinity;
      for (let q = 0; q < k; q++) if (d[i * k + q] > mx) mx = d[i * k + q];
      scoresUnlabeled[i] = (mx * modelWeight + guess * avgAnnotatorWeight) / (modelWeight + avgAnnotatorWeight);
    }
  }
  return { scores, scoresUnlabeled, temperature };
}

/** A flat vector of labels (one annotator) becomes an N × 1 matrix. */
function asMatrixInput(x: MatrixInput | ReadonlyArray<number | null> | Int32Array): MatrixInput {
  if (x instanceof Int32Array) return { rows: x.length, cols: 1, data: Float64Array.from(x) };
  if (Array.isArray(x) && x.length > 0 && !Array.isArray(x[0])) {
    const v = x as ReadonlyArray<number | null>;
    return { rows: v.length, cols: 1, data: Float64Array.from(v, (e) => (e === null ? NaN : e)) };
  }
  return x as MatrixInput;
}

/**
 * Temperature-scaled probabilities p̃_ik = p_ik^(1/T) / Σ_k p_ik^(1/T), after flooring p at
 * {@link TEMPERATURE_PROB_FLOOR} and renormalising. O(N·K).
 */
function temperatureScale(pp: Matrix, temperature: number): Matrix {
  const { rows: n, cols: k, data } = pp;
  const out = new Float64Array(n * k);
  const invT = 1 / Math.max(temperature, TEMPERATURE_FLOOR);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let s = 0;
    for (let q = 0; q < k; q++) { const v = Math.max(data[o + q], TEMPERATURE_PROB_FLOOR); out[o + q] = v; s += v; }
    let z = 0;
    for (let q = 0; q < k; q++) { const e = Math.exp(Math.log(out[o + q] / s) * invT); out[o + q] = e; z += e; }
    for (let q = 0; q < k; q++) out[o + q] /= z;
  }
  return { rows: n, cols: k, data: out };
}

/**
 * N × K target distribution of the temperature search: vote shares v_ik = (votes for k)/n_i ('vote_share'), or
 * cleanlab 2.9's version of them ('cleanlab'): the shares of the classes present in row i, in increasing class order,
 * stored at positions 0..u−1 (identical to v_i when all K classes are present). O(N·(M + K)).
 */
function targetDistribution(lm: LabelMatrix, numAnn: Int32Array, k: number, target: 'cleanlab' | 'vote_share'): Float64Array {
  const { rows: n, cols: m, data: L } = lm;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < m; j++) { const v = L[i * m + j]; if (v >= 0) out[o + v] += 1; }
    for (let q = 0; q < k; q++) out[o + q] /= numAnn[i];
    if (target === 'cleanlab') {
      let u = 0;
      for (let q = 0; q < k; q++) if (out[o + q] > 0) out[o + u++] = out[o + q];
      if (u < k) for (let q = u; q < k; q++) out[o + q] = 0;
    }
  }
  return out;
}

/**
 * Mean over items of the soft cross entropy −Σ_k t_ik log p̃_ik / log K between the target t and the
 * temperature-scaled probabilities p̃ = p^(1/T)/Σ p^(1/T) (p̃ floored at {@link TEMPERATURE_PROB_FLOOR}). O(N·K).
 */
function softCrossEntropy(target: Float64Array, logp: Float64Array, n: number, k: number, temperature: number, scratch: Float64Array): number {
  const invT = 1 / Math.max(temperature, TEMPERATURE_FLOOR);
  const logK = Math.log(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let z = 0;
    for (let q = 0; q < k; q++) { const e = Math.exp(logp[o + q] * invT); scratch[q] = e; z += e; }
    let ce = 0;
    for (let q = 0; q < k; q++) {
      const t = target[o + q];
      if (t > 0) ce -= t * Math.log(Math.max(scratch[q] / z, TEMPERATURE_PROB_FLOOR));
    }
    total += ce / logK;
  }
  return total / n;
}

/**
 * Temperature minimising {@link softCrossEntropy} over {@link TEMPERATURE_GRID}, then over a finer linear grid
 * between the neighbours of the best coarse point (4 points below it, 5 from it to the next one; first minimum wins).
 */
function bestTemperature(target: Float64Array, pp: Matrix): number {
  const { rows: n, cols: k, data } = pp;
  const logp = new Float64Array(n * k);
  for (let t = 0; t < n * k; t++) logp[t] = data[t] > 0 ? Math.log(data[t]) : -Infinity;
  const scratch = new Float64Array(k);
  const grid = TEMPERATURE_GRID;
  let bestIdx = 0;
  let bestVal = Infinity;
  grid.forEach((t, idx) => {
    const v = softCrossEntropy(target, logp, n, k, t, scratch);
    if (v < bestVal) { bestVal = v; bestIdx = idx; }
  });
  const fine: number[] = [];
  if (bestIdx !== 0) {
    const a = grid[bestIdx - 1];
    const step = (grid[bestIdx] - a) / FINE_SEARCH_SIZE;
    for (let s = 0; s < FINE_SEARCH_SIZE; s++) fine.push(a + s * step);
  }
  if (bestIdx !== grid.length - 1) {
    const a = grid[bestIdx];
    const b = grid[bestIdx + 1];
    const step = (b - a) / FINE_SEARCH_SIZE;
    for (let s = 0; s < FINE_SEARCH_SIZE; s++) fine.push(a + s * step);
    fine.push(b);
  }
  let best = fine[0];
  bestVal = Infinity;
  for (const t of fine) {
    const v = softCrossEntropy(target, logp, n, k, t, scratch);
    if (v < bestVal) { bestVal = v; best = t; }
  }
  return best;
}
