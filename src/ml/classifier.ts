/**
 * The built-in model in the loop: softmax regression or a one-hidden-layer MLP on dense float32 features,
 * trained with TensorFlow.js ops (whatever backend {@link initBackend} chose).
 *
 * Why hand-written gradients over tfjs-layers `model.fit`: measured on the wasm backend (80,000 × 128, 10 classes,
 * one epoch), `model.fit`-style slicing of a big tensor costs ~80 ms per batch, autodiff softmax ~200 ms/epoch,
 * and the explicit gradient below ~130 ms/epoch; a plain-JS loop took ~360 ms (a typed-array engine for small
 * batches was also tried: it won only below ~25k multiply-adds per step, so it was dropped). Batches are gathered
 * from the caller's typed array in JS (no big tensor is ever sliced), which also gives a seeded shuffle for free.
 */
import * as tf from '@tensorflow/tfjs';
import { ensureBackend } from './backend';
import { MatrixInput, QualityInputError, LabelsInput, toLabels, toMatrix } from '../quality/matrix';
import { createRng, Rng, shuffleInPlace } from '../quality/rng';

export type ClassifierKind = 'softmax' | 'mlp';

/** Class weights: 'balanced' (n / (k · n_c), scikit-learn's rule), explicit per-class weights, or null (all 1). */
export type ClassWeight = 'balanced' | ReadonlyArray<number> | null;

export interface FitOptions {
  /** 'softmax' (multinomial logistic regression) or 'mlp' (one ReLU hidden layer). Default 'softmax'. */
  kind?: ClassifierKind;
  /** Number of classes k; labels are 0..k-1. Default max(y) + 1. */
  numClasses?: number;
  /** Maximum passes over the training rows. Default 100. */
  epochs?: number;
  /**
   * Fewest Adam steps: a small training set (one batch per epoch) gets more epochs so that it still takes
   * this many steps (100 epochs of 20 rows would be only 100 small steps); early stopping may still end sooner.
   * Default 300.
   */
  minSteps?: number;
  /** Mini-batch size for Adam. Default 512 (large batches keep per-op overhead low on wasm). */
  batchSize?: number;
  /**
   * Adam step size at the start. Default 0.05 for softmax, 0.01 for the MLP. Measured on 100,000 × 128 blobs
   * (5-fold): softmax 0.05 reaches the accuracy of 0.01 (0.971) in fewer epochs, and on SpamAssassin features in
   * 12 epochs instead of 89; the MLP overfits sooner at 0.05 (log loss 0.118 vs 0.098 at 0.01).
   */
  learningRate?: number;
  /**
   * Epochs without a validation-loss improvement before the step size is multiplied by `reduceLrFactor`
   * (Keras' ReduceLROnPlateau; needs a validation part). Default 2.
   */
  reduceLrPatience?: number;
  /** Factor applied to the step size on a plateau. Default 0.3. */
  reduceLrFactor?: number;
  /** L2 penalty λ on the weight matrices (loss + λ/2·‖W‖²). Default 1e-4. */
  l2?: number;
  /** Hidden units of the MLP. Default 128. */
  hiddenUnits?: number;
  /** Class weights for imbalance. Default 'balanced'. */
  classWeight?: ClassWeight;
  /** Fraction of rows held out (stratified) for early stopping. Default 0.1; 0 trains all `epochs`. */
  validationSplit?: number;
  /** Epochs without a validation-loss improvement (by more than `minDelta`) before stopping. Default 5. */
  patience?: number;
  /** Smallest decrease of validation loss counted as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Seed for initial weights, the validation split and the shuffles. Default 0. */
  seed?: number;
  /**
   * Standardise each feature with the mean and standard deviation of the rows given to `fit` (scikit-learn's
   * StandardScaler); the statistics are part of the fitted model and applied by `predictProba`. Default false.
   */
  standardize?: boolean;
  /** Longest stretch of synchronous work before yielding to the event loop. Default 25 ms. */
  yieldEveryMs?: number;
  /** Called after each epoch (for job progress). */
  onEpoch?: (info: EpochInfo) => void;
}

