import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The model in the loop: model versions (built-in or external), their per-item predictions (float32 probabilities),
 * the leases nextBatch hands out per (item, annotator), and job runs (training, for now).
 * PostgreSQL dialect that both PostgreSQL 15 and PGlite (PostgreSQL 18) accept.
 */
export class ModelLoop1764100000000 implements MigrationInterface {
  name = 'ModelLoop1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE model_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('BUILTIN', 'EXTERNAL')),
        classes text[] NOT NULL,
        weights jsonb,
        metrics jsonb,
        label_counts jsonb,
        training_ms integer CHECK (training_ms IS NULL OR training_ms >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX model_version_project_created_idx ON model_version (project_id, created_at, id)`);
    await q.query(`
      CREATE TABLE prediction (
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        item_id uuid NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        probs bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model_version_id, item_id)
      )`);
    await q.query(`CREATE INDEX prediction_item_idx ON prediction (item_id)`);
    await q.query(`
      CREATE TABLE lease (
        item_id uuid NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        annotator text NOT NULL,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (item_id, annotator)
      )`);
    await q.query(`CREATE INDEX lease_project_expires_idx ON lease (project_id, expires_at)`);
    await q.query(`
      CREATE TABLE job_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid REFERENCES project(id) ON DELETE CASCADE,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        progress real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        step text,
        error text,
        counts jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX job_run_project_created_idx ON job_run (project_id, created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX job_run_project_created_idx`);
    await q.query(`DROP TABLE job_run`);
    await q.query(`DROP INDEX lease_project_expires_idx`);
    await q.query(`DROP TABLE lease`);
    await q.query(`DROP INDEX prediction_item_idx`);
    await q.query(`DROP TABLE prediction`);
    await q.query(`DROP INDEX model_version_project_created_idx`);
    await q.query(`DROP TABLE model_version`);
  }
}
