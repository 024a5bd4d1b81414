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

/** The L2 strengths {@link selectL2} tries by default (loss + λ/2·‖W‖², features standardised or of unit scale). */
export const L2_GRID: readonly number[] = [1e-4, 1e-3, 1e-2, 1e-1];
/** Inner folds of {@link selectL2}. */
export const L2_INNER_FOLDS = 3;
/** Rows {@link selectL2} cross-validates on at most (a seeded sample beyond that). */
export const L2_MAX_ROWS = 20_000;

/**
 * The search's fits stop sooner than the final ones (fewer forced steps, less patience): they only rank λ values,
 * and this keeps the search within about the time of the 5-fold training it precedes. Measured on digits (raw
 * pixels) and 20,000 × 128 blobs: the same λ as with the default fit options.
 */
const SEARCH_FIT = { minSteps: 50, patience: 1 } as const;

export interface SelectL2Options extends Omit<FitOptions, 'onEpoch' | 'l2'> {
  /** Candidate λ values (at most 4 are sensible for the time it takes). Default {@link L2_GRID}. */
  grid?: readonly number[];
  /** Inner folds. Default {@link L2_INNER_FOLDS}. */
  innerFolds?: number;
  /** Rows used at most; more are sampled (seeded). Default {@link L2_MAX_ROWS}. */
  maxRows?: number;
  /** Called after each inner fit (for job progress): `done` of `total` fits. */
  onFit?: (done: number, total: number) => void;
}

export interface SelectL2Result {
  /** The grid value with the lowest inner cross-validated log loss (the first of equals). */
  l2: number;
  grid: number[];
  /** Inner cross-validated log loss of each grid value, in grid order. */
  logLoss: number[];
  /** Rows the search used. */
  rows: number;
}

/**
 * Chooses the L2 strength λ of {@link fit} by inner cross-validation (scikit-learn's LogisticRegressionCV with a
 * fixed grid): on at most `maxRows` rows (a seeded sample), stratified `innerFolds`-fold, every grid value is fitted
 * on each fold's training part (standardisation, when asked, fitted there too) and scored by the log loss of the
 * held-out part; the λ with the lowest mean log loss wins. Read `logLoss` as the curve it chose from.
 * Cost: |grid| · innerFolds fits on (innerFolds−1)/innerFolds of min(n, maxRows) rows.
 */
export async function selectL2(X: MatrixInput, y: LabelsInput, opts: SelectL2Options = {}): Promise<SelectL2Result> {
  const fn = 'selectL2';
  const grid = [...(opts.grid ?? L2_GRID)];
  if (grid.length === 0 || grid.some((v) => !Number.isFinite(v) || v < 0)) throw new QualityInputError(fn, 'opts.grid', 'must be non-empty finite numbers ≥ 0');
  const innerFolds = opts.innerFolds ?? L2_INNER_FOLDS;
  if (!Number.isInteger(innerFolds) || innerFolds < 2) throw new QualityInputError(fn, 'opts.innerFolds', `must be an integer ≥ 2 (got ${innerFolds})`);
  const maxRows = opts.maxRows ?? L2_MAX_ROWS;
  const m = toFeatureMatrix(X, fn, 'X');
  const d = m.cols;
  if (y.length !== m.rows) throw new QualityInputError(fn, 'y', `has length ${y.length}, X has ${m.rows} rows`);
  let k = opts.numClasses;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < m.rows; i++) if (Number.isInteger(y[i]) && y[i] + 1 > k) k = y[i] + 1;
  }
  if (!Number.isInteger(k) || k < 2) throw new QualityInputError(fn, 'opts.numClasses', `must be an integer ≥ 2 (got ${k})`);
  const allLabels = toLabels(y, k, fn, 'y');
  const seed = opts.seed ?? 0;
  // The rows searched: all, or a seeded sample of maxRows.
  let rows = Int32Array.from({ length: m.rows }, (_, i) => i);
  if (m.rows > maxRows) rows = shuffleInPlace(rows, createRng(seed + 7919)).slice(0, maxRows).sort();
  const n = rows.length;
  if (n < innerFolds * 2) return { l2: grid[0], grid, logLoss: grid.map(() => NaN), rows: n };
  const labels = Int32Array.from(rows, (i) => allLabels[i]);
  const foldOf = stratifiedFoldsInner(labels, k, innerFolds, seed);
  await ensureBackend();
  const { grid: _g, innerFolds: _i, maxRows: _m, onFit, ...fitOpts } = opts;
  const loss = new Float64Array(grid.length);
  const total = grid.length * innerFolds;
  let done = 0;
  for (let f = 0; f < innerFolds; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let t = 0; t < n; t++) (foldOf[t] === f ? testIdx : trainIdx).push(t);
    const gather = (idx: number[]) => {
      const out = new Float32Array(idx.length * d);
      idx.forEach((t, a) => out.set(m.data.subarray(rows[t] * d, rows[t] * d + d), a * d));
      return out;
    };
    const trainX = gather(trainIdx);
    const testX = gather(testIdx);
    const trainY = Int32Array.from(trainIdx, (t) => labels[t]);
    for (let g = 0; g < grid.length; g++) {
      await yieldToEventLoop();
      const model = await fit({ rows: trainIdx.length, cols: d, data: trainX }, trainY, {
        ...fitOpts,
        ...SEARCH_FIT,
        numClasses: k,
        l2: grid[g],
        seed: seed + f,
      });
      const p = model.predictProba({ rows: testIdx.length, cols: d, data: testX });
      for (let a = 0; a < testIdx.length; a++) loss[g] -= Math.log(Math.min(Math.max(p[a * k + labels[testIdx[a]]], LOG_EPS), 1));
      onFit?.(++done, total);
    }
  }
  const logLoss = Array.from(loss, (v) => v / n);
  let best = 0;
  for (let g = 1; g < grid.length; g++) if (logLoss[g] < logLoss[best]) best = g;
  return { l2: grid[best], grid, logLoss, rows: n };
}
