import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Creates a throwaway PostgreSQL database next to `baseUrl` (tests and benchmarks: one per test file or run)
 * and returns its URL and a function that drops it.
 */
export async function createScratchPgDatabase(baseUrl: string, prefix = 'loupe_scratch'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
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
