/**
 * Dawid–Skene truth inference: EM over per-annotator confusion matrices.
 */
import { MatrixInput, QualityInputError, toMatrix } from './matrix';

export interface DawidSkeneOptions {
  /** Most EM iterations (one iteration = E-step then M-step). Default 100. */
  maxIter?: number;
  /**
   * Stop once the log-likelihood per labeled item, log P(answers | π, CM) / #items, changes by less than this
   * between two iterations. Default 1e-6; 0 runs all `maxIter` iterations.
   */
  tol?: number;
  /** Initial diagonal of every confusion matrix (off-diagonal (1 − d)/(K − 1)). Default 0.7. */
  initDiagonal?: number;
  /** Number of classes K (default: largest label + 1). Use it when the highest classes may have no answers. */
  numClasses?: number;
}

export interface DawidSkeneResult {
  /** argmax of each item's posterior (lowest class on ties). */
  labels: Int32Array;
  /** N × K posterior P(true = k | answers) from the last E-step. */
  posteriors: number[][];
  /** M × K × K confusion matrices, row = true class, column = answer; rows sum to 1. */
  confusion: number[][][];
  /** K class priors from the last M-step. */
  classPriors: number[];
  /** EM iterations run. */
  iterations: number;
}

/** Answers in sparse form, grouped by item: answers of item i are at positions itemPtr[i]..itemPtr[i+1]-1. */
export interface SparseAnswers {
  numItems: number;
  numAnnotators: number;
  itemPtr: Int32Array;
  annotator: Int32Array;
  label: Int32Array;
}

/**
 * A confusion-matrix row (annotator w, true class k) whose posterior mass Σ_{i answered by w} T_ik is at most this
 * is reset to the initial row instead of being divided by ~0: an annotator with no answers, or a class that has
 * lost all its mass, keeps the prior belief about the annotator rather than producing 0/0 = NaN. (The benchmark
 * of Zheng et al. resets such rows the same way; no additive smoothing, so reference outputs are matched.)
 */
export const EMPTY_ROW_MASS = 0;

/** E-step products are multiplied by 2^RESCALE_BITS when their sum falls below 2^−RESCALE_BITS: exact, far from underflow. */
const RESCALE_BITS = 512;
const RESCALE_UP = 2 ** RESCALE_BITS;
const RESCALE_DOWN = 2 ** -RESCALE_BITS;

/**
 * Dawid & Skene (1979) maximum-likelihood truth inference for categorical crowd labels.
 *
 * Model: item i has a hidden true class z_i ~ Categorical(π); annotator w answers l with probability
 * CM_w[z_i, l]. EM alternates
 * - E-step: T_ik ∝ π_k · Π_{(w, l) answers of i} CM_w[k, l]  (N × K, normalised per item; exact power-of-two
 *   rescaling keeps long products from underflowing);
 * - M-step: π_k = mean_i T_ik, CM_w[k, l] = Σ_{i: w answered l} T_ik / Σ_{i answered by w} T_ik  (M × K × K).
 * Initialisation as in the benchmark of Zheng et al. (uniform π; CM_w = d on the diagonal, (1 − d)/(K − 1) off,
 * d = `initDiagonal`). Iteration t runs an E-step then an M-step; the posteriors returned are the last E-step's and
 * the parameters the last M-step's. EM stops after `maxIter` iterations or once the marginal log-likelihood
 * ℓ = Σ_i log Σ_k π_k Π CM_w[k, l] (a by-product of the E-step; EM never decreases it) per labeled item changes by
 * less than `tol`.
 *
 * Read the output: `posteriors[i][k]` = P(true class of i is k | all answers); `labels` = the most likely class;
 * `confusion[w][k][l]` = P(annotator w answers l | true class k), so the diagonal is w's per-class accuracy.
 * Items with no answers get the prior as posterior and do not enter the M-step; an item whose answers have
 * probability 0 under every class (possible once confusion entries reach exactly 0) also gets the prior.
 *
 * References: A. P. Dawid, A. M. Skene, "Maximum likelihood estimation of observer error-rates using the EM
 * algorithm", Applied Statistics 28(1), 1979; Y. Zheng et al., "Truth Inference in Crowdsourcing: Is the Problem
 * Solved?", PVLDB 10(5), 2017.
 *
 * Cost: the answers are stored sparsely (item-grouped (annotator, label) pairs), so each iteration is one fused
 * E/M pass of O(A·K + M·K²) for A answers (not O(N·M·K)), without exp/log per item; memory O(A + N·K + M·K²).
 * Building the sparse form scans the N × M input once.
 *
 * @param labelsMulti N × M class indices, `null`/NaN = the annotator did not label the item.
 * @throws QualityInputError on ragged input, non-integer/negative labels, labels ≥ numClasses, no answers at all,
 *   or invalid options.
 */
