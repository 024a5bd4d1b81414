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

