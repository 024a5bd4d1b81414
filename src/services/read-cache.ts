import type { Database } from '../db/database';
import { projectDataVersion } from '../db/repositories/data-version.repository';

/** How many results a replica keeps (least recently used first out). */
export const READ_CACHE_ENTRIES = 500;
/**
 * The longest a result is served: annotatorStats counts the last 24 hours and 7 days, windows that move with the
 * clock and not only with writes, so even an unchanged project is recomputed at least this often.
 */
export const READ_CACHE_MAX_AGE_MS = 60_000;

interface Entry {
  version: string;
  at: number;
  value: Promise<unknown>;
}

/**
 * Results of project-wide reads that are the same for every caller allowed to make them, kept in memory per replica
 * and keyed by (project, field, arguments). Each entry carries the project's data version
 * (`project_data_version`, bumped by triggers in the transaction of every write those reads depend on), read from
 * the database on every call: a write through any replica changes the version, and the next call recomputes.
 *
 * The version is read before the result is computed, so a write that commits in between leaves an entry under the
 * older version (recomputed next time), never a stale result under the newer one. Concurrent calls for the same key
 * and version share one computation (1,000 aliases of one field compute it once). Callers check access first:
 * the cache knows nothing about keys or roles.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: Database,
    private readonly opts: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {},
  ) {}

  /** The project's current data version (a decimal string; it only grows). */
  async version(projectId: string): Promise<string> {
    return projectDataVersion(this.db, projectId);
  }

  /** The cached result of `field(args)` for the project at its current data version, else `compute()`'s (kept). */
  async get<T>(projectId: string, field: string, args: readonly unknown[], compute: () => Promise<T>): Promise<T> {
    const key = `${projectId}|${field}|${JSON.stringify(args)}`;
    const version = await this.version(projectId);
    const now = (this.opts.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit && hit.version === version && now - hit.at < (this.opts.maxAgeMs ?? READ_CACHE_MAX_AGE_MS)) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = compute();
    const entry: Entry = { version, at: now, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    const max = this.opts.maxEntries ?? READ_CACHE_ENTRIES;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    // Errors (a bad argument, a lost connection) are never kept.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Entries held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}
