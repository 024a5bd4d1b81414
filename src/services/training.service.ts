import type { TfBackendChoice } from '../config';
import { Database } from '../db/database';
import { decodeFloat32, encodeFloat32 } from '../db/float32';
import { JOB_RUN_COLS, JobRunRow, JobRunView, toJobRunView } from '../jobs/job-run';
import { log } from '../logger';
import * as ml from '../ml';
import { Principal } from './auth.service';
import { BUILTIN_MODEL_NAME } from './model.service';
import { ProjectService, ProjectView } from './project.service';

/** Folds of the cross-validation that gives labeled items their out-of-sample probabilities (and the pool a committee). */
export const TRAIN_FOLDS = 5;
/** Fewest labeled items per class for training: every fold's model must see each labeled class. */
const MIN_LABELS_PER_CLASS = 2;
const TRAIN_SEED = 0;

export type { JobRunView, JobStatus } from '../jobs/job-run';

/** Starts jobs (the job runner, wired in createServices): trainModel is `runJob(train)` under the model:train role. */
export interface JobStarter {
  startManual(projectId: string, name: 'train'): Promise<JobRunView>;
  idle(): Promise<void>;
}

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
    private readonly tfBackend: TfBackendChoice = 'auto',
    private readonly jobs: () => JobStarter = () => {
      throw new Error('TrainingService: no job runner wired');
    },
  ) {}

  /** The TensorFlow.js backend in use (initialised on first need, from LOUPE_TF_BACKEND). */
  async backend(): Promise<string> {
    return ml.currentBackend() ?? ml.initBackend(this.tfBackend, { log: (m) => log.info(m) });
  }

  /**
   * Starts training the built-in model of a project (the `train` job) and returns its job run at once (QUEUED); the
   * work runs in the background. While one runs (in this process or another replica), a second call returns it.
   */
  async trainModel(p: Principal, projectId: string): Promise<JobRunView> {
    const project = await this.projects.access(p, projectId, 'model:train');
    return this.jobs().startManual(project.id, 'train');
  }

  /** Job runs of a project, newest first. */
  async jobRuns(p: Principal, projectId: string): Promise<JobRunView[]> {
    await this.projects.access(p, projectId, 'model:read');
    const rows = await this.db.query<JobRunRow>(`SELECT ${JOB_RUN_COLS} FROM job_run WHERE project_id = $1 ORDER BY created_at DESC, id DESC`, [projectId]);
    return rows.map(toJobRunView);
  }

  /** Resolves when every job started by this process has ended (for shutdown and tests). */
  async idle(): Promise<void> {
    await this.jobs().idle();
  }

  /**
   * The training work of the `train` job: loads the labeled items and the pool, cross-validates, and stores a new
   * model version with its predictions in one transaction (a run stopped before that leaves the previous version).
   * `progress` receives 0..1 and the step; `signal` is checked between folds.
   */
  async train(projectId: string, progress: (fraction: number, step: string) => Promise<void>, signal?: AbortSignal): Promise<TrainCounts> {
    const [projectRow] = await this.db.query<{ id: string; classes: string[]; embedding_dim: number | null }>(
      `SELECT id, classes, embedding_dim FROM project WHERE id = $1`,
      [projectId],
    );
    if (!projectRow) throw new Error(`train: project ${projectId} not found`);
    return this.run({ id: projectRow.id, classes: projectRow.classes, embeddingDim: projectRow.embedding_dim }, progress, signal);
  }

  private async run(
    project: Pick<ProjectView, 'id' | 'classes' | 'embeddingDim'>,
    progress: (fraction: number, step: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<TrainCounts> {
    const t0 = Date.now();
    await progress(0, 'loading');
    await this.backend();
    const k = project.classes.length;
    const dim = project.embeddingDim;
    const rows = await this.db.query<{ id: string; label: number | null; text: string | null; embedding: Uint8Array | null }>(
      `SELECT id, current_label AS label, ${dim !== null ? 'NULL::text AS text, embedding' : 'text, NULL::bytea AS embedding'}
       FROM item WHERE project_id = $1 ${dim !== null ? 'AND embedding IS NOT NULL' : ''} ORDER BY created_at, external_id`,
      [project.id],
    );
    const labeled = rows.filter((r) => r.label !== null && r.label < k);
    const pool = rows.filter((r) => r.label === null);
    const perClass = new Array<number>(k).fill(0);
    for (const r of labeled) perClass[r.label!]++;
    const present = perClass.filter((c) => c > 0);
    if (present.length < 2 || present.some((c) => c < MIN_LABELS_PER_CLASS) || labeled.length < TRAIN_FOLDS) {
      throw new TrainingRefused(
        `needs at least ${TRAIN_FOLDS} labeled items${dim !== null ? ' with embeddings' : ''} in at least 2 classes, ` +
          `${MIN_LABELS_PER_CLASS} or more per labeled class (has ${labeled.length}: ${project.classes.map((c, j) => `${c} ${perClass[j]}`).join(', ')})`,
      );
    }

    // Features: the items' embeddings, or the text featurizer fitted on the project's texts.
    await progress(0.05, 'features');
    let featurizer: ReturnType<typeof ml.fitTextFeaturizer> | null = null;
    const features = (list: typeof rows): { rows: number; cols: number; data: Float32Array } => {
      if (featurizer) return featurizer.transform(list.map((r) => r.text ?? ''));
      const X = new Float32Array(list.length * dim!);
      list.forEach((r, i) => X.set(decodeFloat32(r.embedding)!, i * dim!));
      return { rows: list.length, cols: dim!, data: X };
    };
    if (dim === null) featurizer = ml.fitTextFeaturizer(rows.map((r) => r.text ?? ''));
    const X = features(labeled);
    const P = pool.length ? features(pool) : null;
    const y = Int32Array.from(labeled, (r) => r.label!);

    await progress(0.1, `training fold 1 of ${TRAIN_FOLDS}`);
    let reported = Promise.resolve();
    const cv = await ml.crossValPredictProba(X, y, {
      folds: TRAIN_FOLDS,
      numClasses: k,
      seed: TRAIN_SEED,
      pool: P ?? undefined,
      onFold: ({ fold, folds }) => {
        if (signal?.aborted) throw new Error('training stopped: the server is shutting down');
        const next = fold + 1 < folds ? `training fold ${fold + 2} of ${folds}` : 'saving';
        reported = reported.then(() => progress(0.1 + (0.8 * (fold + 1)) / folds, next)).catch(() => undefined);
      },
    });
    await reported;

    // Pool: the mean of the fold models (the committee's consensus).
    const poolProbs = new Float32Array(pool.length * k);
    if (cv.poolProbs) {
      for (const pp of cv.poolProbs) for (let t = 0; t < pp.length; t++) poolProbs[t] += pp[t] / cv.poolProbs.length;
    }
    const ids: string[] = [];
    const probs: Buffer[] = [];
    // Each fold model's vote per pool item (folds × k), for the committee strategies; null for labeled items.
    const committee: (Buffer | null)[] = [];
    const rowOf = (src: ArrayLike<number>, i: number): Buffer => {
      const v = new Float32Array(k);
      for (let j = 0; j < k; j++) v[j] = src[i * k + j];
      return encodeFloat32(v);
    };
    labeled.forEach((r, i) => {
      ids.push(r.id);
      probs.push(rowOf(cv.oof, i));
      committee.push(null);
    });
    const folds = cv.poolProbs ?? [];
    pool.forEach((r, i) => {
      ids.push(r.id);
      probs.push(rowOf(poolProbs, i));
      if (folds.length === 0) {
        committee.push(null);
        return;
      }
      const v = new Float32Array(folds.length * k);
      folds.forEach((pp, f) => {
        for (let j = 0; j < k; j++) v[f * k + j] = pp[i * k + j];
      });
      committee.push(encodeFloat32(v));
    });
    const m = cv.metrics;
    const metrics = {
      folds: TRAIN_FOLDS,
      crossValAccuracy: m.accuracy,
      crossValLogLoss: m.logLoss,
      perClassRecall: Object.fromEntries(project.classes.map((c, j) => [c, Number.isNaN(m.perClassRecall[j]) ? null : m.perClassRecall[j]])),
      features: featurizer ? `text featurizer (${featurizer.dims} dims)` : `embeddings (${dim} dims)`,
      classifier: 'softmax',
      backend: ml.currentBackend(),
    };
    const weights = { featurizer: featurizer ? featurizer.toJSON() : null, foldModels: cv.foldModels.map((c) => c.toJSON()) };
    const labelCounts = Object.fromEntries(project.classes.map((c, j) => [c, perClass[j]]));
    const trainingMs = Date.now() - t0;
    const versionId = await this.db.transaction(async (sql) => {
      const [v] = await sql.query<{ id: string }>(
        `INSERT INTO model_version (project_id, name, kind, classes, weights, metrics, label_counts, training_ms)
         VALUES ($1, $2, 'BUILTIN', $3::text[], $4::jsonb, $5::jsonb, $6::jsonb, $7) RETURNING id`,
        [project.id, BUILTIN_MODEL_NAME, project.classes, JSON.stringify(weights), JSON.stringify(metrics), JSON.stringify(labelCounts), trainingMs],
      );
      await sql.query(
        `INSERT INTO prediction (model_version_id, item_id, project_id, probs, committee)
         SELECT $1, t.item_id, $2, t.probs, t.committee FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS t(item_id, probs, committee)`,
        [v.id, project.id, ids, probs, committee],
      );
      return v.id;
    });
    log.info('model trained', { project: project.id, modelVersion: versionId, ms: trainingMs, accuracy: m.accuracy });
    return { labeled: labeled.length, pool: pool.length, predictions: ids.length };
  }
}
