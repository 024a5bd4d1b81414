import type { Sql } from '../database';

/** Locks the project's items among these ids (id order) and answers their references. */
export function lockItemsForDeletion(sql: Sql, projectId: string, ids: readonly string[]): Promise<Array<{ id: string; external_id: string }>> {
  return sql.query<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM item WHERE project_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
    [projectId, ids],
  );
}

/** How many annotations these items have. */
export async function countAnnotationsOfItems(sql: Sql, itemIds: readonly string[]): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE item_id = ANY($1::uuid[])`, [itemIds]);
  return n;
}

/**
 * Deletes the project's items; their annotations, predictions, leases and routes go with them (the foreign keys
 * cascade). annotation_replaced has no foreign key (it is written on the ingest path), so its rows for the items'
 * annotations are deleted first.
 */
export async function deleteItems(sql: Sql, projectId: string, itemIds: readonly string[]): Promise<void> {
  await sql.query(`DELETE FROM annotation_replaced WHERE id IN (SELECT id FROM annotation WHERE item_id = ANY($1::uuid[]))`, [itemIds]);
  await sql.query(`DELETE FROM item WHERE project_id = $1 AND id = ANY($2::uuid[])`, [projectId, itemIds]);
}

/** Appends an entry to the project's audit log. */
export async function insertAuditLog(sql: Sql, projectId: string, actorKeyId: string | null, action: string, details: unknown): Promise<{ id: string; created_at: Date }> {
  const [log] = await sql.query<{ id: string; created_at: Date }>(
    `INSERT INTO audit_log (project_id, actor_key_id, action, details) VALUES ($1, $2, $3, $4::jsonb) RETURNING id, created_at`,
    [projectId, actorKeyId, action, JSON.stringify(details)],
  );
  return log;
}

export interface AuditLogRow {
  id: string;
  project_id: string | null;
  actor_key_id: string | null;
  action: string;
  details: Record<string, unknown>;
  created_at: Date;
}

/** The project's latest audit log entries, newest first. */
export function findAuditLog(sql: Sql, projectId: string, limit: number): Promise<AuditLogRow[]> {
  return sql.query<AuditLogRow>(
    `SELECT id, project_id, actor_key_id, action, details, created_at FROM audit_log WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [projectId, limit],
  );
}
