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

/** A model version with its outputs, decoded: item id → probabilities over the version's classes (as stored). */
export interface VersionProbabilities {
  version: LatestModelVersion;
  probs: Map<string, Float32Array>;
  /** Item id → each committee member's probabilities (members × classes); empty unless asked for or without a committee. */
  committee: Map<string, Float32Array>;
  /** Committee size (0 = no committee, or not asked for). */
  members: number;
}

/**
 * A model version's probabilities (rows over the version's classes, each summing to 1 within float32) and, with
 * `committee`, its committee votes. Map them to the project's classes with the caller's rule.
 */
export async function versionProbabilities(sql: Sql, version: LatestModelVersion, opts: { committee?: boolean } = {}): Promise<VersionProbabilities> {
  const rows = opts.committee
    ? await sql.query<{ item_id: string; probs: Uint8Array; committee: Uint8Array | null }>(`SELECT item_id, probs, committee FROM prediction WHERE model_version_id = $1`, [version.id])
    : ((await findVersionProbs(sql, version.id)) as Array<{ item_id: string; probs: Uint8Array; committee?: undefined }>);
  const probs = new Map<string, Float32Array>();
  const committee = new Map<string, Float32Array>();
  let members = 0;
  for (const r of rows) {
    probs.set(r.item_id, decodeFloat32(r.probs)!);
    if (!r.committee) continue;
    const c = decodeFloat32(r.committee)!;
    committee.set(r.item_id, c);
    members = c.length / version.classes.length;
  }
  return { version, probs, committee, members };
}

/**
 * The project's latest model version and every item's probabilities under it (see versionProbabilities), or null
 * when the project has no model version: the one reader of "the current model's probabilities".
 */
export async function latestProbabilities(sql: Sql, projectId: string, opts: { committee?: boolean } = {}): Promise<VersionProbabilities | null> {
  const version = await latestModelVersion(sql, projectId);
  return version ? versionProbabilities(sql, version, opts) : null;
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
/** A model version's stored probabilities (float32 bytes) for these items. */
export function findPredictionProbs(sql: Sql, modelVersionId: string, itemIds: readonly string[]): Promise<Array<{ item_id: string; probs: Uint8Array }>> {
  return sql.query<{ item_id: string; probs: Uint8Array }>(`SELECT item_id, probs FROM prediction WHERE model_version_id = $1 AND item_id = ANY($2::uuid[])`, [
    modelVersionId,
    itemIds,
  ]);
}

/** A model version's stored probabilities (float32 bytes), one row per item it predicted. */
export function findVersionProbs(sql: Sql, modelVersionId: string): Promise<Array<{ item_id: string; probs: Uint8Array }>> {
  return sql.query<{ item_id: string; probs: Uint8Array }>(`SELECT item_id, probs FROM prediction WHERE model_version_id = $1`, [modelVersionId]);
}
