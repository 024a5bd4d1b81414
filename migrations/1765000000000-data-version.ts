import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A per-project data version: the sum of `project_data_version.version` over a project's rows goes up with every
 * committed statement that writes what the project-wide aggregates read (items, annotations, annotators, gold and
 * weak votes, predictions and model versions, label issues, consensus, routing and drift results, the project row).
 * The in-memory read cache of each replica keys its entries by it, so every replica sees a write at once.
 *
 * Statement-level triggers (one bump per statement, not per row) read the project ids from the statement's
 * transition table. Each bump goes to the slot `pg_backend_pid() % 64` of its project, so concurrent writers on
 * different connections bump different rows and never queue on one project-wide row lock until commit; a slot's
 * version only grows, so the sum does too. A project deleted in the same statement (a cascade) is skipped; its rows
 * go with it (ON DELETE CASCADE).
 */
const TABLES = [
  'item',
  'annotation',
  'annotator',
  'weak_vote',
  'prediction',
  'model_version',
  'label_issue',
  'item_consensus',
  'annotator_quality',
  'consensus_summary',
  'item_route',
  'drift_report',
];
const EVENTS = [
  { event: 'INSERT', ref: 'NEW', suffix: 'ins' },
  { event: 'UPDATE', ref: 'NEW', suffix: 'upd' },
  { event: 'DELETE', ref: 'OLD', suffix: 'del' },
];

export class DataVersion1765000000000 implements MigrationInterface {
  name = 'DataVersion1765000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE project_data_version (
         project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
         slot int NOT NULL,
         version bigint NOT NULL,
         PRIMARY KEY (project_id, slot)
       )`,
    );
    await q.query(
      `CREATE FUNCTION bump_project_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO project_data_version AS v (project_id, slot, version)
         SELECT c.project_id, pg_backend_pid() % 64, 1
         FROM (SELECT DISTINCT project_id FROM changed) c
         WHERE EXISTS (SELECT 1 FROM project p WHERE p.id = c.project_id)
         ON CONFLICT (project_id, slot) DO UPDATE SET version = v.version + 1;
         RETURN NULL;
       END $$`,
    );
    await q.query(
      `CREATE FUNCTION bump_project_data_version_of_project() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO project_data_version AS v (project_id, slot, version) VALUES (NEW.id, pg_backend_pid() % 64, 1)
         ON CONFLICT (project_id, slot) DO UPDATE SET version = v.version + 1;
         RETURN NULL;
       END $$`,
    );
    for (const t of TABLES) {
      for (const e of EVENTS) {
        await q.query(
          `CREATE TRIGGER ${t}_data_version_${e.suffix} AFTER ${e.event} ON ${t}
           REFERENCING ${e.ref} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_project_data_version()`,
        );
      }
    }
    await q.query(
      `CREATE TRIGGER project_data_version_upd AFTER UPDATE ON project FOR EACH ROW EXECUTE FUNCTION bump_project_data_version_of_project()`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER project_data_version_upd ON project`);
    for (const t of [...TABLES].reverse()) {
      for (const e of [...EVENTS].reverse()) await q.query(`DROP TRIGGER ${t}_data_version_${e.suffix} ON ${t}`);
    }
    await q.query(`DROP FUNCTION bump_project_data_version_of_project()`);
    await q.query(`DROP FUNCTION bump_project_data_version()`);
    await q.query(`DROP TABLE project_data_version`);
  }
}
