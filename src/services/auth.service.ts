import { createHash, randomBytes } from 'node:crypto';
import { Database, Sql } from '../db/database';
import type { Role } from '../db/types';
import {
  ApiKeyRow,
  countApiKeys,
  ensureBootstrapAdminKey,
  findApiKeyByHash,
  findApiKeyForUpdate,
  insertApiKey,
  listApiKeys,
  oldestActiveGlobalAdminKey,
  revokeApiKey,
} from '../db/repositories/api-key.repository';
import { existingProjectIds } from '../db/repositories/project.repository';
import type { AnnotationKind } from '../db/types';
import { badInput, forbidden, LoupeError, notFound } from '../errors';
import { log } from '../logger';
import { isUuid } from './ids';

export const ROLES: readonly Role[] = ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER', 'LABELING_TOOL'];

/** The caller, as established from its bearer key. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** null = every project. */
  projectIds: string[] | null;
  /** When set, exactly the actions this caller may take, in place of its role's (a Label Studio connector's). */
  rights?: readonly Action[];
}

/**
 * What a key may do. Scope is checked first (out of scope → NOT_FOUND, as if the project did not exist),
 * then the role (→ FORBIDDEN). The README's role matrix is generated from this table's meaning; keep both in step.
 */
export type Action =
  | 'project:create'
  | 'project:update'
  | 'project:read'
  | 'items:import'
  | 'items:read'
  | 'stats:read'
  | `annotations:submit:${AnnotationKind}`
  | 'apikeys:manage'
  | 'selection:next'
  | 'predictions:submit'
  | 'model:train'
  | 'model:read'
  | 'jobs:run'
  | 'routes:read'
  | 'drift:read'
  | 'snapshots:create'
  | 'snapshots:read'
  | 'items:delete'
  | 'audit:read'
  | 'labelIssues:read'
  | 'labelIssues:resolve'
  | 'consensus:read'
  | 'gold:manage'
  | 'weak:submit'
  | 'connectors:manage'
  | 'webhooks:manage';

const ALL: readonly Role[] = ROLES;
export const PERMISSIONS: Record<Action, readonly Role[]> = {
  'project:create': ['ADMIN', 'ML_ENGINEER'],
  'project:update': ['ADMIN', 'ML_ENGINEER'],
  'project:read': ALL,
  'items:import': ['ADMIN', 'ML_ENGINEER'],
  'items:read': ALL,
  'stats:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'annotations:submit:HUMAN': ['ADMIN', 'LABELING_TOOL'],
  'annotations:submit:MODEL': ['ADMIN', 'ML_ENGINEER', 'LABELING_TOOL'],
  'annotations:submit:WEAK': ['ADMIN', 'ML_ENGINEER'],
  'annotations:submit:GOLD': ['ADMIN', 'QA_LEAD'],
  'annotations:submit:REVIEW': ['ADMIN', 'QA_LEAD'],
  // retractAnnotations; a LABELING_TOOL key only what it wrote itself
  'annotations:submit:RETRACTION': ['ADMIN', 'QA_LEAD', 'LABELING_TOOL'],
  'apikeys:manage': ['ADMIN'],
  'selection:next': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'LABELING_TOOL'],
  'predictions:submit': ['ADMIN', 'ML_ENGINEER'],
  'model:train': ['ADMIN', 'ML_ENGINEER'],
  'model:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'jobs:run': ['ADMIN', 'ML_ENGINEER'],
  'routes:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'drift:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'snapshots:create': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD'],
  'snapshots:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'items:delete': ['ADMIN'],
  'audit:read': ['ADMIN'],
  'labelIssues:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'labelIssues:resolve': ['ADMIN', 'QA_LEAD'],
  'consensus:read': ['ADMIN', 'ML_ENGINEER', 'QA_LEAD', 'MANAGER'],
  'gold:manage': ['ADMIN', 'QA_LEAD'],
  'weak:submit': ['ADMIN', 'ML_ENGINEER'],
  'connectors:manage': ['ADMIN', 'ML_ENGINEER'],
  'webhooks:manage': ['ADMIN', 'ML_ENGINEER'],
};

/**
 * What a Label Studio connector may do in its one project: import the tasks it is sent, write HUMAN and GOLD
 * annotations (Label Studio's ground truth) and retract its own, train the model and read its predictions. It acts
 * with the LABELING_TOOL role, so the rules of labeling tools (retract only what it wrote, read items blind) hold.
 */
export const CONNECTOR_RIGHTS: readonly Action[] = [
  'project:read',
  'items:import',
  'items:read',
  'annotations:submit:HUMAN',
  'annotations:submit:GOLD',
  'annotations:submit:RETRACTION',
  'model:train',
  'model:read',
];

