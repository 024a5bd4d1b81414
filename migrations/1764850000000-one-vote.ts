import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One annotator, one vote per item. Each annotation gets `is_current`: whether it is what its annotator says about
 * the item now. The slot is (item, annotator, kind), with HUMAN and GOLD sharing one slot (both are votes): a later
 * annotation in a slot replaces the earlier one, whose `is_current` becomes false. A RETRACTION is an appended
 * annotation (`retracts` = the withdrawn one, never current itself) that makes the withdrawn annotation stop counting.
 * Annotations stay append-only: the one change the database allows is `is_current` going from true to false.
 *
 * Each annotator also gets `api_key_id`, the API key that first wrote for it (its owner), backfilled from the
 * earliest annotation that names a key.
 *
 * Backfill: in every slot only the latest annotation (created_at, then id) stays current, and the vote counts,
 * latest review and current label of items that had a replaced vote are rebuilt from the current annotations.
 */
export class OneVote1764850000000 implements MigrationInterface {
  name = 'OneVote1764850000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE annotation DROP CONSTRAINT annotation_kind_check`);
    await q.query(`ALTER TABLE annotation ADD CONSTRAINT annotation_kind_check CHECK (kind IN ('HUMAN', 'MODEL', 'WEAK', 'GOLD', 'REVIEW', 'RETRACTION'))`);
    await q.query(`ALTER TABLE annotation ADD COLUMN is_current boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE annotation ADD COLUMN retracts uuid REFERENCES annotation(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE annotation ADD CONSTRAINT annotation_retraction_check CHECK ((kind = 'RETRACTION') = (retracts IS NOT NULL) AND (kind <> 'RETRACTION' OR NOT is_current))`);
    await q.query(`CREATE UNIQUE INDEX annotation_retracts_idx ON annotation (retracts) WHERE retracts IS NOT NULL`);
    await q.query(`
      CREATE OR REPLACE FUNCTION annotation_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.is_current AND NOT NEW.is_current AND (to_jsonb(NEW) - 'is_current') = (to_jsonb(OLD) - 'is_current') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'annotations are append-only (only is_current may go from true to false)';
      END $$`);
    await q.query(`
      UPDATE annotation SET is_current = false WHERE id IN (
        SELECT id FROM (
          SELECT id, row_number() OVER (
                   PARTITION BY item_id, annotator_id, CASE WHEN kind IN ('HUMAN', 'GOLD') THEN 'VOTE' ELSE kind END
                   ORDER BY created_at DESC, id DESC) AS r
          FROM annotation
        ) s WHERE r > 1)`);
    await q.query(`
      WITH touched AS (
        SELECT DISTINCT item_id AS id FROM annotation WHERE NOT is_current AND kind IN ('HUMAN', 'GOLD', 'REVIEW')
      ), v AS (
        SELECT item_id, label,
               count(*) FILTER (WHERE kind IN ('HUMAN', 'GOLD'))::int AS c,
               max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
        FROM annotation WHERE item_id IN (SELECT id FROM touched) AND is_current AND kind IN ('HUMAN', 'GOLD', 'REVIEW')
        GROUP BY item_id, label
      ), counts AS (
        SELECT u.id AS item_id, array_agg(COALESCE(v.c, 0) ORDER BY g.k) AS counts, COALESCE(sum(v.c), 0)::int AS n
        FROM touched u JOIN item it ON it.id = u.id JOIN project p ON p.id = it.project_id
          CROSS JOIN LATERAL generate_series(0, cardinality(p.classes) - 1) AS g(k)
          LEFT JOIN v ON v.item_id = u.id AND v.label = g.k
        GROUP BY u.id
      ), review AS (
        SELECT DISTINCT ON (item_id) item_id, label, reviewed FROM v WHERE reviewed IS NOT NULL ORDER BY item_id, reviewed DESC, label
      ), best AS (
        SELECT DISTINCT ON (item_id) item_id, label, c FROM v WHERE c > 0 ORDER BY item_id, c DESC, label
      )
      UPDATE item SET
        label_counts = t.counts,
        review_label = r.label,
        review_at = r.reviewed,
        current_label = COALESCE(r.label, b.label),
        label_share = CASE WHEN r.label IS NOT NULL THEN 1 WHEN b.label IS NOT NULL THEN b.c::real / t.n END,
        label_votes = t.n,
        label_source = CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END,
        updated_at = now()
      FROM counts t
        LEFT JOIN review r ON r.item_id = t.item_id
        LEFT JOIN best b ON b.item_id = t.item_id
      WHERE item.id = t.item_id`);
    await q.query(`ALTER TABLE annotator ADD COLUMN api_key_id uuid REFERENCES api_key(id) ON DELETE SET NULL`);
    await q.query(`
      UPDATE annotator n SET api_key_id = f.api_key_id
      FROM (SELECT DISTINCT ON (annotator_id) annotator_id, api_key_id FROM annotation
            WHERE api_key_id IS NOT NULL ORDER BY annotator_id, created_at, id) f
      WHERE n.id = f.annotator_id`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE annotator DROP COLUMN api_key_id`);
    await q.query(`DELETE FROM annotation WHERE kind = 'RETRACTION'`);
    await q.query(`
      CREATE OR REPLACE FUNCTION annotation_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'annotations are append-only';
      END $$`);
    await q.query(`ALTER TABLE annotation DROP CONSTRAINT annotation_retraction_check`);
    await q.query(`DROP INDEX annotation_retracts_idx`);
    await q.query(`ALTER TABLE annotation DROP COLUMN retracts`);
    await q.query(`ALTER TABLE annotation DROP COLUMN is_current`);
    await q.query(`ALTER TABLE annotation DROP CONSTRAINT annotation_kind_check`);
    await q.query(`ALTER TABLE annotation ADD CONSTRAINT annotation_kind_check CHECK (kind IN ('HUMAN', 'MODEL', 'WEAK', 'GOLD', 'REVIEW'))`);
    // Every annotation votes again: counts and current labels from all of them.
    await q.query(`
      WITH v AS (
        SELECT item_id, label,
               count(*) FILTER (WHERE kind IN ('HUMAN', 'GOLD'))::int AS c,
               max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
        FROM annotation WHERE kind IN ('HUMAN', 'GOLD', 'REVIEW')
        GROUP BY item_id, label
      ), counts AS (
        SELECT it.id AS item_id, array_agg(COALESCE(v.c, 0) ORDER BY g.k) AS counts, COALESCE(sum(v.c), 0)::int AS n
        FROM item it JOIN project p ON p.id = it.project_id
          CROSS JOIN LATERAL generate_series(0, cardinality(p.classes) - 1) AS g(k)
          LEFT JOIN v ON v.item_id = it.id AND v.label = g.k
        GROUP BY it.id
      ), review AS (
        SELECT DISTINCT ON (item_id) item_id, label, reviewed FROM v WHERE reviewed IS NOT NULL ORDER BY item_id, reviewed DESC, label
      ), best AS (
        SELECT DISTINCT ON (item_id) item_id, label, c FROM v WHERE c > 0 ORDER BY item_id, c DESC, label
      )
      UPDATE item SET
        label_counts = t.counts, review_label = r.label, review_at = r.reviewed,
        current_label = COALESCE(r.label, b.label),
        label_share = CASE WHEN r.label IS NOT NULL THEN 1 WHEN b.label IS NOT NULL THEN b.c::real / t.n END,
        label_votes = t.n,
        label_source = CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END
      FROM counts t LEFT JOIN review r ON r.item_id = t.item_id LEFT JOIN best b ON b.item_id = t.item_id
      WHERE item.id = t.item_id`);
  }
}
