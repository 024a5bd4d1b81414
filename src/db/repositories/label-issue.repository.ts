import type { Sql } from '../database';
import { LABELING_KINDS_SQL } from '../annotation-sql';
import { ITEM_SELECT } from './item.repository';

export type LabelIssueStatus = 'OPEN' | 'RESOLVED';
export type LabelIssueDecision = 'ACCEPT_SUGGESTION' | 'KEEP_GIVEN' | 'RELABEL' | 'NOT_SURE';

/** A label issue with its labels by name, followed by its item's columns (ITEM_SELECT, unprefixed). */
export interface LabelIssueRow {
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

/** Which of a project's issues a page reads (each field optional: null or absent = any). */
export interface LabelIssueFilter {
  status?: LabelIssueStatus | null;
  minScore?: number | null;
  /** The given label's class index. */
  givenLabel?: number | null;
}

function issueWhere(projectId: string, f: LabelIssueFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [projectId];
  const conds = ['li.project_id = $1'];
  if (f.status !== undefined && f.status !== null) {
    params.push(f.status);
    conds.push(`li.status = $${params.length}`);
  }
  if (f.minScore !== undefined && f.minScore !== null) {
    params.push(f.minScore);
    conds.push(`li.score >= $${params.length}`);
  }
  if (f.givenLabel !== undefined && f.givenLabel !== null) {
    params.push(f.givenLabel);
    conds.push(`li.given_label = $${params.length}`);
  }
  return { where: conds.join(' AND '), params };
}

/** At most `limit` of the project's issues matching `f`, in (score, id) order, after the key `after` when given. */
export function findIssuePage(
  sql: Sql,
  projectId: string,
  f: LabelIssueFilter,
  after: { score: number; id: string } | null,
  limit: number,
): Promise<LabelIssueRow[]> {
  const { where, params } = issueWhere(projectId, f);
  let pageWhere = where;
  if (after) {
    params.push(after.score, after.id);
    pageWhere += ` AND (li.score, li.id) > ($${params.length - 1}::float8, $${params.length}::uuid)`;
  }
  params.push(limit);
  return sql.query<LabelIssueRow>(`SELECT ${ISSUE_SELECT} FROM ${ISSUE_FROM} WHERE ${pageWhere} ORDER BY li.score, li.id LIMIT $${params.length}`, params);
}

/** How many of the project's issues match `f`. */
export async function countIssues(sql: Sql, projectId: string, f: LabelIssueFilter): Promise<number> {
  const { where, params } = issueWhere(projectId, f);
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM label_issue li WHERE ${where}`, params);
  return n;
}

/** One issue with its item, or undefined. */
export async function findIssue(sql: Sql, id: string): Promise<LabelIssueRow | undefined> {
  const [r] = await sql.query<LabelIssueRow>(`SELECT ${ISSUE_SELECT} FROM ${ISSUE_FROM} WHERE li.id = $1`, [id]);
  return r;
}

/** The model version the project's current label-issue set came from (the last labelIssues run's), or null. */
export async function issueSetVersionId(sql: Sql, projectId: string): Promise<string | null> {
  const [r] = await sql.query<{ id: string | null }>(`SELECT label_issue_model_version_id AS id FROM project WHERE id = $1`, [projectId]);
  return r?.id ?? null;
}

/** The project's issues counted by status. */
export function countIssuesByStatus(sql: Sql, projectId: string): Promise<Array<{ status: LabelIssueStatus; n: number }>> {
  return sql.query<{ status: LabelIssueStatus; n: number }>(`SELECT status, count(*)::int AS n FROM label_issue WHERE project_id = $1 GROUP BY status`, [projectId]);
}

/** An issue's project, item, status and labels, locked for update; undefined when there is none. */
export async function lockIssue(
  sql: Sql,
  id: string,
): Promise<{ project_id: string; item_id: string; status: LabelIssueStatus; given_label: number; suggested_label: number } | undefined> {
  const [row] = await sql.query<{ project_id: string; item_id: string; status: LabelIssueStatus; given_label: number; suggested_label: number }>(
    `SELECT project_id, item_id, status, given_label, suggested_label FROM label_issue WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return row;
}

/** Locks one item row (as submitAnnotations locks the items of a batch). */
export async function lockItem(sql: Sql, itemId: string): Promise<void> {
  await sql.query(`SELECT id FROM item WHERE id = $1 FOR UPDATE`, [itemId]);
}

/** The id of the project's HUMAN annotator `name`, created when missing. */
export async function ensureHumanAnnotator(sql: Sql, projectId: string, name: string): Promise<string> {
  await sql.query(`INSERT INTO annotator (project_id, name, kind) VALUES ($1, $2, 'HUMAN') ON CONFLICT (project_id, name) DO NOTHING`, [projectId, name]);
  const [a] = await sql.query<{ id: string }>(`SELECT id FROM annotator WHERE project_id = $1 AND name = $2`, [projectId, name]);
  return a.id;
}

/** Appends one REVIEW annotation. */
export async function insertReviewAnnotation(
  sql: Sql,
  a: { id: string; projectId: string; itemId: string; annotatorId: string; label: number; guidelineVersion: string; apiKeyId: string | null },
): Promise<void> {
  await sql.query(
    `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, guideline_version, api_key_id)
           VALUES ($1, $2, $3, $4, $5, 'REVIEW', $6, $7)`,
    [a.id, a.projectId, a.itemId, a.annotatorId, a.label, a.guidelineVersion, a.apiKeyId],
  );
}

/** How many labeling annotations (HUMAN, GOLD, REVIEW; current or not) the item has. */
export async function countLabelingAnnotations(sql: Sql, itemId: string): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE item_id = $1 AND kind IN ${LABELING_KINDS_SQL}`, [itemId]);
  return n;
}

/** Labeling annotations (HUMAN, GOLD, REVIEW; current or not) counted per item, for the items that have any. */
export function countLabelingAnnotationsByItem(sql: Sql, itemIds: readonly string[]): Promise<Array<{ item_id: string; n: number }>> {
  return sql.query<{ item_id: string; n: number }>(
    `SELECT item_id, count(*)::int AS n FROM annotation WHERE item_id = ANY($1::uuid[]) AND kind IN ${LABELING_KINDS_SQL} GROUP BY item_id`,
    [itemIds],
  );
}

/** Marks an issue RESOLVED with its decision, by `resolvedBy` (an API key id), now. */
export async function markIssueResolved(
  sql: Sql,
  id: string,
  r: { decision: LabelIssueDecision; resolvedLabel: number | null; note: string | null; route: 'EXPERT' | null; reviewAnnotationId: string | null; votesAtResolution: number; resolvedBy: string | null },
): Promise<void> {
  await sql.query(
    `UPDATE label_issue SET status = 'RESOLVED', decision = $2, resolved_label = $3, note = $4, route = $5, review_annotation_id = $6,
           votes_at_resolution = $7, resolved_by = $8, resolved_at = now(), updated_at = now()
         WHERE id = $1`,
    [id, r.decision, r.resolvedLabel, r.note, r.route, r.reviewAnnotationId, r.votesAtResolution, r.resolvedBy],
  );
}

/**
 * Takes the project's label-issue writer lock (NO KEY UPDATE: inserts referencing the project are not blocked) and
 * records `modelVersionId` as the version the issue set comes from.
 */
export async function lockIssueSet(sql: Sql, projectId: string, modelVersionId: string): Promise<void> {
  await sql.query(`SELECT id FROM project WHERE id = $1 FOR NO KEY UPDATE`, [projectId]);
  await sql.query(`UPDATE project SET label_issue_model_version_id = $2 WHERE id = $1`, [projectId, modelVersionId]);
}

/** The project's OPEN issues, locked for update. */
export function lockOpenIssues(sql: Sql, projectId: string): Promise<Array<{ id: string; item_id: string }>> {
  return sql.query<{ id: string; item_id: string }>(`SELECT id, item_id FROM label_issue WHERE project_id = $1 AND status = 'OPEN' FOR UPDATE`, [projectId]);
}

/** Of these items, each one's latest RESOLVED issue (by resolution time). */
export function findLastResolvedIssues(
  sql: Sql,
  projectId: string,
  itemIds: readonly string[],
): Promise<Array<{ item_id: string; id: string; suggested_label: number; votes_at_resolution: number }>> {
  return sql.query<{ item_id: string; id: string; suggested_label: number; votes_at_resolution: number }>(
    `SELECT DISTINCT ON (item_id) item_id, id, suggested_label, votes_at_resolution FROM label_issue
         WHERE project_id = $1 AND status = 'RESOLVED' AND item_id = ANY($2::uuid[])
         ORDER BY item_id, resolved_at DESC, id DESC`,
    [projectId, itemIds],
  );
}

/** Deletes issues by id. */
export async function deleteIssues(sql: Sql, ids: readonly string[]): Promise<void> {
  await sql.query(`DELETE FROM label_issue WHERE id = ANY($1::uuid[])`, [ids]);
}

/** One detected issue: its item, given and suggested class indices and score. */
export interface DetectedIssue {
  itemId: string;
  given: number;
  suggested: number;
  score: number;
}

/** What a detection run records on each issue it writes. */
export interface DetectionRun {
  method: string;
  scoreMethod: string;
  modelVersionId: string;
  runId: string | null;
}

/** Refreshes the project's OPEN issues of these items in place with a detection run's labels and score. */
export async function refreshOpenIssues(sql: Sql, projectId: string, run: DetectionRun, issues: readonly DetectedIssue[]): Promise<void> {
  await sql.query(
    `UPDATE label_issue li SET given_label = u.given, suggested_label = u.suggested, score = u.score, method = $2, score_method = $3,
             model_version_id = $4, run_id = $5, updated_at = now()
           FROM unnest($6::uuid[], $7::smallint[], $8::smallint[], $9::float8[]) AS u(item_id, given, suggested, score)
           WHERE li.project_id = $1 AND li.status = 'OPEN' AND li.item_id = u.item_id`,
    [projectId, run.method, run.scoreMethod, run.modelVersionId, run.runId, issues.map((f) => f.itemId), issues.map((f) => f.given), issues.map((f) => f.suggested), issues.map((f) => f.score)],
  );
}

/**
 * Inserts OPEN issues (with their ids and the resolved issue each re-opens, if any); an item deleted since is
 * skipped. Returns, per inserted issue, whether it re-opens one.
 */
export function insertOpenIssues(
  sql: Sql,
  projectId: string,
  run: DetectionRun,
  issues: ReadonlyArray<DetectedIssue & { id: string; reopenedFrom: string | null }>,
): Promise<Array<{ id: string; item_id: string; reopened: boolean }>> {
  return sql.query<{ id: string; item_id: string; reopened: boolean }>(
    `INSERT INTO label_issue (id, project_id, item_id, model_version_id, given_label, suggested_label, score, method, score_method, reopened_from, run_id)
           SELECT t.id, $1, t.item_id, $2, t.given, t.suggested, t.score, $3, $4, t.reopened_from, $5
           FROM unnest($6::uuid[], $7::uuid[], $8::smallint[], $9::smallint[], $10::float8[], $11::uuid[])
             AS t(id, item_id, given, suggested, score, reopened_from)
           JOIN item i ON i.id = t.item_id AND i.project_id = $1
           RETURNING id, item_id, (reopened_from IS NOT NULL) AS reopened`,
    [
      projectId, run.modelVersionId, run.method, run.scoreMethod, run.runId,
      issues.map((f) => f.id), issues.map((f) => f.itemId), issues.map((f) => f.given), issues.map((f) => f.suggested),
      issues.map((f) => f.score), issues.map((f) => f.reopenedFrom),
    ],
  );
}

/** How many OPEN issues the project has. */
export async function countOpenIssues(sql: Sql, projectId: string): Promise<number> {
  const [{ c }] = await sql.query<{ c: number }>(`SELECT count(*)::int AS c FROM label_issue WHERE project_id = $1 AND status = 'OPEN'`, [projectId]);
  return c;
}

/**
 * The project's labeled items that model version `modelVersionId` predicted, with their label and stored (float32)
 * probabilities, in id order; items labeled with a class index ≥ `numClasses` (appended after the version) are left out.
 */
export function findLabeledPredictions(
  sql: Sql,
  projectId: string,
  modelVersionId: string,
  numClasses: number,
): Promise<Array<{ id: string; label: number; probs: Uint8Array }>> {
  return sql.query<{ id: string; label: number; probs: Uint8Array }>(
    `SELECT i.id, i.current_label AS label, pr.probs
     FROM item i JOIN prediction pr ON pr.item_id = i.id AND pr.model_version_id = $2
     WHERE i.project_id = $1 AND i.current_label IS NOT NULL AND i.current_label < $3
     ORDER BY i.id`,
    [projectId, modelVersionId, numClasses],
  );
}

/** Each item's latest label issue (by creation) with its status and decision; empty when the label_issue table does not exist. */
export async function findLatestIssueStatuses(sql: Sql, projectId: string): Promise<Array<{ item_id: string; status: string; decision: string | null }>> {
  const [{ t }] = await sql.query<{ t: boolean }>(`SELECT to_regclass('label_issue') IS NOT NULL AS t`);
  if (!t) return [];
  return sql.query<{ item_id: string; status: string; decision: string | null }>(
    `SELECT DISTINCT ON (item_id) item_id, status, decision FROM label_issue WHERE project_id = $1 ORDER BY item_id, created_at DESC, id DESC`,
    [projectId],
  );
}
