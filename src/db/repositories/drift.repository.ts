import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';

export type DriftKind = 'EMBEDDING' | 'PREDICTION' | 'LABEL' | 'ANNOTATOR';
export type DriftVerdict = 'OK' | 'WARN' | 'DRIFT';

/** One drift report row before it is written. */
export interface DriftRow {
  kind: DriftKind;
  annotator: string | null;
  statistic: string;
  value: number;
  pvalue: number | null;
  verdict: DriftVerdict;
  referenceFrom: Date | null;
  referenceTo: Date | null;
  currentFrom: Date | null;
  currentTo: Date | null;
  referenceCount: number;
  currentCount: number;
  details: Record<string, unknown>;
}

/** A stored drift report, as its columns read. */
export interface DriftReportRow {
  id: string;
  project_id: string;
  run_id: string;
  kind: DriftKind;
  annotator: string | null;
  statistic: string;
  value: number;
  pvalue: number | null;
  verdict: DriftVerdict;
  reference_from: Date | null;
  reference_to: Date | null;
  current_from: Date | null;
  current_to: Date | null;
  reference_count: number;
  current_count: number;
  details: Record<string, unknown>;
  created_at: Date;
}

/** The reports of the project's latest drift run (the run of its newest report), unordered. */
export function findLatestDriftReports(sql: Sql, projectId: string): Promise<DriftReportRow[]> {
  return sql.query<DriftReportRow>(
    `SELECT id, project_id, run_id, kind, annotator, statistic, value, pvalue, verdict, reference_from, reference_to, current_from,
         current_to, reference_count, current_count, details, created_at
       FROM drift_report WHERE project_id = $1
         AND run_id = (SELECT run_id FROM drift_report WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)`,
    [projectId],
  );
}

/** When the project's newest drift report was written, or null before any. */
export async function lastDriftReportAt(sql: Sql, projectId: string): Promise<Date | null> {
  const [last] = await sql.query<{ created_at: Date }>(`SELECT max(created_at) AS created_at FROM drift_report WHERE project_id = $1`, [projectId]);
  return last?.created_at ? new Date(last.created_at) : null;
}

/** The database's clock (the transaction's start time). */
export async function databaseNow(sql: Sql): Promise<Date> {
  const [{ now }] = await sql.query<{ now: Date }>(`SELECT now() AS now`);
  return new Date(now);
}

/** The creation times of the project's items, in (created_at, id) order. */
export async function findItemCreationTimes(sql: Sql, projectId: string): Promise<Date[]> {
  const rows = await sql.query<{ created_at: Date }>(`SELECT created_at FROM item WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
  return rows.map((r) => new Date(r.created_at));
}

/** What a drift run reads of its project, with the database's clock; undefined when there is no such project. */
export async function findDriftProject(
  sql: Sql,
  projectId: string,
): Promise<{ classes: string[]; embedding_dim: number | null; settings: Record<string, unknown> | null; now: Date } | undefined> {
  const [project] = await sql.query<{ classes: string[]; embedding_dim: number | null; settings: Record<string, unknown> | null; now: Date }>(
    `SELECT classes, embedding_dim, settings, now() AS now FROM project WHERE id = $1`,
    [projectId],
  );
  return project;
}

/** The project's items in (created_at, id) order: current label, whether they have an embedding, creation time. */
export function findDriftItems(sql: Sql, projectId: string): Promise<Array<{ id: string; label: number | null; has_embedding: boolean; created_at: Date }>> {
  return sql.query<{ id: string; label: number | null; has_embedding: boolean; created_at: Date }>(
    `SELECT id, current_label AS label, embedding IS NOT NULL AS has_embedding, created_at FROM item WHERE project_id = $1 ORDER BY created_at, id`,
    [projectId],
  );
}

/** The project's current HUMAN annotations (annotator name, label, time), by annotator name then time. */
export function findCurrentHumanLabels(sql: Sql, projectId: string): Promise<Array<{ annotator: string; label: number; created_at: Date }>> {
  return sql.query<{ annotator: string; label: number; created_at: Date }>(
    `SELECT n.name AS annotator, a.label, a.created_at FROM annotation a JOIN annotator n ON n.id = a.annotator_id
       WHERE a.project_id = $1 AND a.kind = 'HUMAN' AND ${CURRENT('a')} ORDER BY n.name, a.created_at, a.id`,
    [projectId],
  );
}

/** The stored (float32) embeddings of these items, for those that still exist. */
export function findEmbeddings(sql: Sql, itemIds: readonly string[]): Promise<Array<{ id: string; embedding: Uint8Array }>> {
  return sql.query<{ id: string; embedding: Uint8Array }>(`SELECT id, embedding FROM item WHERE id = ANY($1::uuid[])`, [itemIds]);
}

/** Writes one drift run's reports. */
export async function insertDriftReports(sql: Sql, projectId: string, runId: string, rows: readonly DriftRow[]): Promise<void> {
  await sql.query(
    `INSERT INTO drift_report (project_id, run_id, kind, annotator, statistic, value, pvalue, verdict, reference_from, reference_to,
           current_from, current_to, reference_count, current_count, details)
         SELECT $1, $2, t.kind, t.annotator, t.statistic, t.value, t.pvalue, t.verdict, t.rf, t.rt, t.cf, t.ct, t.rc, t.cc, t.details::jsonb
         FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::timestamptz[], $10::timestamptz[],
           $11::timestamptz[], $12::timestamptz[], $13::int[], $14::int[], $15::text[])
           AS t(kind, annotator, statistic, value, pvalue, verdict, rf, rt, cf, ct, rc, cc, details)`,
    [
      projectId,
      runId,
      rows.map((r) => r.kind),
      rows.map((r) => r.annotator),
      rows.map((r) => r.statistic),
      rows.map((r) => r.value),
      rows.map((r) => r.pvalue),
      rows.map((r) => r.verdict),
      rows.map((r) => r.referenceFrom),
      rows.map((r) => r.referenceTo),
      rows.map((r) => r.currentFrom),
      rows.map((r) => r.currentTo),
      rows.map((r) => r.referenceCount),
      rows.map((r) => r.currentCount),
      rows.map((r) => JSON.stringify(r.details)),
    ],
  );
}
