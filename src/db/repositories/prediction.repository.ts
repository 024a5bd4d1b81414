import type { Sql } from '../database';
import { decodeFloat32 } from '../float32';
import { LatestModelVersion, latestModelVersion, latestModelVersionIdSql } from './model-version.repository';

/** Stores a model version's probability rows (float32-encoded), one per item. */
export async function insertPredictions(sql: Sql, modelVersionId: string, projectId: string, itemIds: readonly string[], probs: readonly Uint8Array[]): Promise<void> {
  await sql.query(
    `INSERT INTO prediction (model_version_id, item_id, project_id, probs)
     SELECT $1, t.item_id, $2, t.probs FROM unnest($3::uuid[], $4::bytea[]) AS t(item_id, probs)`,
    [modelVersionId, projectId, itemIds, probs],
  );
}

/** Stores a model version's probability rows with each row's committee votes (members × classes, null: none). */
export async function insertPredictionsWithCommittee(
  sql: Sql,
  modelVersionId: string,
  projectId: string,
  itemIds: readonly string[],
  probs: readonly Uint8Array[],
  committee: readonly (Uint8Array | null)[],
): Promise<void> {
  await sql.query(
    `INSERT INTO prediction (model_version_id, item_id, project_id, probs, committee)
     SELECT $1, t.item_id, $2, t.probs, t.committee FROM unnest($3::uuid[], $4::bytea[], $5::bytea[]) AS t(item_id, probs, committee)`,
    [modelVersionId, projectId, itemIds, probs, committee],
  );
}

/** A model version's prediction rows, float32-encoded: probabilities over the version's classes and committee votes. */
export function findPredictionsWithCommittee(sql: Sql, modelVersionId: string): Promise<Array<{ item_id: string; probs: Uint8Array; committee: Uint8Array | null }>> {
  return sql.query<{ item_id: string; probs: Uint8Array; committee: Uint8Array | null }>(
    `SELECT item_id, probs, committee FROM prediction WHERE model_version_id = $1`,
    [modelVersionId],
  );
}

/** The project's latest model version with its probabilities (item id → probabilities over the version's classes). */
export interface LatestProbabilities {
  version: LatestModelVersion;
  probs: Map<string, Float32Array>;
}

/**
 * The project's latest model version and every item's probabilities under it, as stored (over the version's
 * classes, each row summing to 1 within float32), or null when the project has no model version. The one reader of
 * "the current model's probabilities": map them to the project's classes with the caller's rule.
 */
export async function latestProbabilities(sql: Sql, projectId: string): Promise<LatestProbabilities | null> {
  const version = await latestModelVersion(sql, projectId);
  if (!version) return null;
  const rows = await sql.query<{ item_id: string; probs: Uint8Array }>(`SELECT item_id, probs FROM prediction WHERE model_version_id = $1`, [version.id]);
  const probs = new Map<string, Float32Array>();
  for (const r of rows) probs.set(r.item_id, decodeFloat32(r.probs)!);
  return { version, probs };
}

/** Each of these items' prediction under its project's latest model version (items it did not predict are absent). */
export function findLatestItemPredictions(
  sql: Sql,
  itemIds: readonly string[],
): Promise<Array<{ item_id: string; model_version_id: string; name: string; classes: string[]; probs: Uint8Array; created_at: Date }>> {
  return sql.query<{ item_id: string; model_version_id: string; name: string; classes: string[]; probs: Uint8Array; created_at: Date }>(
    `SELECT pr.item_id, pr.model_version_id, v.name, v.classes, pr.probs, pr.created_at
     FROM item i
     JOIN model_version v ON v.id = ${latestModelVersionIdSql('i.project_id')}
     JOIN prediction pr ON pr.model_version_id = v.id AND pr.item_id = i.id
     WHERE i.id = ANY($1::uuid[])`,
    [itemIds],
  );
}
