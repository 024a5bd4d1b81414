import { boolArray, joinedIdsArray, numberArray, textArray, uuidArray } from '../array-literal';
import type { Sql } from '../database';
import type { AnnotationKind, AnnotatorKind } from '../types';
import { CURRENT, LABELING_KINDS_SQL, SLOT_SQL, VOTE_KINDS_SQL, slotOf } from '../annotation-sql';

/** An annotation as read with its annotator and label name (ANNOTATION_SELECT over ANNOTATION_FROM). */
export interface AnnotationRow {
  id: string;
  project_id: string;
  item_id: string;
  annotator_id: string;
  annotator_name: string;
  annotator_kind: AnnotatorKind;
  annotator_created_at: Date;
  label: number;
  label_name: string;
  kind: AnnotationKind;
  confidence: number | null;
  duration_ms: number | null;
  guideline_version: string | null;
  client_mutation_id: string | null;
  api_key_id: string | null;
  /** Computed by ANNOTATION_SELECT (see db/annotation-sql.ts). */
  is_current: boolean;
  retracts: string | null;
  created_at: Date;
}

export const ANNOTATION_SELECT = `a.id, a.project_id, a.item_id, a.annotator_id, n.name AS annotator_name, n.kind AS annotator_kind,
  n.created_at AS annotator_created_at, a.label, p.classes[a.label + 1] AS label_name, a.kind, a.confidence, a.duration_ms,
  a.guideline_version, a.client_mutation_id, a.api_key_id, ${CURRENT('a')} AS is_current, a.retracts, a.created_at`;
export const ANNOTATION_FROM = `annotation a JOIN annotator n ON n.id = a.annotator_id JOIN project p ON p.id = a.project_id`;

/** An item row locked by submit, with what its current label is derived from. */
export interface LockedItem {
  id: string;
  external_id: string;
  /**
   * `label_counts|voters|vote_ids|vote_labels`, each ':'-joined: the vote counts, the annotators with a current vote
   * (HUMAN or GOLD, sorted) and their vote's annotation id and label. One text column is cheaper to read than four
   * arrays.
   */
  votes: string;
  review_label: number | null;
  review_order: number;
}

/**
 * Locks the project's items among these ids and externalIds (id order: concurrent overlapping batches cannot
 * deadlock on them), with each item's vote counts and latest review. review_order: 1 when a REVIEW written now would
 * be later than the stored one, 0 at the same instant, -1 earlier.
 */
export function lockItemsForVotes(sql: Sql, projectId: string, ids: readonly string[], externalIds: readonly string[]): Promise<LockedItem[]> {
  return sql.query<LockedItem>(
    `SELECT id, external_id, review_label,
            concat(array_to_string(label_counts, ':'), '|', array_to_string(voters, ':'), '|', array_to_string(vote_ids, ':'), '|', array_to_string(vote_labels, ':')) AS votes,
            CASE WHEN review_at IS NULL OR review_at < now() THEN 1 WHEN review_at = now() THEN 0 ELSE -1 END AS review_order
     FROM item WHERE project_id = $1 AND (id = ANY($2::uuid[]) OR external_id = ANY($3::text[]))
     ORDER BY id FOR UPDATE`,
    [projectId, uuidArray(ids), textArray(externalIds)],
  );
}

/** The columns of annotations to insert, one entry per row; `annotator` is a 1-based index into annotatorIds/Names. */
export interface AnnotationColumns {
  ids: string[];
  itemIds: string[];
  annotator: number[];
  labels: number[];
  kinds: string[];
  confidences: Array<number | null>;
  durationsMs: Array<number | null>;
  guidelineVersions: string[];
  clientMutationIds: Array<string | null>;
  annotatorIds: string[];
  annotatorNames: string[];
}

/**
 * One statement inserts every row and ends the leases: an annotation ends its annotator's lease on the item, re-sends
 * included. ON CONFLICT skips a clientMutationId already stored for the key. Answers the number inserted and the
 * transaction's time (the rows' created_at).
 */
