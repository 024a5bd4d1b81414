import type { Sql } from '../database';

/** The current label of each of these items of the project, item → label (null = unlabeled). */
export async function findCurrentLabels(sql: Sql, projectId: string, itemIds: readonly string[]): Promise<Map<string, number | null>> {
  const rows = await sql.query<{ id: string; current_label: number | null }>(`SELECT id, current_label FROM item WHERE project_id = $1 AND id = ANY($2::uuid[])`, [
    projectId,
    itemIds,
  ]);
  return new Map(rows.map((r) => [r.id, r.current_label]));
}
