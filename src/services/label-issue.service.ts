import type { ComputePool } from '../compute/pool';
import { Database, Sql } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { badInput, conflict, notFound } from '../errors';
import { log } from '../logger';
import { labelHealthSummary } from '../quality';
import type { FilterBy, LabelQualityMethod } from '../quality';
import { recomputeCurrentLabels, replacePrevious } from './annotation.service';
import { AuthService, Principal } from './auth.service';
import { isUuid, uuidv7 } from './ids';
import { ITEM_SELECT, ItemView, toItemView } from './item.service';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import { notUsedReason, usableForScoring } from './model.service';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';
import { effectiveSettings } from './settings';

export type LabelIssueStatus = 'OPEN' | 'RESOLVED';
export type LabelIssueDecision = 'ACCEPT_SUGGESTION' | 'KEEP_GIVEN' | 'RELABEL' | 'NOT_SURE';
export const LABEL_ISSUE_STATUSES: readonly LabelIssueStatus[] = ['OPEN', 'RESOLVED'];
export const LABEL_ISSUE_DECISIONS: readonly LabelIssueDecision[] = ['ACCEPT_SUGGESTION', 'KEEP_GIVEN', 'RELABEL', 'NOT_SURE'];

/** Defaults of the labelIssues job (cleanlab's `find_label_issues` defaults); a project may set settings.labelIssues.{filterBy, rankBy}. */
export const DEFAULT_FILTER_BY: FilterBy = effectiveSettings({}).labelIssues.filterBy;
export const DEFAULT_RANK_BY: LabelQualityMethod = effectiveSettings({}).labelIssues.rankBy;
const MAX_PAGE = 1000;
const MAX_NOTE = 2000;
/** Annotation kinds that carry a label (MODEL and WEAK are predictions): a new one re-opens a reviewed issue. */
const LABEL_KINDS = `('HUMAN', 'GOLD', 'REVIEW')`;