export interface EpochInfo {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface FitMetrics {
  /** Epochs actually run (early stopping may end before `epochs`). */
  epochsRun: number;
  /** Epoch whose weights were kept (best validation loss; the last epoch without validation). 1-based. */
  bestEpoch: number;
  /** Mean weighted cross-entropy over the training rows in the kept epoch. */
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** Rows used for gradient steps / held out for early stopping. */
  trainRows: number;
  validationRows: number;
  /** Labelled rows per class seen by this fit (training + validation). */
  labelCounts: number[];
  trainingMs: number;
  /** Step size at the end (lowered by `reduceLrFactor` on each validation plateau). */
  finalLearningRate: number;
}

/** Learned parameters. Weight matrices are row-major, inputs × outputs. */
export interface ClassifierWeights {
  /** Hidden layer (mlp only): numFeatures × hiddenUnits, and its bias. */
  w1: Float32Array | null;
  b1: Float32Array | null;
  /** Output layer: (softmax: numFeatures | mlp: hiddenUnits) × numClasses, and its bias. */
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * Per-feature standardisation z = (x − mean) / scale, fitted on training rows: scale is the population standard
 * deviation, or 1 for a feature without variance (it then only shifts).
 */
export interface StandardScaler {
  mean: Float32Array;
  scale: Float32Array;
}

/** Below this standard deviation a feature counts as constant and gets scale 1 (float32 rounding of equal values). */
const MIN_FEATURE_STD = 1e-8;

/**
 * Mean and standard deviation of each column of X (n × d row-major), as {@link StandardScaler}: the statistics
 * scikit-learn's StandardScaler fits (population std, ddof 0; zero-variance columns get scale 1). Two passes in
 * float64, O(n·d). `rows` restricts the statistics to those row indices (a training fold).
 */
export function fitStandardScaler(X: { rows: number; cols: number; data: ArrayLike<number> }, rows?: ArrayLike<number>): StandardScaler {
  const d = X.cols;
  const n = rows ? rows.length : X.rows;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  const at = (t: number) => (rows ? rows[t] : t) * d;
  for (let t = 0; t < n; t++) {
    const o = at(t);
    for (let j = 0; j < d; j++) mean[j] += X.data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  for (let t = 0; t < n; t++) {
    const o = at(t);
    for (let j = 0; j < d; j++) {
      const v = X.data[o + j] - mean[j];
      sq[j] += v * v;
    }
  }
  const scale = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(sq[j] / Math.max(n, 1));
    scale[j] = sd > MIN_FEATURE_STD ? sd : 1;
  }
  return { mean: Float32Array.from(mean), scale };
}

/** (X − mean) / scale as a new float32 matrix; X is not modified. O(n·d). */
function applyScaler(sc: StandardScaler, X: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = (X[o + j] - sc.mean[j]) / sc.scale[j];
  }
  return out;
}

/**
 * JSON form of a fitted classifier (for the database). Float arrays are base64 little-endian float32. `scaler` is
 * absent in models stored before standardisation existed: they read their features as they are.
 */
export interface ClassifierJSON {
  format: 'loupe-classifier';
  version: 1;
  kind: ClassifierKind;
  numFeatures: number;
  numClasses: number;
  hiddenUnits: number | null;
  weights: { w1: string | null; b1: string | null; w2: string; b2: string };
  scaler?: { mean: string; scale: string } | null;
  options: ResolvedFitOptions;
  metrics: FitMetrics;
}

type ResolvedFitOptions = Required<Omit<FitOptions, 'onEpoch' | 'numClasses' | 'classWeight'>> & {
  classWeight: 'balanced' | number[] | null;
};

/** Rows per forward pass when predicting (wasm pays per op, not per row: big chunks are much faster). */
export const PREDICT_CHUNK_ROWS = 16384;
/** Below this many held-out rows a validation loss is too noisy to stop on; train the full `epochs` instead. */
export const MIN_VALIDATION_ROWS = 10;
/** Probabilities are clipped here before taking logs (scikit-learn's log_loss uses the same bound). */
export const LOG_EPS = 1e-15;

/**
 * A fitted classifier: a value holding its weights as typed arrays (no live tensors), so it never leaks GPU or
 * wasm memory and can be stored with {@link Classifier.toJSON}.
 */
export class Classifier {
  constructor(
    readonly kind: ClassifierKind,
    readonly numFeatures: number,
    readonly numClasses: number,
    readonly weights: ClassifierWeights,
    readonly options: ResolvedFitOptions,
    readonly metrics: FitMetrics,
    /** Standardisation applied to X before the weights (null: features as they are). */
    readonly scaler: StandardScaler | null = null,
  ) {}

