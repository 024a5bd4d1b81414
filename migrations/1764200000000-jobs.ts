import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The scheduled pipeline: how a job run was started (MANUAL or SCHEDULE, with its cron slot — unique per project,
 * job and slot, so a slot runs once however many replicas fire it), its per-step timings (pipeline), and the metrics
 * snapshots the `metrics` job writes. PostgreSQL dialect that both PostgreSQL 15 and PGlite (PostgreSQL 18) accept.
 */
export class Jobs1764200000000 implements MigrationInterface {
  name = 'Jobs1764200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_run ADD COLUMN trigger text NOT NULL DEFAULT 'MANUAL' CHECK (trigger IN ('MANUAL', 'SCHEDULE'))`);
    await q.query(`ALTER TABLE job_run ADD COLUMN slot timestamptz`);
    await q.query(`ALTER TABLE job_run ADD COLUMN steps jsonb`);
    await q.query(`ALTER TABLE job_run ADD CONSTRAINT job_run_slot_trigger CHECK ((trigger = 'SCHEDULE') = (slot IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX job_run_slot_unique ON job_run (project_id, name, slot) WHERE slot IS NOT NULL`);
    // Recovery at start looks for runs left QUEUED or RUNNING.
    await q.query(`CREATE INDEX job_run_active_idx ON job_run (status) WHERE status IN ('QUEUED', 'RUNNING')`);
    await q.query(`
      CREATE TABLE metrics_snapshot (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        job_run_id uuid REFERENCES job_run(id) ON DELETE SET NULL,
        items integer NOT NULL CHECK (items >= 0),
        labeled_items integer NOT NULL CHECK (labeled_items >= 0),
        annotations integer NOT NULL CHECK (annotations >= 0),
        annotations_by_kind jsonb NOT NULL,
        annotators integer NOT NULL CHECK (annotators >= 0),
        open_label_issues integer CHECK (open_label_issues IS NULL OR open_label_issues >= 0),
        model_version_id uuid REFERENCES model_version(id) ON DELETE SET NULL,
        cross_val_accuracy real,
        taken_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX metrics_snapshot_project_taken_idx ON metrics_snapshot (project_id, taken_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX metrics_snapshot_project_taken_idx`);
    await q.query(`DROP TABLE metrics_snapshot`);
    await q.query(`DROP INDEX job_run_active_idx`);
    await q.query(`DROP INDEX job_run_slot_unique`);
    await q.query(`ALTER TABLE job_run DROP CONSTRAINT job_run_slot_trigger`);
    await q.query(`ALTER TABLE job_run DROP COLUMN steps`);
    await q.query(`ALTER TABLE job_run DROP COLUMN slot`);
    await q.query(`ALTER TABLE job_run DROP COLUMN trigger`);
  }
}
