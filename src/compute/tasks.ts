/**
 * The CPU-heavy computations of the pipeline, as functions of plain data (typed arrays, strings, numbers): what runs
 * on a compute thread (see pool.ts). Each task takes its input and a progress callback and returns its output; nothing
 * here touches the database, the network or the HTTP server, so a task can run on any thread and its result is the
 * same. The host side imports only the types of this module, so the API thread never loads TensorFlow.js.
 */
import type { TfBackendChoice } from '../config';
import type * as MlModule from '../ml';
import { findLabelIssues, getLabelQualityScores, mmd2 } from '../quality';
import type { FilterBy, LabelQualityMethod, Mmd2Options, Mmd2Result } from '../quality';
import { computeConsensus } from '../quality/item-consensus';
import type { ConsensusOutcome } from '../quality/item-consensus';

/** Progress of a task: fraction of the task done (0..1) and what it is doing. */
export type TaskProgress = (fraction: number, step: string) => void;

/** Chooses the TensorFlow.js backend on the compute thread (see ml/backend.ts) and returns it; logs go to `log`. */
export interface BackendInput {
  tfBackend: TfBackendChoice;
}
export interface BackendOutput {
  backend: string;
  /** What the choice said (each skipped backend and why), for the host's log. */
  messages: string[];
}

/**
 * K-fold training of the built-in model. Features are either the items' embeddings or the text featurizer fitted on
 * the project's texts (`text.corpus`, every item's text; `labeled` / `pool` index into it).
 */
export interface TrainInput {
  tfBackend: TfBackendChoice;
  numClasses: number;
  folds: number;
  seed: number;
  /** Class index of each labeled item. */
  labels: Int32Array;
  text?: { corpus: string[]; labeled: Int32Array; pool: Int32Array };
  embeddings?: { dim: number; labeled: Float32Array; pool: Float32Array };
}
export interface TrainOutput {
  backend: string;
  messages: string[];
  /** n × k out-of-sample probabilities of the labeled items (row i from the fold model that held item i out). */
  oof: Float32Array;
  /** p × k probabilities of the pool: the mean of the fold models. */
  poolProbs: Float32Array;
  /** p × (folds · k): each fold model's probabilities per pool item (the committee); null without a pool. */
  committee: Float32Array | null;
  accuracy: number;
  logLoss: number;
  /** Recall per class; null for a class with no labeled item. */
  perClassRecall: (number | null)[];
  /** How the items were featurized, in words. */
  features: string;
  /** Whether embedding features were standardised (mean and std of each fold's training rows, stored with its model). */
  standardized: boolean;
  /** The L2 strength chosen by inner cross-validation, the grid and each value's inner log loss. */
  l2: number;
  l2Grid: number[];
  l2LogLoss: (number | null)[];
  /** JSON of `{featurizer, foldModels}`: what a stored model version needs to predict again. */
  weights: string;
}

/** Label issues by confident learning on out-of-sample probabilities (quality/label-issues, label-quality). */
export interface LabelIssuesInput {
  labels: Int32Array;
  /** n × k row-major, rows summing to 1. */
  probs: Float64Array;
  numClasses: number;
  filterBy: FilterBy;
  rankBy: LabelQualityMethod;
}
export interface LabelIssuesOutput {
  /** 1 where the item's label is flagged as an issue. */
  mask: Uint8Array;
  /** Label quality score per item (lower = more likely mislabeled). */
  scores: Float64Array;
}

/** Embedding drift: the kernel two-sample test of quality/mmd (O((n+m)²·d) per permutation pass). */
export interface Mmd2Input {
  X: { rows: number; cols: number; data: Float64Array };
  Y: { rows: number; cols: number; data: Float64Array };
  options: Mmd2Options;
}

export interface TaskTypes {
  backend: { input: BackendInput; output: BackendOutput };
  train: { input: TrainInput; output: TrainOutput };
  labelIssues: { input: LabelIssuesInput; output: LabelIssuesOutput };
  mmd2: { input: Mmd2Input; output: Mmd2Result };
  consensus: { input: Parameters<typeof computeConsensus>[0]; output: ConsensusOutcome };
}
export type TaskName = keyof TaskTypes;
export const TASK_NAMES: readonly TaskName[] = ['backend', 'train', 'labelIssues', 'mmd2', 'consensus'];

/**
 * TensorFlow.js (through ml/) is loaded by the first task that trains, not when a thread starts: the other tasks are
 * plain typed-array code, and loading tfjs costs a thread about 2 s.
 */
let mlModule: typeof MlModule | null = null;
function loadMl(): typeof MlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mlModule ??= require('../ml') as typeof MlModule;
  return mlModule;
}

type TaskFn<N extends TaskName> = (input: TaskTypes[N]['input'], progress: TaskProgress) => Promise<TaskTypes[N]['output']>;