  /** Hidden units (mlp) or null (softmax). */
  get hiddenUnits(): number | null {
    return this.weights.b1 ? this.weights.b1.length : null;
  }

  /**
   * Class probabilities for each row of X: softmax(X·W + b) for softmax regression,
   * softmax(relu(X·W1 + b1)·W2 + b2) for the MLP. X: n × d → n × k row-major Float64Array, rows summing to 1.
   * Cost O(n·d·k) (softmax) or O(n·d·h + n·h·k) (mlp), in chunks of {@link PREDICT_CHUNK_ROWS} rows.
   */
  predictProba(X: MatrixInput): Float64Array {
    const m = toFeatureMatrix(X, 'predictProba', 'X');
    if (m.cols !== this.numFeatures) {
      throw new QualityInputError('predictProba', 'X', `has ${m.cols} columns, the model was fitted on ${this.numFeatures}`);
    }
    const x = this.scaler ? applyScaler(this.scaler, m.data, m.rows, this.numFeatures) : m.data;
    return predictInner(this.weights, x, m.rows, this.numFeatures, this.numClasses);
  }

  /** Most probable class of each row (argmax of {@link predictProba}). */
  predict(X: MatrixInput): Int32Array {
    const p = this.predictProba(X);
    const k = this.numClasses;
    const n = p.length / k;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
      out[i] = best;
    }
    return out;
  }

  toJSON(): ClassifierJSON {
    const w = this.weights;
    return {
      format: 'loupe-classifier',
      version: 1,
      kind: this.kind,
      numFeatures: this.numFeatures,
      numClasses: this.numClasses,
      hiddenUnits: this.hiddenUnits,
      weights: {
        w1: w.w1 ? f32ToBase64(w.w1) : null,
        b1: w.b1 ? f32ToBase64(w.b1) : null,
        w2: f32ToBase64(w.w2),
        b2: f32ToBase64(w.b2),
      },
      scaler: this.scaler ? { mean: f32ToBase64(this.scaler.mean), scale: f32ToBase64(this.scaler.scale) } : null,
      options: this.options,
      metrics: this.metrics,
    };
  }

  /** Rebuilds a classifier from {@link Classifier.toJSON} output (accepts the parsed object or its JSON string). */
  static fromJSON(json: ClassifierJSON | string): Classifier {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as ClassifierJSON;
    if (!j || j.format !== 'loupe-classifier' || j.version !== 1) {
      throw new QualityInputError('Classifier.fromJSON', 'json', 'is not a loupe-classifier version 1');
    }
    const d = j.numFeatures;
    const k = j.numClasses;
    const h = j.hiddenUnits;
    const w1 = j.weights.w1 ? base64ToF32(j.weights.w1) : null;
    const b1 = j.weights.b1 ? base64ToF32(j.weights.b1) : null;
    const w2 = base64ToF32(j.weights.w2);
    const b2 = base64ToF32(j.weights.b2);
    const inner = j.kind === 'mlp' ? (h ?? 0) : d;
    const ok = (j.kind === 'mlp'
      ? w1 !== null && b1 !== null && h !== null && w1.length === d * h && b1.length === h
      : j.kind === 'softmax' && w1 === null && b1 === null)
      && w2.length === inner * k && b2.length === k;
    if (!ok) throw new QualityInputError('Classifier.fromJSON', 'json', 'has weights whose sizes do not match kind/numFeatures/numClasses/hiddenUnits');
    const scaler = j.scaler ? { mean: base64ToF32(j.scaler.mean), scale: base64ToF32(j.scaler.scale) } : null;
    if (scaler && (scaler.mean.length !== d || scaler.scale.length !== d)) {
      throw new QualityInputError('Classifier.fromJSON', 'json', `has a scaler of ${scaler.mean.length} features, the model has ${d}`);
    }
    return new Classifier(j.kind, d, k, { w1, b1, w2, b2 }, { ...j.options, standardize: scaler !== null }, j.metrics, scaler);
  }
}

