import { Database } from '../db/database';
import { badInput, notFound } from '../errors';
import { Principal } from './auth.service';
import { isUuid } from './ids';
import { MAX_BATCH } from './item.service';
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
      const found = await sql.query<{ id: string; external_id: string }>(
        `SELECT id, external_id FROM item WHERE project_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
        [project.id, ids],
      );
      const have = new Map(found.map((r) => [r.id, r.external_id]));
      ids.forEach((id, i) => {
        if (!have.has(id.toLowerCase())) throw notFound(`item ${id}`, `ids[${i}]`);
      });
      const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE item_id = ANY($1::uuid[])`, [found.map((r) => r.id)]);
      // annotation_replaced has no foreign key (it is written on the ingest path, see the one-vote migration).
      await sql.query(`DELETE FROM annotation_replaced WHERE id IN (SELECT id FROM annotation WHERE item_id = ANY($1::uuid[]))`, [found.map((r) => r.id)]);
      await sql.query(`DELETE FROM item WHERE project_id = $1 AND id = ANY($2::uuid[])`, [project.id, found.map((r) => r.id)]);
      const [log] = await sql.query<{ id: string; created_at: Date }>(
        `INSERT INTO audit_log (project_id, actor_key_id, action, details) VALUES ($1, $2, 'deleteItems', $3::jsonb) RETURNING id, created_at`,
        [
          project.id,
          p.keyId,
          JSON.stringify({ actorName: p.name, itemIds: found.map((r) => r.id), externalIds: found.map((r) => r.external_id), annotationsDeleted: n }),
        ],
      );
      return { deleted: found.length, annotationsDeleted: n, auditLogId: log.id, deletedAt: new Date(log.created_at) };
    });
  }

  /** The project's audit log, newest first (ADMIN). */
  async auditLog(p: Principal, projectId: string, first = 100): Promise<AuditLogView[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_AUDIT_PAGE) throw badInput('first', `must be an integer in 1..${MAX_AUDIT_PAGE}`);
    const project = await this.projects.access(p, projectId, 'audit:read');
    const rows = await this.db.query<{ id: string; project_id: string | null; actor_key_id: string | null; action: string; details: Record<string, unknown>; created_at: Date }>(
      `SELECT id, project_id, actor_key_id, action, details, created_at FROM audit_log WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [project.id, first],
    );
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