export function dawidSkene(labelsMulti: MatrixInput, options: DawidSkeneOptions = {}): DawidSkeneResult {
  const fn = 'dawidSkene';
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-6;
  const initDiagonal = options.initDiagonal ?? 0.7;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new QualityInputError(fn, 'maxIter', `must be a positive integer (got ${maxIter})`);
  if (!(tol >= 0)) throw new QualityInputError(fn, 'tol', `must be ≥ 0 (got ${tol})`);
  if (!(initDiagonal > 0 && initDiagonal <= 1)) throw new QualityInputError(fn, 'initDiagonal', `must be in (0, 1] (got ${initDiagonal})`);
  if (options.numClasses !== undefined && (!Number.isInteger(options.numClasses) || options.numClasses < 1)) {
    throw new QualityInputError(fn, 'numClasses', `must be a positive integer (got ${options.numClasses})`);
  }
  const { answers, maxLabel } = toSparseAnswers(labelsMulti, fn, 'labelsMulti', options.numClasses);
  if (answers.annotator.length === 0) throw new QualityInputError(fn, 'labelsMulti', 'has no labels at all');
  const k = options.numClasses ?? maxLabel + 1;
  const fit = dawidSkeneCore(answers, k, maxIter, tol, initDiagonal);

  const { numItems: n, numAnnotators: m } = answers;
  const posteriors: number[][] = new Array(n);
  for (let i = 0; i < n; i++) posteriors[i] = Array.from(fit.posterior.subarray(i * k, (i + 1) * k));
  const confusion: number[][][] = new Array(m);
  for (let w = 0; w < m; w++) {
    const rowsW: number[][] = new Array(k);
    for (let q = 0; q < k; q++) rowsW[q] = Array.from(fit.confusion.subarray((w * k + q) * k, (w * k + q + 1) * k));
    confusion[w] = rowsW;
  }
  return { labels: fit.labels, posteriors, confusion, classPriors: Array.from(fit.prior), iterations: fit.iterations };
}

/**
 * Converts an N × M label matrix (NaN/null = missing) into item-grouped sparse answers, validating every present
 * value (integer ≥ 0, and < numClasses when given). One pass to count, one to fill; no N × M copy of typed input.
 */
export function toSparseAnswers(
  x: MatrixInput,
  fn: string,
  arg: string,
  numClasses?: number,
): { answers: SparseAnswers; maxLabel: number } {
  const mat = toMatrix(x, fn, arg);
  const { rows: n, cols: m, data } = mat;
  const itemPtr = new Int32Array(n + 1);
  let maxLabel = -1;
  for (let i = 0; i < n; i++) {
    let c = 0;
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v !== v) continue; // NaN = missing
      if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
        throw new QualityInputError(fn, arg, `row ${i} column ${j} is ${v}, not a class index${numClasses !== undefined ? ` in 0..${numClasses - 1}` : ''}`);
      }
      if (v > maxLabel) maxLabel = v;
      c++;
    }
    itemPtr[i + 1] = itemPtr[i] + c;
  }
  const a = itemPtr[n];
  const annotator = new Int32Array(a);
  const label = new Int32Array(a);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v !== v) continue;
      annotator[t] = j;
      label[t] = v;
      t++;
    }
  }
  return { answers: { numItems: n, numAnnotators: m, itemPtr, annotator, label }, maxLabel };
}

/** Typed result of {@link dawidSkeneCore}: posterior N × K, confusion M × K × K (true × answer), prior K. */
export interface DawidSkeneFit {
  labels: Int32Array;
  posterior: Float64Array;
  confusion: Float64Array;
  prior: Float64Array;
  iterations: number;
}

/**
 * Inner EM on validated sparse answers (labels in 0..k-1). See {@link dawidSkene}.
 * Cost O(iterations · (A·K + M·K²)).
 */
