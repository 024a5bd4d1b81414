/**
 * K-fold cross-validated probabilities: the out-of-sample predictions label-error detection needs, and a committee
 * of fold models for disagreement-based sampling.
 */
import { Classifier, FitOptions, fit, toFeatureMatrix, LOG_EPS } from './classifier';
import { ensureBackend } from './backend';
import { LabelsInput, MatrixInput, QualityInputError, toLabels } from '../quality/matrix';
import { createRng, shuffleInPlace } from '../quality/rng';

export interface CrossValOptions extends Omit<FitOptions, 'onEpoch'> {
  /** Number of folds (scikit-learn's `cv`). Default 5. */
  folds?: number;
  /** Unlabelled pool to score with every fold model (the committee). */
  pool?: MatrixInput;
  /** Called after each fold model is trained (for job progress). */
  onFold?: (info: { fold: number; folds: number; model: Classifier }) => void;
}

export interface CrossValMetrics {
  /** Accuracy of argmax of the out-of-sample probabilities. */
  accuracy: number;
  /** Mean −log p(y_i) of the out-of-sample probabilities, clipped at {@link LOG_EPS} (scikit-learn's log_loss). */
  logLoss: number;
  /** Recall per class (NaN for a class with no labelled item). */
  perClassRecall: Float64Array;
  /** Labelled items per class. */
  labelCounts: number[];
  trainingMs: number;
}

export interface CrossValResult {
  /** n × k row-major out-of-sample probabilities: row i comes from the model of the fold that held item i out. */
  oof: Float64Array;
  numClasses: number;
  /** Fold (0..folds-1) that held out each item; item i was predicted by `foldModels[folds[i]]`. */
  foldOf: Int32Array;
  /** One fitted model per fold; model f never saw the labels of the items with foldOf === f. */
  foldModels: Classifier[];
  /** Per-fold probabilities of `pool` (each p × k), when a pool was given: the committee's votes. */
  poolProbs?: Float64Array[];
  metrics: CrossValMetrics;
}

/**
 * Stratified K-fold assignment: within each class the items are shuffled (seeded) and dealt to folds in turn,
 * the fold offset continuing across classes so fold sizes differ by at most one (like scikit-learn's
 * StratifiedKFold with shuffle=True). Returns the fold of each item. O(n).
 */
export function stratifiedFolds(y: LabelsInput, folds: number, opts: { seed?: number; numClasses?: number } = {}): Int32Array {
  const fn = 'stratifiedFolds';
  if (!Number.isInteger(folds) || folds < 2) throw new QualityInputError(fn, 'folds', `must be an integer ≥ 2 (got ${folds})`);
  let k = opts.numClasses ?? 0;
  if (opts.numClasses === undefined) for (let i = 0; i < y.length; i++) if (Number.isInteger(y[i]) && y[i] + 1 > k) k = y[i] + 1;
  const labels = toLabels(y, Math.max(k, 1), fn, 'y');
  return stratifiedFoldsInner(labels, k, folds, opts.seed ?? 0);
}

function stratifiedFoldsInner(labels: Int32Array, k: number, folds: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const n = labels.length;
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  const starts = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) starts[c + 1] = starts[c] + counts[c];
  const byClass = new Int32Array(n);
  const fill = starts.slice(0, k);
  for (let i = 0; i < n; i++) byClass[fill[labels[i]]++] = i;
  const foldOf = new Int32Array(n);
  let next = 0;
  for (let c = 0; c < k; c++) {
    const seg = shuffleInPlace(byClass.subarray(starts[c], starts[c + 1]), rng);
    for (let t = 0; t < seg.length; t++) {
      foldOf[seg[t]] = next;
      next = (next + 1) % folds;
    }
  }
  return foldOf;
}

/**
 * Out-of-sample class probabilities by stratified K-fold cross-validation (scikit-learn's
 * `cross_val_predict(method='predict_proba')`, which cleanlab's `estimate_cv_predicted_probabilities` wraps):
 * for each fold f a fresh model is fitted (see {@link fit}) on the items of the other folds and predicts the items of
 * fold f, so every item's probabilities come from a model that never saw its label. X: n × d, y: n labels → oof: n × k.
 * With `pool` (p × d), each fold model also predicts the pool: `poolProbs[f]` (p × k), a committee of `folds` models
 * for vote entropy / KL-to-consensus. Each fold model's early stopping uses a held-out part of its own training
 * folds only. Fold f trains with seed `seed + f`.
 *
 * Read `oof` as what a model would have said about each item before seeing its label: a low `oof[i, y_i]` flags
 * a likely label error (Northcutt et al., "Confident Learning", JAIR 2021, §2).
 * Cost: `folds` fits on (folds−1)/folds of the data, plus O(folds · (n + p) · d · k) prediction.
 */
