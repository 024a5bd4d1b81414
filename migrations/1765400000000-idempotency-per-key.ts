import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A clientMutationId is unique per (project, API key), not per project: an idempotency key belongs to the key that
 * wrote it. Another key sending the same id writes a new annotation and learns nothing about the stored one (with
 * one key space per project, its "duplicate" or "differs in label" answers told it other annotators' labels).
 * Existing rows are unique per project, so they are unique per (project, key) too.
 */
export class IdempotencyPerKey1765400000000 implements MigrationInterface {
  name = 'IdempotencyPerKey1765400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE annotation DROP CONSTRAINT annotation_client_mutation_id_unique,
         ADD CONSTRAINT annotation_client_mutation_id_unique UNIQUE (project_id, api_key_id, client_mutation_id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    // Fails when two keys have since used the same id in a project: there is no single owner to keep.
    await q.query(
      `ALTER TABLE annotation DROP CONSTRAINT annotation_client_mutation_id_unique,
         ADD CONSTRAINT annotation_client_mutation_id_unique UNIQUE (project_id, client_mutation_id)`,
    );
  }
}