export function dawidSkeneCore(ans: SparseAnswers, k: number, maxIter: number, tol: number, initDiagonal: number): DawidSkeneFit {
  const { numItems: n, numAnnotators: m, itemPtr, annotator, label } = ans;
  const diag = k > 1 ? initDiagonal : 1;
  const off = k > 1 ? (1 - initDiagonal) / (k - 1) : 0;
  const kk = k * k;
  // cm: [w][trueK][answer]; cmT and acc: [w][answer][trueK] so one answer touches K contiguous values.
  const cm = new Float64Array(m * kk);
  const cmT = new Float64Array(m * kk);
  const acc = new Float64Array(m * kk);
  for (let w = 0; w < m; w++) for (let q = 0; q < k; q++) for (let l = 0; l < k; l++) cm[w * kk + q * k + l] = q === l ? diag : off;
  const prior = new Float64Array(k).fill(1 / k);
  const priorAcc = new Float64Array(k);
  const post = new Float64Array(n * k);
  let prevMeanLogLik = -Infinity;
  const s = new Float64Array(k);
  let nAnswered = 0;
  for (let i = 0; i < n; i++) if (itemPtr[i + 1] > itemPtr[i]) nAnswered++;
  // offset of each answer's K-vector in cmT / acc: one load per answer in the hot loops
  const cell = new Int32Array(annotator.length);
  for (let a = 0; a < cell.length; a++) cell[a] = annotator[a] * kk + label[a] * k;

  let iterations = 0;
  for (let it = 1; it <= maxIter; it++) {
    iterations = it;
    for (let w = 0; w < m; w++) {
      const b = w * kk;
      for (let q = 0; q < k; q++) for (let l = 0; l < k; l++) cmT[b + l * k + q] = cm[b + q * k + l];
    }
    // E-step in linear space (no exp/log per item), with exact power-of-two rescaling against underflow; it also
    // accumulates the log-likelihood as a rescaled running product of the per-item evidences z_i. The M-step sums
    // are accumulated in the same pass (fused: each item's posterior is added while it is still in cache).
    let prodZ = 1;
    let scaleBits = 0;
    priorAcc.fill(0);
    acc.fill(0);
    for (let i = 0; i < n; i++) {
      const a0 = itemPtr[i];
      const a1 = itemPtr[i + 1];
      const o = i * k;
      if (a0 === a1) { for (let q = 0; q < k; q++) post[o + q] = prior[q]; continue; }
      for (let q = 0; q < k; q++) s[q] = prior[q];
      let itemBits = 0;
      let possible = true;
      for (let a = a0; a < a1; a++) {
        const b = cell[a];
        let sum = 0; // a sum, not a max: no data-dependent branch per class (max ≤ sum ≤ K·max)
        for (let q = 0; q < k; q++) { const v = s[q] * cmT[b + q]; s[q] = v; sum += v; }
        if (sum < RESCALE_DOWN) {
          if (sum === 0) { possible = false; break; }
          for (let q = 0; q < k; q++) s[q] *= RESCALE_UP;
          itemBits += RESCALE_BITS;
        }
      }
      let z = 0;
      if (possible) for (let q = 0; q < k; q++) z += s[q];
      if (z > 0) {
        const inv = 1 / z;
        for (let q = 0; q < k; q++) post[o + q] = s[q] * inv;
        prodZ *= z;
        scaleBits -= itemBits;
        if (prodZ < RESCALE_DOWN) { prodZ *= RESCALE_UP; scaleBits -= RESCALE_BITS; } else if (prodZ > RESCALE_UP) { prodZ *= RESCALE_DOWN; scaleBits += RESCALE_BITS; }
      } else { // every class impossible under the current parameters: fall back to the prior
        for (let q = 0; q < k; q++) post[o + q] = prior[q];
      }
      // M-step sums
      for (let q = 0; q < k; q++) priorAcc[q] += post[o + q];
      for (let a = a0; a < a1; a++) {
        const b = cell[a];
        for (let q = 0; q < k; q++) acc[b + q] += post[o + q];
      }
    }
    const logLik = Math.log(prodZ) + scaleBits * Math.LN2;
    const meanLogLik = logLik / nAnswered;
    const gain = Math.abs(meanLogLik - prevMeanLogLik);
    prevMeanLogLik = meanLogLik;
    // M-step: normalise the sums
    for (let q = 0; q < k; q++) prior[q] = priorAcc[q] / nAnswered;
    for (let w = 0; w < m; w++) {
      const b = w * kk;
      for (let q = 0; q < k; q++) {
        let den = 0;
        for (let l = 0; l < k; l++) den += acc[b + l * k + q];
        const r = b + q * k;
        if (den > EMPTY_ROW_MASS) {
          for (let l = 0; l < k; l++) cm[r + l] = acc[b + l * k + q] / den;
        } else {
          for (let l = 0; l < k; l++) cm[r + l] = q === l ? diag : off;
        }
      }
    }
    if (gain < tol) break;
  }

  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let best = 0;
    for (let q = 1; q < k; q++) if (post[o + q] > post[o + best]) best = q;
    labels[i] = best;
  }
  return { labels, posterior: post, confusion: cm, prior, iterations };
}