/**
 * Trains a softmax regression or one-hidden-layer MLP by minimising the class-weighted cross-entropy
 *
 *   L = (1/n) Σ_i w_{y_i} · (−log p_{i,y_i}) + (λ/2)·Σ‖W‖²,   p_i = softmax(f(x_i)),
 *
 * with Adam on seeded mini-batches, X: n × d (float32 or float64, row-major or number[][]), y: n class indices.
 * A stratified `validationSplit` of the rows is held out; training stops after `patience` epochs without a
 * better validation loss and the best epoch's weights are kept (Keras' EarlyStopping with restore_best_weights);
 * every `reduceLrPatience` stale epochs the step size is multiplied by `reduceLrFactor` (ReduceLROnPlateau).
 * Yields to the event loop every `yieldEveryMs`, so a server keeps answering while it trains.
 * Read the result as a value: `predictProba(X)` gives n × k class probabilities; `metrics` says how training went.
 * Same inputs and seed on the same backend → same weights. Inputs are never modified.
 *
 * Cost: O(epochs · n · d · k) for softmax, O(epochs · n · (d·h + h·k)) for the MLP; memory O(batch · d) beyond X
 * (batches are gathered from X; X is copied once to float32 only if it is not float32 already).
 * Reference: softmax regression and early stopping as in Goodfellow, Bengio & Courville, Deep Learning (2016),
 * §6.2.2 and §7.8; Adam: Kingma & Ba (2015).
 */
export async function fit(X: MatrixInput, y: LabelsInput, opts: FitOptions = {}): Promise<Classifier> {
  const fn = 'fit';
  const m = toFeatureMatrix(X, fn, 'X');
  const n = m.rows;
  const d = m.cols;
  if (n === 0) throw new QualityInputError(fn, 'X', 'has no rows');
  if (d === 0) throw new QualityInputError(fn, 'X', 'has no columns');
  if (y.length !== n) throw new QualityInputError(fn, 'y', `has length ${y.length}, X has ${n} rows`);
  let k = opts.numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < n; i++) if (Number.isInteger(y[i]) && y[i] + 1 > k) k = y[i] + 1;
  }
  if (!Number.isInteger(k) || k < 2) throw new QualityInputError(fn, 'opts.numClasses', `must be an integer ≥ 2 (got ${k})`);
  const labels = toLabels(y, k, fn, 'y');
  const o = resolveOptions(opts, k, fn);
  await ensureBackend();
  if (!o.standardize) return fitInner(m.data, labels, n, d, k, o, opts.onEpoch);
  const scaler = fitStandardScaler(m);
  const c = await fitInner(applyScaler(scaler, m.data, n, d), labels, n, d, k, o, opts.onEpoch);
  return new Classifier(c.kind, c.numFeatures, c.numClasses, c.weights, c.options, c.metrics, scaler);
}

