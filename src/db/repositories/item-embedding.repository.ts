import type { Sql } from '../database';

/** How many of the project's items have an embedding, and the newest change among them (PostgreSQL text; null: none). */
export async function embeddingHead(sql: Sql, projectId: string): Promise<{ n: number; watermark: string | null }> {
  const [head] = await sql.query<{ n: number; watermark: string | null }>(
    `SELECT count(*)::int AS n, max(updated_at)::text AS watermark FROM item WHERE project_id = $1 AND embedding IS NOT NULL`,
    [projectId],
  );
  return head;
}

/** Rows whose updated_at is this close to a reader's watermark are read again (transactions commit out of order). */
export const REFRESH_MARGIN = '5 minutes';

/** The project's embedded items changed at or after `watermark` less {@link REFRESH_MARGIN}, with their update time as text. */
export function findEmbeddingsChangedSince(sql: Sql, projectId: string, watermark: string): Promise<Array<{ id: string; embedding: Uint8Array; updated: string }>> {
  return sql.query<{ id: string; embedding: Uint8Array; updated: string }>(
    `SELECT id, embedding, updated_at::text AS updated FROM item
     WHERE project_id = $1 AND embedding IS NOT NULL AND updated_at >= $2::timestamptz - interval '${REFRESH_MARGIN}'`,
    [projectId, watermark],
  );
}

/** Every embedded item of the project with its embedding (float32-encoded), in creation order (ties by externalId). */
export function findEmbeddings(sql: Sql, projectId: string): Promise<Array<{ id: string; embedding: Uint8Array }>> {
  return sql.query<{ id: string; embedding: Uint8Array }>(
    `SELECT id, embedding FROM item WHERE project_id = $1 AND embedding IS NOT NULL ORDER BY created_at, external_id`,
    [projectId],
  );
}

/**
 * What training reads of every item, in creation order (ties by externalId): its current label and, with
 * `embeddings`, its embedding (items without one left out), else its text.
 */
export function findTrainingRows(
  sql: Sql,
  projectId: string,
  embeddings: boolean,
): Promise<Array<{ id: string; label: number | null; text: string | null; embedding: Uint8Array | null }>> {
  return sql.query<{ id: string; label: number | null; text: string | null; embedding: Uint8Array | null }>(
    `SELECT id, current_label AS label, ${embeddings ? 'NULL::text AS text, embedding' : 'text, NULL::bytea AS embedding'}
     FROM item WHERE project_id = $1 ${embeddings ? 'AND embedding IS NOT NULL' : ''} ORDER BY created_at, external_id`,
    [projectId],
  );
}
