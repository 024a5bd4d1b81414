import type { Sql } from '../database';

/** A model version's stored probabilities (float32 bytes) for these items. */
export function findPredictionProbs(sql: Sql, modelVersionId: string, itemIds: readonly string[]): Promise<Array<{ item_id: string; probs: Uint8Array }>> {
  return sql.query<{ item_id: string; probs: Uint8Array }>(`SELECT item_id, probs FROM prediction WHERE model_version_id = $1 AND item_id = ANY($2::uuid[])`, [
    modelVersionId,
    itemIds,
  ]);
}
