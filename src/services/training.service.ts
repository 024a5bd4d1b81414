import type { TfBackendChoice } from '../config';
import { Database } from '../db/database';
import { decodeFloat32, encodeFloat32 } from '../db/float32';
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

export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface JobRunView {
  id: string;
  projectId: string | null;
  name: string;
  status: JobStatus;
  progress: number;
  step: string | null;
  error: string | null;
  counts: Record<string, unknown> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface JobRow {
  id: string;
  project_id: string | null;
  name: string;
  status: JobStatus;
  progress: number;
  step: string | null;
  error: string | null;
  counts: Record<string, unknown> | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const JOB_COLS = `id, project_id, name, status, progress, step, error, counts, created_at, started_at, finished_at`;
const toJobView = (r: JobRow): JobRunView => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  status: r.status,
  progress: Number(r.progress),
  step: r.step,
  error: r.error,
  counts: r.counts,
  createdAt: new Date(r.created_at),
  startedAt: r.started_at ? new Date(r.started_at) : null,
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});

/** An expected training failure (too few labels): recorded on the job run as its error, not logged as a fault. */
class TrainingRefused extends Error {}

/**
 * Trains Loupe's own model in the background and records it as a model version with predictions:
 * K-fold out-of-sample probabilities for the labeled items and the fold models' mean for the pool.
 */
export class TrainingService {
  /** project id → job run in progress in this process (a second trainModel returns it). */
  private readonly running = new Map<string, { id: string; done: Promise<void> }>();

  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly tfBackend: TfBackendChoice = 'auto',
  ) {}

  /** The TensorFlow.js backend in use (initialised on first need, from LOUPE_TF_BACKEND). */
  async backend(): Promise<string> {
    return ml.currentBackend() ?? ml.initBackend(this.tfBackend, { log: (m) => log.info(m) });
  }

  /**
   * Starts training the built-in model of a project and returns its job run at once (QUEUED); the work runs in the
   * background, yielding to the event loop as it goes. While one runs in this process, a second call returns it.
   */
  async trainModel(p: Principal, projectId: string): Promise<JobRunView> {
    const project = await this.projects.access(p, projectId, 'model:train');
    const cur = this.running.get(project.id);
    if (cur) return this.job(cur.id);
    const [row] = await this.db.transaction((sql) =>
      sql.query<JobRow>(`INSERT INTO job_run (project_id, name, status, step) VALUES ($1, 'train', 'QUEUED', 'queued') RETURNING ${JOB_COLS}`, [project.id]),
    );
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(row.id, project))
      .finally(() => this.running.delete(project.id));
    this.running.set(project.id, { id: row.id, done });
    return toJobView(row);
  }

  /** Job runs of a project, newest first. */
  async jobRuns(p: Principal, projectId: string): Promise<JobRunView[]> {
    await this.projects.access(p, projectId, 'model:read');
    const rows = await this.db.query<JobRow>(`SELECT ${JOB_COLS} FROM job_run WHERE project_id = $1 ORDER BY created_at DESC, id DESC`, [projectId]);
    return rows.map(toJobView);
  }

  /** Resolves when every training started by this process has ended (for shutdown and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async job(id: string): Promise<JobRunView> {
    const [row] = await this.db.query<JobRow>(`SELECT ${JOB_COLS} FROM job_run WHERE id = $1`, [id]);
    return toJobView(row);
  }

  private async progress(id: string, progress: number, step: string): Promise<void> {
    await this.db.transaction((sql) => sql.query(`UPDATE job_run SET progress = $2, step = $3 WHERE id = $1 AND status = 'RUNNING'`, [id, progress, step]));
  }

  private async run(jobId: string, project: ProjectView): Promise<void> {
    const t0 = Date.now();
    try {
      await this.db.transaction((sql) =>
        sql.query(`UPDATE job_run SET status = 'RUNNING', started_at = now(), step = 'loading' WHERE id = $1`, [jobId]),
      );
      await this.backend();
      const k = project.classes.length;
      const dim = project.embeddingDim;
      const rows = await this.db.query<{ id: string; label: number | null; text: string | null; embedding: Uint8Array | null }>(
        `SELECT id, current_label AS label, ${dim !== null ? 'NULL::text AS text, embedding' : 'text, NULL::bytea AS embedding'}
         FROM item WHERE project_id = $1 ${dim !== null ? 'AND embedding IS NOT NULL' : ''} ORDER BY created_at, id`,
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
      await this.progress(jobId, 0.05, 'features');
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

      await this.progress(jobId, 0.1, `training fold 1 of ${TRAIN_FOLDS}`);
      let reported = Promise.resolve();
      const cv = await ml.crossValPredictProba(X, y, {
        folds: TRAIN_FOLDS,
        numClasses: k,
        seed: TRAIN_SEED,
        pool: P ?? undefined,
        onFold: ({ fold, folds }) => {
          const next = fold + 1 < folds ? `training fold ${fold + 2} of ${folds}` : 'saving';
          reported = reported.then(() => this.progress(jobId, 0.1 + (0.8 * (fold + 1)) / folds, next)).catch(() => undefined);
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
      const rowOf = (src: ArrayLike<number>, i: number): Buffer => {
        const v = new Float32Array(k);
        for (let j = 0; j < k; j++) v[j] = src[i * k + j];
        return encodeFloat32(v);
      };
      labeled.forEach((r, i) => {
        ids.push(r.id);
        probs.push(rowOf(cv.oof, i));
      });
      pool.forEach((r, i) => {
        ids.push(r.id);
        probs.push(rowOf(poolProbs, i));
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
          `INSERT INTO prediction (model_version_id, item_id, project_id, probs)
           SELECT $1, t.item_id, $2, t.probs FROM unnest($3::uuid[], $4::bytea[]) AS t(item_id, probs)`,
          [v.id, project.id, ids, probs],
        );
        await sql.query(
          `UPDATE job_run SET status = 'SUCCEEDED', progress = 1, step = 'done', finished_at = now(), counts = $2::jsonb WHERE id = $1`,
          [jobId, JSON.stringify({ labeled: labeled.length, pool: pool.length, predictions: ids.length, modelVersionId: v.id })],
        );
        return v.id;
      });
      log.info('model trained', { project: project.id, job: jobId, modelVersion: versionId, ms: trainingMs, accuracy: m.accuracy });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!(e instanceof TrainingRefused)) log.error('training failed', { project: project.id, job: jobId, error: message });
      await this.db
        .transaction((sql) => sql.query(`UPDATE job_run SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1`, [jobId, message]))
        .catch((e2) => log.error('could not record the failed job run', { job: jobId, error: String(e2) }));
    }
  }
}
