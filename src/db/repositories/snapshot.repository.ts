import type { Sql } from '../database';
import { CURRENT, LABELING_KINDS_SQL } from '../annotation-sql';

/** A snapshot, as its columns read. */
export interface SnapshotRow {
  id: string;
  project_id: string;
  note: string | null;
  created_by: string | null;
  created_at: Date;
  content_hash: string;
  item_count: number;
}

const COLS = `id, project_id, note, created_by, created_at, content_hash, item_count`;

/** One frozen item of a snapshot; `lineage` is its canonical JSON text when written. */
export interface SnapshotItemRow<L> {
  ord: number;
  item_id: string;
  external_id: string;
  label: string | null;
  lineage: L;
}

/** Makes the current transaction see one snapshot of the data (PostgreSQL; must be its first statement). */
export async function setRepeatableRead(sql: Sql): Promise<void> {
  await sql.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
}

/** Inserts a snapshot's header row. */
export async function insertSnapshot(
  sql: Sql,
  s: { projectId: string; note: string | null; createdBy: string | null; contentHash: string; itemCount: number },
): Promise<SnapshotRow> {
  const [snap] = await sql.query<SnapshotRow>(
    `INSERT INTO snapshot (project_id, note, created_by, content_hash, item_count) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLS}`,
    [s.projectId, s.note, s.createdBy, s.contentHash, s.itemCount],
  );
  return snap;
}

/** Inserts frozen items of a snapshot, the first at position `firstOrd`, with their lineage as canonical JSON text. */
export async function insertSnapshotItems(
  sql: Sql,
  snapshotId: string,
  firstOrd: number,
  items: ReadonlyArray<{ itemId: string; externalId: string; label: string | null; lineageJson: string }>,
): Promise<void> {
  await sql.query(
    `INSERT INTO snapshot_item (snapshot_id, ord, item_id, external_id, label, lineage)
           SELECT $1, t.ord, t.item_id, t.external_id, t.label, t.lineage::jsonb
           FROM unnest($2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[]) AS t(ord, item_id, external_id, label, lineage)`,
    [snapshotId, items.map((_, i) => firstOrd + i), items.map((r) => r.itemId), items.map((r) => r.externalId), items.map((r) => r.label), items.map((r) => r.lineageJson)],
  );
}

/** The project's snapshots, newest first. */
export function findSnapshots(sql: Sql, projectId: string): Promise<SnapshotRow[]> {
  return sql.query<SnapshotRow>(`SELECT ${COLS} FROM snapshot WHERE project_id = $1 ORDER BY created_at DESC, id DESC`, [projectId]);
}

/** A snapshot by id (of any project: the caller checks its scope), or undefined. */
export async function findSnapshot(sql: Sql, id: string): Promise<SnapshotRow | undefined> {
  return (await sql.query<SnapshotRow>(`SELECT ${COLS} FROM snapshot WHERE id = $1`, [id]))[0];
}

/**
 * The externalIds whose frozen item differs from snapshot `a` to `b`: only in one of them, another label, or
 * another item.
 */
export function diffSnapshotItems(
  sql: Sql,
  a: string,
  b: string,
): Promise<Array<{ external_id: string; a_item: string | null; b_item: string | null; old_label: string | null; new_label: string | null }>> {
  return sql.query<{ external_id: string; a_item: string | null; b_item: string | null; old_label: string | null; new_label: string | null }>(
    `SELECT COALESCE(x.external_id, y.external_id) AS external_id, x.item_id AS a_item, y.item_id AS b_item, x.label AS old_label, y.label AS new_label
       FROM (SELECT external_id, item_id, label FROM snapshot_item WHERE snapshot_id = $1) x
       FULL JOIN (SELECT external_id, item_id, label FROM snapshot_item WHERE snapshot_id = $2) y ON x.external_id = y.external_id
       WHERE x.external_id IS NULL OR y.external_id IS NULL OR x.label IS DISTINCT FROM y.label OR x.item_id <> y.item_id`,
    [a, b],
  );
}

/** At most `limit` (an integer) of a snapshot's frozen items after position `afterOrd`, in position order. */
export function findSnapshotItemPage<L>(sql: Sql, snapshotId: string, afterOrd: number, limit: number): Promise<Array<SnapshotItemRow<L>>> {
  return sql.query<SnapshotItemRow<L>>(
    `SELECT ord, item_id, external_id, label, lineage FROM snapshot_item WHERE snapshot_id = $1 AND ord > $2 ORDER BY ord LIMIT ${Math.trunc(limit)}`,
    [snapshotId, afterOrd],
  );
}

/** Every item of the project with its externalId and current label (class index), unordered. */
export function findItemLabels(sql: Sql, projectId: string): Promise<Array<{ id: string; external_id: string; current_label: number | null }>> {
  return sql.query<{ id: string; external_id: string; current_label: number | null }>(`SELECT id, external_id, current_label FROM item WHERE project_id = $1`, [projectId]);
}

/** The project's current labeling annotations (HUMAN, GOLD, REVIEW) with their annotator's name, oldest first. */
export function findCurrentLabelingAnnotations(
  sql: Sql,
  projectId: string,
): Promise<Array<{ id: string; item_id: string; label: number; kind: string; annotator: string; guideline_version: string | null }>> {
  return sql.query<{ id: string; item_id: string; label: number; kind: string; annotator: string; guideline_version: string | null }>(
    `SELECT a.id, a.item_id, a.label, a.kind, n.name AS annotator, a.guideline_version FROM annotation a JOIN annotator n ON n.id = a.annotator_id
       WHERE a.project_id = $1 AND a.kind IN ${LABELING_KINDS_SQL} AND ${CURRENT('a')} ORDER BY a.created_at, a.id`,
    [projectId],
  );
}
