import { Database } from '../db/database';
import { countAnnotationsOfItems, deleteItems, findAuditLog, insertAuditLog, lockItemsForDeletion } from '../db/repositories/deletion.repository';
import { badInput, notFound } from '../errors';
import { Principal } from './auth.service';
import { isUuid } from './ids';
import { MAX_BATCH } from './item.service';
import { checkPageSize } from './page';
import { ProjectService } from './project.service';

const MAX_AUDIT_PAGE = 1000;

export interface DeleteItemsResult {
  deleted: number;
  annotationsDeleted: number;
  auditLogId: string;
  deletedAt: Date;
}

export interface AuditLogView {
  id: string;
  projectId: string | null;
  actorKeyId: string | null;
  action: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Destructive operations and their audit trail. Deleting items removes them with their annotations,
 * predictions, leases and routes (the foreign keys cascade); snapshots keep their frozen rows, as snapshot_item has
 * no foreign key to item.
 */
export class DeletionService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /** Deletes items (ADMIN) in one transaction and records who and when, and which items, in the audit log. */
  async deleteItems(p: Principal, projectId: string, ids: string[]): Promise<DeleteItemsResult> {
    if (!Array.isArray(ids) || ids.length === 0) throw badInput('ids', 'must name at least one item');
    if (ids.length > MAX_BATCH) throw badInput('ids', `at most ${MAX_BATCH} items per call, got ${ids.length}`);
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'items:delete', sql);
      const seen = new Map<string, number>();
      ids.forEach((id, i) => {
        if (!isUuid(id)) throw notFound(`item ${id}`, `ids[${i}]`);
        const prev = seen.get(id.toLowerCase());
        if (prev !== undefined) throw badInput(`ids[${i}]`, `duplicate of ids[${prev}]`);
        seen.set(id.toLowerCase(), i);
      });
      const found = await lockItemsForDeletion(sql, project.id, ids);
      const have = new Map(found.map((r) => [r.id, r.external_id]));
      ids.forEach((id, i) => {
        if (!have.has(id.toLowerCase())) throw notFound(`item ${id}`, `ids[${i}]`);
      });
      const itemIds = found.map((r) => r.id);
      const n = await countAnnotationsOfItems(sql, itemIds);
      await deleteItems(sql, project.id, itemIds);
      const log = await insertAuditLog(sql, project.id, p.keyId, 'deleteItems', {
        actorName: p.name,
        itemIds,
        externalIds: found.map((r) => r.external_id),
        annotationsDeleted: n,
      });
      return { deleted: found.length, annotationsDeleted: n, auditLogId: log.id, deletedAt: new Date(log.created_at) };
    });
  }

  /** The project's audit log, newest first (ADMIN). */
  async auditLog(p: Principal, projectId: string, first = 100): Promise<AuditLogView[]> {
    checkPageSize(first, MAX_AUDIT_PAGE);
    const project = await this.projects.access(p, projectId, 'audit:read');
    const rows = await findAuditLog(this.db, project.id, first);
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      actorKeyId: r.actor_key_id,
      action: r.action,
      details: r.details ?? {},
      createdAt: new Date(r.created_at),
    }));
  }
}
