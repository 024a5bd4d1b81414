import { Database, Sql } from '../db/database';
import { decodeFloat32, encodeFloat32 } from '../db/float32';
import { badInput, forbidden } from '../errors';
import { labelPriorEntropy, meanLogLoss, worseThanPriorWarning } from '../quality/prior-baseline';
import { AuthService, Principal } from './auth.service';
import { ProjectService } from './project.service';
import { matchItemRefs, splitItemRefs } from './item-refs';
import { findItemsByRef } from '../db/repositories/item.repository';
import { latestModelVersionIdSql, LatestModelVersion, ModelKind } from '../db/repositories/model-version.repository';

export type { ModelKind };

/** Rows of one submitPredictions call (one call = one model version, so a whole pool fits in one). */
export const MAX_PREDICTIONS = 100_000;
/** A probability row must sum to 1 within this (float32 and rounding in clients' softmax). */
export const PROB_SUM_TOLERANCE = 1e-4;
const MAX_MODEL_NAME = 200;
/** The name of Loupe's own model; external models may not take it. */
export const BUILTIN_MODEL_NAME = 'builtin';


export interface PredictionData {
  itemId?: string | null;
  externalId?: string | null;
  probs: number[];
}

export interface ModelVersionView {
  id: string;
  projectId: string;
  /** 'v1', 'v2', … in creation order within the project. */
  version: string;
  name: string;
  kind: ModelKind;
  classes: string[];
  metrics: Record<string, unknown> | null;
  /** Items per class among the labels the model saw (class name → count). */
  labelCounts: Record<string, number> | null;
  trainingMs: number | null;
  predictionCount: number;
  /** Why the version is not used for selection or label issues; null when it is. */
  warning: string | null;
  createdAt: Date;
}

export interface PredictionView {
  modelVersionId: string;
  modelName: string;
  /** The most probable class. */
  label: string;
  probabilities: Array<{ label: string; probability: number }>;
  createdAt: Date;
}

interface VersionRow {
  id: string;
  project_id: string;
  version: string;
  name: string;
  kind: ModelKind;
  classes: string[];
  metrics: Record<string, unknown> | null;
  label_counts: Record<string, number> | null;
  training_ms: number | null;
  prediction_count: number;
  warning: string | null;
  created_at: Date;
}

const toVersionView = (r: VersionRow): ModelVersionView => ({
  id: r.id,
  projectId: r.project_id,
  version: r.version,
  name: r.name,
  kind: r.kind,
  classes: r.classes,
  metrics: r.metrics,
  labelCounts: r.label_counts,
  trainingMs: r.training_ms,
  predictionCount: r.prediction_count,
  warning: r.warning,
  createdAt: new Date(r.created_at),
});

const VERSION_SELECT = `v.id, v.project_id, v.version, v.name, v.warning, v.kind, v.classes, v.metrics, v.label_counts, v.training_ms, v.created_at,
  (SELECT count(*)::int FROM prediction pr WHERE pr.model_version_id = v.id) AS prediction_count`;

/**
 * Whether selection and label issues may use a model version's predictions: an EXTERNAL version always (used as
 * sent), a BUILTIN one unless it has a warning (worse than predicting the label prior).
 */
export function usableForScoring(v: Pick<LatestModelVersion, 'kind' | 'warning'>): boolean {
  return v.kind === 'EXTERNAL' || v.warning === null;
}

/** Why a model version is not used, for nextBatch's `fallback` and the label-issue job. */
export function notUsedReason(v: Pick<LatestModelVersion, 'id' | 'version' | 'name' | 'warning'>): string {
  return `model version ${v.version} (${v.name}, ${v.id}) not used: ${v.warning}`;
}

/** The values a new model version of a project is inserted with (everything but its number and name). */
export interface NewModelVersion {
  name: string;
  kind: ModelKind;
  classes: string[];
  /** The serialised classifier (JSON text), built-in versions only. */
  weights?: string | null;
  metrics?: Record<string, unknown> | null;
  labelCounts: Record<string, number>;
  trainingMs?: number | null;
  warning?: string | null;
}

