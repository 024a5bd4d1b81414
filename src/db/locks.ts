import { Client } from 'pg';
import type { Database } from './database';

/** A held job lock; `release` is safe to call twice. */
export interface JobLock {
  release(): Promise<void>;
}

/**
 * Mutual exclusion for one (project, job) across everything that shares the database.
 *
 * PostgreSQL: a session-level advisory lock on a connection of its own (outside the pool), held for the whole run.
 * When the process dies, PostgreSQL ends the session and the lock goes with it; that is also how a replica tells a
 * live run from one left behind by a dead process (its lock is free). PGlite: one process owns the database, so a
 * plain in-process set does the same job.
 */
export interface JobLocks {
  /** The lock for `key`, or null when someone holds it. Never waits. */
  tryAcquire(key: string): Promise<JobLock | null>;
}

/** First half of the advisory lock key: 'LOUP', so Loupe's locks never meet another application's. */
const ADVISORY_NAMESPACE = 0x4c4f5550;

/** The lock key of a (project, job). */
export const jobLockKey = (projectId: string, name: string): string => `${projectId}:${name}`;

export class PgAdvisoryLocks implements JobLocks {
  constructor(private readonly connectionString: string) {}

  async tryAcquire(key: string): Promise<JobLock | null> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'loupe-job-lock' });
    // A broken lock connection (server restart, pg_terminate_backend) must not crash the process; the lock is gone
    // with the session and the job finds out on its next write.
    client.on('error', () => undefined);
    await client.connect();
    let held = false;
    try {
      const r = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok`, [ADVISORY_NAMESPACE, key]);
      held = r.rows[0].ok;
    } finally {
      if (!held) await client.end().catch(() => undefined);
    }
    if (!held) return null;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        // Ending the session releases every advisory lock it holds; no unlock call that could fail half-way.
        await client.end().catch(() => undefined);
      },
    };
  }
}

/** Locks held in this process (PGlite: one process per database). Shared by every Database handle in the process. */
const HELD = new Set<string>();

export class InProcessLocks implements JobLocks {
  async tryAcquire(key: string): Promise<JobLock | null> {
    if (HELD.has(key)) return null;
    HELD.add(key);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        HELD.delete(key);
      },
    };
  }
}

/** The locks that fit the database: advisory locks on PostgreSQL, in-process on PGlite. */
export function locksFor(db: Database): JobLocks {
  if (db.kind === 'pglite') return new InProcessLocks();
  const url = (db.dataSource.options as { url?: string }).url;
  if (!url) throw new Error('job locks: the PostgreSQL data source has no url');
  return new PgAdvisoryLocks(url);
}
