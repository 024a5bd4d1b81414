import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-item vote counts, so submitAnnotations updates an item's current label from the votes it adds instead of
 * re-reading every annotation of the item: `label_counts[k + 1]` is the number of HUMAN and GOLD annotations for
 * class index k (an array shorter than the project's classes means 0 for the rest), `review_label` / `review_at`
 * the latest REVIEW annotation (ties in time → lowest class index). Backfilled from the stored annotations.
 */
export class LabelCounts1764700000000 implements MigrationInterface {
  name = 'LabelCounts1764700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item ADD COLUMN label_counts integer[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE item ADD COLUMN review_label smallint`);
    await q.query(`ALTER TABLE item ADD COLUMN review_at timestamptz`);
    await q.query(`ALTER TABLE item SET (fillfactor = 50)`);
    await q.query(`
      WITH v AS (
        SELECT item_id, label,
               count(*) FILTER (WHERE kind IN ('HUMAN', 'GOLD'))::int AS c,
               max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
        FROM annotation WHERE kind IN ('HUMAN', 'GOLD', 'REVIEW')
        GROUP BY item_id, label
      ), counts AS (
        SELECT it.id AS item_id, array_agg(COALESCE(v.c, 0) ORDER BY g.k) AS counts
        FROM item it JOIN project p ON p.id = it.project_id
          CROSS JOIN LATERAL generate_series(0, cardinality(p.classes) - 1) AS g(k)
          LEFT JOIN v ON v.item_id = it.id AND v.label = g.k
        WHERE it.id IN (SELECT item_id FROM v)
        GROUP BY it.id
      ), review AS (
        SELECT DISTINCT ON (item_id) item_id, label, reviewed FROM v WHERE reviewed IS NOT NULL ORDER BY item_id, reviewed DESC, label
      )
      UPDATE item SET label_counts = c.counts, review_label = r.label, review_at = r.reviewed
      FROM counts c LEFT JOIN review r ON r.item_id = c.item_id
      WHERE item.id = c.item_id`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item SET (fillfactor = 80)`);
    await q.query(`ALTER TABLE item DROP COLUMN review_at`);
    await q.query(`ALTER TABLE item DROP COLUMN review_label`);
    await q.query(`ALTER TABLE item DROP COLUMN label_counts`);
  }
}
