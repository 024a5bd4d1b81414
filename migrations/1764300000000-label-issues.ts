import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Label issues for QA leads: items whose label the out-of-sample model doubts, written by the labelIssues job and
 * resolved by a reviewer. A resolved row is never changed again; when a later run re-opens an item, it gets a new
 * OPEN row (`reopened_from` = the resolved one), so every review stays on record. At most one OPEN row per item.
 * `votes_at_resolution` (HUMAN, GOLD and REVIEW annotations on the item when it was resolved) and `suggested_label`
 * let a later run honour "a kept issue is re-opened only after a new annotation or a changed suggestion".
 * NOT_SURE routes the item to EXPERT: `route` holds that here.
 * PostgreSQL dialect that both PostgreSQL 15 and PGlite (PostgreSQL 18) accept.
 */
export class LabelIssues1764300000000 implements MigrationInterface {
  name = 'LabelIssues1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE label_issue (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        item_id uuid NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        model_version_id uuid REFERENCES model_version(id) ON DELETE SET NULL,
        given_label smallint NOT NULL CHECK (given_label >= 0),
        suggested_label smallint NOT NULL CHECK (suggested_label >= 0),
        score double precision NOT NULL CHECK (score >= 0 AND score <= 1),
        method text NOT NULL,
        score_method text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RESOLVED')),
        decision text CHECK (decision IN ('ACCEPT_SUGGESTION', 'KEEP_GIVEN', 'RELABEL', 'NOT_SURE')),
        resolved_label smallint CHECK (resolved_label >= 0),
        note text,
        route text CHECK (route IN ('EXPERT')),
        review_annotation_id uuid REFERENCES annotation(id) ON DELETE SET NULL,
        votes_at_resolution integer CHECK (votes_at_resolution >= 0),
        resolved_by uuid REFERENCES api_key(id) ON DELETE SET NULL,
        resolved_at timestamptz,
        reopened_from uuid REFERENCES label_issue(id) ON DELETE SET NULL,
        run_id uuid REFERENCES job_run(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT label_issue_resolution_check CHECK (
          (status = 'OPEN' AND decision IS NULL AND resolved_at IS NULL)
          OR (status = 'RESOLVED' AND decision IS NOT NULL AND resolved_at IS NOT NULL AND votes_at_resolution IS NOT NULL))
      )`);
    // One open issue per item (the job updates it in place while it stays flagged).
    await q.query(`CREATE UNIQUE INDEX label_issue_open_item_unique ON label_issue (item_id) WHERE status = 'OPEN'`);
    // labelIssues(projectId, status, ...) ordered by score, then id (keyset pagination).
    await q.query(`CREATE INDEX label_issue_project_status_score_idx ON label_issue (project_id, status, score, id)`);
    // The latest resolution of an item (the re-open rule).
    await q.query(`CREATE INDEX label_issue_item_resolved_idx ON label_issue (item_id, resolved_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX label_issue_item_resolved_idx`);
    await q.query(`DROP INDEX label_issue_project_status_score_idx`);
    await q.query(`DROP INDEX label_issue_open_item_unique`);
    await q.query(`DROP TABLE label_issue`);
  }
}
