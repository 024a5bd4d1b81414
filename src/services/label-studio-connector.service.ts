import { createHash, randomBytes } from 'node:crypto';
import { Database } from '../db/database';
import { insertApiKey, revokeApiKey } from '../db/repositories/api-key.repository';
import {
  findConnectorBySecretHash,
  findConnectorForUpdate,
  insertConnector,
  LabelStudioConfig,
  LabelStudioConnectorRow,
  listConnectors,
  revokeConnector,
  updateConnectorConfig,
} from '../db/repositories/label-studio.repository';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import { findProject, lockProject, updateProject } from '../db/repositories/project.repository';
import { badInput, listed, notFound } from '../errors';
import { log } from '../logger';
import { AuthService, CONNECTOR_RIGHTS, Principal } from './auth.service';
import { isUuid } from './ids';
import { ProjectService, validateClasses } from './project.service';

export type { LabelStudioConfig } from '../db/repositories/label-studio.repository';

/** A connector as the API lists it; `url` (which holds the secret) only in the answer that created it. */
export interface LabelStudioConnectorView {
  id: string;
  projectId: string;
  url: string | null;
  config: LabelStudioConfig | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A request authenticated by a connector's secret: the connector and the principal it acts as. */
export interface LabelStudioCaller {
  connectorId: string;
  projectId: string;
  config: LabelStudioConfig | null;
  principal: Principal;
}

/** A connector secret: 256 random bits, base64url (43 characters). */
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;
const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');
/**
 * The key row a connector acts as is never a bearer key: its stored hash is not a sha256 hex digest, so no
 * Authorization header resolves to it.
 */
const connectorKeyHash = (secretHash: string): string => `label-studio-connector:${secretHash}`;

const toView = (r: LabelStudioConnectorRow, url: string | null = null): LabelStudioConnectorView => ({
  id: r.id,
  projectId: r.project_id,
  url,
  config: r.config,
  createdAt: new Date(r.created_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

/**
 * The classes a project has once a label config's choices are merged in: the project's, then the config's new ones in
 * the config's order. `missing` lists the project's classes the config lacks (a conflict: Label Studio could not show
 * them).
 */
export function mergeClasses(project: readonly string[], config: readonly string[]): { classes: string[]; added: string[]; missing: string[] } {
  const inConfig = new Set(config);
  const inProject = new Set(project);
  const added = config.filter((c) => !inProject.has(c));
  return { classes: [...project, ...added], added, missing: project.filter((c) => !inConfig.has(c)) };
}

/** Label Studio connectors of a project: created and revoked by its admins and ML engineers, authenticated by secret. */
export class LabelStudioConnectorService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /** A new connector; its URL is `<baseUrl>/label-studio/<secret>` and the secret is shown only here. */
  async create(p: Principal, projectId: string, baseUrl: string): Promise<LabelStudioConnectorView> {
    const secret = randomBytes(32).toString('base64url');
    const secretHash = hashSecret(secret);
    const row = await this.db.transaction(async (sql) => {
      await this.projects.access(p, projectId, 'connectors:manage', sql);
      const key = await insertApiKey(sql, {
        name: 'label studio connector',
        keyHash: connectorKeyHash(secretHash),
        prefix: 'ls',
        role: 'LABELING_TOOL',
        projectIds: [projectId],
      });
      return insertConnector(sql, { projectId, secretHash, apiKeyId: key.id, createdBy: p.keyId });
    });
    log.info('label studio connector created', { id: row.id, projectId, by: p.keyId });
    return toView(row, `${baseUrl.replace(/\/+$/, '')}/label-studio/${secret}`);
  }

  /** Revokes the connector and the key it acts as; a connector out of the caller's scope answers like a missing one. */
  async revoke(p: Principal, id: string): Promise<LabelStudioConnectorView> {
    if (!isUuid(id)) throw notFound(`label studio connector ${id}`, 'id');
    const row = await this.db.transaction(async (sql) => {
      const cur = await findConnectorForUpdate(sql, id);
      if (!cur || !AuthService.inScope(p, cur.project_id)) throw notFound(`label studio connector ${id}`, 'id');
      await this.projects.access(p, cur.project_id, 'connectors:manage', sql, 'id');
      await revokeApiKey(sql, cur.api_key_id);
      return revokeConnector(sql, cur.project_id, id);
    });
    log.info('label studio connector revoked', { id, by: p.keyId });
    return toView(row);
  }

  async list(p: Principal, projectId: string): Promise<LabelStudioConnectorView[]> {
    await this.projects.access(p, projectId, 'connectors:manage');
    return (await listConnectors(this.db, projectId)).map((r) => toView(r));
  }

  /** The caller a secret stands for; null when it names no active connector (the answer never says which). */
  async authenticate(secret: string): Promise<LabelStudioCaller | null> {
    if (!SECRET_RE.test(secret)) return null;
    const row = await findConnectorBySecretHash(this.db, hashSecret(secret));
    if (!row || row.revoked_at) return null;
    return {
      connectorId: row.id,
      projectId: row.project_id,
      config: row.config,
      principal: { keyId: row.api_key_id, name: `label studio connector ${row.id}`, role: 'LABELING_TOOL', projectIds: [row.project_id], rights: CONNECTOR_RIGHTS },
    };
  }

  /**
   * Takes a label config for the connector's project: its choices are appended to the project's classes when new
   * (CONFLICT-free only when every project class is among them), and its names are remembered on the connector.
   * Returns the latest model version's name, or null when the project has none.
   */
  async setup(caller: LabelStudioCaller, config: LabelStudioConfig & { classes: string[] }, field = 'schema'): Promise<string | null> {
    const { projectId, connectorId } = caller;
    return this.db.transaction(async (sql) => {
      await this.projects.access(caller.principal, projectId, 'project:read', sql);
      await lockProject(sql, projectId);
      const project = (await findProject(sql, projectId))!;
      const merged = mergeClasses(project.classes, config.classes);
      if (merged.missing.length > 0) {
        throw badInput(
          field,
          `the choices of <Choices name="${config.fromName}"> (${listed(config.classes)}) lack the project's classes ${listed(merged.missing)}; add them to the label config (the project's classes are ${listed(project.classes)})`,
        );
      }
      if (merged.added.length > 0) {
        const classes = validateClasses(merged.classes, field);
        await updateProject(sql, projectId, {
          name: project.name,
          classes,
          embeddingDim: project.embedding_dim,
          settings: project.settings ?? {},
          guidelineVersion: project.guideline_version,
        });
      }
      const { fromName, toName, dataKey, objectTag } = config;
      await updateConnectorConfig(sql, projectId, connectorId, { fromName, toName, dataKey, objectTag });
      if (merged.added.length > 0) log.info('label studio setup added classes', { connector: connectorId, added: merged.added.length });
      return (await latestModelVersion(sql, projectId))?.version ?? null;
    });
  }
}
