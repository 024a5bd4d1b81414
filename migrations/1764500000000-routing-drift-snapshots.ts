import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing, drift and dataset versions (issue 6 §5–7): the route of every item (rewritten as a whole by each route
 * run), drift reports (one set per drift run, history kept), immutable snapshots with their frozen items, and an
 * audit log of destructive operations.
 *
 * snapshot_item.item_id deliberately has no foreign key: deleting an item keeps every snapshot that froze it, rows and
 * content hash alike. audit_log.project_id has none either, so the record of who deleted what outlives its subject.
 * PostgreSQL dialect that both PostgreSQL 15 and PGlite (PostgreSQL 18) accept.
 */
export class RoutingDriftSnapshots1764500000000 implements MigrationInterface {
  name = 'RoutingDriftSnapshots1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE item_route (
        item_id uuid PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        route text NOT NULL CHECK (route IN ('AUTO_ACCEPT', 'SINGLE_REVIEW', 'CONSENSUS', 'EXPERT', 'DONE')),
        spot_check boolean NOT NULL DEFAULT false,
        confidence real,
        agreement real,
        run_id uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX item_route_project_route_idx ON item_route (project_id, route)`);
    await q.query(`
      CREATE TABLE drift_report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        run_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('EMBEDDING', 'PREDICTION', 'LABEL', 'ANNOTATOR')),
        annotator text,
        statistic text NOT NULL,
        value double precision NOT NULL,
        pvalue double precision,
        verdict text NOT NULL CHECK (verdict IN ('OK', 'WARN', 'DRIFT')),
        reference_from timestamptz,
        reference_to timestamptz,
        current_from timestamptz,
        current_to timestamptz,
        reference_count integer NOT NULL,
        current_count integer NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX drift_report_project_created_idx ON drift_report (project_id, created_at, run_id)`);
    await q.query(`
      CREATE TABLE snapshot (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        note text,
        created_by uuid REFERENCES api_key(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        content_hash text NOT NULL,
        item_count integer NOT NULL CHECK (item_count >= 0)
      )`);
    await q.query(`CREATE INDEX snapshot_project_created_idx ON snapshot (project_id, created_at, id)`);
    await q.query(`
      CREATE TABLE snapshot_item (
        snapshot_id uuid NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
        ord integer NOT NULL,
        item_id uuid NOT NULL,
        external_id text NOT NULL,
        label text,
        lineage jsonb NOT NULL,
        PRIMARY KEY (snapshot_id, ord)
      )`);
    await q.query(`CREATE INDEX snapshot_item_external_idx ON snapshot_item (snapshot_id, external_id)`);
    await q.query(`
      CREATE TABLE audit_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid,
        actor_key_id uuid REFERENCES api_key(id),
        action text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_project_created_idx ON audit_log (project_id, created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_project_created_idx`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP INDEX snapshot_item_external_idx`);
    await q.query(`DROP TABLE snapshot_item`);
    await q.query(`DROP INDEX snapshot_project_created_idx`);
    await q.query(`DROP TABLE snapshot`);
    await q.query(`DROP INDEX drift_report_project_created_idx`);
    await q.query(`DROP TABLE drift_report`);
    await q.query(`DROP INDEX item_route_project_route_idx`);
    await q.query(`DROP TABLE item_route`);
  }
}
