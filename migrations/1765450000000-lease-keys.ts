import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A lease records the API key that took it: a key holds at most `settings.maxLeasesPerKey` active leases in a
 * project whatever annotator names it uses, and only that key (or an ADMIN key) extends or releases them. Leases
 * taken before this have no key: they run out on their own (an ADMIN key may release them).
 */
export class LeaseKeys1765450000000 implements MigrationInterface {
  name = 'LeaseKeys1765450000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE lease ADD COLUMN api_key_id uuid`);
    await q.query(`CREATE INDEX lease_project_key_idx ON lease (project_id, api_key_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX lease_project_key_idx`);
    await q.query(`ALTER TABLE lease DROP COLUMN api_key_id`);
  }
}
