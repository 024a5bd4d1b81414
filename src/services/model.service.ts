import { MAX_NAME } from './names';
import { Database, Sql } from '../db/database';
import { decodeFloat32, encodeFloat32 } from '../db/float32';
import { badInput, forbidden } from '../errors';
import { labelPriorEntropy, meanLogLoss, worseThanPriorWarning } from '../quality/prior-baseline';
import { AuthService, Principal } from './auth.service';
import { ProjectService } from './project.service';
import { matchItemRefs, splitItemRefs } from './item-refs';
import { enqueueEvent } from './webhook-outbox';
import { findItemsByRef, countCurrentLabels, findCurrentLabelsBelow } from '../db/repositories/item.repository';
import { findModelVersion, insertModelVersion, LatestModelVersion, listModelVersions, ModelKind, ModelVersionRow } from '../db/repositories/model-version.repository';
import { findLatestItemPredictions, insertPredictions } from '../db/repositories/prediction.repository';

export type { ModelKind, NewModelVersion } from '../db/repositories/model-version.repository';
export { insertModelVersion };

/** Rows of one submitPredictions call (one call = one model version, so a whole pool fits in one). */
export const MAX_PREDICTIONS = 100_000;
/** A probability row must sum to 1 within this (float32 and rounding in clients' softmax). */
export const PROB_SUM_TOLERANCE = 1e-4;
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

const toVersionView = (r: ModelVersionRow): ModelVersionView => ({
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
      if (name === '' || name.length > MAX_NAME) throw badInput('modelName', `must be a non-empty name of at most ${MAX_NAME} characters`);
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
      await insertPredictions(sql, v.id, project.id, itemIds, probs.map(encodeFloat32));
      await enqueueEvent(sql, project.id, 'model_version.created', { modelVersion: { id: v.id, version: v.version, name, kind: 'EXTERNAL', predictions: n, warning } });
      return toVersionView((await findModelVersion(sql, v.id))!);
    });
  }

  /** Model versions of a project, newest first. */
  async modelVersions(p: Principal, projectId: string): Promise<ModelVersionView[]> {
    await this.projects.access(p, projectId, 'model:read');
    const rows = await this.db.read((sql) => listModelVersions(sql, projectId));
    return rows.map(toVersionView);
  }

  /**
   * For item.prediction: each item's probabilities under its project's latest model version (null when that version
   * did not predict the item). The root field has already checked the item's project; this checks the role.
   */
  async forItems(p: Principal, itemIds: readonly string[]): Promise<(PredictionView | null)[]> {
    if (!AuthService.can(p, 'model:read')) throw forbidden(`role ${p.role} may not model:read`);
    const rows = await this.db.read((sql) => findLatestItemPredictions(sql, itemIds));
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
    const rows = await findCurrentLabelsBelow(sql, projectId, itemIds, k);
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
    const rows = await countCurrentLabels(sql, projectId);
    const out: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
    for (const r of rows) if (classes[r.label] !== undefined) out[classes[r.label]] = r.n;
    return out;
  }
}
