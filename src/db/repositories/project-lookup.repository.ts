import type { Sql } from '../database';

/** A project's settings by id (no access check: for jobs), or null when there is no such project. */
export async function findProjectSettings(sql: Sql, projectId: string): Promise<{ settings: Record<string, unknown> | null } | null> {
  const [project] = await sql.query<{ settings: Record<string, unknown> | null }>(`SELECT settings FROM project WHERE id = $1`, [projectId]);
  return project ?? null;
}

/** A project's classes and embedding dimension by id (no access check: for jobs), or null when there is no such project. */
export async function findProjectShape(sql: Sql, projectId: string): Promise<{ id: string; classes: string[]; embedding_dim: number | null } | null> {
  const [row] = await sql.query<{ id: string; classes: string[]; embedding_dim: number | null }>(`SELECT id, classes, embedding_dim FROM project WHERE id = $1`, [projectId]);
  return row ?? null;
}