export async function crossValPredictProba(X: MatrixInput, y: LabelsInput, opts: CrossValOptions = {}): Promise<CrossValResult> {
  const fn = 'crossValPredictProba';
  const folds = opts.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) throw new QualityInputError(fn, 'opts.folds', `must be an integer ≥ 2 (got ${folds})`);
  const m = toFeatureMatrix(X, fn, 'X');
  const n = m.rows;
  const d = m.cols;
  if (y.length !== n) throw new QualityInputError(fn, 'y', `has length ${y.length}, X has ${n} rows`);
  if (n < folds) throw new QualityInputError(fn, 'X', `has ${n} rows, fewer than ${folds} folds`);
  let k = opts.numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < n; i++) if (Number.isInteger(y[i]) && y[i] + 1 > k) k = y[i] + 1;
  }
  if (!Number.isInteger(k) || k < 2) throw new QualityInputError(fn, 'opts.numClasses', `must be an integer ≥ 2 (got ${k})`);
  const labels = toLabels(y, k, fn, 'y');
  const pool = opts.pool === undefined ? null : toFeatureMatrix(opts.pool, fn, 'opts.pool');
  if (pool && pool.rows > 0 && pool.cols !== d) {
    throw new QualityInputError(fn, 'opts.pool', `has ${pool.cols} columns, X has ${d}`);
  }
  await ensureBackend();

  const t0 = Date.now();
  const seed = opts.seed ?? 0;
  const foldOf = stratifiedFoldsInner(labels, k, folds, seed);
  const oof = new Float64Array(n * k);
  const foldModels: Classifier[] = [];
  const poolProbs: Float64Array[] | undefined = pool ? [] : undefined;
  const { folds: _f, pool: _p, onFold, ...fitOpts } = opts;

  for (let f = 0; f < folds; f++) {
    let nTest = 0;
    for (let i = 0; i < n; i++) if (foldOf[i] === f) nTest++;
    const nTrain = n - nTest;
    const trainX = new Float32Array(nTrain * d);
    const trainY = new Int32Array(nTrain);
    const testX = new Float32Array(nTest * d);
    const testIdx = new Int32Array(nTest);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const row = m.data.subarray(i * d, i * d + d);
      if (foldOf[i] === f) {
        testX.set(row, b * d);
        testIdx[b++] = i;
      } else {
        trainX.set(row, a * d);
        trainY[a++] = labels[i];
      }
    }
    await yieldToEventLoop();
    const model = await fit({ rows: nTrain, cols: d, data: trainX }, trainY, { ...fitOpts, numClasses: k, seed: seed + f });
    foldModels.push(model);
    const p = model.predictProba({ rows: nTest, cols: d, data: testX });
    for (let t = 0; t < nTest; t++) oof.set(p.subarray(t * k, t * k + k), testIdx[t] * k);
    await yieldToEventLoop();
    if (pool && poolProbs) {
      poolProbs.push(model.predictProba(pool));
      await yieldToEventLoop();
    }
    onFold?.({ fold: f, folds, model });
  }

  return { oof, numClasses: k, foldOf, foldModels, poolProbs, metrics: { ...oofMetrics(oof, labels, k), trainingMs: Date.now() - t0 } };
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

function oofMetrics(p: Float64Array, labels: Int32Array, k: number): Omit<CrossValMetrics, 'trainingMs'> {
  const n = labels.length;
  const hits = new Float64Array(k);
  const counts = new Array<number>(k).fill(0);
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const yi = labels[i];
    const o = i * k;
    let arg = 0;
    for (let c = 1; c < k; c++) if (p[o + c] > p[o + arg]) arg = c;
    counts[yi]++;
    if (arg === yi) {
      correct++;
      hits[yi]++;
    }
    logLoss -= Math.log(Math.min(Math.max(p[o + yi], LOG_EPS), 1));
  }
  const perClassRecall = new Float64Array(k);
  for (let c = 0; c < k; c++) perClassRecall[c] = counts[c] > 0 ? hits[c] / counts[c] : NaN;
  return { accuracy: correct / n, logLoss: logLoss / n, perClassRecall, labelCounts: counts };
}
