import { MAX_NAME } from './names';
import { Database, Sql } from '../db/database';
import type { TaskType } from '../db/types';
import {
  countEmbeddedItems,
  findProject,
  findProjectByName,
  insertProject,
  listProjects,
  lockProject,
  ProjectRow,
  updateProject,
} from '../db/repositories/project.repository';
import { badInput, clip, conflict, forbidden, listed } from '../errors';
import { Action, AuthService, Principal } from './auth.service';
import { isUuid } from './ids';
import { applySettingsPatch, shownSettings } from './settings';

export interface ProjectView {
  id: string;
  name: string;
  classes: string[];
  taskType: TaskType;
  embeddingDim: number | null;
  /** The settings as stored (what updateProject's merge patch applies to). */
  settings: Record<string, unknown>;
  /** The effective settings (defaults filled in), as the API shows them. */
  effectiveSettings: Record<string, unknown>;
  guidelineVersion: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateProjectData {
  name: string;
  classes: string[];
  taskType?: TaskType;
  embeddingDim?: number | null;
  settings?: Record<string, unknown> | null;
  guidelineVersion?: string | null;
}

export interface UpdateProjectData {
  name?: string | null;
  /** The new class list: the current classes in order, optionally followed by new ones. */
  classes?: string[] | null;
  embeddingDim?: number | null;
  settings?: Record<string, unknown> | null;
  guidelineVersion?: string | null;
}

/** Fewest and most classes of a project. */
export const MIN_CLASSES = 2;
export const MAX_CLASSES = 1000;
/** Largest embeddingDim. */
export const MAX_EMBEDDING_DIM = 65_536;
/** Longest project name, class name and guideline version. */
const fmt = (x: number) => x.toLocaleString('en-US');

const toView = (r: ProjectRow): ProjectView => ({
  id: r.id,
  name: r.name,
  classes: r.classes,
  taskType: r.task_type,
  embeddingDim: r.embedding_dim,
  settings: r.settings ?? {},
  effectiveSettings: shownSettings(r.settings),
  guidelineVersion: r.guideline_version,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export function validateClasses(classes: unknown, field: string): string[] {
  if (!Array.isArray(classes)) throw badInput(field, 'must be a list of class names');
  if (classes.length < MIN_CLASSES || classes.length > MAX_CLASSES) throw badInput(field, `must have ${fmt(MIN_CLASSES)}–${fmt(MAX_CLASSES)} entries`);
  const seen = new Set<string>();
  classes.forEach((c, i) => {
    if (typeof c !== 'string' || c.length === 0 || c.length > MAX_NAME) throw badInput(`${field}[${i}]`, `must have 1–${MAX_NAME} characters`);
    if (c.trim() === '' || c !== c.trim()) throw badInput(`${field}[${i}]`, 'must be a non-empty name without surrounding spaces');
    if (seen.has(c)) throw badInput(`${field}[${i}]`, `duplicate class "${clip(c)}"`);
    seen.add(c);
  });
  return classes as string[];
}

function validateDim(dim: unknown, field: string): number | null {
  if (dim === null || dim === undefined) return null;
  if (!Number.isInteger(dim) || (dim as number) < 1 || (dim as number) > MAX_EMBEDDING_DIM) {
    throw badInput(field, `must be an integer in 1–${fmt(MAX_EMBEDDING_DIM)}`);
  }
  return dim as number;
}

function validateName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.length > MAX_NAME) throw badInput(field, `must have 1–${MAX_NAME} characters`);
  if (name.trim() === '') throw badInput(field, 'must not be empty');
  return name.trim();
}

const isUniqueViolation = (e: unknown): boolean =>
  ((e as { driverError?: { code?: string } }).driverError?.code ?? (e as { code?: string }).code) === '23505';

export class ProjectService {
  constructor(private readonly db: Database) {}

  /** Loads a project for `action`, applying scope → existence → role (see AuthService.checkProjectAccess). */
  async access(p: Principal, projectId: string, action: Action, sql?: Sql, field = 'projectId'): Promise<ProjectView> {
    let row: ProjectRow | null = null;
    if (isUuid(projectId) && AuthService.inScope(p, projectId)) row = await findProject(sql ?? this.db, projectId);
    AuthService.checkProjectAccess(p, projectId, !!row, action, field);
    return toView(row!);
  }

  async create(p: Principal, input: CreateProjectData): Promise<ProjectView> {
    AuthService.requireRole(p, 'project:create');
    if (p.projectIds !== null) throw forbidden('a key scoped to some projects cannot create projects');
    const name = validateName(input.name, 'input.name');
    const classes = validateClasses(input.classes, 'input.classes');
    const dim = validateDim(input.embeddingDim, 'input.embeddingDim');
    const settings = input.settings === null || input.settings === undefined ? {} : applySettingsPatch({}, input.settings, 'input.settings');
    const taskType = input.taskType ?? 'MULTICLASS';
    if (taskType !== 'MULTICLASS') throw badInput('input.taskType', 'only MULTICLASS is supported');
    const guideline = input.guidelineVersion?.trim() || '1';
    try {
      const row = await this.db.transaction((sql) =>
        insertProject(sql, taskType, { name, classes, embeddingDim: dim, settings, guidelineVersion: guideline }),
      );
      return toView(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('input.name', `a project named "${clip(name)}" already exists`);
      throw e;
    }
  }

  async update(p: Principal, id: string, input: UpdateProjectData): Promise<ProjectView> {
    try {
      return await this.db.transaction(async (sql) => {
        const cur = await this.access(p, id, 'project:update', sql, 'id');
        await lockProject(sql, id);
        const name = input.name !== undefined && input.name !== null ? validateName(input.name, 'input.name') : cur.name;
        let classes = cur.classes;
        if (input.classes !== undefined && input.classes !== null) {
          classes = validateClasses(input.classes, 'input.classes');
          const keepsOrder = cur.classes.every((c, i) => classes[i] === c);
          if (!keepsOrder) {
            throw badInput('input.classes', `must start with the current classes in order (${listed(cur.classes)}); classes can only be appended`);
          }
        }
        let dim = cur.embeddingDim;
        if (input.embeddingDim !== undefined) {
          dim = validateDim(input.embeddingDim, 'input.embeddingDim');
          if (dim !== cur.embeddingDim) {
            const n = await countEmbeddedItems(sql, id);
            if (n > 0) throw badInput('input.embeddingDim', `cannot change while ${n} items have embeddings`);
          }
        }
        const settings = input.settings !== undefined && input.settings !== null ? applySettingsPatch(cur.settings, input.settings, 'input.settings') : cur.settings;
        const guideline = input.guidelineVersion?.trim() || cur.guidelineVersion;
        return toView(await updateProject(sql, id, { name, classes, embeddingDim: dim, settings, guidelineVersion: guideline }));
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('input.name', `a project named "${clip(input.name)}" already exists`);
      throw e;
    }
  }

  get(p: Principal, id: string): Promise<ProjectView> {
    return this.access(p, id, 'project:read', undefined, 'id');
  }

  /** Projects in the key's scope (a key sees no trace of the others). */
  async list(p: Principal): Promise<ProjectView[]> {
    AuthService.requireRole(p, 'project:read');
    return (await listProjects(this.db, p.projectIds)).map(toView);
  }

  /** For internal callers (demo seeding) that act without a key. */
  async findByName(name: string): Promise<ProjectView | null> {
    const row = await findProjectByName(this.db, name);
    return row ? toView(row) : null;
  }
}