export interface LabelIssueView {
  id: string;
  projectId: string;
  itemId: string;
  item: ItemView;
  modelVersionId: string | null;
  givenLabel: string;
  suggestedLabel: string;
  /** Label quality score of the given label, in [0, 1]; lower = more likely wrong. */
  score: number;
  /** How the issue was found (findLabelIssues filterBy). */
  method: string;
  /** How `score` was computed (getLabelQualityScores method = findLabelIssues rankBy). */
  scoreMethod: string;
  status: LabelIssueStatus;
  decision: LabelIssueDecision | null;
  resolvedLabel: string | null;
  note: string | null;
  route: 'EXPERT' | null;
  reviewAnnotationId: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  reopenedFrom: string | null;
  runId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LabelIssuePage {
  /** The model version the current issue set came from (the last labelIssues run's); null before any run. */
  modelVersionId: string | null;
  edges: Array<{ cursor: string; node: LabelIssueView }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface LabelIssueFilterData {
  status?: LabelIssueStatus | null;
  minScore?: number | null;
  label?: string | null;
}

export interface LabelHealthView {
  modelVersionId: string | null;
  /** Labeled items the model version predicted (the summary's N). */
  labeledCount: number;
  openIssues: number;
  resolvedIssues: number;
  overallLabelHealthScore: number | null;
  classes: Array<{
    label: string;
    labelIssues: number;
    inverseLabelIssues: number;
    labelNoise: number;
    inverseLabelNoise: number;
    labelQualityScore: number;
  }>;
  overlappingClasses: Array<{ classA: string; classB: string; numOverlapping: number; jointProbability: number }>;
  /** p(given = row, true = column), K×K over the model version's classes. */
  joint: number[][] | null;
}

/** Counts recorded on the job run. */
export interface DetectCounts {
  [k: string]: number;
  /** Labeled items with a prediction from the latest model version (0 when the project has no model). */
  labeled: number;
  flagged: number;
  /** New OPEN issues (first time flagged). */
  opened: number;
  /** New OPEN issues for items whose earlier issue was resolved, re-opened by the rule. */
  reopened: number;
  /** OPEN issues still flagged, refreshed in place. */
  refreshed: number;
  /** Flagged items whose resolved issue stays closed (no new annotation, same suggestion). */
  keptClosed: number;
  /** OPEN issues no longer flagged, deleted. */
  removed: number;
  /** OPEN issues after the run. */
  open: number;
}

export interface DetectOptions {
  runId?: string | null;
  signal?: AbortSignal;
  progress?: (fraction: number, step?: string) => Promise<void>;
}

interface IssueRow {
  li_id: string;
  li_project_id: string;
  li_item_id: string;
  li_model_version_id: string | null;
  li_given: string;
  li_suggested: string;
  li_score: number;
  li_method: string;
  li_score_method: string;
  li_status: LabelIssueStatus;
  li_decision: LabelIssueDecision | null;
  li_resolved_label: string | null;
  li_note: string | null;
  li_route: 'EXPERT' | null;
  li_review_annotation_id: string | null;
  li_resolved_by: string | null;
  li_resolved_at: Date | null;
  li_reopened_from: string | null;
  li_run_id: string | null;
  li_created_at: Date;
  li_updated_at: Date;
}

const ISSUE_SELECT = `li.id AS li_id, li.project_id AS li_project_id, li.item_id AS li_item_id, li.model_version_id AS li_model_version_id,
  p.classes[li.given_label + 1] AS li_given, p.classes[li.suggested_label + 1] AS li_suggested, li.score AS li_score,
  li.method AS li_method, li.score_method AS li_score_method, li.status AS li_status, li.decision AS li_decision,
  p.classes[li.resolved_label + 1] AS li_resolved_label, li.note AS li_note, li.route AS li_route,
  li.review_annotation_id AS li_review_annotation_id, li.resolved_by AS li_resolved_by, li.resolved_at AS li_resolved_at,
  li.reopened_from AS li_reopened_from, li.run_id AS li_run_id, li.created_at AS li_created_at, li.updated_at AS li_updated_at,
  ${ITEM_SELECT}`;
const ISSUE_FROM = `label_issue li JOIN item i ON i.id = li.item_id JOIN project p ON p.id = li.project_id`;

function toIssueView(r: IssueRow): LabelIssueView {
  const date = (d: Date | null) => (d ? new Date(d) : null);
  return {
    id: r.li_id,
    projectId: r.li_project_id,
    itemId: r.li_item_id,
    item: toItemView(r as unknown as Parameters<typeof toItemView>[0]),
    modelVersionId: r.li_model_version_id,
    givenLabel: r.li_given,
    suggestedLabel: r.li_suggested,
    score: Number(r.li_score),
    method: r.li_method,
    scoreMethod: r.li_score_method,
    status: r.li_status,
    decision: r.li_decision,
    resolvedLabel: r.li_resolved_label,
    note: r.li_note,
    route: r.li_route,
    reviewAnnotationId: r.li_review_annotation_id,
    resolvedBy: r.li_resolved_by,
    resolvedAt: date(r.li_resolved_at),
    reopenedFrom: r.li_reopened_from,
    runId: r.li_run_id,
    createdAt: new Date(r.li_created_at),
    updatedAt: new Date(r.li_updated_at),
  };
}

function encodeCursor(score: number, id: string): string {
  return Buffer.from(`${score}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(c: string): { score: number; id: string } {
  const [s, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  const score = Number(s);
  if (s === undefined || s === '' || !Number.isFinite(score) || !isUuid(id)) throw badInput('after', 'is not a cursor returned by this API');
  return { score, id };
}

/** A model version and, for the labeled items it predicted, their labels and probabilities. */
interface ScoringInputs {
  version: { id: string; classes: string[] } | null;
  itemIds: string[];
  labels: Int32Array;
  /** Row-major N×K, each row renormalised to sum to 1 (stored as float32). */
  probs: Float64Array;
  k: number;
}

async function loadScoringInputs(sql: Sql, projectId: string, v: { id: string; classes: string[] } | null): Promise<ScoringInputs> {
  if (!v) return { version: null, itemIds: [], labels: new Int32Array(0), probs: new Float64Array(0), k: 0 };
  const k = v.classes.length;
  // Items labeled with a class appended after this version cannot be scored by it and are left out.
  const rows = await sql.query<{ id: string; label: number; probs: Uint8Array }>(
    `SELECT i.id, i.current_label AS label, pr.probs
     FROM item i JOIN prediction pr ON pr.item_id = i.id AND pr.model_version_id = $2
     WHERE i.project_id = $1 AND i.current_label IS NOT NULL AND i.current_label < $3
     ORDER BY i.id`,
    [projectId, v.id, k],
  );
  const n = rows.length;
  const labels = new Int32Array(n);
  const probs = new Float64Array(n * k);
  const itemIds: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    itemIds[i] = r.id;
    labels[i] = r.label;
    const f = decodeFloat32(r.probs)!;
    let s = 0;
    for (let j = 0; j < k; j++) s += f[j];
    for (let j = 0; j < k; j++) probs[i * k + j] = f[j] / s;
  }
  return { version: { id: v.id, classes: v.classes }, itemIds, labels, probs, k };
}

/** The model version the project's current label-issue set came from (the last labelIssues run's), or null. */
async function issueSetVersionId(sql: Sql, projectId: string): Promise<string | null> {
  const [r] = await sql.query<{ id: string | null }>(`SELECT label_issue_model_version_id AS id FROM project WHERE id = $1`, [projectId]);
  return r?.id ?? null;
}

export class LabelIssueService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly compute: ComputePool,
    private readonly cache: ReadCache,
  ) {}

  /** Label issues of a project, lowest score (most likely wrong) first; a Relay connection over (score, id). */
  async labelIssues(p: Principal, projectId: string, filter: LabelIssueFilterData, first = 50, after?: string | null): Promise<LabelIssuePage> {
    const project = await this.projects.access(p, projectId, 'labelIssues:read');
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput('first', `must be an integer in 1..${MAX_PAGE}`);
    const params: unknown[] = [project.id];
    const conds = ['li.project_id = $1'];
    if (filter.status !== undefined && filter.status !== null) {
      if (!LABEL_ISSUE_STATUSES.includes(filter.status)) throw badInput('status', `unknown status ${String(filter.status)}`);
      params.push(filter.status);
      conds.push(`li.status = $${params.length}`);
    }
    if (filter.minScore !== undefined && filter.minScore !== null) {
      if (!(filter.minScore >= 0 && filter.minScore <= 1)) throw badInput('minScore', 'must be in [0, 1]');
      params.push(filter.minScore);
      conds.push(`li.score >= $${params.length}`);
    }
    if (filter.label !== undefined && filter.label !== null) {
      const idx = project.classes.indexOf(filter.label);
      if (idx < 0) throw badInput('label', `"${filter.label}" is not one of the project's classes (${project.classes.join(', ')})`);
      params.push(idx);
      conds.push(`li.given_label = $${params.length}`);
    }
    const where = conds.join(' AND ');
    const pageParams = [...params];
    let pageWhere = where;
    if (after) {
      const c = decodeCursor(after);
      pageParams.push(c.score, c.id);
      pageWhere += ` AND (li.score, li.id) > ($${pageParams.length - 1}::float8, $${pageParams.length}::uuid)`;
    }
    pageParams.push(first + 1);
    return this.db.read(async (sql) => {
      const rows = await sql.query<IssueRow>(
        `SELECT ${ISSUE_SELECT} FROM ${ISSUE_FROM} WHERE ${pageWhere} ORDER BY li.score, li.id LIMIT $${pageParams.length}`,
        pageParams,
      );
      const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM label_issue li WHERE ${where}`, params);
      const modelVersionId = await issueSetVersionId(sql, project.id);
      const edges = rows.slice(0, first).map((r) => ({ cursor: encodeCursor(Number(r.li_score), r.li_id), node: toIssueView(r) }));
      return {
        modelVersionId,
        edges,
        pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
        totalCount: n,
      };
    });
  }

  /**
   * Resolves an OPEN issue in one transaction: ACCEPT_SUGGESTION, KEEP_GIVEN and RELABEL append a REVIEW annotation
   * (by an annotator named after the caller's key) that decides the item's current label, recomputed as
   * submitAnnotations does; NOT_SURE writes no label and routes the item to EXPERT (label_issue.route).
   */
  async resolve(p: Principal, id: string, decision: LabelIssueDecision, label?: string | null, note?: string | null): Promise<LabelIssueView> {
    if (!isUuid(id)) throw notFound(`label issue ${id}`, 'id');
    return this.db.transaction(async (sql) => {
      const [row] = await sql.query<{ project_id: string; item_id: string; status: LabelIssueStatus; given_label: number; suggested_label: number }>(
        `SELECT project_id, item_id, status, given_label, suggested_label FROM label_issue WHERE id = $1 FOR UPDATE`,
        [id],
      );
      // Out of scope answers exactly like a missing issue.
      if (!row || !AuthService.inScope(p, row.project_id)) throw notFound(`label issue ${id}`, 'id');
      const project = await this.projects.access(p, row.project_id, 'labelIssues:resolve', sql, 'id');
      if (!LABEL_ISSUE_DECISIONS.includes(decision)) throw badInput('decision', `unknown decision ${String(decision)}`);
      const hasLabel = label !== undefined && label !== null;
      let newLabel: number | null;
      if (decision === 'RELABEL') {
        if (!hasLabel) throw badInput('label', 'is required with decision RELABEL');
        newLabel = project.classes.indexOf(label);
        if (newLabel < 0) throw badInput('label', `"${label}" is not one of the project's classes (${project.classes.join(', ')})`);
      } else {
        if (hasLabel) throw badInput('label', `is only for decision RELABEL, not ${decision}`);
        newLabel = decision === 'ACCEPT_SUGGESTION' ? row.suggested_label : decision === 'KEEP_GIVEN' ? row.given_label : null;
      }
      if (note !== undefined && note !== null && note.length > MAX_NOTE) throw badInput('note', `at most ${MAX_NOTE} characters`);
      if (row.status !== 'OPEN') throw conflict('id', `label issue ${id} is already resolved`);

      // Lock the item as submitAnnotations does, so a concurrent batch on it serialises with this review.
      await sql.query(`SELECT id FROM item WHERE id = $1 FOR UPDATE`, [row.item_id]);
      let annotationId: string | null = null;
      if (newLabel !== null) {
        await sql.query(
          `INSERT INTO annotator (project_id, name, kind) VALUES ($1, $2, 'HUMAN') ON CONFLICT (project_id, name) DO NOTHING`,
          [project.id, p.name],
        );
        const [a] = await sql.query<{ id: string }>(`SELECT id FROM annotator WHERE project_id = $1 AND name = $2`, [project.id, p.name]);
        annotationId = uuidv7();
        await sql.query(
          `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, guideline_version, api_key_id)
           VALUES ($1, $2, $3, $4, $5, 'REVIEW', $6, $7)`,
          [annotationId, project.id, row.item_id, a.id, newLabel, project.guidelineVersion, p.keyId],
        );
        await replacePrevious(sql, [{ id: annotationId, itemId: row.item_id, annotatorId: a.id, kind: 'REVIEW' }]);
        await recomputeCurrentLabels(sql, [row.item_id]);
      }
      const [{ n }] = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM annotation WHERE item_id = $1 AND kind IN ${LABEL_KINDS}`,
        [row.item_id],
      );
      await sql.query(
        `UPDATE label_issue SET status = 'RESOLVED', decision = $2, resolved_label = $3, note = $4, route = $5, review_annotation_id = $6,
           votes_at_resolution = $7, resolved_by = $8, resolved_at = now(), updated_at = now()
         WHERE id = $1`,
        [id, decision, newLabel, note ?? null, decision === 'NOT_SURE' ? 'EXPERT' : null, annotationId, n, p.keyId],
      );
      const [out] = await sql.query<IssueRow>(`SELECT ${ISSUE_SELECT} FROM ${ISSUE_FROM} WHERE li.id = $1`, [id]);
      return toIssueView(out);
    });
  }

  /**
   * cleanlab's health summary of the project's labels under one model version's (out-of-sample) predictions:
   * `modelVersionId` when given, else the version the current label-issue set came from (so class counts match the
   * issues), else, before any labelIssues run, the latest model version.
   */
  async labelHealth(p: Principal, projectId: string, modelVersionId?: string | null): Promise<LabelHealthView> {
    const project = await this.projects.access(p, projectId, 'labelIssues:read');
    if (modelVersionId !== undefined && modelVersionId !== null && !isUuid(modelVersionId)) {
      throw notFound(`model version ${modelVersionId}`, 'modelVersionId');
    }
    return this.cache.get(project.id, 'labelHealth', [modelVersionId ?? null], () => this.computeLabelHealth(project, modelVersionId));
  }

  private async computeLabelHealth(project: ProjectView, modelVersionId?: string | null): Promise<LabelHealthView> {
    const { inputs, counts } = await this.db.read(async (sql) => {
      let version: { id: string; classes: string[] } | null;
      if (modelVersionId !== undefined && modelVersionId !== null) {
        version = await latestModelVersion(sql, project.id, modelVersionId);
        if (!version) throw notFound(`model version ${modelVersionId} of this project`, 'modelVersionId');
      } else {
        const setId = await issueSetVersionId(sql, project.id);
        version = setId ? await latestModelVersion(sql, project.id, setId) : await latestModelVersion(sql, project.id);
      }
      return {
        inputs: await loadScoringInputs(sql, project.id, version),
        counts: await sql.query<{ status: LabelIssueStatus; n: number }>(
          `SELECT status, count(*)::int AS n FROM label_issue WHERE project_id = $1 GROUP BY status`,
          [project.id],
        ),
      };
    });
    const byStatus = new Map(counts.map((r) => [r.status, r.n]));
    const base = {
      modelVersionId: inputs.version?.id ?? null,
      labeledCount: inputs.itemIds.length,
      openIssues: byStatus.get('OPEN') ?? 0,
      resolvedIssues: byStatus.get('RESOLVED') ?? 0,
    };
    if (!inputs.version || inputs.itemIds.length === 0) {
      return { ...base, overallLabelHealthScore: null, classes: [], overlappingClasses: [], joint: null };
    }
    const classes = inputs.version.classes;
    const s = labelHealthSummary(inputs.labels, { rows: inputs.itemIds.length, cols: inputs.k, data: inputs.probs });
    return {
      ...base,
      overallLabelHealthScore: s.overallLabelHealthScore,
      classes: s.classesByLabelQuality.map((c) => ({
        label: classes[c.class],
        labelIssues: c.labelIssues,
        inverseLabelIssues: c.inverseLabelIssues,
        labelNoise: c.labelNoise,
        inverseLabelNoise: c.inverseLabelNoise,
        labelQualityScore: c.labelQualityScore,
      })),
      overlappingClasses: s.overlappingClasses.map((o) => ({
        classA: classes[o.classA],
        classB: classes[o.classB],
        numOverlapping: o.numOverlapping,
        jointProbability: o.jointProbability,
      })),
      joint: s.joint,
    };
  }

  /**
   * The labelIssues job's work, callable without the scheduler: confident learning (findLabelIssues, default
   * prune_by_noise_rate ranked by self_confidence) on the latest model version's predictions for labeled items —
   * out-of-sample K-fold probabilities for the built-in model, an external model's as sent — and the issue set
   * written in one transaction:
   * - a flagged item with an OPEN issue: refreshed in place (labels, score, model version, run);
   * - a flagged item whose latest issue was resolved: stays closed unless the item got a new HUMAN/GOLD/REVIEW
   *   annotation since the resolution or the suggested label changed; then a new OPEN issue (reopened_from) is added;
   * - a flagged item otherwise: a new OPEN issue;
   * - an OPEN issue whose item is no longer flagged: deleted (nobody reviewed it; resolved issues are never touched).
   * The suggested label is the model's most probable class, or the runner-up where that is the given label (only
   * the low-score methods flag such items). With no model version nothing is written.
   */
  async detect(projectId: string, opts: DetectOptions = {}): Promise<DetectCounts> {
    const progress = opts.progress ?? (async () => undefined);
    const counts: DetectCounts = { labeled: 0, flagged: 0, opened: 0, reopened: 0, refreshed: 0, keptClosed: 0, removed: 0, open: 0 };
    const [project] = await this.db.query<{ settings: Record<string, unknown> | null }>(`SELECT settings FROM project WHERE id = $1`, [projectId]);
    if (!project) throw notFound(`project ${projectId}`, 'projectId');
    const { filterBy, rankBy } = effectiveSettings(project.settings).labelIssues;

    await progress(0.05, 'loading predictions');
    const latest = await this.db.read((sql) => latestModelVersion(sql, projectId));
    // A built-in version worse than the label prior is not used: as without a model, nothing is written.
    if (latest && !usableForScoring(latest)) {
      log.info('label issues: latest model version not used', { project: projectId, reason: notUsedReason(latest) });
      return counts;
    }
    const inputs = await this.db.read((sql) => loadScoringInputs(sql, projectId, latest));
    if (!inputs.version) return counts;
    const n = inputs.itemIds.length;
    const k = inputs.k;
    counts.labeled = n;

    await progress(0.4, 'finding label issues');
    // Confident learning runs on a compute thread (it is O(n·k) passes over every labeled item).
    const { mask, scores } =
      n > 0
        ? await this.compute.run('labelIssues', { labels: inputs.labels, probs: inputs.probs, numClasses: k, filterBy, rankBy }, { signal: opts.signal })
        : { mask: new Uint8Array(0), scores: new Float64Array(0) };
    const flaggedIdx: number[] = [];
    for (let i = 0; i < n; i++) if (mask[i]) flaggedIdx.push(i);
    counts.flagged = flaggedIdx.length;
    const flagged = flaggedIdx.map((i) => {
      const given = inputs.labels[i];
      let best = -1;
      let second = -1;
      for (let j = 0; j < k; j++) {
        const v = inputs.probs[i * k + j];
        if (best < 0 || v > inputs.probs[i * k + best]) { second = best; best = j; } else if (second < 0 || v > inputs.probs[i * k + second]) second = j;
      }
      return { itemId: inputs.itemIds[i], given, suggested: best === given ? second : best, score: Math.min(1, Math.max(0, scores[i])) };
    });
    if (opts.signal?.aborted) throw new Error('aborted before saving label issues');

    await progress(0.8, 'saving');
    const versionId = inputs.version.id;
    const runId = opts.runId ?? null;
    await this.db.transaction(async (sql) => {
      // One writer per project at a time (NO KEY UPDATE: inserts referencing the project are not blocked).
      await sql.query(`SELECT id FROM project WHERE id = $1 FOR NO KEY UPDATE`, [projectId]);
      await sql.query(`UPDATE project SET label_issue_model_version_id = $2 WHERE id = $1`, [projectId, versionId]);
      const open = await sql.query<{ id: string; item_id: string }>(
        `SELECT id, item_id FROM label_issue WHERE project_id = $1 AND status = 'OPEN' FOR UPDATE`,
        [projectId],
      );
      const openByItem = new Map(open.map((r) => [r.item_id, r.id]));
      const ids = flagged.map((f) => f.itemId);
      const resolved = await sql.query<{ item_id: string; id: string; suggested_label: number; votes_at_resolution: number }>(
        `SELECT DISTINCT ON (item_id) item_id, id, suggested_label, votes_at_resolution FROM label_issue
         WHERE project_id = $1 AND status = 'RESOLVED' AND item_id = ANY($2::uuid[])
         ORDER BY item_id, resolved_at DESC, id DESC`,
        [projectId, ids],
      );
      const lastResolved = new Map(resolved.map((r) => [r.item_id, r]));
      const votes = await sql.query<{ item_id: string; n: number }>(
        `SELECT item_id, count(*)::int AS n FROM annotation WHERE item_id = ANY($1::uuid[]) AND kind IN ${LABEL_KINDS} GROUP BY item_id`,
        [[...lastResolved.keys()]],
      );
      const votesOf = new Map(votes.map((r) => [r.item_id, r.n]));

      const refresh: typeof flagged = [];
      const insert: Array<(typeof flagged)[number] & { reopenedFrom: string | null }> = [];
      for (const f of flagged) {
        if (openByItem.has(f.itemId)) {
          refresh.push(f);
          continue;
        }
        const last = lastResolved.get(f.itemId);
        if (last) {
          const newAnnotation = (votesOf.get(f.itemId) ?? 0) > last.votes_at_resolution;
          if (!newAnnotation && last.suggested_label === f.suggested) {
            counts.keptClosed++;
            continue;
          }
        }
        insert.push({ ...f, reopenedFrom: last?.id ?? null });
      }
      const flaggedSet = new Set(ids);
      const stale = open.filter((r) => !flaggedSet.has(r.item_id)).map((r) => r.id);
      if (stale.length) await sql.query(`DELETE FROM label_issue WHERE id = ANY($1::uuid[])`, [stale]);
      counts.removed = stale.length;
      if (refresh.length) {
        await sql.query(
          `UPDATE label_issue li SET given_label = u.given, suggested_label = u.suggested, score = u.score, method = $2, score_method = $3,
             model_version_id = $4, run_id = $5, updated_at = now()
           FROM unnest($6::uuid[], $7::smallint[], $8::smallint[], $9::float8[]) AS u(item_id, given, suggested, score)
           WHERE li.project_id = $1 AND li.status = 'OPEN' AND li.item_id = u.item_id`,
          [projectId, filterBy, rankBy, versionId, runId, refresh.map((f) => f.itemId), refresh.map((f) => f.given), refresh.map((f) => f.suggested), refresh.map((f) => f.score)],
        );
      }
      counts.refreshed = refresh.length;
      if (insert.length) {
        // Joined with item: an item deleted since the predictions were read is skipped, not a failure.
        const ins = await sql.query<{ reopened: boolean }>(
          `INSERT INTO label_issue (id, project_id, item_id, model_version_id, given_label, suggested_label, score, method, score_method, reopened_from, run_id)
           SELECT t.id, $1, t.item_id, $2, t.given, t.suggested, t.score, $3, $4, t.reopened_from, $5
           FROM unnest($6::uuid[], $7::uuid[], $8::smallint[], $9::smallint[], $10::float8[], $11::uuid[])
             AS t(id, item_id, given, suggested, score, reopened_from)
           JOIN item i ON i.id = t.item_id AND i.project_id = $1
           RETURNING (reopened_from IS NOT NULL) AS reopened`,
          [
            projectId, versionId, filterBy, rankBy, runId,
            insert.map(() => uuidv7()), insert.map((f) => f.itemId), insert.map((f) => f.given), insert.map((f) => f.suggested),
            insert.map((f) => f.score), insert.map((f) => f.reopenedFrom),
          ],
        );
        for (const r of ins) if (r.reopened) counts.reopened++; else counts.opened++;
      }
      const [{ c }] = await sql.query<{ c: number }>(`SELECT count(*)::int AS c FROM label_issue WHERE project_id = $1 AND status = 'OPEN'`, [projectId]);
      counts.open = c;
    });
    await progress(1, 'done');
    return counts;
  }
}
