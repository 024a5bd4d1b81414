import type { TfBackendChoice } from '../config';
import { Database } from '../db/database';
import type { ComputePool } from '../compute/pool';
import type { TrainInput } from '../compute/tasks';
import { decodeFloat32, encodeFloat32 } from '../db/float32';
import { JobRunView, toJobRunView } from './job-run-view';
import type { StepOptions } from './pipeline-step';
import { log } from '../logger';
import { labelPriorEntropy, worseThanPriorWarning } from '../quality/prior-baseline';
import { Principal } from './auth.service';
import { BUILTIN_MODEL_NAME } from './model.service';
import { insertModelVersion } from '../db/repositories/model-version.repository';
import { insertPredictionsWithCommittee } from '../db/repositories/prediction.repository';
import { findTrainingRows } from '../db/repositories/item-embedding.repository';
import { findProjectShape } from '../db/repositories/project.repository';
import { listJobRuns } from '../db/repositories/job-run.repository';
import { ProjectService, ProjectView } from './project.service';
import { enqueueEvent } from './webhook-outbox';

/** Folds of the cross-validation that gives labeled items their out-of-sample probabilities (and the pool a committee). */
export const TRAIN_FOLDS = 5;
/** Fewest labeled items per class for training: every fold's model must see each labeled class. */
const MIN_LABELS_PER_CLASS = 2;
const TRAIN_SEED = 0;

export type { JobRunView, JobStatus } from './job-run-view';

/** What a training run reports: items seen and predictions stored. */
export type TrainCounts = { labeled: number; pool: number; predictions: number };

/** An expected training failure (too few labels): recorded on the job run as its error, not logged as a fault. */
class TrainingRefused extends Error {
  readonly expected = true;
}

/**
 * Trains Loupe's own model in the background and records it as a model version with predictions:
 * K-fold out-of-sample probabilities for the labeled items and the fold models' mean for the pool.
 */
