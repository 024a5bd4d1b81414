import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One annotator, one vote per item. Each annotation fills a slot of its (item, annotator): HUMAN and GOLD share one
 * (both are votes), every other kind has its own. A later annotation in a slot replaces the earlier one; a RETRACTION
 * (an appended annotation, `retracts` = the withdrawn one) withdraws the annotation it names. The ids of replaced and
 * withdrawn annotations go into `annotation_replaced`; annotations themselves stay append-only. An annotation is
 * current while its id is not there (see src/services/annotation-slots.ts).
 *
 * `annotation_replaced` is only the ids, with no foreign key and no other index: it is written on the ingest path,
 * where a foreign key check per row cost about 4× the insert itself (80,000 rows in 1.12 s with one, 0.26 s without)
 * and an index on a random uuid touches a random page per row. The deletion service removes the rows of the
 * annotations it deletes.
 *
 * Each item keeps its current votes beside its counts: `voters` (annotator ids, sorted), `vote_ids` and
 * `vote_labels` (their current HUMAN or GOLD annotation), so that a vote replacing an earlier one is found on the
 * item row submitAnnotations locks anyway.
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
    await q.query(`ALTER TABLE annotation ADD COLUMN retracts uuid REFERENCES annotation(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE annotation ADD CONSTRAINT annotation_retraction_check CHECK ((kind = 'RETRACTION') = (retracts IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX annotation_retracts_idx ON annotation (retracts) WHERE retracts IS NOT NULL`);
    await q.query(`CREATE TABLE annotation_replaced (id uuid PRIMARY KEY)`);
    await q.query(`ALTER TABLE item ADD COLUMN voters uuid[] NOT NULL DEFAULT '{}', ADD COLUMN vote_ids uuid[] NOT NULL DEFAULT '{}', ADD COLUMN vote_labels smallint[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      INSERT INTO annotation_replaced (id)
      SELECT id FROM (
        SELECT id, item_id, row_number() OVER (
                 PARTITION BY item_id, annotator_id, CASE WHEN kind IN ('HUMAN', 'GOLD') THEN 'VOTE' ELSE kind END
                 ORDER BY created_at DESC, id DESC) AS r
        FROM annotation
      ) s WHERE r > 1`);
    await q.query(`
      WITH touched AS (
        SELECT DISTINCT a.item_id AS id FROM annotation_replaced x JOIN annotation a ON a.id = x.id WHERE a.kind IN ('HUMAN', 'GOLD', 'REVIEW')
      ), v AS (
        SELECT a.item_id, a.label,
               count(*) FILTER (WHERE a.kind IN ('HUMAN', 'GOLD'))::int AS c,
               max(a.created_at) FILTER (WHERE a.kind = 'REVIEW') AS reviewed
        FROM annotation a
        WHERE a.item_id IN (SELECT id FROM touched) AND a.kind IN ('HUMAN', 'GOLD', 'REVIEW')
          AND NOT EXISTS (SELECT 1 FROM annotation_replaced x WHERE x.id = a.id)
        GROUP BY a.item_id, a.label
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
    await q.query(`
      UPDATE item SET voters = vt.voters, vote_ids = vt.vote_ids, vote_labels = vt.vote_labels
      FROM (SELECT a.item_id, array_agg(a.annotator_id ORDER BY a.annotator_id) AS voters, array_agg(a.id ORDER BY a.annotator_id) AS vote_ids,
                   array_agg(a.label ORDER BY a.annotator_id) AS vote_labels
            FROM annotation a WHERE a.kind IN ('HUMAN', 'GOLD') AND NOT EXISTS (SELECT 1 FROM annotation_replaced x WHERE x.id = a.id)
            GROUP BY a.item_id) vt
      WHERE item.id = vt.item_id`);
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
    await q.query(`DROP TABLE annotation_replaced`);
    await q.query(`ALTER TABLE item DROP COLUMN voters, DROP COLUMN vote_ids, DROP COLUMN vote_labels`);
    await q.query(`ALTER TABLE annotation DROP CONSTRAINT annotation_retraction_check`);
    await q.query(`DROP INDEX annotation_retracts_idx`);
    await q.query(`ALTER TABLE annotation DROP COLUMN retracts`);
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