/** How long a looked-up key is trusted before it is read again (revocation elsewhere takes effect within this). */
const KEY_CACHE_MS = 10_000;
const KEY_PREFIX = 'lp_';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  projectIds: string[] | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const toView = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  role: r.role,
  projectIds: r.project_ids,
  createdAt: new Date(r.created_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

export class AuthService {
  private cache = new Map<string, { principal: Principal | null; at: number }>();

  constructor(private readonly db: Database) {}

  /**
   * On a database with no key: installs `adminKey` (from LOUPE_ADMIN_KEY) or generates one and returns it so the
   * caller prints it once. Returns null when keys already exist.
   */
  async bootstrapAdminKey(adminKey?: string): Promise<{ key: string; generated: boolean } | null> {
    return this.db.transaction(async (sql) => {
      const n = await countApiKeys(sql);
      if (n > 0) {
        if (adminKey) await this.ensureKey(sql, adminKey);
        return null;
      }
      const key = adminKey ?? generateKey();
      await this.ensureKey(sql, key);
      return { key, generated: !adminKey };
    });
  }

  private async ensureKey(sql: Sql, key: string): Promise<void> {
    await ensureBootstrapAdminKey(sql, hashKey(key), key.slice(0, 8));
  }

  /** Resolves `Authorization: Bearer <key>`; null when absent, unknown or revoked. */
  async authenticate(authorization: string | undefined): Promise<Principal | null> {
    if (!authorization) return null;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return null;
    const hash = hashKey(m[1]);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && now - hit.at < KEY_CACHE_MS) return hit.principal;
    const r = await findApiKeyByHash(this.db, hash);
    const principal = r && !r.revoked_at ? { keyId: r.id, name: r.name, role: r.role, projectIds: r.project_ids } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, at: now });
    return principal;
  }

  static inScope(p: Principal, projectId: string): boolean {
    return p.projectIds === null || p.projectIds.includes(projectId);
  }

  static can(p: Principal, action: Action): boolean {
    return p.rights ? p.rights.includes(action) : PERMISSIONS[action].includes(p.role);
  }

  /** Role check for actions that are not about one project. */
  static requireRole(p: Principal, action: Action): void {
    if (!AuthService.can(p, action)) throw forbidden(`role ${p.role} may not ${action}`);
  }

  /**
   * Scope, then existence, then role. An out-of-scope project answers exactly like a missing one.
   */
  static checkProjectAccess(p: Principal, projectId: string, exists: boolean, action: Action, field = 'projectId'): void {
    if (!isUuid(projectId) || !AuthService.inScope(p, projectId) || !exists) throw notFound(`project ${projectId}`, field);
    if (!AuthService.can(p, action)) throw forbidden(`role ${p.role} may not ${action}`);
  }

  /** Scope, then existence, then role, as for every project operation: an out-of-scope project answers like a missing one. */
  async createKey(p: Principal, input: { name: string; role: Role; projectIds?: string[] | null }): Promise<{ key: string; apiKey: ApiKeyView }> {
    const projectIds = input.projectIds ?? null;
    projectIds?.forEach((id, i) => {
      if (!isUuid(id) || !AuthService.inScope(p, id)) throw notFound(`project ${id}`, `input.projectIds[${i}]`);
    });
    const key = generateKey();
    return this.db.transaction(async (sql) => {
      if (projectIds !== null) {
        const have = new Set(await existingProjectIds(sql, projectIds));
        projectIds.forEach((id, i) => {
          if (!have.has(id)) throw notFound(`project ${id}`, `input.projectIds[${i}]`);
        });
      }
      AuthService.requireRole(p, 'apikeys:manage');
      if (projectIds === null && p.projectIds !== null) {
        throw forbidden('a key scoped to some projects cannot create a key for every project');
      }
      const name = input.name?.trim();
      if (!name) throw badInput('input.name', 'must not be empty');
      if (!ROLES.includes(input.role)) throw badInput('input.role', `unknown role ${String(input.role)}`);
      if (projectIds !== null && projectIds.length === 0) {
        throw badInput('input.projectIds', 'must name at least one project (omit it for every project)');
      }
      const row = await insertApiKey(sql, { name, keyHash: hashKey(key), prefix: key.slice(0, 8), role: input.role, projectIds });
      log.info('api key created', { id: row.id, role: input.role, by: p.keyId });
      return { key, apiKey: toView(row) };
    });
  }

  private static manages(p: Principal, k: ApiKeyRow): boolean {
    return p.projectIds === null || (k.project_ids !== null && k.project_ids.every((id) => p.projectIds!.includes(id)));
  }

  /** Scope (a key outside the caller's projects answers like a missing one), then existence, then role. */
  async revokeKey(p: Principal, id: string): Promise<ApiKeyView> {
    if (!isUuid(id)) throw notFound(`api key ${id}`, 'id');
    const view = await this.db.transaction(async (sql) => {
      const row = await findApiKeyForUpdate(sql, id);
      if (!row || !AuthService.manages(p, row)) throw notFound(`api key ${id}`, 'id');
      AuthService.requireRole(p, 'apikeys:manage');
      return toView(await revokeApiKey(sql, id));
    });
    this.cache.clear();
    log.info('api key revoked', { id, by: p.keyId });
    return view;
  }

  async listKeys(p: Principal): Promise<ApiKeyView[]> {
    AuthService.requireRole(p, 'apikeys:manage');
    const rows = await listApiKeys(this.db);
    return rows.filter((r) => AuthService.manages(p, r)).map(toView);
  }
}

export function requirePrincipal(p: Principal | null): Principal {
  if (!p) throw new LoupeError('UNAUTHENTICATED', 'missing or invalid API key: send Authorization: Bearer <key>');
  return p;
}

/** The principal of the oldest active global ADMIN key, for work the service does on its own behalf (demo seeding). */
export async function systemPrincipal(db: Database): Promise<Principal> {
  const row = await oldestActiveGlobalAdminKey(db);
  if (!row) throw new Error('no active admin key');
  return { keyId: row.id, name: row.name, role: 'ADMIN', projectIds: null };
}