/**
 * Inserts a model version numbered after the project's last one (seq and 'v' || seq), inside `sql`'s transaction.
 * A transaction-scoped advisory lock per project serialises numbering on PostgreSQL (PGlite runs one transaction at a time).
 */
export async function insertModelVersion(sql: Sql, projectId: string, v: NewModelVersion): Promise<{ id: string; version: string }> {
  await sql.query(`SELECT pg_advisory_xact_lock(hashtext('loupe.model_version'), hashtext($1))`, [projectId]);
  const [row] = await sql.query<{ id: string; version: string }>(
    `INSERT INTO model_version (project_id, seq, version, name, kind, classes, weights, metrics, label_counts, training_ms, warning)
     SELECT $1, n.seq, 'v' || n.seq, $2, $3, $4::text[], $5::jsonb, $6::jsonb, $7::jsonb, $8, $9
     FROM (SELECT COALESCE(max(seq), 0) + 1 AS seq FROM model_version WHERE project_id = $1) n
     RETURNING id, version`,
    [
      projectId, v.name, v.kind, v.classes, v.weights ?? null, v.metrics ? JSON.stringify(v.metrics) : null,
      JSON.stringify(v.labelCounts), v.trainingMs ?? null, v.warning ?? null,
    ],
  );
  return row;
}

/** Validates one probability row: length K, finite, non-negative, sums to 1 (± tolerance). Returns it renormalised as float32. */
function parseProbs(probs: unknown, k: number, field: string): Float32Array {
  if (!Array.isArray(probs)) throw badInput(field, 'must be a list of probabilities');
  if (probs.length !== k) throw badInput(field, `has ${probs.length} probabilities, the project has ${k} classes`);
  let s = 0;
  for (let j = 0; j < k; j++) {
    const v = probs[j] as number;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`${field}[${j}]`, 'is not a finite number');
    if (v < 0) throw badInput(`${field}[${j}]`, `is negative (${v})`);
    s += v;
  }
  if (Math.abs(s - 1) > PROB_SUM_TOLERANCE) throw badInput(field, `sums to ${s}, not 1 (tolerance ${PROB_SUM_TOLERANCE})`);
  const out = new Float32Array(k);
  for (let j = 0; j < k; j++) out[j] = (probs[j] as number) / s;
  return out;
}

