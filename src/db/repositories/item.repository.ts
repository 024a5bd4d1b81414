import type { Sql } from '../database';

/** The project's items among these ids and externalIds (either list may be empty), with both references. */
export function findItemsByRef(sql: Sql, projectId: string, ids: readonly string[], externalIds: readonly string[]): Promise<Array<{ id: string; external_id: string }>> {
  return sql.query<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM item WHERE project_id = $1 AND (id = ANY($2::uuid[]) OR external_id = ANY($3::text[]))`,
    [projectId, ids, externalIds],
  );
}