export async function insertAnnotations(sql: Sql, projectId: string, c: AnnotationColumns, apiKeyId: string | null): Promise<{ inserted: number; created_at: Date }> {
  const [r] = await sql.query<{ inserted: number; created_at: Date }>(
    `WITH t AS (
       SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::smallint[], $6::text[], $7::real[], $8::int[], $9::text[], $10::text[])
         AS t(id, item_id, annotator, label, kind, confidence, duration_ms, guideline_version, client_mutation_id)
     ), gone AS (
       DELETE FROM lease l USING t
       WHERE l.project_id = $1 AND l.item_id = t.item_id AND l.annotator = ($12::text[])[t.annotator]
     ), ins AS (
       INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, confidence, duration_ms, guideline_version, client_mutation_id, api_key_id)
       SELECT t.id, $1, t.item_id, ($11::uuid[])[t.annotator], t.label, t.kind, t.confidence, t.duration_ms, t.guideline_version,
              t.client_mutation_id, $13
       FROM t
       ON CONFLICT (project_id, api_key_id, client_mutation_id) DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM ins)::int AS inserted, now() AS created_at`,
    [
      projectId,
      uuidArray(c.ids),
      uuidArray(c.itemIds),
      numberArray(c.annotator),
      numberArray(c.labels),
      textArray(c.kinds),
      numberArray(c.confidences),
      numberArray(c.durationsMs),
      textArray(c.guidelineVersions),
      textArray(c.clientMutationIds),
      uuidArray(c.annotatorIds),
      textArray(c.annotatorNames),
      apiKeyId,
    ],
  );
  return r;
}

/** The key's stored annotations with these clientMutationIds, other than the ids given (rows just inserted). */
export function findByClientMutationIds(sql: Sql, projectId: string, apiKeyId: string | null, clientMutationIds: readonly string[], exceptIds: readonly string[]): Promise<AnnotationRow[]> {
  return sql.query<AnnotationRow>(
    `SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM}
     WHERE a.project_id = $1 AND a.api_key_id = $4 AND a.client_mutation_id = ANY($2::text[]) AND NOT a.id = ANY($3::uuid[])`,
    [projectId, textArray(clientMutationIds), uuidArray(exceptIds), apiKeyId],
  );
}

/** Records annotations as replaced (no longer current); none of them may be recorded already. */
export async function insertReplaced(sql: Sql, ids: readonly string[]): Promise<void> {
  await sql.query(`INSERT INTO annotation_replaced (id) SELECT unnest($1::uuid[])`, [uuidArray(ids)]);
}

/** An annotation that stopped being current because a later one filled its slot, or it was retracted. */
export interface Replaced {
  id: string;
  item_id: string;
  label: number;
  kind: AnnotationKind;
}

/**
 * Makes each written annotation the one current annotation of its slot: every other current annotation of the same
 * (item, annotator, slot) stops being current. `written` are the latest annotation of each slot this write touched;
 * returns the annotations that stopped counting. The items must be locked by the caller (FOR UPDATE), so that writes
 * to one item take turns and "latest" is the order they were written in.
 */
export async function replacePrevious(sql: Sql, written: Array<{ id: string; itemId: string; annotatorId: string; kind: AnnotationKind }>): Promise<Replaced[]> {
  if (written.length === 0) return [];
  // Per written annotation, index probes only: its item's annotations (annotation_item_idx), then the replaced ones
  // (annotation_replaced_pkey). OFFSET 0 keeps the planner from flattening the LATERAL into a join over the whole
  // table, which it does on a fresh table without statistics (hundreds of ms per batch, growing with the table).
  return sql.query<Replaced>(
    `WITH c AS (
       SELECT a.id, a.item_id, a.label, a.kind
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS w(id, item_id, annotator_id, slot)
         CROSS JOIN LATERAL (
           SELECT a.id, a.item_id, a.label, a.kind FROM annotation a
           WHERE a.item_id = w.item_id AND a.annotator_id = w.annotator_id AND a.id <> w.id AND ${SLOT_SQL('a')} = w.slot
             AND ${CURRENT('a')}
           OFFSET 0
         ) a
     ), ins AS (
       INSERT INTO annotation_replaced (id) SELECT id FROM c ON CONFLICT DO NOTHING RETURNING id
     )
     SELECT c.* FROM c JOIN ins ON ins.id = c.id`,
    [uuidArray(written.map((w) => w.id)), uuidArray(written.map((w) => w.itemId)), uuidArray(written.map((w) => w.annotatorId)), textArray(written.map((w) => slotOf(w.kind)))],
  );
}

