import type { Sql } from '../database';

/** A project's id and classes, or null when there is no such project. */
export async function findProjectClasses(sql: Sql, projectId: string): Promise<{ id: string; classes: string[] } | null> {
  const [row] = await sql.query<{ id: string; classes: string[] }>(`SELECT id, classes FROM project WHERE id = $1`, [projectId]);
  return row ?? null;
}
