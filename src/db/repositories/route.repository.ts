import type { Sql } from '../database';
import { CURRENT, LABELING_KINDS_SQL } from '../annotation-sql';

/** An item's route as the last route run wrote it. */
export interface ItemRouteRow {
  item_id: string;
  route: string;
  spot_check: boolean;
  confidence: number | null;
  agreement: number | null;
  run_id: string;
  updated_at: Date;
}

/** Items per route of the project, with how many of them are spot checks. */
export function countRoutes(sql: Sql, projectId: string): Promise<Array<{ route: string; n: number; s: number }>> {
  return sql.query<{ route: string; n: number; s: number }>(
    `SELECT route, count(*)::int AS n, count(*) FILTER (WHERE spot_check)::int AS s FROM item_route WHERE project_id = $1 GROUP BY route`,
    [projectId],
  );
}

/** The run that wrote the project's newest route, or null when it has none. */
export async function lastRouteRun(sql: Sql, projectId: string): Promise<{ run_id: string; updated_at: Date } | null> {
  const [last] = await sql.query<{ run_id: string; updated_at: Date }>(
    `SELECT run_id, updated_at FROM item_route WHERE project_id = $1 ORDER BY updated_at DESC LIMIT 1`,
    [projectId],
  );
  return last ?? null;
}

/** The routes of these items (any project's: the caller has checked the items' project). */
export function findItemRoutes(sql: Sql, itemIds: readonly string[]): Promise<ItemRouteRow[]> {
  return sql.query<ItemRouteRow>(
    `SELECT item_id, route, spot_check, confidence, agreement, run_id, updated_at FROM item_route WHERE item_id = ANY($1::uuid[])`,
    [itemIds],
  );
}

/** Item id → its route and spot check, for every routed item of the project. */
export async function findProjectRoutes(sql: Sql, projectId: string): Promise<Map<string, { item_id: string; route: string; spot_check: boolean }>> {
  const rows = await sql.query<{ item_id: string; route: string; spot_check: boolean }>(`SELECT item_id, route, spot_check FROM item_route WHERE project_id = $1`, [projectId]);
  return new Map(rows.map((r) => [r.item_id, r]));
}

/** Removes every route of the project. */
export async function deleteRoutes(sql: Sql, projectId: string): Promise<void> {
  await sql.query(`DELETE FROM item_route WHERE project_id = $1`, [projectId]);
}

/** Routes to write, column by column (one entry per item). */
export interface RouteColumns {
  itemIds: string[];
  routes: string[];
  spotCheck: boolean[];
  confidence: (number | null)[];
  agreement: (number | null)[];
}

/** Inserts routes of the project's items written by run `runId` (ids of items no longer in the project are skipped). */
export async function insertRoutes(sql: Sql, projectId: string, runId: string, r: RouteColumns): Promise<void> {
  await sql.query(
    `INSERT INTO item_route (item_id, project_id, route, spot_check, confidence, agreement, run_id)
     SELECT t.item_id, $1, t.route, t.spot_check, t.confidence, t.agreement, $2
     FROM unnest($3::uuid[], $4::text[], $5::boolean[], $6::real[], $7::real[]) AS t(item_id, route, spot_check, confidence, agreement)
     JOIN item i ON i.id = t.item_id AND i.project_id = $1`,
    [projectId, runId, r.itemIds, r.routes, r.spotCheck, r.confidence, r.agreement],
  );
}

/** The project's current HUMAN/GOLD/REVIEW votes per item, label and kind: how many, and when the last was cast (text). */
export function countLabelingVotes(sql: Sql, projectId: string): Promise<Array<{ item_id: string; label: number; kind: string; n: number; last_at: string }>> {
  return sql.query<{ item_id: string; label: number; kind: string; n: number; last_at: string }>(
    `SELECT item_id, label, kind, count(*)::int AS n, max(created_at)::text AS last_at FROM annotation
     WHERE project_id = $1 AND kind IN ${LABELING_KINDS_SQL} AND ${CURRENT('annotation')} GROUP BY item_id, label, kind`,
    [projectId],
  );
}

/** Whether a table exists (tables of later migrations may be absent). */
export async function tableExists(sql: Sql, table: string): Promise<boolean> {
  const [{ t }] = await sql.query<{ t: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS t`, [table]);
  return t;
}

/** Each item's latest label-issue resolution of the project: its route and when (text). Needs the label_issue table. */
export function latestIssueResolutions(sql: Sql, projectId: string): Promise<Array<{ item_id: string; route: string | null; at: string }>> {
  return sql.query<{ item_id: string; route: string | null; at: string }>(
    `SELECT DISTINCT ON (item_id) item_id, route, resolved_at::text AS at FROM label_issue
     WHERE project_id = $1 AND resolved_at IS NOT NULL ORDER BY item_id, resolved_at DESC`,
    [projectId],
  );
}

/**
 * Consensus confidence of the project's items whose consensus under one of `methods` came from at least
 * `minAnnotations` annotations (confidence not null). Needs the item_consensus table.
 */
export function findConsensusConfidence(sql: Sql, projectId: string, methods: readonly string[], minAnnotations: number): Promise<Array<{ item_id: string; a: number }>> {
  return sql.query<{ item_id: string; a: number }>(
    `SELECT item_id, confidence::float8 AS a FROM item_consensus
     WHERE project_id = $1 AND method = ANY($2::text[]) AND num_annotations >= $3 AND confidence IS NOT NULL`,
    [projectId, methods, minAnnotations],
  );
}
