import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';
import { uuidArray } from '../array-literal';
import type { AnnotatorKind } from '../types';

/** The names of the project's annotators among `ids`, id → name, in one query (ids not found are left out). */
export async function findAnnotatorNames(sql: Sql, projectId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await sql.query<{ id: string; name: string }>(`SELECT id, name FROM annotator WHERE project_id = $1 AND id = ANY($2::uuid[])`, [projectId, ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** An annotator's throughput: its annotations (RETRACTIONs aside) in all, in the last 24 hours and the last 7 days. */
export interface AnnotatorThroughputRow {
  id: string;
  name: string;
  kind: string;
  total: number;
  d1: number;
  d7: number;
}

/** Throughput of every HUMAN and TOOL annotator of the project, ordered by name. */
export function findAnnotatorThroughput(sql: Sql, projectId: string): Promise<AnnotatorThroughputRow[]> {
  return sql.query<AnnotatorThroughputRow>(
    `SELECT n.id, n.name, n.kind, count(a.id)::int AS total,
       count(a.id) FILTER (WHERE a.created_at > now() - interval '24 hours')::int AS d1,
       count(a.id) FILTER (WHERE a.created_at > now() - interval '7 days')::int AS d7
     FROM annotator n LEFT JOIN annotation a ON a.annotator_id = n.id AND a.kind <> 'RETRACTION'
     WHERE n.project_id = $1 AND n.kind IN ('HUMAN', 'TOOL') GROUP BY n.id, n.name, n.kind ORDER BY n.name`,
    [projectId],
  );
}

/** How many current HUMAN annotations an annotator gave a label, split by whether they are of the last `days` days. */
export interface LabelMixRow {
  annotator_id: string;
  label: number;
  recent: boolean;
  n: number;
}

/** The label counts of each annotator's current HUMAN annotations, recent (last `days` days) and before. */
export function findAnnotatorLabelMix(sql: Sql, projectId: string, days: number): Promise<LabelMixRow[]> {
  return sql.query<LabelMixRow>(
    `SELECT annotator_id, label, created_at > now() - make_interval(days => $2) AS recent, count(*)::int AS n
     FROM annotation WHERE project_id = $1 AND kind = 'HUMAN' AND ${CURRENT('annotation')} GROUP BY annotator_id, label, recent`,
    [projectId, days],
  );
}

/** The project's annotator of this name, or null. */
export async function findAnnotatorByName(sql: Sql, projectId: string, name: string): Promise<{ id: string; name: string; kind: string; created_at: Date } | null> {
  const [a] = await sql.query<{ id: string; name: string; kind: string; created_at: Date }>(
    `SELECT id, name, kind, created_at FROM annotator WHERE project_id = $1 AND name = $2`,
    [projectId, name],
  );
  return a ?? null;
}

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