/**
 * An item's current label, from its current annotations (each annotator's latest per slot, not retracted): the
 * latest REVIEW decides outright (ties in time → lowest class index); otherwise the majority of HUMAN and GOLD votes,
 * one per annotator (ties → lowest class index), with the winner's vote share.
 *
 * This re-reads every annotation of the items and rebuilds their vote counts too: the general path, for writers
 * other than submitAnnotations (which applies its votes to the locked item rows, see updateItemVotes) and as the
 * reference the tests hold that fast path to.
 */
export async function recomputeCurrentLabels(sql: Sql, itemIds: string[]): Promise<void> {
  // One statement: the votes per (item, label), the latest REVIEW per item, the majority (ties → lowest index).
  await sql.query(
    `WITH u AS (
       SELECT DISTINCT id FROM unnest($1::uuid[]) AS u(id)
     ), v AS (
       SELECT item_id, label,
              count(*) FILTER (WHERE kind IN ${VOTE_KINDS_SQL})::int AS c,
              max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
       FROM annotation WHERE item_id = ANY($1::uuid[]) AND ${CURRENT('annotation')} AND kind IN ${LABELING_KINDS_SQL}
       GROUP BY item_id, label
     ), counts AS (
       SELECT u.id AS item_id, array_agg(COALESCE(v.c, 0) ORDER BY g.k) AS counts, COALESCE(sum(v.c), 0)::int AS n
       FROM u JOIN item it ON it.id = u.id JOIN project p ON p.id = it.project_id
         CROSS JOIN LATERAL generate_series(0, cardinality(p.classes) - 1) AS g(k)
         LEFT JOIN v ON v.item_id = u.id AND v.label = g.k
       GROUP BY u.id
     ), review AS (
       SELECT DISTINCT ON (item_id) item_id, label, reviewed FROM v WHERE reviewed IS NOT NULL ORDER BY item_id, reviewed DESC, label
     ), best AS (
       SELECT DISTINCT ON (item_id) item_id, label, c FROM v WHERE c > 0 ORDER BY item_id, c DESC, label
     ), vt AS (
       SELECT item_id, array_agg(annotator_id ORDER BY annotator_id) AS voters, array_agg(id ORDER BY annotator_id) AS vote_ids,
              array_agg(label ORDER BY annotator_id) AS vote_labels
       FROM annotation WHERE item_id = ANY($1::uuid[]) AND ${CURRENT('annotation')} AND kind IN ${VOTE_KINDS_SQL}
       GROUP BY item_id
     )
     UPDATE item SET
       label_counts = t.counts,
       voters = COALESCE(vt.voters, '{}'),
       vote_ids = COALESCE(vt.vote_ids, '{}'),
       vote_labels = COALESCE(vt.vote_labels, '{}'),
       review_label = r.label,
       review_at = r.reviewed,
       current_label = COALESCE(r.label, b.label),
       label_share = CASE WHEN r.label IS NOT NULL THEN 1 WHEN b.label IS NOT NULL THEN b.c::real / t.n END,
       label_votes = t.n,
       label_source = CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END
     FROM counts t
       LEFT JOIN review r ON r.item_id = t.item_id
       LEFT JOIN best b ON b.item_id = t.item_id
       LEFT JOIN vt ON vt.item_id = t.item_id
     WHERE item.id = t.item_id`,
    [itemIds],
  );
}

