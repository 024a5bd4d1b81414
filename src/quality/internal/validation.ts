/**
 * Input validation of the confident-learning functions (the counterpart of cleanlab's
 * `cleanlab/internal/validation.py`): labels with predicted probabilities, square count matrices, and the
 * `pyMethod` option. Errors are {@link QualityInputError}s with the messages of matrix.ts.
 */
import { LabelsInput, Matrix, MatrixInput, QualityInputError, toLabels, toMatrix, toProbMatrix } from '../matrix';
import { MAJORITY, PROB_UPPER_BOUND, ROW_SUM_TOLERANCE } from './constants';
import type { PyMethod } from './latent-algebra';

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

/**
 * Validates a K×K matrix of counts (confident joint): square, at least 1×1, every entry finite and non-negative.
 * Errors name `fn` and `arg`.
 */
export function toSquareCounts(x: MatrixInput, fn: string, arg: string): Matrix {
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

/** The accepted values of `pyMethod`. */
const PY_METHODS: readonly PyMethod[] = ['cnt', 'eqn', 'marginal', 'marginal_ps'];

/** Returns `m` as a {@link PyMethod}, or throws naming `fn` and `options.pyMethod`. */
export function checkPyMethod(fn: string, m: unknown): PyMethod {
  if (!PY_METHODS.includes(m as PyMethod)) throw new QualityInputError(fn, 'options.pyMethod', `must be one of ${PY_METHODS.join(', ')}, got ${String(m)}`);
  return m as PyMethod;
}
