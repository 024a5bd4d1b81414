import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A Label Studio connector: the URL a Label Studio project calls as its ML backend. The URL carries a secret, stored
 * only as its sha256; the connector acts as an API key of its own (`api_key_id`, scoped to the project, never listed
 * by apiKeys), so what it writes is recorded, and made idempotent, under that key. `config` holds what the label
 * config named at /setup (from_name, to_name, the data key, the object tag).
 */
export class LabelStudioConnectors1765500000000 implements MigrationInterface {
  name = 'LabelStudioConnectors1765500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE label_studio_connector (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES project(id) ON DELETE CASCADE,
        secret_hash text NOT NULL,
        api_key_id uuid NOT NULL REFERENCES api_key(id),
        config jsonb,
        created_by uuid REFERENCES api_key(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT label_studio_connector_secret_unique UNIQUE (secret_hash)
      )`);
    await q.query(`CREATE INDEX label_studio_connector_project_idx ON label_studio_connector (project_id, created_at)`);
    await q.query(`CREATE INDEX label_studio_connector_key_idx ON label_studio_connector (api_key_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX label_studio_connector_key_idx`);
    await q.query(`DROP INDEX label_studio_connector_project_idx`);
    await q.query(`DROP TABLE label_studio_connector`);
  }
}
