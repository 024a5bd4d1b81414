import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';

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
