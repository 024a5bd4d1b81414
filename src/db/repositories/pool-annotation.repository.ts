import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';

/** The project's items with a current GOLD annotation. */
export async function findGoldItemIds(sql: Sql, projectId: string): Promise<Set<string>> {
  const rows = await sql.query<{ item_id: string }>(`SELECT DISTINCT item_id FROM annotation WHERE project_id = $1 AND kind = 'GOLD' AND ${CURRENT('annotation')}`, [projectId]);
  return new Set(rows.map((r) => r.item_id));
}

/** Items the project's annotator of this name has annotated (any kind, current or not). */
export async function findItemsAnnotatedBy(sql: Sql, projectId: string, annotator: string): Promise<Set<string>> {
  const rows = await sql.query<{ item_id: string }>(
    `SELECT DISTINCT a.item_id FROM annotation a JOIN annotator n ON n.id = a.annotator_id WHERE n.project_id = $1 AND n.name = $2`,
    [projectId, annotator],
  );
  return new Set(rows.map((r) => r.item_id));
}

/** The project's gold items (a current GOLD annotation) and whether any annotation of each was made with `keyId`. */
export function findGoldItemsByKey(sql: Sql, projectId: string, keyId: string): Promise<Array<{ item_id: string; by_key: boolean }>> {
  return sql.query<{ item_id: string; by_key: boolean }>(
    `SELECT item_id, bool_or(api_key_id = $2) AS by_key FROM annotation
     WHERE project_id = $1 AND item_id IN (SELECT item_id FROM annotation WHERE project_id = $1 AND kind = 'GOLD' AND ${CURRENT('annotation')})
     GROUP BY item_id`,
    [projectId, keyId],
  );
}
