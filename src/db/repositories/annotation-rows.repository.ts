import { textArray } from '../array-literal';
import type { Sql } from '../database';

/** A whole `annotation` row, as `RETURNING *` gives it (for writing it back unchanged but for some columns). */
export type AnnotationRecord = { client_mutation_id: string; created_at: string } & Record<string, unknown>;

/** Deletes the project's annotations of these clientMutationIds and returns them whole. */
export function deleteAnnotationsByClientMutationId(sql: Sql, projectId: string, clientMutationIds: readonly string[]): Promise<AnnotationRecord[]> {
  return sql.query<AnnotationRecord>(`DELETE FROM annotation WHERE project_id = $1 AND client_mutation_id = ANY($2::text[]) RETURNING *`, [
    projectId,
    textArray(clientMutationIds),
  ]);
}

/** Inserts whole annotation rows (every column as given, ids and times included). */
export async function insertAnnotationRows(sql: Sql, rows: readonly AnnotationRecord[]): Promise<void> {
  await sql.query(`INSERT INTO annotation SELECT * FROM json_populate_recordset(NULL::annotation, $1::json)`, [JSON.stringify(rows)]);
}