async function chooseBackend(pref: TfBackendChoice): Promise<{ backend: string; messages: string[] }> {
  const ml = loadMl();
  const messages: string[] = [];
  const backend = ml.currentBackend() ?? (await ml.initBackend(pref, { log: (m) => messages.push(m) }));
  return { backend, messages };
}

/** Copies row `i` of a row-major matrix with `k` columns into `out` at row `at`. */
function copyRow(src: ArrayLike<number>, i: number, k: number, out: Float32Array, at: number): void {
  for (let j = 0; j < k; j++) out[at * k + j] = src[i * k + j];
}

const train: TaskFn<'train'> = async (input, progress) => {
  const ml = loadMl();
  const { backend, messages } = await chooseBackend(input.tfBackend);
  const k = input.numClasses;
  const n = input.labels.length;
  let X: { rows: number; cols: number; data: Float32Array };
  let P: { rows: number; cols: number; data: Float32Array } | null;
  let featurizer: MlModule.TextFeaturizer | null = null;
  if (input.text) {
    progress(0, 'features');
    const { corpus, labeled, pool } = input.text;
    featurizer = ml.fitTextFeaturizer(corpus);
    const pick = (idx: Int32Array): string[] => Array.from(idx, (i) => corpus[i]);
    X = featurizer.transform(pick(labeled));
    P = pool.length ? featurizer.transform(pick(pool)) : null;
  } else if (input.embeddings) {
    const { dim, labeled, pool } = input.embeddings;
    X = { rows: n, cols: dim, data: labeled };
    P = pool.length ? { rows: pool.length / dim, cols: dim, data: pool } : null;
  } else {
    throw new Error('train: either text or embeddings must be given');
  }
  const p = P?.rows ?? 0;
  // Client-sent embeddings come in any scale (pixel counts, raw logits): each fit standardises them with its own
  // training rows' statistics. The text featurizer's TF-IDF rows are already L2-normalised.
  const standardize = !input.text;
  progress(0.05, 'choosing the L2 strength');
  const sel = await ml.selectL2(X, input.labels, {
    numClasses: k,
    seed: input.seed,
    standardize,
    onFit: (done, total) => progress(0.05 + (0.3 * done) / total, done < total ? 'choosing the L2 strength' : `training fold 1 of ${input.folds}`),
  });
  const cv = await ml.crossValPredictProba(X, input.labels, {
    folds: input.folds,
    numClasses: k,
    seed: input.seed,
    pool: P ?? undefined,
    standardize,
    l2: sel.l2,
    onFold: ({ fold, folds }) => progress(0.35 + (0.6 * (fold + 1)) / folds, fold + 1 < folds ? `training fold ${fold + 2} of ${folds}` : 'saving'),
  });
  const oof = new Float32Array(n * k);
  for (let i = 0; i < n; i++) copyRow(cv.oof, i, k, oof, i);
  const poolProbs = new Float32Array(p * k);
  const folds = cv.poolProbs ?? [];
  for (const pp of folds) for (let t = 0; t < pp.length; t++) poolProbs[t] += pp[t] / folds.length;
  let committee: Float32Array | null = null;
  if (folds.length > 0 && p > 0) {
    const F = folds.length;
    committee = new Float32Array(p * F * k);
    for (let i = 0; i < p; i++) for (let f = 0; f < F; f++) for (let j = 0; j < k; j++) committee[(i * F + f) * k + j] = folds[f][i * k + j];
  }
  const m = cv.metrics;
  return {
    backend,
    messages,
    oof,
    poolProbs,
    committee,
    accuracy: m.accuracy,
    logLoss: m.logLoss,
    perClassRecall: Array.from(m.perClassRecall, (r) => (Number.isNaN(r) ? null : r)),
    features: featurizer ? `text featurizer (${featurizer.dims} dims)` : `embeddings (${X.cols} dims, standardised)`,
    standardized: standardize,
    l2: sel.l2,
    l2Grid: sel.grid,
    l2LogLoss: sel.logLoss.map((v) => (Number.isFinite(v) ? v : null)),
    weights: JSON.stringify({ featurizer: featurizer ? featurizer.toJSON() : null, foldModels: cv.foldModels.map((c) => c.toJSON()) }),
  };
};

const labelIssues: TaskFn<'labelIssues'> = async (input) => {
  const n = input.labels.length;
  const mask = new Uint8Array(n);
  const scores = new Float64Array(n);
  if (n > 0) {
    const m = { rows: n, cols: input.numClasses, data: input.probs };
    const found = findLabelIssues(input.labels, m, { filterBy: input.filterBy, rankBy: input.rankBy });
    for (let i = 0; i < n; i++) mask[i] = found.mask[i] ? 1 : 0;
    scores.set(getLabelQualityScores(input.labels, m, { method: input.rankBy }));
  }
  return { mask, scores };
};

export const TASKS: { [N in TaskName]: TaskFn<N> } = {
  backend: async (input) => chooseBackend(input.tfBackend),
  train,
  labelIssues,
  mmd2: async (input) => mmd2(input.X, input.Y, input.options),
  consensus: async (input) => computeConsensus(input),
};