function resolveOptions(opts: FitOptions, k: number, fn: string): ResolvedFitOptions {
  const o: ResolvedFitOptions = {
    kind: opts.kind ?? 'softmax',
    epochs: opts.epochs ?? 100,
    minSteps: opts.minSteps ?? 300,
    batchSize: opts.batchSize ?? 512,
    learningRate: opts.learningRate ?? (opts.kind === 'mlp' ? 0.01 : 0.05),
    reduceLrPatience: opts.reduceLrPatience ?? 2,
    reduceLrFactor: opts.reduceLrFactor ?? 0.3,
    l2: opts.l2 ?? 1e-4,
    hiddenUnits: opts.hiddenUnits ?? 128,
    classWeight: opts.classWeight === undefined ? 'balanced' : opts.classWeight === null || opts.classWeight === 'balanced' ? opts.classWeight : Array.from(opts.classWeight),
    validationSplit: opts.validationSplit ?? 0.1,
    patience: opts.patience ?? 5,
    minDelta: opts.minDelta ?? 1e-4,
    seed: opts.seed ?? 0,
    yieldEveryMs: opts.yieldEveryMs ?? 25,
    standardize: opts.standardize ?? false,
  };
  if (o.kind !== 'softmax' && o.kind !== 'mlp') throw new QualityInputError(fn, 'opts.kind', `must be 'softmax' or 'mlp' (got ${String(o.kind)})`);
  const posInt = (v: number, name: string): void => {
    if (!Number.isInteger(v) || v < 1) throw new QualityInputError(fn, `opts.${name}`, `must be a positive integer (got ${v})`);
  };
  posInt(o.epochs, 'epochs');
  posInt(o.batchSize, 'batchSize');
  if (!Number.isInteger(o.minSteps) || o.minSteps < 0) throw new QualityInputError(fn, 'opts.minSteps', `must be an integer ≥ 0 (got ${o.minSteps})`);
  posInt(o.hiddenUnits, 'hiddenUnits');
  if (!Number.isInteger(o.reduceLrPatience) || o.reduceLrPatience < 1) throw new QualityInputError(fn, 'opts.reduceLrPatience', `must be a positive integer (got ${o.reduceLrPatience})`);
  if (!(o.reduceLrFactor > 0 && o.reduceLrFactor <= 1)) throw new QualityInputError(fn, 'opts.reduceLrFactor', `must be in (0, 1] (got ${o.reduceLrFactor})`);
  if (!Number.isInteger(o.patience) || o.patience < 0) throw new QualityInputError(fn, 'opts.patience', `must be an integer ≥ 0 (got ${o.patience})`);
  const nonNeg = (v: number, name: string): void => {
    if (!Number.isFinite(v) || v < 0) throw new QualityInputError(fn, `opts.${name}`, `must be a finite number ≥ 0 (got ${v})`);
  };
  nonNeg(o.l2, 'l2');
  nonNeg(o.minDelta, 'minDelta');
  nonNeg(o.yieldEveryMs, 'yieldEveryMs');
  if (!Number.isFinite(o.learningRate) || o.learningRate <= 0) throw new QualityInputError(fn, 'opts.learningRate', `must be > 0 (got ${o.learningRate})`);
  if (!(o.validationSplit >= 0 && o.validationSplit < 1)) throw new QualityInputError(fn, 'opts.validationSplit', `must be in [0, 1) (got ${o.validationSplit})`);
  if (!Number.isFinite(o.seed)) throw new QualityInputError(fn, 'opts.seed', 'must be a finite number');
  if (Array.isArray(o.classWeight)) {
    if (o.classWeight.length !== k) throw new QualityInputError(fn, 'opts.classWeight', `has ${o.classWeight.length} entries, expected ${k}`);
    o.classWeight.forEach((w, c) => {
      if (!Number.isFinite(w) || w < 0) throw new QualityInputError(fn, 'opts.classWeight', `entry ${c} is ${w}, not a finite number ≥ 0`);
    });
  } else if (o.classWeight !== null && o.classWeight !== 'balanced') {
    throw new QualityInputError(fn, 'opts.classWeight', "must be 'balanced', null or an array of numbers");
  }
  return o;
}

/** Validates a feature matrix (shape, finiteness) and returns float32 data (copied only if not float32). */
export function toFeatureMatrix(X: MatrixInput, fn: string, arg: string): { rows: number; cols: number; data: Float32Array } {
  const m = toMatrix(X, fn, arg);
  const src = m.data;
  for (let t = 0; t < src.length; t++) {
    if (!Number.isFinite(src[t])) {
      throw new QualityInputError(fn, arg, `row ${Math.floor(t / m.cols)} column ${t % m.cols} is not a finite number`);
    }
  }
  const data = src instanceof Float32Array ? src : Float32Array.from(src);
  return { rows: m.rows, cols: m.cols, data };
}