export class TrainingService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly compute: ComputePool,
    private readonly tfBackend: TfBackendChoice = 'auto',
  ) {}

  private chosenBackend: string | null = null;

  /** What this server runs on, for `serverInfo`. */
  async serverInfo(): Promise<{ tfBackend: string }> {
    return { tfBackend: await this.backend() };
  }

  /**
   * The TensorFlow.js backend training uses (LOUPE_TF_BACKEND, or the best one that loads), chosen on a compute
   * thread the first time it is asked for; the choice and each skipped backend are logged once.
   */
  async backend(): Promise<string> {
    if (this.chosenBackend) return this.chosenBackend;
    const r = await this.compute.run('backend', { tfBackend: this.tfBackend });
    this.noteBackend(r.backend, r.messages);
    return r.backend;
  }

  private noteBackend(backend: string, messages: string[]): void {
    if (this.chosenBackend === backend) return;
    this.chosenBackend = backend;
    for (const m of messages) log.info(m);
  }

  /** Job runs of a project, newest first. */
  async jobRuns(p: Principal, projectId: string): Promise<JobRunView[]> {
    await this.projects.access(p, projectId, 'model:read');
    const rows = await this.db.read((sql) => listJobRuns(sql, projectId));
    return rows.map(toJobRunView);
  }

  /**
   * The training work of the `train` job: loads the labeled items and the pool, cross-validates, and stores a new
   * model version with its predictions in one transaction (a run stopped before that leaves the previous version).
   * `progress` receives 0..1 and the step; `signal` is checked between folds.
   */
  async run(projectId: string, opts: StepOptions): Promise<TrainCounts> {
    const projectRow = await this.db.read((sql) => findProjectShape(sql, projectId));
    if (!projectRow) throw new Error(`train: project ${projectId} not found`);
    return this.trainProject({ id: projectRow.id, classes: projectRow.classes, embeddingDim: projectRow.embedding_dim }, (f, step) => opts.progress(f, step), opts.signal);
  }

  private async trainProject(
    project: Pick<ProjectView, 'id' | 'classes' | 'embeddingDim'>,
    progress: (fraction: number, step: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<TrainCounts> {
    const t0 = Date.now();
    await progress(0, 'loading');
    const k = project.classes.length;
    const dim = project.embeddingDim;
    const rows = await this.db.read((sql) => findTrainingRows(sql, project.id, dim !== null));
    const labeledIdx: number[] = [];
    const poolIdx: number[] = [];
    rows.forEach((r, i) => {
      if (r.label === null) poolIdx.push(i);
      else if (r.label < k) labeledIdx.push(i);
    });
    const perClass = new Array<number>(k).fill(0);
    for (const i of labeledIdx) perClass[rows[i].label!]++;
    const present = perClass.filter((c) => c > 0);
    if (present.length < 2 || present.some((c) => c < MIN_LABELS_PER_CLASS) || labeledIdx.length < TRAIN_FOLDS) {
      throw new TrainingRefused(
        `needs at least ${TRAIN_FOLDS} labeled items${dim !== null ? ' with embeddings' : ''} in at least 2 classes, ` +
          `${MIN_LABELS_PER_CLASS} or more per labeled class (has ${labeledIdx.length}: ${project.classes.map((c, j) => `${c} ${perClass[j]}`).join(', ')})`,
      );
    }

    // Features (the items' embeddings, or the text featurizer fitted on every text of the project) and the K-fold
    // training run on a compute thread; this thread only loads and stores.
    const stack = (idx: number[]): Float32Array => {
      const X = new Float32Array(idx.length * dim!);
      idx.forEach((i, t) => X.set(decodeFloat32(rows[i].embedding)!, t * dim!));
      return X;
    };
    const labels = Int32Array.from(labeledIdx, (i) => rows[i].label!);
    const input: TrainInput =
      dim === null
        ? {
            tfBackend: this.tfBackend,
            numClasses: k,
            folds: TRAIN_FOLDS,
            seed: TRAIN_SEED,
            labels,
            text: { corpus: rows.map((r) => r.text ?? ''), labeled: Int32Array.from(labeledIdx), pool: Int32Array.from(poolIdx) },
          }
        : { tfBackend: this.tfBackend, numClasses: k, folds: TRAIN_FOLDS, seed: TRAIN_SEED, labels, embeddings: { dim, labeled: stack(labeledIdx), pool: stack(poolIdx) } };
    let reported = Promise.resolve();
    const cv = await this.compute.run('train', input, {
      signal,
      transfer: [labels.buffer as ArrayBuffer, ...(input.embeddings ? [input.embeddings.labeled.buffer, input.embeddings.pool.buffer] : [])] as ArrayBuffer[],
      progress: (fraction, step) => {
        reported = reported.then(() => progress(0.05 + 0.85 * fraction, step)).catch(() => undefined);
      },
    });
    await reported;
    signal?.throwIfAborted();
    this.noteBackend(cv.backend, cv.messages);

    // Rows to store: each labeled item's out-of-sample probabilities, each pool item's committee mean and votes.
    const ids: string[] = [];
    const probs: Buffer[] = [];
    const committee: (Buffer | null)[] = [];
    const view = (a: Float32Array, row: number, width: number): Buffer => encodeFloat32(a.subarray(row * width, row * width + width));
    labeledIdx.forEach((i, t) => {
      ids.push(rows[i].id);
      probs.push(view(cv.oof, t, k));
      committee.push(null);
    });
    const votes = cv.committee ? cv.committee.length / Math.max(1, poolIdx.length) : 0;
    poolIdx.forEach((i, t) => {
      ids.push(rows[i].id);
      probs.push(view(cv.poolProbs, t, k));
      committee.push(cv.committee ? view(cv.committee, t, votes) : null);
    });
    // Worse than predicting the label frequencies: kept, but not used for selection or label issues.
    const priorEntropy = labelPriorEntropy(perClass);
    const warning = worseThanPriorWarning(cv.logLoss, priorEntropy);
    const metrics = {
      folds: TRAIN_FOLDS,
      crossValAccuracy: cv.accuracy,
      crossValLogLoss: cv.logLoss,
      perClassRecall: Object.fromEntries(project.classes.map((c, j) => [c, cv.perClassRecall[j]])),
      features: cv.features,
      standardized: cv.standardized,
      classifier: 'softmax',
      l2: cv.l2,
      l2Grid: cv.l2Grid,
      l2InnerLogLoss: cv.l2LogLoss,
      priorEntropy,
      backend: cv.backend,
    };
    const labelCounts = Object.fromEntries(project.classes.map((c, j) => [c, perClass[j]]));
    const trainingMs = Date.now() - t0;
    const versionId = await this.db.transaction(async (sql) => {
      const v = await insertModelVersion(sql, project.id, {
        name: BUILTIN_MODEL_NAME,
        kind: 'BUILTIN',
        classes: project.classes,
        weights: cv.weights,
        metrics,
        labelCounts,
        trainingMs,
        warning,
      });
      for (const [s, e] of this.db.bulkRanges(ids.length)) {
        await insertPredictionsWithCommittee(sql, v.id, project.id, ids.slice(s, e), probs.slice(s, e), committee.slice(s, e));
      }
      await enqueueEvent(sql, project.id, 'model_version.created', {
        modelVersion: { id: v.id, version: v.version, name: BUILTIN_MODEL_NAME, kind: 'BUILTIN', predictions: ids.length, accuracy: cv.accuracy, warning },
      });
      return v.id;
    });
    log.info('model trained', { project: project.id, modelVersion: versionId, ms: trainingMs, accuracy: cv.accuracy, ...(warning ? { warning } : {}) });
    return { labeled: labeledIdx.length, pool: poolIdx.length, predictions: ids.length };
  }
}
