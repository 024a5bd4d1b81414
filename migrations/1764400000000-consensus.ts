import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consensus, annotator quality and weak supervision (issue 6, sections 3 and 4).
 * - Gold items are the items with a GOLD annotation (the latest one is the truth): no separate table, so a gold label
 *   has one source and keeps its history like every other label.
 * - item_consensus / annotator_quality / consensus_summary are written by the `consensus` job, replaced per project in
 *   one transaction (a killed run leaves the previous results).
 * - weak_vote: the latest vote of each labeling function on each item it was applied to, label NULL = abstain.
 *   Annotations are append-only with a NOT NULL label, so abstains live here; non-abstain votes are also appended
 *   as WEAK annotations (history, lineage).
 * PostgreSQL dialect that both PostgreSQL 15 and PGlite (PostgreSQL 18) accept.
 */
export class Consensus1764400000000 implements MigrationInterface {
  name = 'Consensus1764400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE item_consensus (
        item_id uuid PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        label smallint NOT NULL CHECK (label >= 0),
        confidence real CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
        method text NOT NULL CHECK (method IN ('MAJORITY_VOTE', 'DAWID_SKENE', 'CROWDLAB', 'LABEL_MODEL', 'GOLD', 'REVIEW')),
        majority_label smallint CHECK (majority_label IS NULL OR majority_label >= 0),
        num_annotations integer NOT NULL DEFAULT 0,
        run_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX item_consensus_project_idx ON item_consensus (project_id, method)`);
    await q.query(`
      CREATE TABLE consensus_summary (
        project_id uuid PRIMARY KEY REFERENCES project(id) ON DELETE CASCADE,
        run_id uuid,
        method text NOT NULL,
        weak_method text,
        gold_items integer NOT NULL DEFAULT 0,
        methods jsonb NOT NULL,
        counts jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE annotator_quality (
        annotator_id uuid PRIMARY KEY REFERENCES annotator(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        run_id uuid,
        quality real,
        agreement_with_consensus real,
        num_labeled integer NOT NULL DEFAULT 0,
        gold_n integer NOT NULL DEFAULT 0,
        gold_accuracy real,
        gold_lower real,
        gold_upper real,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX annotator_quality_project_idx ON annotator_quality (project_id)`);
    await q.query(`
      CREATE TABLE weak_vote (
        annotator_id uuid NOT NULL REFERENCES annotator(id) ON DELETE CASCADE,
        item_id uuid NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        label smallint CHECK (label IS NULL OR label >= 0),
        api_key_id uuid REFERENCES api_key(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (annotator_id, item_id)
      )`);
    await q.query(`CREATE INDEX weak_vote_project_item_idx ON weak_vote (project_id, item_id)`);
    await q.query(`CREATE INDEX annotation_project_kind_idx ON annotation (project_id, kind)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX annotation_project_kind_idx`);
    await q.query(`DROP INDEX weak_vote_project_item_idx`);
    await q.query(`DROP TABLE weak_vote`);
    await q.query(`DROP INDEX annotator_quality_project_idx`);
    await q.query(`DROP TABLE annotator_quality`);
    await q.query(`DROP TABLE consensus_summary`);
    await q.query(`DROP INDEX item_consensus_project_idx`);
    await q.query(`DROP TABLE item_consensus`);
  }
}
