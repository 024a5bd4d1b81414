import { uuidArray } from '../array-literal';
import type { Sql } from '../database';
import type { AnnotatorKind } from '../entities/annotator.entity';

/** An annotator with the key that owns it (null: no owner, or its key was revoked). */
export interface OwnedAnnotator {
  id: string;
  name: string;
  kind: AnnotatorKind;
  created_at: Date;
  api_key_id: string | null;
}

/** The project's annotators among these names, with their owner; an annotator whose key was revoked has none. */
export function findAnnotatorsWithOwner(sql: Sql, projectId: string, names: readonly string[]): Promise<OwnedAnnotator[]> {
  return sql.query<OwnedAnnotator>(
    `SELECT n.id, n.name, n.kind, n.created_at, CASE WHEN k.revoked_at IS NULL THEN n.api_key_id END AS api_key_id
     FROM annotator n LEFT JOIN api_key k ON k.id = n.api_key_id WHERE n.project_id = $1 AND n.name = ANY($2::text[])`,
    [projectId, names],
  );
}

/**
 * Gives the key the annotators (ids) that have no owner, are its own, or whose owner key was revoked, under the row
 * lock; answers the ids it now owns.
 */
export async function claimAnnotators(sql: Sql, ids: readonly string[], apiKeyId: string | null): Promise<string[]> {
  const claimed = await sql.query<{ id: string }>(
    `UPDATE annotator n SET api_key_id = $2 WHERE n.id = ANY($1::uuid[])
       AND (n.api_key_id IS NULL OR n.api_key_id = $2 OR EXISTS (SELECT 1 FROM api_key k WHERE k.id = n.api_key_id AND k.revoked_at IS NOT NULL))
     RETURNING n.id`,
    [uuidArray(ids), apiKeyId],
  );
  return claimed.map((r) => r.id);
}

/** Creates the annotators (names and kinds, in the same order) owned by the key; a name taken already is skipped. */
export async function insertAnnotators(sql: Sql, projectId: string, names: readonly string[], kinds: readonly AnnotatorKind[], apiKeyId: string | null): Promise<void> {
  await sql.query(
    `INSERT INTO annotator (project_id, name, kind, api_key_id) SELECT $1, t.name, t.kind, $4 FROM unnest($2::text[], $3::text[]) AS t(name, kind)
     ON CONFLICT (project_id, name) DO NOTHING`,
    [projectId, names, kinds, apiKeyId],
  );
}

/** The project's annotators among these names, with their stored owner. */
export function findAnnotatorsByName(sql: Sql, projectId: string, names: readonly string[]): Promise<OwnedAnnotator[]> {
  return sql.query<OwnedAnnotator>(`SELECT id, name, kind, created_at, api_key_id FROM annotator WHERE project_id = $1 AND name = ANY($2::text[])`, [projectId, names]);
}

/** Whether the project has an annotator of this name. */
export async function annotatorExists(sql: Sql, projectId: string, name: string): Promise<boolean> {
  return (await sql.query(`SELECT 1 FROM annotator WHERE project_id = $1 AND name = $2`, [projectId, name])).length > 0;
}
