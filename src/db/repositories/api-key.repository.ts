import type { Sql } from '../database';
import type { Role } from '../types';

/** An API key as stored, without its hash. */
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  project_ids: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLS = `id, name, prefix, role, project_ids, created_at, revoked_at`;

/** How many keys there are, revoked ones included. */
export async function countApiKeys(sql: Sql): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_key`);
  return n;
}

/** Writes the bootstrap ADMIN key of that hash unless a key with that hash exists. */
export async function ensureBootstrapAdminKey(sql: Sql, keyHash: string, prefix: string): Promise<void> {
  await sql.query(
    `INSERT INTO api_key (name, key_hash, prefix, role) VALUES ('bootstrap admin', $1, $2, 'ADMIN') ON CONFLICT (key_hash) DO NOTHING`,
    [keyHash, prefix],
  );
}

/** The key of that hash (revoked or not), or null. */
export async function findApiKeyByHash(sql: Sql, keyHash: string): Promise<ApiKeyRow | null> {
  const [row] = await sql.query<ApiKeyRow>(`SELECT ${COLS} FROM api_key WHERE key_hash = $1`, [keyHash]);
  return row ?? null;
}

/** Writes a new key; `projectIds` null = every project. */
export async function insertApiKey(
  sql: Sql,
  k: { name: string; keyHash: string; prefix: string; role: Role; projectIds: readonly string[] | null },
): Promise<ApiKeyRow> {
  const [row] = await sql.query<ApiKeyRow>(
    `INSERT INTO api_key (name, key_hash, prefix, role, project_ids) VALUES ($1, $2, $3, $4, $5::uuid[])
     RETURNING ${COLS}`,
    [k.name, k.keyHash, k.prefix, k.role, k.projectIds],
  );
  return row;
}

/** The key of that id, locked until the transaction ends; null when there is none. */
export async function findApiKeyForUpdate(sql: Sql, id: string): Promise<ApiKeyRow | null> {
  const [row] = await sql.query<ApiKeyRow>(`SELECT ${COLS} FROM api_key WHERE id = $1 FOR UPDATE`, [id]);
  return row ?? null;
}

/** Revokes the key (a revoked key keeps its first revocation time). */
export async function revokeApiKey(sql: Sql, id: string): Promise<ApiKeyRow> {
  const [row] = await sql.query<ApiKeyRow>(
    `UPDATE api_key SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
     RETURNING ${COLS}`,
    [id],
  );
  return row;
}

/** Every key but those Label Studio connectors act as, oldest first. */
export function listApiKeys(sql: Sql): Promise<ApiKeyRow[]> {
  return sql.query<ApiKeyRow>(
    `SELECT ${COLS} FROM api_key WHERE NOT EXISTS (SELECT 1 FROM label_studio_connector c WHERE c.api_key_id = api_key.id) ORDER BY created_at, id`,
  );
}

/** The oldest active ADMIN key for every project, or null. */
export async function oldestActiveGlobalAdminKey(sql: Sql): Promise<ApiKeyRow | null> {
  const [row] = await sql.query<ApiKeyRow>(
    `SELECT ${COLS} FROM api_key
     WHERE role = 'ADMIN' AND project_ids IS NULL AND revoked_at IS NULL ORDER BY created_at, id LIMIT 1`,
  );
  return row ?? null;
}
