import type { Sql } from '../database';

/** The project's item ids in creation order (ties by externalId). */
export async function findItemIdsByCreation(sql: Sql, projectId: string): Promise<string[]> {
  return (await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 ORDER BY created_at, external_id`, [projectId])).map((r) => r.id);
}

/** The project's item ids in (created_at, id) order. */
export async function findItemIdsByCreationAndId(sql: Sql, projectId: string): Promise<string[]> {
  return (await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 ORDER BY created_at, id`, [projectId])).map((r) => r.id);
}

/** How many items the project has. */
export async function countItems(sql: Sql, projectId: string): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE project_id = $1`, [projectId]);
  return n;
}

/** The project's items without an embedding. */
export async function findItemIdsWithoutEmbedding(sql: Sql, projectId: string): Promise<string[]> {
  return (await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 AND embedding IS NULL`, [projectId])).map((r) => r.id);
}

/** The project's labeled items: their vote count and whether a REVIEW decided the label. */
export function findLabeledItems(sql: Sql, projectId: string): Promise<Array<{ id: string; votes: number; reviewed: boolean }>> {
  return sql.query<{ id: string; votes: number; reviewed: boolean }>(
    `SELECT id, label_votes AS votes, label_source = 'REVIEW' AS reviewed FROM item WHERE project_id = $1 AND current_label IS NOT NULL`,
    [projectId],
  );
}

/** These items' current votes: voters and their labels, each joined by ':' (empty text when none). */
export function findItemVotes(sql: Sql, itemIds: readonly string[]): Promise<Array<{ id: string; voters: string; labels: string }>> {
  return sql.query<{ id: string; voters: string; labels: string }>(
    `SELECT id, array_to_string(voters, ':') AS voters, array_to_string(vote_labels, ':') AS labels FROM item WHERE id = ANY($1::uuid[])`,
    [itemIds],
  );
}

/** These items with their project (aliases `i` and `p`), as the select list `columns` names them. */
export function findItemsWithProject<R>(sql: Sql, columns: string, itemIds: readonly string[]): Promise<R[]> {
  return sql.query<R>(`SELECT ${columns} FROM item i JOIN project p ON p.id = i.project_id WHERE i.id = ANY($1::uuid[])`, [itemIds]);
}

/** The project's items labeled with the current label per class (label index → count). */
export function countCurrentLabels(sql: Sql, projectId: string): Promise<Array<{ label: number; n: number }>> {
  return sql.query<{ label: number; n: number }>(
    `SELECT current_label AS label, count(*)::int AS n FROM item WHERE project_id = $1 AND current_label IS NOT NULL GROUP BY current_label`,
    [projectId],
  );
}

/** Those of `itemIds` in the project with a current label below `k` (a class the caller knows), with that label. */
export function findCurrentLabelsBelow(sql: Sql, projectId: string, itemIds: readonly string[], k: number): Promise<Array<{ id: string; label: number }>> {
  return sql.query<{ id: string; label: number }>(
    `SELECT id, current_label AS label FROM item WHERE project_id = $1 AND id = ANY($2::uuid[]) AND current_label IS NOT NULL AND current_label < $3`,
    [projectId, itemIds, k],
  );
}
