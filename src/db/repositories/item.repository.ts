import type { Sql } from '../database';

/** The project's items among these ids and externalIds (either list may be empty), with both references. */
export function findItemsByRef(sql: Sql, projectId: string, ids: readonly string[], externalIds: readonly string[]): Promise<Array<{ id: string; external_id: string }>> {
  return sql.query<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM item WHERE project_id = $1 AND (id = ANY($2::uuid[]) OR external_id = ANY($3::text[]))`,
    [projectId, ids, externalIds],
  );
}

/** An item as read with its current label's name (ITEM_SELECT over `item i JOIN project p`). */
export interface ItemRow {
  id: string;
  project_id: string;
  external_id: string;
  text: string | null;
  data: Record<string, unknown> | null;
  embedding: Uint8Array | null;
  created_at: Date;
  updated_at: Date;
  current_label_name: string | null;
  label_share: number | null;
  label_votes: number;
  label_source: 'MAJORITY_VOTE' | 'REVIEW' | null;
  /** created_at in microseconds since 1970, as text (the page cursor). */
  cursor_us: string;
}

export const ITEM_SELECT = `i.id, i.project_id, i.external_id, i.text, i.data, i.embedding, i.created_at, i.updated_at,
  p.classes[i.current_label + 1] AS current_label_name, i.label_share, i.label_votes, i.label_source,
  ((extract(epoch FROM i.created_at) * 1000000)::bigint)::text AS cursor_us`;

/** Items with an active lease: all that a labeling tool may read (the items it was handed to label). */
const LEASED = `EXISTS (SELECT 1 FROM lease l WHERE l.item_id = i.id AND l.expires_at > now())`;

/**
 * Upserts items by externalId (the columns are parallel arrays; data as JSON text, embedding as float32 bytes): a
 * null text, data or embedding keeps the stored one. Answers each row's id, whether it was inserted and whether it
 * is left without an embedding.
 */
export function upsertItems(
  sql: Sql,
  projectId: string,
  externalIds: readonly string[],
  texts: ReadonlyArray<string | null>,
  datas: ReadonlyArray<string | null>,
  embeddings: ReadonlyArray<Buffer | null>,
): Promise<Array<{ id: string; external_id: string; inserted: boolean; no_embedding: boolean }>> {
  return sql.query<{ id: string; external_id: string; inserted: boolean; no_embedding: boolean }>(
    `INSERT INTO item (project_id, external_id, text, data, embedding)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::bytea[])
     ON CONFLICT (project_id, external_id) DO UPDATE SET
       text = COALESCE(EXCLUDED.text, item.text),
       data = COALESCE(EXCLUDED.data, item.data),
       embedding = COALESCE(EXCLUDED.embedding, item.embedding),
       updated_at = now()
     RETURNING id, external_id, (xmax = 0) AS inserted, (embedding IS NULL) AS no_embedding`,
    [projectId, externalIds, texts, datas, embeddings],
  );
}

/** The project's item with this id or externalId; with `leasedOnly`, only while it is leased. */
export async function findItem(sql: Sql, projectId: string, by: 'id' | 'externalId', key: string, leasedOnly: boolean): Promise<ItemRow | null> {
  const rows = await sql.query<ItemRow>(
    `SELECT ${ITEM_SELECT} FROM item i JOIN project p ON p.id = i.project_id
     WHERE i.project_id = $1 AND ${by === 'id' ? 'i.id = $2' : 'i.external_id = $2'}${leasedOnly ? ` AND ${LEASED}` : ''}`,
    [projectId, key],
  );
  return rows[0] ?? null;
}

/** Which of a project's items a page or count holds (each condition given is required). */
export interface ItemFilterSpec {
  /** Only leased items (what a labeling tool may read). */
  leasedOnly: boolean;
  labeled?: boolean | null;
  /** Class index of the current label. */
  label?: number | null;
  /** Name of an annotator that annotated the item. */
  annotator?: string | null;
  externalId?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

function filterSql(projectId: string, f: ItemFilterSpec): { where: string; params: unknown[] } {
  const params: unknown[] = [projectId];
  const conds = ['i.project_id = $1'];
  if (f.leasedOnly) conds.push(LEASED);
  if (f.labeled === true) conds.push('i.current_label IS NOT NULL');
  if (f.labeled === false) conds.push('i.current_label IS NULL');
  if (f.label !== undefined && f.label !== null) {
    params.push(f.label);
    conds.push(`i.current_label = $${params.length}`);
  }
  if (f.annotator !== undefined && f.annotator !== null) {
    params.push(f.annotator);
    conds.push(`EXISTS (SELECT 1 FROM annotation a JOIN annotator n ON n.id = a.annotator_id
      WHERE a.item_id = i.id AND n.project_id = i.project_id AND n.name = $${params.length})`);
  }
  if (f.externalId !== undefined && f.externalId !== null) {
    params.push(f.externalId);
    conds.push(`i.external_id = $${params.length}`);
  }
  if (f.createdAfter) {
    params.push(f.createdAfter);
    conds.push(`i.created_at >= $${params.length}`);
  }
  if (f.createdBefore) {
    params.push(f.createdBefore);
    conds.push(`i.created_at < $${params.length}`);
  }
  return { where: conds.join(' AND '), params };
}

/**
 * Up to `limit` of the project's items that match, oldest first (created_at, then id), after the cursor position
 * `after` (created_at in microseconds since 1970, as decimal text, and id) when given.
 */
export function findItemPage(sql: Sql, projectId: string, f: ItemFilterSpec, after: { us: string; id: string } | null, limit: number): Promise<ItemRow[]> {
  const { where, params } = filterSql(projectId, f);
  let pageWhere = where;
  if (after) {
    params.push(after.us, after.id);
    pageWhere += ` AND (i.created_at, i.id) > (timestamptz 'epoch' + ($${params.length - 1}::bigint * interval '1 microsecond'), $${params.length}::uuid)`;
  }
  params.push(limit);
  return sql.query<ItemRow>(
    `SELECT ${ITEM_SELECT} FROM item i JOIN project p ON p.id = i.project_id
     WHERE ${pageWhere} ORDER BY i.created_at, i.id LIMIT $${params.length}`,
    params,
  );
}

/** How many of the project's items match. */
export async function countItems(sql: Sql, projectId: string, f: ItemFilterSpec): Promise<number> {
  const { where, params } = filterSql(projectId, f);
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM item i WHERE ${where}`, params);
  return n;
}

/** The project's item ids in creation order (ties by externalId). */
export async function findItemIdsByCreation(sql: Sql, projectId: string): Promise<string[]> {
  return (await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 ORDER BY created_at, external_id`, [projectId])).map((r) => r.id);
}

/** The project's item ids in (created_at, id) order. */
export async function findItemIdsByCreationAndId(sql: Sql, projectId: string): Promise<string[]> {
  return (await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 ORDER BY created_at, id`, [projectId])).map((r) => r.id);
}

/** How many items the project has. */
export async function countProjectItems(sql: Sql, projectId: string): Promise<number> {
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

/** The current label of each of these items of the project, item → label (null = unlabeled). */
export async function findCurrentLabels(sql: Sql, projectId: string, itemIds: readonly string[]): Promise<Map<string, number | null>> {
  const rows = await sql.query<{ id: string; current_label: number | null }>(`SELECT id, current_label FROM item WHERE project_id = $1 AND id = ANY($2::uuid[])`, [
    projectId,
    itemIds,
  ]);
  return new Map(rows.map((r) => [r.id, r.current_label]));
}
