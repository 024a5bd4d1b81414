import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model version names and warnings.
 * - `seq` numbers a project's model versions 1, 2, … in creation order and `version` is its name, 'v' || seq;
 *   UNIQUE(project_id, seq) and UNIQUE(project_id, version). Existing rows are numbered per project by
 *   (created_at, id). The project's latest model version is the one with the highest seq.
 * - `warning`: why a version is not used for selection or label issues (a built-in model whose cross-validated
 *   log loss is worse than predicting the label prior), or null.
 * - `project.label_issue_model_version_id`: the model version the last labelIssues run scored (the version the
 *   current issue set came from); null before any run.
 */
export class ModelVersionNames1764900000000 implements MigrationInterface {
  name = 'ModelVersionNames1764900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_version ADD COLUMN seq integer, ADD COLUMN version text, ADD COLUMN warning text`);
    await q.query(`
      UPDATE model_version mv SET seq = n.seq, version = 'v' || n.seq
      FROM (SELECT id, row_number() OVER (PARTITION BY project_id ORDER BY created_at, id)::int AS seq FROM model_version) n
      WHERE n.id = mv.id`);
    await q.query(`ALTER TABLE model_version ALTER COLUMN seq SET NOT NULL, ALTER COLUMN version SET NOT NULL`);
    await q.query(`ALTER TABLE model_version ADD CONSTRAINT model_version_project_seq_unique UNIQUE (project_id, seq)`);
    await q.query(`ALTER TABLE model_version ADD CONSTRAINT model_version_project_version_unique UNIQUE (project_id, version)`);
    await q.query(`ALTER TABLE model_version ADD CONSTRAINT model_version_version_name CHECK (version = 'v' || seq)`);
    await q.query(`ALTER TABLE project ADD COLUMN label_issue_model_version_id uuid REFERENCES model_version(id) ON DELETE SET NULL`);
    // Projects with issues already: the version their open issues (else any issue) came from, newest first.
    await q.query(`
      UPDATE project p SET label_issue_model_version_id = (
        SELECT li.model_version_id FROM label_issue li JOIN model_version mv ON mv.id = li.model_version_id
        WHERE li.project_id = p.id ORDER BY (li.status = 'OPEN') DESC, mv.seq DESC LIMIT 1)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE project DROP COLUMN label_issue_model_version_id`);
    await q.query(`ALTER TABLE model_version DROP CONSTRAINT model_version_version_name`);
    await q.query(`ALTER TABLE model_version DROP CONSTRAINT model_version_project_version_unique`);
    await q.query(`ALTER TABLE model_version DROP CONSTRAINT model_version_project_seq_unique`);
    await q.query(`ALTER TABLE model_version DROP COLUMN warning, DROP COLUMN version, DROP COLUMN seq`);
  }
}