/**
 * New vote columns of items, one entry per item: counts, current votes (voters, voteIds and voteLabels in the same
 * order, sorted by annotator id), the vote total, the review label (and whether it was written now), the current
 * label, the winner's vote count and the label's source.
 */
export interface ItemVoteColumns {
  ids: string[];
  counts: number[][];
  voters: string[][];
  voteIds: string[][];
  voteLabels: number[][];
  totals: number[];
  reviewLabels: Array<number | null>;
  reviewNow: boolean[];
  labels: Array<number | null>;
  winners: Array<number | null>;
  sources: Array<string | null>;
}

/**
 * Writes the items' counts, current votes and current labels in one UPDATE, and records `replaced` (annotations that
 * stopped being current) in the same statement, a plain INSERT (none of them may be recorded already).
 */
export async function updateItemVotes(sql: Sql, u: ItemVoteColumns, replaced: readonly string[]): Promise<void> {
  const n = u.ids.length;
  const counts = new Array<string>(n);
  const voters = new Array<string>(n);
  const voteIds = new Array<string>(n);
  const voteLabels = new Array<string>(n);
  for (let j = 0; j < n; j++) {
    counts[j] = numberArray(u.counts[j]);
    voters[j] = u.voters[j].join(':');
    voteIds[j] = u.voteIds[j].join(':');
    voteLabels[j] = u.voteLabels[j].join(':');
  }
  await sql.query(
    `WITH r AS (INSERT INTO annotation_replaced (id) SELECT unnest($12::uuid[]))
     UPDATE item SET
       label_counts = u.counts::int[],
       voters = string_to_array(u.voters, ':')::uuid[],
       vote_ids = string_to_array(u.vote_ids, ':')::uuid[],
       vote_labels = string_to_array(u.vote_labels, ':')::smallint[],
       label_votes = u.n,
       review_label = u.review_label,
       review_at = CASE WHEN u.review_now THEN now() ELSE item.review_at END,
       current_label = u.label,
       label_share = CASE WHEN u.source = 'REVIEW' THEN 1 WHEN u.source IS NOT NULL THEN u.c::real / u.n END,
       label_source = u.source
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::smallint[], $8::bool[], $9::smallint[], $10::int[], $11::text[])
       AS u(id, counts, voters, vote_ids, vote_labels, n, review_label, review_now, label, c, source)
     WHERE item.id = u.id`,
    [
      uuidArray(u.ids),
      textArray(counts),
      joinedIdsArray(voters),
      joinedIdsArray(voteIds),
      joinedIdsArray(voteLabels),
      numberArray(u.totals),
      numberArray(u.reviewLabels),
      boolArray(u.reviewNow),
      numberArray(u.labels),
      numberArray(u.winners),
      textArray(u.sources),
      uuidArray(replaced),
    ],
  );
}

/** An annotation a retraction names, with what the retraction copies and checks. */
export interface RetractionTarget {
  id: string;
  item_id: string;
  annotator_id: string;
  label: number;
  kind: AnnotationKind;
  api_key_id: string | null;
}

/** The project's annotations among these ids. */
export function findRetractionTargets(sql: Sql, projectId: string, ids: readonly string[]): Promise<RetractionTarget[]> {
  return sql.query<RetractionTarget>(
    `SELECT id, item_id, annotator_id, label, kind, api_key_id FROM annotation WHERE project_id = $1 AND id = ANY($2::uuid[])`,
    [projectId, uuidArray(ids)],
  );
}

