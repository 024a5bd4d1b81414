import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Skips that stick: `releaseItems(…, reason)` records one row per (item, annotator). A `LATER` skip keeps the item
 * from that annotator's nextBatch until `until`; a `SKIP` keeps it away until another annotator labels the item
 * after `created_at`. Rows go with their item or project (the foreign keys cascade).
 */
export class Skips1764800000000 implements MigrationInterface {
  name = 'Skips1764800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE item_skip (
        item_id uuid NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        annotator text NOT NULL,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        reason text NOT NULL CHECK (reason IN ('LATER', 'SKIP')),
        created_at timestamptz NOT NULL DEFAULT now(),
        until timestamptz,
        PRIMARY KEY (item_id, annotator),
        CHECK ((reason = 'LATER') = (until IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX item_skip_project_annotator_idx ON item_skip (project_id, annotator)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX item_skip_project_annotator_idx`);
    await q.query(`DROP TABLE item_skip`);
  }
}
