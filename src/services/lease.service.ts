import { MAX_NAME } from './names';
import { Database } from '../db/database';
import { badInput, notFound } from '../errors';
import { Principal } from './auth.service';
import { isUuid } from './ids';
import { MAX_BATCH } from './item.service';
import { ProjectService, ProjectView } from './project.service';
import { effectiveSettings, MAX_LEASE_SECONDS } from './settings';
import { deleteActiveLeases, extendActiveLeases, lockLeases, upsertSkips } from '../db/repositories/lease.repository';

/** Why an annotator gives an item back: LATER (not now: away for the cooldown) or SKIP (away until someone else labels it). */
export const RELEASE_REASONS = ['LATER', 'SKIP'] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];
/** How long a LATER release keeps an item from the annotator when the settings give no `skipCooldownSeconds`. */
export const DEFAULT_SKIP_COOLDOWN_SECONDS = effectiveSettings({}).skipCooldownSeconds;

/** A lease's length when the project's settings give no `leaseSeconds`. */
export const DEFAULT_LEASE_SECONDS = effectiveSettings({}).leaseSeconds;
export { MAX_LEASE_SECONDS };

export interface LeaseView {
  itemId: string;
  annotator: string;
  expiresAt: Date;
}

/** Checks an annotator name: non-empty, at most MAX_NAME characters. */
export function checkAnnotator(a: unknown): string {
  if (typeof a !== 'string' || a.trim() === '' || a.length > MAX_NAME) throw badInput('annotator', `must be a non-empty name of at most ${MAX_NAME} characters`);
  return a;
}

function checkSeconds(s: unknown, field: string): number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0 || s > MAX_LEASE_SECONDS) {
    throw badInput(field, `must be a number of seconds in (0, ${MAX_LEASE_SECONDS}]`);
  }
  return s;
}

function checkItemIds(itemIds: unknown): string[] {
  if (!Array.isArray(itemIds) || itemIds.length === 0) throw badInput('itemIds', 'must contain at least one item id');
  if (itemIds.length > MAX_BATCH) throw badInput('itemIds', `at most ${MAX_BATCH} ids per call, got ${itemIds.length}`);
  itemIds.forEach((id, i) => {
    if (!isUuid(id)) throw notFound(`item ${String(id)}`, `itemIds[${i}]`);
  });
  return itemIds as string[];
}

/** The project's lease length: settings.leaseSeconds (default {@link DEFAULT_LEASE_SECONDS}), at most settings.maxLeaseSeconds. */
export function leaseSecondsOf(project: Pick<ProjectView, 'settings'>): number {
  const s = effectiveSettings(project.settings);
  return Math.min(s.leaseSeconds, s.maxLeaseSeconds);
}

/** How long a LATER release keeps an item away: settings.skipCooldownSeconds, else {@link DEFAULT_SKIP_COOLDOWN_SECONDS}. */
export function skipCooldownSecondsOf(project: Pick<ProjectView, 'settings'>): number {
  return effectiveSettings(project.settings).skipCooldownSeconds;
}

/** Leases an annotator holds on served items: giving them back (with a reason that keeps them away) and renewing them. */
export class LeaseService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /**
   * Ends `annotator`'s leases on these items and records why, so the next nextBatch for the annotator leaves them
   * out: LATER for the project's `skipCooldownSeconds`, SKIP until another annotator has labeled the item. Ids of
   * items outside the project are ignored. Returns how many leases ended.
   */
  async releaseItems(p: Principal, projectId: string, annotator: string, itemIds: string[], reason: ReleaseReason = 'LATER'): Promise<number> {
    checkAnnotator(annotator);
    const ids = checkItemIds(itemIds);
    if (!(RELEASE_REASONS as readonly string[]).includes(reason)) throw badInput('reason', `must be one of ${RELEASE_REASONS.join(', ')}, got ${String(reason)}`);
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'selection:next', sql);
      const cooldown = skipCooldownSecondsOf(project);
      const gone = await deleteActiveLeases(sql, project.id, annotator, ids, p.role === 'ADMIN', p.keyId);
      // No skip is recorded on an item that the annotator name holds under another key's lease.
      await upsertSkips(sql, project.id, annotator, ids, reason, cooldown, p.role === 'ADMIN', p.keyId);
      return gone.length;
    });
  }

  /** Renews `annotator`'s active leases (taken by the caller's key) on these items for `seconds` from now; all or nothing. */
  async extendLease(p: Principal, projectId: string, annotator: string, itemIds: string[], seconds: number): Promise<LeaseView[]> {
    checkAnnotator(annotator);
    const ids = checkItemIds(itemIds);
    checkSeconds(seconds, 'seconds');
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'selection:next', sql);
      const max = effectiveSettings(project.settings).maxLeaseSeconds;
      if (seconds > max) throw badInput('seconds', `must be at most settings.maxLeaseSeconds = ${max}, got ${seconds}`);
      await lockLeases(sql, project.id);
      // Only the key that took a lease (or an ADMIN key) extends it.
      const rows = await extendActiveLeases(sql, project.id, annotator, ids, seconds, p.role === 'ADMIN', p.keyId);
      const got = new Map(rows.map((r) => [r.item_id, new Date(r.expires_at)]));
      ids.forEach((id, i) => {
        if (!got.has(id)) throw notFound(`active lease of item ${id} by annotator "${annotator}"`, `itemIds[${i}]`);
      });
      return ids.map((id) => ({ itemId: id, annotator, expiresAt: got.get(id)! }));
    });
  }
}