export class ModelService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /**
   * Stores an external model's predictions as a new model version, all or nothing in one transaction. Each row names
   * its item by id or externalId and gives one probability per project class, in the project's class order.
   */
  async submitPredictions(p: Principal, projectId: string, modelName: string, predictions: PredictionData[]): Promise<ModelVersionView> {
    if (!Array.isArray(predictions) || predictions.length === 0) throw badInput('predictions', 'must contain at least one prediction');
    if (predictions.length > MAX_PREDICTIONS) {
      throw badInput('predictions', `at most ${MAX_PREDICTIONS} predictions per call, got ${predictions.length}`);
    }
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'predictions:submit', sql);
      const name = typeof modelName === 'string' ? modelName.trim() : '';
      if (name === '' || name.length > MAX_MODEL_NAME) throw badInput('modelName', `must be a non-empty name of at most ${MAX_MODEL_NAME} characters`);
      if (name === BUILTIN_MODEL_NAME) throw badInput('modelName', `"${BUILTIN_MODEL_NAME}" is reserved for Loupe's own model`);
      const k = project.classes.length;
      const n = predictions.length;
      const probs: Float32Array[] = new Array(n);
      const refs = splitItemRefs(predictions, 'predictions');
      for (let i = 0; i < n; i++) probs[i] = parseProbs(predictions[i].probs, k, `predictions[${i}].probs`);
      const itemIds = matchItemRefs(predictions, await findItemsByRef(sql, project.id, refs.ids, refs.externalIds), 'predictions', { distinct: true });
      const labelCounts = await this.labelCounts(sql, project.id, project.classes);
      const warning = await this.externalWarning(sql, project.id, itemIds, probs, k);
      const v = await insertModelVersion(sql, project.id, { name, kind: 'EXTERNAL', classes: project.classes, labelCounts, warning });
      await sql.query(
        `INSERT INTO prediction (model_version_id, item_id, project_id, probs)
         SELECT $1, t.item_id, $2, t.probs FROM unnest($3::uuid[], $4::bytea[]) AS t(item_id, probs)`,
        [v.id, project.id, itemIds, probs.map(encodeFloat32)],
      );
      const rows = await sql.query<VersionRow>(`SELECT ${VERSION_SELECT} FROM model_version v WHERE v.id = $1`, [v.id]);
      return toVersionView(rows[0]);
    });
  }

  /** Model versions of a project, newest first. */
  async modelVersions(p: Principal, projectId: string): Promise<ModelVersionView[]> {
    await this.projects.access(p, projectId, 'model:read');
    const rows = await this.db.query<VersionRow>(
      `SELECT ${VERSION_SELECT} FROM model_version v WHERE v.project_id = $1 ORDER BY v.seq DESC`,
      [projectId],
    );
    return rows.map(toVersionView);
  }

  /**
   * For item.prediction: each item's probabilities under its project's latest model version (null when that version
   * did not predict the item). The root field has already checked the item's project; this checks the role.
   */
  async forItems(p: Principal, itemIds: readonly string[]): Promise<(PredictionView | null)[]> {
    if (!AuthService.can(p, 'model:read')) throw forbidden(`role ${p.role} may not model:read`);
    const rows = await this.db.query<{ item_id: string; model_version_id: string; name: string; classes: string[]; probs: Uint8Array; created_at: Date }>(
      `SELECT pr.item_id, pr.model_version_id, v.name, v.classes, pr.probs, pr.created_at
       FROM item i
       JOIN model_version v ON v.id = ${latestModelVersionIdSql('i.project_id')}
       JOIN prediction pr ON pr.model_version_id = v.id AND pr.item_id = i.id
       WHERE i.id = ANY($1::uuid[])`,
      [itemIds],
    );
    const by = new Map<string, PredictionView>();
    for (const r of rows) {
      const probs = decodeFloat32(r.probs)!;
      let best = 0;
      for (let j = 1; j < probs.length; j++) if (probs[j] > probs[best]) best = j;
      by.set(r.item_id, {
        modelVersionId: r.model_version_id,
        modelName: r.name,
        label: r.classes[best],
        probabilities: r.classes.map((label, j) => ({ label, probability: probs[j] })),
        createdAt: new Date(r.created_at),
      });
    }
    return itemIds.map((id) => by.get(id) ?? null);
  }

  /**
   * An external model's warning: its log loss on the labeled items it predicted, against the entropy of those items'
   * label frequencies, when they span at least two classes (else there is no log loss worth comparing). Whether the
   * predictions were out-of-sample is unknown, so the version is used as sent either way; the warning only says so.
   */
  private async externalWarning(sql: Sql, projectId: string, itemIds: string[], probs: Float32Array[], k: number): Promise<string | null> {
    const rows = await sql.query<{ id: string; label: number }>(
      `SELECT id, current_label AS label FROM item WHERE project_id = $1 AND id = ANY($2::uuid[]) AND current_label IS NOT NULL AND current_label < $3`,
      [projectId, itemIds, k],
    );
    if (rows.length === 0) return null;
    const at = new Map(itemIds.map((id, i) => [id, i]));
    const labels = new Int32Array(rows.length);
    const flat = new Float64Array(rows.length * k);
    rows.forEach((r, t) => {
      labels[t] = r.label;
      flat.set(probs[at.get(r.id)!], t * k);
    });
    const { logLoss, counts } = meanLogLoss(labels, flat, k);
    if (counts.filter((c) => c > 0).length < 2) return null;
    const w = worseThanPriorWarning(logLoss, labelPriorEntropy(counts), `log loss on the ${rows.length} labeled items it predicted`);
    return w && `${w}; an external model is used as sent`;
  }

  private async labelCounts(sql: Sql, projectId: string, classes: string[]): Promise<Record<string, number>> {
    const rows = await sql.query<{ label: number; n: number }>(
      `SELECT current_label AS label, count(*)::int AS n FROM item WHERE project_id = $1 AND current_label IS NOT NULL GROUP BY current_label`,
      [projectId],
    );
    const out: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
    for (const r of rows) if (classes[r.label] !== undefined) out[classes[r.label]] = r.n;
    return out;
  }
}
