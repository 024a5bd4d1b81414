import type { Sql } from '../database';
import type { TaskType } from '../types';

export interface ProjectRow {
  id: string;
  name: string;
  classes: string[];
  task_type: TaskType;
  embedding_dim: number | null;
  settings: Record<string, unknown>;
  guideline_version: string;
  created_at: Date;
  updated_at: Date;
}

const COLS = `id, name, classes, task_type, embedding_dim, settings, guideline_version, created_at, updated_at`;

/** What a new project is written with, and what updating one writes (all of it). */
export interface ProjectFields {
  name: string;
  classes: string[];
  embeddingDim: number | null;
  settings: Record<string, unknown>;
  guidelineVersion: string;
}

/** The project of that id, or null. */
export async function findProject(sql: Sql, id: string): Promise<ProjectRow | null> {
  const [row] = await sql.query<ProjectRow>(`SELECT ${COLS} FROM project WHERE id = $1`, [id]);
  return row ?? null;
}

/** The project of that name, or null. */
export async function findProjectByName(sql: Sql, name: string): Promise<ProjectRow | null> {
  const [row] = await sql.query<ProjectRow>(`SELECT ${COLS} FROM project WHERE name = $1`, [name]);
  return row ?? null;
}

/** Every project, oldest first; only those among `ids` when given. */
export function listProjects(sql: Sql, ids: readonly string[] | null = null): Promise<ProjectRow[]> {
  return ids === null
    ? sql.query<ProjectRow>(`SELECT ${COLS} FROM project ORDER BY created_at, id`)
    : sql.query<ProjectRow>(`SELECT ${COLS} FROM project WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`, [ids]);
}

/** Which of these ids are projects. */
export async function existingProjectIds(sql: Sql, ids: readonly string[]): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(`SELECT id FROM project WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.map((r) => r.id);
}

/** Every project's stored settings (the schedules), by id. */
export function listProjectSettings(sql: Sql): Promise<Array<{ id: string; settings: Record<string, unknown> | null }>> {
  return sql.query<{ id: string; settings: Record<string, unknown> | null }>(`SELECT id, settings FROM project ORDER BY id`);
}

/** Writes a new project (a duplicate name fails with PostgreSQL's unique violation, 23505). */
export async function insertProject(sql: Sql, taskType: TaskType, f: ProjectFields): Promise<ProjectRow> {
  const [row] = await sql.query<ProjectRow>(
    `INSERT INTO project (name, classes, task_type, embedding_dim, settings, guideline_version)
     VALUES ($1, $2::text[], $3, $4, $5::jsonb, $6) RETURNING ${COLS}`,
    [f.name, f.classes, taskType, f.embeddingDim, JSON.stringify(f.settings), f.guidelineVersion],
  );
  return row;
}

/** Locks the project's row until the transaction ends. */
export async function lockProject(sql: Sql, id: string): Promise<void> {
  await sql.query(`SELECT id FROM project WHERE id = $1 FOR UPDATE`, [id]);
}

/** Rewrites the project's fields and its updated_at (a duplicate name fails with 23505). */
export async function updateProject(sql: Sql, id: string, f: ProjectFields): Promise<ProjectRow> {
  const [row] = await sql.query<ProjectRow>(
    `UPDATE project SET name = $2, classes = $3::text[], embedding_dim = $4, settings = $5::jsonb,
       guideline_version = $6, updated_at = now() WHERE id = $1 RETURNING ${COLS}`,
    [id, f.name, f.classes, f.embeddingDim, JSON.stringify(f.settings), f.guidelineVersion],
  );
  return row;
}

/** How many of the project's items have an embedding. */
export async function countEmbeddedItems(sql: Sql, projectId: string): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE project_id = $1 AND embedding IS NOT NULL`, [projectId]);
  return n;
}

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

/** A project's id and classes, or null when there is no such project. */
export async function findProjectClasses(sql: Sql, projectId: string): Promise<{ id: string; classes: string[] } | null> {
  const [row] = await sql.query<{ id: string; classes: string[] }>(`SELECT id, classes FROM project WHERE id = $1`, [projectId]);
  return row ?? null;
}
