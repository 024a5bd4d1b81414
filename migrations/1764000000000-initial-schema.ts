import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projects, items, annotators, append-only annotations, API keys.
 * PostgreSQL dialect that both PostgreSQL 15 and PGlite (PostgreSQL 18) accept.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE project (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        classes text[] NOT NULL,
        task_type text NOT NULL DEFAULT 'MULTICLASS' CHECK (task_type IN ('MULTICLASS')),
        embedding_dim integer CHECK (embedding_dim IS NULL OR embedding_dim BETWEEN 1 AND 65536),
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        guideline_version text NOT NULL DEFAULT '1',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT project_name_unique UNIQUE (name)
      )`);
    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        key_hash text NOT NULL,
        prefix text NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER', 'LABELING_TOOL')),
        project_ids uuid[],
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT api_key_hash_unique UNIQUE (key_hash)
      )`);
    await q.query(`
      CREATE TABLE item (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        external_id text NOT NULL,
        text text,
        data jsonb,
        embedding bytea,
        current_label smallint,
        label_share real,
        label_votes integer NOT NULL DEFAULT 0,
        label_source text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT item_external_id_unique UNIQUE (project_id, external_id)
      ) WITH (fillfactor = 80)`);
    await q.query(`CREATE INDEX item_project_created_idx ON item (project_id, created_at, id)`);
    await q.query(`
      CREATE TABLE annotator (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('HUMAN', 'TOOL', 'MODEL', 'LABELING_FUNCTION')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT annotator_name_unique UNIQUE (project_id, name)
      )`);
    await q.query(`
      CREATE TABLE annotation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        item_id uuid NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        annotator_id uuid NOT NULL REFERENCES annotator(id) ON DELETE CASCADE,
        label smallint NOT NULL CHECK (label >= 0),
        kind text NOT NULL CHECK (kind IN ('HUMAN', 'MODEL', 'WEAK', 'GOLD', 'REVIEW')),
        confidence real CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
        duration_ms integer CHECK (duration_ms IS NULL OR duration_ms >= 0),
        guideline_version text,
        client_mutation_id text,
        api_key_id uuid REFERENCES api_key(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT annotation_client_mutation_id_unique UNIQUE (project_id, client_mutation_id)
      )`);
    await q.query(`CREATE INDEX annotation_item_idx ON annotation (item_id, created_at)`);
    await q.query(`CREATE INDEX annotation_project_annotator_idx ON annotation (project_id, annotator_id)`);
    await q.query(`CREATE INDEX annotation_project_created_idx ON annotation (project_id, created_at)`);
    // Annotations are append-only: the database refuses UPDATE (DELETE stays possible only through a project's cascade).
    await q.query(`
      CREATE FUNCTION annotation_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'annotations are append-only';
      END $$`);
    await q.query(`CREATE TRIGGER annotation_no_update BEFORE UPDATE ON annotation FOR EACH ROW EXECUTE FUNCTION annotation_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER annotation_no_update ON annotation`);
    await q.query(`DROP FUNCTION annotation_append_only()`);
    await q.query(`DROP TABLE annotation`);
    await q.query(`DROP TABLE annotator`);
    await q.query(`DROP TABLE item`);
    await q.query(`DROP TABLE api_key`);
    await q.query(`DROP TABLE project`);
  }
}
