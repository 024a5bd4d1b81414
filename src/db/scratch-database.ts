import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** SQLSTATE of "source database is being accessed by other users" (a template copied while someone is connected). */
const OBJECT_IN_USE = '55006';
const TEMPLATE_ATTEMPTS = 20;
const TEMPLATE_RETRY_MS = 100;

/**
 * Creates a throwaway PostgreSQL database next to `baseUrl` (tests and benchmarks: one per test file or run)
 * and returns its URL and a function that drops it. With `template`, the new database is a copy of that database
 * (CREATE DATABASE … TEMPLATE: a file copy, much faster than migrating and seeding again).
 */
export async function createScratchPgDatabase(
  baseUrl: string,
  prefix = 'loupe_scratch',
  opts: { template?: string } = {},
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (opts.template !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.template)) throw new Error(`createScratchPgDatabase: bad template name ${opts.template}`);
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name}${opts.template ? ` TEMPLATE ${opts.template}` : ''}`);
        break;
      } catch (e) {
        // Another copy of the same template is starting: PostgreSQL allows one at a time.
        if ((e as { code?: string }).code !== OBJECT_IN_USE || attempt >= TEMPLATE_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, TEMPLATE_RETRY_MS));
      }
    }
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