/** Locks items by id (id order). */
export async function lockItems(sql: Sql, itemIds: readonly string[]): Promise<void> {
  await sql.query(`SELECT id FROM item WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [uuidArray(itemIds)]);
}

/** Which of these annotation ids a RETRACTION names already. */
export async function findRetractedIds(sql: Sql, ids: readonly string[]): Promise<string[]> {
  return (await sql.query<{ retracts: string }>(`SELECT retracts FROM annotation WHERE retracts = ANY($1::uuid[])`, [uuidArray(ids)])).map((r) => r.retracts);
}

/** Appends one RETRACTION (ids `newIds`) per annotation of `oldIds`: same project, item, annotator, label, guideline. */
export async function insertRetractions(sql: Sql, newIds: readonly string[], oldIds: readonly string[], apiKeyId: string | null): Promise<void> {
  await sql.query(
    `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, guideline_version, api_key_id, retracts)
     SELECT t.new_id, a.project_id, a.item_id, a.annotator_id, a.label, 'RETRACTION', a.guideline_version, $3, a.id
     FROM unnest($1::uuid[], $2::uuid[]) AS t(new_id, old_id) JOIN annotation a ON a.id = t.old_id`,
    [uuidArray(newIds), uuidArray(oldIds), apiKeyId],
  );
}

/** Records the annotations as no longer current; answers those that were current until now (item and kind). */
export function markNotCurrent(sql: Sql, ids: readonly string[]): Promise<Array<{ item_id: string; kind: AnnotationKind }>> {
  return sql.query<{ item_id: string; kind: AnnotationKind }>(
    `WITH ins AS (
       INSERT INTO annotation_replaced (id) SELECT id FROM annotation WHERE id = ANY($1::uuid[])
       ON CONFLICT DO NOTHING RETURNING id
     )
     SELECT a.item_id, a.kind FROM annotation a JOIN ins ON ins.id = a.id`,
    [uuidArray(ids)],
  );
}

/** The RETRACTIONs of these annotation ids. */
export function findRetractionsOf(sql: Sql, ids: readonly string[]): Promise<AnnotationRow[]> {
  return sql.query<AnnotationRow>(`SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.retracts = ANY($1::uuid[])`, [uuidArray(ids)]);
}

/**
 * The annotations of these items, oldest first; with `onlyApiKey`, only those that key wrote and never GOLD.
 */
export function findAnnotationsOfItems(sql: Sql, itemIds: readonly string[], onlyApiKey?: string): Promise<AnnotationRow[]> {
  return onlyApiKey
    ? sql.query<AnnotationRow>(
        `SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.item_id = ANY($1::uuid[]) AND a.api_key_id = $2 AND a.kind <> 'GOLD'
         ORDER BY a.created_at, a.id`,
        [itemIds, onlyApiKey],
      )
    : sql.query<AnnotationRow>(`SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.item_id = ANY($1::uuid[]) ORDER BY a.created_at, a.id`, [itemIds]);
}

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

/** The project's items with a current GOLD annotation. */
export async function findGoldItemIds(sql: Sql, projectId: string): Promise<Set<string>> {
  const rows = await sql.query<{ item_id: string }>(`SELECT DISTINCT item_id FROM annotation WHERE project_id = $1 AND kind = 'GOLD' AND ${CURRENT('annotation')}`, [projectId]);
  return new Set(rows.map((r) => r.item_id));
}

/** Items the project's annotator of this name has annotated (any kind, current or not). */
export async function findItemsAnnotatedBy(sql: Sql, projectId: string, annotator: string): Promise<Set<string>> {
  const rows = await sql.query<{ item_id: string }>(
    `SELECT DISTINCT a.item_id FROM annotation a JOIN annotator n ON n.id = a.annotator_id WHERE n.project_id = $1 AND n.name = $2`,
    [projectId, annotator],
  );
  return new Set(rows.map((r) => r.item_id));
}

/** The project's gold items (a current GOLD annotation) and whether any annotation of each was made with `keyId`. */
export function findGoldItemsByKey(sql: Sql, projectId: string, keyId: string): Promise<Array<{ item_id: string; by_key: boolean }>> {
  return sql.query<{ item_id: string; by_key: boolean }>(
    `SELECT item_id, bool_or(api_key_id = $2) AS by_key FROM annotation
     WHERE project_id = $1 AND item_id IN (SELECT item_id FROM annotation WHERE project_id = $1 AND kind = 'GOLD' AND ${CURRENT('annotation')})
     GROUP BY item_id`,
    [projectId, keyId],
  );
}