/** Per-class weights as resolved for these labels. */
function classWeights(labels: Int32Array, k: number, cw: ResolvedFitOptions['classWeight']): Float32Array {
  const w = new Float32Array(k).fill(1);
  if (cw === null) return w;
  if (cw !== 'balanced') return Float32Array.from(cw);
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  let present = 0;
  for (let c = 0; c < k; c++) if (counts[c] > 0) present++;
  for (let c = 0; c < k; c++) w[c] = counts[c] > 0 ? labels.length / (present * counts[c]) : 0;
  return w;
}

/** Stratified seeded split of 0..n-1 into (train, validation) with round(n_c · frac) validation rows per class. */
function stratifiedHoldout(labels: Int32Array, k: number, frac: number, rng: Rng): { train: Int32Array; val: Int32Array } {
  const n = labels.length;
  if (frac <= 0 || Math.round(n * frac) < MIN_VALIDATION_ROWS) return { train: identity(n), val: new Int32Array(0) };
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const val: number[] = [];
  for (const rows of byClass) {
    const idx = shuffleInPlace(Int32Array.from(rows), rng);
    // keep at least one training row per present class
    const nv = Math.min(Math.round(idx.length * frac), Math.max(0, idx.length - 1));
    for (let t = 0; t < idx.length; t++) (t < nv ? val : train).push(idx[t]);
  }
  if (val.length === 0) return { train: identity(n), val: new Int32Array(0) };
  return { train: Int32Array.from(train).sort(), val: Int32Array.from(val).sort() };
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Glorot/Xavier uniform initialisation, U(−√(6/(fanIn+fanOut)), +…), seeded. */
function glorot(fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * lim;
  return w;
}

/** A variable holding `t`'s values; `t` itself is disposed (the variable keeps its own reference to the data). */
function toVariable<R extends tf.Rank>(t: tf.Tensor<R>): tf.Variable<R> {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Takes Adam steps on gathered batches with TensorFlow.js ops on the chosen backend. */
interface Trainer {
  /** xs: nb × d features; ys: nb × k with w_i/nb at the true class. Returns Σ_i (w_i/nb)·CE_i. */
  step(xs: Float32Array, ys: Float32Array, nb: number): number;
  /** A copy of the current weights. */
  snapshot(): ClassifierWeights;
  setLearningRate(lr: number): void;
  dispose(): void;
}

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
/** tf.train.adam's default epsilon (the backend epsilon), written out so a reader need not look it up. */
const ADAM_EPSILON = 1e-7;

/** tf.train.adam whose step size can be lowered between steps (ReduceLROnPlateau); the moments are kept. */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

function tfjsTrainer(init: ClassifierWeights, d: number, k: number, o: ResolvedFitOptions): Trainer {
  const mlp = init.w1 !== null;
  const h = mlp ? init.b1!.length : 0;
  const inner = mlp ? h : d;
  const vw1 = mlp ? toVariable(tf.tensor2d(init.w1!, [d, h])) : null;
  const vb1 = mlp ? toVariable(tf.tensor1d(init.b1!)) : null;
  const vw2 = toVariable(tf.tensor2d(init.w2, [inner, k]));
  const vb2 = toVariable(tf.tensor1d(init.b2));
  const optimizer = new ScheduledAdam(o.learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  const l2 = o.l2;
  return {
    step(xs, ys, nb) {
      const lossT = tf.tidy(() => {
        const xb = tf.tensor2d(xs, [nb, d]);
        const yw = tf.tensor2d(ys, [nb, k]); // row i: w_i/nb at the true class
        const wRow = yw.sum(1, true); // w_i / nb
        const hid = mlp ? tf.relu(tf.add(tf.matMul(xb, vw1!), vb1!)) : xb;
        const logits = tf.add(tf.matMul(hid, vw2), vb2);
        const logp = tf.logSoftmax(logits);
        // dL/dlogits = (w_i/nb)·(p_i − onehot_i)
        const dz = tf.sub(tf.mul(tf.exp(logp), wRow), yw);
        const grads: tf.NamedTensorMap = {
          [vw2.name]: tf.add(tf.matMul(hid, dz, true, false), tf.mul(vw2, l2)),
          [vb2.name]: tf.sum(dz, 0),
        };
        if (mlp) {
          const dh = tf.mul(tf.matMul(dz, vw2, false, true), tf.step(hid));
          grads[vw1!.name] = tf.add(tf.matMul(xb, dh, true, false), tf.mul(vw1!, l2));
          grads[vb1!.name] = tf.sum(dh, 0);
        }
        const loss = tf.neg(tf.sum(tf.mul(logp, yw)));
        // Adam reads only the tensors of the map; its type asks for Variables
        optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
        return loss;
      });
      const loss = lossT.dataSync()[0];
      lossT.dispose();
      return loss;
    },
    snapshot: () => ({
      w1: vw1 ? (vw1.dataSync() as Float32Array).slice() : null,
      b1: vb1 ? (vb1.dataSync() as Float32Array).slice() : null,
      w2: (vw2.dataSync() as Float32Array).slice(),
      b2: (vb2.dataSync() as Float32Array).slice(),
    }),
    setLearningRate: (lr) => optimizer.setLearningRate(lr),
    dispose() {
      optimizer.dispose();
      for (const v of [vw1, vb1, vw2, vb2]) v?.dispose();
    },
  };
}

async function fitInner(
  X: Float32Array, labels: Int32Array, n: number, d: number, k: number,
  o: ResolvedFitOptions, onEpoch?: (info: EpochInfo) => void,
): Promise<Classifier> {
  const t0 = Date.now();
  const rng = createRng(o.seed);
  const cw = classWeights(labels, k, o.classWeight);
  const { train, val } = stratifiedHoldout(labels, k, o.validationSplit, rng);
  const mlp = o.kind === 'mlp';
  const h = o.hiddenUnits;
  const inner = mlp ? h : d;

  const init: ClassifierWeights = {
    w1: mlp ? glorot(d, h, rng) : null,
    b1: mlp ? new Float32Array(h) : null,
    w2: glorot(inner, k, rng),
    b2: new Float32Array(k),
  };
  const bs = Math.min(o.batchSize, train.length);
  const trainer = tfjsTrainer(init, d, k, o);

  const xbuf = new Float32Array(bs * d);
  const ybuf = new Float32Array(bs * k); // one-hot × (w_y / batch)
  const order = Int32Array.from(train);
  const maxEpochs = Math.max(o.epochs, Math.ceil(o.minSteps / Math.ceil(order.length / bs)));

  let best: ClassifierWeights = init;
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let bestTrainLoss = NaN;
  let bestValAcc: number | null = null;
  let sinceBest = 0;
  let epochsRun = 0;
  let lr = o.learningRate;
  let lastYield = Date.now();

  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      shuffleInPlace(order, rng);
      let lossSum = 0;
      for (let start = 0; start < order.length; start += bs) {
        const nb = Math.min(bs, order.length - start);
        ybuf.fill(0, 0, nb * k);
        for (let b = 0; b < nb; b++) {
          const i = order[start + b];
          xbuf.set(X.subarray(i * d, i * d + d), b * d);
          ybuf[b * k + labels[i]] = cw[labels[i]] / nb;
        }
        const xs = nb === bs ? xbuf : xbuf.subarray(0, nb * d);
        const ys = nb === bs ? ybuf : ybuf.subarray(0, nb * k);
        lossSum += trainer.step(xs, ys, nb) * nb;
        if (Date.now() - lastYield >= o.yieldEveryMs) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
      epochsRun = epoch;
      const trainLoss = lossSum / order.length;
      let valLoss: number | null = null;
      let valAcc: number | null = null;
      if (val.length > 0) {
        const cur = trainer.snapshot();
        const ev = evaluateRows(cur, X, d, k, val, labels, cw);
        valLoss = ev.loss;
        valAcc = ev.accuracy;
        if (ev.loss < bestLoss - o.minDelta) {
          bestLoss = ev.loss;
          best = cur;
          bestEpoch = epoch;
          bestTrainLoss = trainLoss;
          bestValAcc = ev.accuracy;
          sinceBest = 0;
        } else {
          sinceBest++;
          if (sinceBest % o.reduceLrPatience === 0) {
            lr *= o.reduceLrFactor;
            trainer.setLearningRate(lr);
          }
        }
      }
      onEpoch?.({ epoch, epochs: maxEpochs, trainLoss, valLoss, valAccuracy: valAcc });
      if (val.length > 0 && sinceBest > o.patience) break;
      if (val.length === 0 && epoch === maxEpochs) {
        best = trainer.snapshot();
        bestEpoch = epoch;
        bestTrainLoss = trainLoss;
      }
      if (Date.now() - lastYield >= o.yieldEveryMs) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
  } finally {
    trainer.dispose();
  }

  const labelCounts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) labelCounts[labels[i]]++;
  const metrics: FitMetrics = {
    epochsRun,
    bestEpoch,
    trainLoss: bestTrainLoss,
    valLoss: val.length > 0 ? bestLoss : null,
    valAccuracy: bestValAcc,
    trainRows: train.length,
    validationRows: val.length,
    labelCounts,
    trainingMs: Date.now() - t0,
    finalLearningRate: lr,
  };
  return new Classifier(o.kind, d, k, best, o, metrics);
}

/** Weighted mean cross-entropy and accuracy of `weights` on the given rows. */
function evaluateRows(
  weights: ClassifierWeights, X: Float32Array, d: number, k: number,
  rows: Int32Array, labels: Int32Array, cw: Float32Array,
): { loss: number; accuracy: number } {
  const sub = new Float32Array(rows.length * d);
  for (let t = 0; t < rows.length; t++) sub.set(X.subarray(rows[t] * d, rows[t] * d + d), t * d);
  const p = predictInner(weights, sub, rows.length, d, k);
  let loss = 0;
  let correct = 0;
  for (let t = 0; t < rows.length; t++) {
    const yt = labels[rows[t]];
    const o = t * k;
    loss -= cw[yt] * Math.log(Math.max(p[o + yt], LOG_EPS));
    let arg = 0;
    for (let c = 1; c < k; c++) if (p[o + c] > p[o + arg]) arg = c;
    if (arg === yt) correct++;
  }
  return { loss: loss / rows.length, accuracy: correct / rows.length };
}

/** Forward pass in chunks; float32 logits, softmax renormalised in float64. */
function predictInner(w: ClassifierWeights, X: Float32Array, n: number, d: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  if (n === 0) return out;
  const mlp = w.w1 !== null;
  const inner = mlp ? w.b1!.length : d;
  tf.tidy(() => {
    const w1 = mlp ? tf.tensor2d(w.w1!, [d, inner]) : null;
    const b1 = mlp ? tf.tensor1d(w.b1!) : null;
    const w2 = tf.tensor2d(w.w2, [inner, k]);
    const b2 = tf.tensor1d(w.b2);
    for (let start = 0; start < n; start += PREDICT_CHUNK_ROWS) {
      const nb = Math.min(PREDICT_CHUNK_ROWS, n - start);
      const logits = tf.tidy(() => {
        const xb = tf.tensor2d(X.subarray(start * d, (start + nb) * d), [nb, d]);
        const hid = mlp ? tf.relu(tf.add(tf.matMul(xb, w1!), b1!)) : xb;
        return tf.add(tf.matMul(hid, w2), b2);
      });
      const z = logits.dataSync();
      logits.dispose();
      // softmax in float64: exact row sums, no float32 rounding in the probabilities
      for (let i = 0; i < nb; i++) {
        const zo = i * k;
        const oo = (start + i) * k;
        let mx = -Infinity;
        for (let c = 0; c < k; c++) if (z[zo + c] > mx) mx = z[zo + c];
        let s = 0;
        for (let c = 0; c < k; c++) {
          const e = Math.exp(z[zo + c] - mx);
          out[oo + c] = e;
          s += e;
        }
        for (let c = 0; c < k; c++) out[oo + c] /= s;
      }
    }
  });
  return out;
}

/** Base64 of the little-endian bytes of a Float32Array. */
export function f32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Inverse of {@link f32ToBase64}; copies into a fresh, aligned Float32Array. */
export function base64ToF32(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % 4 !== 0) throw new QualityInputError('base64ToF32', 's', 'does not hold a whole number of float32 values');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
