import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-item committee votes for the built-in model: each fold model's probabilities for a pool item
 * (float32, folds × classes), so nextBatch's VOTE_ENTROPY and KL_CONSENSUS strategies have a committee.
 * Null for labeled items' out-of-sample rows and for external models.
 */
export class PredictionCommittee1764600000000 implements MigrationInterface {
  name = 'PredictionCommittee1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE prediction ADD COLUMN committee bytea`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE prediction DROP COLUMN committee`);
  }
}
