import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';

/** The project's labeling functions (annotators of kind LABELING_FUNCTION), oldest first. */
export function findLabelingFunctions(sql: Sql, projectId: string): Promise<Array<{ id: string; name: string }>> {
  return sql.query<{ id: string; name: string }>(
    `SELECT id, name FROM annotator WHERE project_id = $1 AND kind = 'LABELING_FUNCTION' ORDER BY created_at, id`,
    [projectId],
  );
}

/** Creates the labeling function `name` unless the project has an annotator of that name. */
export async function insertLabelingFunction(sql: Sql, projectId: string, name: string): Promise<void> {
  await sql.query(`INSERT INTO annotator (project_id, name, kind) VALUES ($1, $2, 'LABELING_FUNCTION') ON CONFLICT (project_id, name) DO NOTHING`, [projectId, name]);
}

/** The id of the project's labeling function `name`, or null. */
export async function findLabelingFunctionId(sql: Sql, projectId: string, name: string): Promise<string | null> {
  const [a] = await sql.query<{ id: string }>(`SELECT id FROM annotator WHERE project_id = $1 AND name = $2 AND kind = 'LABELING_FUNCTION'`, [projectId, name]);
  return a?.id ?? null;
}

/**
 * Weak votes: per (item, annotator) the latest of its weak_vote row (label null = abstain) and its current WEAK
 * annotations (a weak_vote row wins a tie). Ordered by item, annotator.
 */
export function findWeakVotes(sql: Sql, projectId: string): Promise<Array<{ item_id: string; annotator_id: string; label: number | null }>> {
  return sql.query<{ item_id: string; annotator_id: string; label: number | null }>(
    `SELECT DISTINCT ON (item_id, annotator_id) item_id, annotator_id, label FROM (
       SELECT item_id, annotator_id, label, created_at, 1 AS pri FROM weak_vote WHERE project_id = $1
       UNION ALL
       SELECT item_id, annotator_id, label, created_at, 0 AS pri FROM annotation WHERE project_id = $1 AND kind = 'WEAK' AND ${CURRENT('annotation')}
     ) v ORDER BY item_id, annotator_id, created_at DESC, pri DESC`,
    [projectId],
  );
}

/** A labeling function's weak_vote labels on these items, item → label (null = abstain); items without one left out. */
export async function findWeakVoteLabels(sql: Sql, projectId: string, annotatorId: string, itemIds: readonly string[]): Promise<Map<string, number | null>> {
  const rows = await sql.query<{ item_id: string; label: number | null }>(
    `SELECT item_id, label FROM weak_vote WHERE project_id = $1 AND annotator_id = $2 AND item_id = ANY($3::uuid[])`,
    [projectId, annotatorId, itemIds],
  );
  return new Map(rows.map((r) => [r.item_id, r.label]));
}

/** Writes a labeling function's weak_vote rows (one per item, replacing its previous one, stamped now). */
export async function upsertWeakVotes(
  sql: Sql,
  v: { annotatorId: string; projectId: string; apiKeyId: string | null; itemIds: readonly string[]; labels: ReadonlyArray<number | null> },
): Promise<void> {
  await sql.query(
    `INSERT INTO weak_vote (annotator_id, item_id, project_id, label, api_key_id)
     SELECT $1, t.item_id, $2, t.label, $3 FROM unnest($4::uuid[], $5::smallint[]) AS t(item_id, label)
     ON CONFLICT (annotator_id, item_id) DO UPDATE SET label = EXCLUDED.label, api_key_id = EXCLUDED.api_key_id, created_at = now()`,
    [v.annotatorId, v.projectId, v.apiKeyId, v.itemIds, v.labels],
  );
}

/** Appends a labeling function's WEAK annotations (ids given, one per item and label). */
export async function insertWeakAnnotations(
  sql: Sql,
  a: { projectId: string; annotatorId: string; guidelineVersion: string; apiKeyId: string | null; ids: readonly string[]; itemIds: readonly string[]; labels: readonly number[] },
): Promise<void> {
  await sql.query(
    `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, guideline_version, api_key_id)
     SELECT t.id, $1, t.item_id, $2, t.label, 'WEAK', $3, $4 FROM unnest($5::uuid[], $6::uuid[], $7::smallint[]) AS t(id, item_id, label)`,
    [a.projectId, a.annotatorId, a.guidelineVersion, a.apiKeyId, a.ids, a.itemIds, a.labels],
  );
}
