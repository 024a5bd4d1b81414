import type { Sql } from '../database';

/** What a connector remembers of the label config Label Studio sent to /setup. */
export interface LabelStudioConfig {
  fromName: string;
  toName: string;
  dataKey: string;
  objectTag: string;
}

/** A Label Studio connector as stored, without its secret's hash. */
export interface LabelStudioConnectorRow {
  id: string;
  project_id: string;
  api_key_id: string;
  config: LabelStudioConfig | null;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLS = `id, project_id, api_key_id, config, created_by, created_at, revoked_at`;

/** Writes a connector acting as the key `apiKeyId`. */
export async function insertConnector(
  sql: Sql,
  c: { projectId: string; secretHash: string; apiKeyId: string; createdBy: string },
): Promise<LabelStudioConnectorRow> {
  const [row] = await sql.query<LabelStudioConnectorRow>(
    `INSERT INTO label_studio_connector (project_id, secret_hash, api_key_id, created_by) VALUES ($1, $2, $3, $4)
     RETURNING ${COLS}`,
    [c.projectId, c.secretHash, c.apiKeyId, c.createdBy],
  );
  return row;
}

/** The connector whose secret has this hash (revoked or not), or null. */
export async function findConnectorBySecretHash(sql: Sql, secretHash: string): Promise<LabelStudioConnectorRow | null> {
  const [row] = await sql.query<LabelStudioConnectorRow>(`SELECT ${COLS} FROM label_studio_connector WHERE secret_hash = $1`, [secretHash]);
  return row ?? null;
}

/** The connector of that id, locked until the transaction ends; null when there is none. */
export async function findConnectorForUpdate(sql: Sql, id: string): Promise<LabelStudioConnectorRow | null> {
  const [row] = await sql.query<LabelStudioConnectorRow>(`SELECT ${COLS} FROM label_studio_connector WHERE id = $1 FOR UPDATE`, [id]);
  return row ?? null;
}

/** The project's connectors, oldest first. */
export function listConnectors(sql: Sql, projectId: string): Promise<LabelStudioConnectorRow[]> {
  return sql.query<LabelStudioConnectorRow>(`SELECT ${COLS} FROM label_studio_connector WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
}

/** Revokes the connector (it keeps its first revocation time); its key is revoked by the caller. */
export async function revokeConnector(sql: Sql, projectId: string, id: string): Promise<LabelStudioConnectorRow> {
  const [row] = await sql.query<LabelStudioConnectorRow>(
    `UPDATE label_studio_connector SET revoked_at = COALESCE(revoked_at, now()) WHERE project_id = $1 AND id = $2
     RETURNING ${COLS}`,
    [projectId, id],
  );
  return row;
}

/** Remembers the label config's names on the connector. */
export async function updateConnectorConfig(sql: Sql, projectId: string, id: string, config: LabelStudioConfig): Promise<void> {
  await sql.query(`UPDATE label_studio_connector SET config = $3::jsonb WHERE project_id = $1 AND id = $2`, [projectId, id, JSON.stringify(config)]);
}
