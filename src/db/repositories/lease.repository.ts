import type { Sql } from '../database';
import { LABELING_KINDS_SQL } from '../annotation-sql';

/**
 * Serialises lease-taking within one project on PostgreSQL (a transaction-scoped advisory lock; PGlite runs every
 * transaction alone anyway). Statements after it see every lease committed before it was granted.
 */
export async function lockLeases(sql: Sql, projectId: string): Promise<void> {
  await sql.query(`SELECT pg_advisory_xact_lock(hashtext('loupe.lease'), hashtext($1))`, [projectId]);
}

/** Removes the project's expired leases. */
export async function deleteExpiredLeases(sql: Sql, projectId: string): Promise<void> {
  await sql.query(`DELETE FROM lease WHERE project_id = $1 AND expires_at <= now()`, [projectId]);
}

/** Item id → how many leases on it are held by anyone but this annotator name under this key. */
export async function countOthersLeases(sql: Sql, projectId: string, annotator: string, keyId: string): Promise<Map<string, number>> {
  const rows = await sql.query<{ item_id: string; n: number }>(
    `SELECT item_id, count(*)::int AS n FROM lease WHERE project_id = $1 AND (annotator <> $2 OR api_key_id IS DISTINCT FROM $3) GROUP BY item_id`,
    [projectId, annotator, keyId],
  );
  return new Map(rows.map((r) => [r.item_id, r.n]));
}

/** Leases the API key holds in the project (expired ones included unless deleted first). */
export async function countKeyLeases(sql: Sql, projectId: string, keyId: string): Promise<number> {
  const [{ held }] = await sql.query<{ held: number }>(`SELECT count(*)::int AS held FROM lease WHERE project_id = $1 AND api_key_id = $2`, [projectId, keyId]);
  return held;
}

/** Those of `itemIds` that `annotator` already holds a lease on under this key. */
export async function findOwnLeasedItems(sql: Sql, projectId: string, annotator: string, keyId: string, itemIds: readonly string[]): Promise<Set<string>> {
  const rows = await sql.query<{ item_id: string }>(
    `SELECT item_id FROM lease WHERE project_id = $1 AND annotator = $2 AND api_key_id = $3 AND item_id = ANY($4::uuid[])`,
    [projectId, annotator, keyId, itemIds],
  );
  return new Set(rows.map((r) => r.item_id));
}

/**
 * Leases `itemIds` to `annotator` under `keyId` for `seconds` from now, renewing the annotator's own leases. A lease
 * of the same annotator name held by another key is not taken over (ON CONFLICT … WHERE): that item is not returned.
 */
export function upsertLeases(
  sql: Sql,
  projectId: string,
  annotator: string,
  keyId: string,
  itemIds: readonly string[],
  seconds: number,
): Promise<Array<{ item_id: string; expires_at: Date }>> {
  return sql.query<{ item_id: string; expires_at: Date }>(
    `INSERT INTO lease (item_id, annotator, project_id, expires_at, api_key_id)
     SELECT t.item_id, $2, $3, now() + make_interval(secs => $4), $5 FROM unnest($1::uuid[]) AS t(item_id)
     ON CONFLICT (item_id, annotator) DO UPDATE SET expires_at = EXCLUDED.expires_at, api_key_id = EXCLUDED.api_key_id
       WHERE lease.api_key_id IS NULL OR lease.api_key_id = EXCLUDED.api_key_id
     RETURNING item_id, expires_at`,
    [itemIds, annotator, projectId, seconds, keyId],
  );
}

/** Ends `annotator`'s active leases on `itemIds` taken by `keyId` (any key's when `anyKey`); returns the items released. */
export function deleteActiveLeases(sql: Sql, projectId: string, annotator: string, itemIds: readonly string[], anyKey: boolean, keyId: string): Promise<Array<{ item_id: string }>> {
  return sql.query<{ item_id: string }>(
    `DELETE FROM lease WHERE project_id = $1 AND annotator = $2 AND item_id = ANY($3::uuid[]) AND expires_at > now() AND ($4 OR api_key_id = $5)
     RETURNING item_id`,
    [projectId, annotator, itemIds, anyKey, keyId],
  );
}

/**
 * Renews `annotator`'s active leases on `itemIds` taken by `keyId` (any key's when `anyKey`) for `seconds` from now;
 * returns the leases renewed.
 */
export function extendActiveLeases(
  sql: Sql,
  projectId: string,
  annotator: string,
  itemIds: readonly string[],
  seconds: number,
  anyKey: boolean,
  keyId: string,
): Promise<Array<{ item_id: string; expires_at: Date }>> {
  return sql.query<{ item_id: string; expires_at: Date }>(
    `UPDATE lease SET expires_at = now() + make_interval(secs => $4)
     WHERE project_id = $1 AND annotator = $2 AND item_id = ANY($3::uuid[]) AND expires_at > now() AND ($5 OR api_key_id = $6)
     RETURNING item_id, expires_at`,
    [projectId, annotator, itemIds, seconds, anyKey, keyId],
  );
}

/**
 * Records that `annotator` released the project's items among `itemIds` with `reason` (LATER: until `cooldownSeconds`
 * from now; SKIP: no end), replacing an earlier skip. No skip is recorded on an item that the annotator name holds
 * under another key's active lease, unless `anyKey`.
 */
export async function upsertSkips(
  sql: Sql,
  projectId: string,
  annotator: string,
  itemIds: readonly string[],
  reason: string,
  cooldownSeconds: number,
  anyKey: boolean,
  keyId: string,
): Promise<void> {
  await sql.query(
    `INSERT INTO item_skip (item_id, annotator, project_id, reason, until)
     SELECT i.id, $2, $1, $4, CASE WHEN $4 = 'LATER' THEN now() + make_interval(secs => $5) END
     FROM item i WHERE i.project_id = $1 AND i.id = ANY($3::uuid[])
       AND ($6 OR NOT EXISTS (SELECT 1 FROM lease l WHERE l.item_id = i.id AND l.annotator = $2 AND l.expires_at > now() AND l.api_key_id IS DISTINCT FROM $7))
     ON CONFLICT (item_id, annotator) DO UPDATE SET reason = EXCLUDED.reason, until = EXCLUDED.until, created_at = now()`,
    [projectId, annotator, itemIds, reason, cooldownSeconds, anyKey, keyId],
  );
}

/** Items `annotator` released with a reason that still holds: LATER before its cooldown ends, SKIP until someone else labels the item. */
export async function findSkippedItems(sql: Sql, projectId: string, annotator: string): Promise<Set<string>> {
  const rows = await sql.query<{ item_id: string }>(
    `SELECT s.item_id FROM item_skip s
     WHERE s.project_id = $1 AND s.annotator = $2
       AND ((s.reason = 'LATER' AND s.until > now())
         OR (s.reason = 'SKIP' AND NOT EXISTS (
               SELECT 1 FROM annotation a JOIN annotator n ON n.id = a.annotator_id
               WHERE a.item_id = s.item_id AND n.name <> s.annotator AND a.kind IN ${LABELING_KINDS_SQL} AND a.created_at > s.created_at)))`,
    [projectId, annotator],
  );
  return new Set(rows.map((r) => r.item_id));
}
