import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DataSource, QueryRunner } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { migrations } from '../../migrations';
import { log } from '../logger';

/** Something that runs SQL: a transaction or a plain connection. */
export interface Sql {
  /** Runs one statement and returns its rows (RETURNING rows for writes). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export type DatabaseKind = 'postgres' | 'pglite';

/**
 * Bulk writes go in statements of at most this many rows (and, on PGlite, about this many bytes of payload): a PGlite
 * statement runs on the API thread, so its writes are cut small enough (~100 ms each) for the event loop to run between.
 */
const BULK_ROWS = { postgres: 10_000, pglite: 1_000 } as const;
const BULK_BYTES = { postgres: Infinity, pglite: 1 << 20 } as const;

/** PostgreSQL error codes worth retrying a whole transaction for. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TX_ATTEMPTS = 4;

/**
 * The one way to reach storage. On PostgreSQL: a pool and real transactions (retried on deadlock or
 * serialization failure). On PGlite (one connection per process, no isolation): every read and every
 * transaction passes through one async queue, so nothing interleaves with an open transaction.
 *
 * PGlite runs each statement synchronously on this thread and resolves it in a microtask, so a run of statements
 * would never give the event loop a turn: HTTP requests (even /healthz) would wait for the whole run. On PGlite every
 * queued operation and every statement inside a transaction therefore first yields to the event loop once.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataSource: DataSource,
    readonly kind: DatabaseKind,
  ) {}

  /** Opens the database and runs pending migrations. `databaseUrl` absent → embedded PGlite in `dataDir`. */
  static async open(opts: { databaseUrl?: string; dataDir: string; poolSize?: number }): Promise<Database> {
    let ds: DataSource;
    if (opts.databaseUrl) {
      ds = new DataSource({
        type: 'postgres',
        url: opts.databaseUrl,
        migrations,
        synchronize: false,
        installExtensions: false,
        migrationsRun: false,
        extra: { max: opts.poolSize ?? 10 },
      });
    } else {
      const dir = resolve(opts.dataDir);
      mkdirSync(dir, { recursive: true });
      ds = new DataSource({
        type: 'postgres',
        driver: new PGliteDriver({ dataDir: dir }).driver,
        migrations,
        synchronize: false,
        installExtensions: false,
        migrationsRun: false,
      });
    }
    await ds.initialize();
    const db = new Database(ds, opts.databaseUrl ? 'postgres' : 'pglite');
    await db.serialized(async () => {
      const ran = await ds.runMigrations({ transaction: 'each' });
      if (ran.length) log.info('migrations applied', { migrations: ran.map((m) => m.name) });
    });
    return db;
  }

  /** Runs `fn` alone on PGlite; directly on PostgreSQL. */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return fn();
    const next = () => yieldToEventLoop().then(fn);
    const run = this.queue.then(next, next);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Splits `n` rows of a bulk write into the [start, end) ranges to write one statement each (see BULK_ROWS);
   * `bytesOf(i)` is row i's payload size where rows can be large (texts).
   */
  bulkRanges(n: number, bytesOf?: (i: number) => number): Array<[number, number]> {
    const maxRows = BULK_ROWS[this.kind];
    const maxBytes = BULK_BYTES[this.kind];
    const out: Array<[number, number]> = [];
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const b = bytesOf && maxBytes !== Infinity ? bytesOf(i) : 0;
      if (i > start && (i - start >= maxRows || bytes + b > maxBytes)) {
        out.push([start, i]);
        start = i;
        bytes = 0;
      }
      bytes += b;
    }
    if (n > start) out.push([start, n]);
    return out;
  }

  /** A read outside any transaction. */
  read<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.serialized(() => fn(this.plain));
  }

  /** Shorthand for a single read statement. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.read((s) => s.query<T>(sql, params));
  }

  /** Runs `fn` in one transaction: all of it commits or none of it does. */
  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.serialized(() => this.runTransaction(fn));
      } catch (e) {
        const code = (e as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (e as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_TX_ATTEMPTS) {
          log.debug('transaction retried', { code, attempt });
          continue;
        }
        throw e;
      }
    }
  }

  private async runTransaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const result = await fn(runnerSql(qr, this.kind === 'pglite'));
      await qr.commitTransaction();
      return result;
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      throw e;
    } finally {
      await qr.release();
    }
  }

  private readonly plain: Sql = {
    query: async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
      const res = await this.dataSource.query(sql, params, undefined);
      return rowsOf<T>(res);
    },
  };

  /** True when the database answers and every known migration has run. */
  async ready(): Promise<{ ok: boolean; detail: string }> {
    try {
      const pending = await this.serialized(() => this.dataSource.showMigrations());
      return pending ? { ok: false, detail: 'migrations pending' } : { ok: true, detail: 'ok' };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.serialized(async () => {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    });
    // On PGlite, destroy() ends typeorm-pglite's pool, which closes the process-wide PGlite instance.
  }
}

function runnerSql(qr: QueryRunner, yieldFirst: boolean): Sql {
  return {
    query: async <T>(sql: string, params?: unknown[]): Promise<T[]> => {
      if (yieldFirst) await yieldToEventLoop();
      return rowsOf<T>(await qr.query(sql, params));
    },
  };
}

/** TypeORM returns rows for SELECT/INSERT and `[rows, count]` for UPDATE/DELETE on pg. */
function rowsOf<T>(res: unknown): T[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return (Array.isArray(res) ? res : []) as T[];
}
