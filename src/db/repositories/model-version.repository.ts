import type { Sql } from '../database';

export type ModelKind = 'BUILTIN' | 'EXTERNAL';

/** The project's latest model version, as SQL: its id, for `projectId` (an SQL expression). Newest = highest seq. */
export const latestModelVersionIdSql = (projectId: string): string =>
  `(SELECT lmv.id FROM model_version lmv WHERE lmv.project_id = ${projectId} ORDER BY lmv.seq DESC LIMIT 1)`;

/** What the readers of a project's latest model version use of it. */
export interface LatestModelVersion {
  id: string;
  version: string;
  name: string;
  kind: ModelKind;
  classes: string[];
  /** Non-null: the version is not to be used for selection or label issues (see ModelVersion.warning). */
  warning: string | null;
  metrics: Record<string, unknown> | null;
}

/**
 * The project's latest model version (the one every reader of "the current model" uses: selection, label issues,
 * routing, drift, consensus, snapshots, item predictions, metrics), or null when it has none. `id` picks a given
 * version of the project instead (null when it is not one of the project's).
 */
export async function latestModelVersion(sql: Sql, projectId: string, id?: string): Promise<LatestModelVersion | null> {
  const [v] = await sql.query<LatestModelVersion>(
    id === undefined
      ? `SELECT id, version, name, kind, classes, warning, metrics FROM model_version WHERE id = ${latestModelVersionIdSql('$1')}`
      : `SELECT id, version, name, kind, classes, warning, metrics FROM model_version WHERE project_id = $1 AND id = $2`,
    id === undefined ? [projectId] : [projectId, id],
  );
  return v ?? null;
}


/** A model version as its listings show it, with its prediction count. */
export interface ModelVersionRow {
  id: string;
  project_id: string;
  version: string;
  name: string;
  kind: ModelKind;
  classes: string[];
  metrics: Record<string, unknown> | null;
  label_counts: Record<string, number> | null;
  training_ms: number | null;
  prediction_count: number;
  warning: string | null;
  created_at: Date;
}

const VERSION_SELECT = `v.id, v.project_id, v.version, v.name, v.warning, v.kind, v.classes, v.metrics, v.label_counts, v.training_ms, v.created_at,
  (SELECT count(*)::int FROM prediction pr WHERE pr.model_version_id = v.id) AS prediction_count`;

/** One model version by id (null when there is none). */
export async function findModelVersion(sql: Sql, id: string): Promise<ModelVersionRow | null> {
  const [row] = await sql.query<ModelVersionRow>(`SELECT ${VERSION_SELECT} FROM model_version v WHERE v.id = $1`, [id]);
  return row ?? null;
}

/** The project's model versions, newest first. */
export function listModelVersions(sql: Sql, projectId: string): Promise<ModelVersionRow[]> {
  return sql.query<ModelVersionRow>(`SELECT ${VERSION_SELECT} FROM model_version v WHERE v.project_id = $1 ORDER BY v.seq DESC`, [projectId]);
}

/** The values a new model version of a project is inserted with (everything but its number and name). */
export interface NewModelVersion {
  name: string;
  kind: ModelKind;
  classes: string[];
  /** The serialised classifier (JSON text), built-in versions only. */
  weights?: string | null;
  metrics?: Record<string, unknown> | null;
  labelCounts: Record<string, number>;
  trainingMs?: number | null;
  warning?: string | null;
}

/**
 * Inserts a model version numbered after the project's last one (seq and 'v' || seq), inside `sql`'s transaction.
 * A transaction-scoped advisory lock per project serialises numbering on PostgreSQL (PGlite runs one transaction at a time).
 */
export async function insertModelVersion(sql: Sql, projectId: string, v: NewModelVersion): Promise<{ id: string; version: string }> {
  await sql.query(`SELECT pg_advisory_xact_lock(hashtext('loupe.model_version'), hashtext($1))`, [projectId]);
  const [row] = await sql.query<{ id: string; version: string }>(
    `INSERT INTO model_version (project_id, seq, version, name, kind, classes, weights, metrics, label_counts, training_ms, warning)
     SELECT $1, n.seq, 'v' || n.seq, $2, $3, $4::text[], $5::jsonb, $6::jsonb, $7::jsonb, $8, $9
     FROM (SELECT COALESCE(max(seq), 0) + 1 AS seq FROM model_version WHERE project_id = $1) n
     RETURNING id, version`,
    [
      projectId, v.name, v.kind, v.classes, v.weights ?? null, v.metrics ? JSON.stringify(v.metrics) : null,
      JSON.stringify(v.labelCounts), v.trainingMs ?? null, v.warning ?? null,
    ],
  );
  return row;
}
