import { Database, Sql } from '../db/database';
import {
  findRetractedIds,
  findRetractionTargets,
  findRetractionsOf,
  insertRetractions,
  lockItems,
  markNotCurrent,
  recomputeCurrentLabels,
} from '../db/repositories/annotation.repository';
import { badInput, clip, forbidden, notFound } from '../errors';
import { toAnnotationView, type AnnotationView } from './annotation-view';
import { AuthService, Principal } from './auth.service';
import { isUuid, uuidv7 } from './ids';
import { MAX_BATCH } from './item.service';
import { ProjectService } from './project.service';

export interface RetractResult {
  retracted: number;
  unchanged: number;
  retractions: AnnotationView[];
}

/** Kinds that vote for an item's current label; MODEL and WEAK are predictions, never labels. */
const VOTING_KINDS = ['HUMAN', 'GOLD', 'REVIEW'];

export class RetractionService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /**
   * Withdraws annotations, all or nothing: appends one RETRACTION per id (same item, annotator and label, `retracts`
   * = the id) and the withdrawn annotation stops being current, so its vote no longer counts; the annotator's earlier
   * annotations stay replaced. An id already retracted writes nothing and answers its stored RETRACTION. ADMIN and
   * QA_LEAD keys retract any annotation of the project, a LABELING_TOOL key only those its own key wrote.
   */
  async retract(p: Principal, projectId: string, ids: string[]): Promise<RetractResult> {
    return this.db.transaction((sql) => this.retractIn(sql, p, projectId, ids));
  }

  /** {@link retract} inside the caller's transaction. */
  async retractIn(sql: Sql, p: Principal, projectId: string, ids: string[]): Promise<RetractResult> {
    if (!Array.isArray(ids) || ids.length === 0) throw badInput('ids', 'must contain at least one annotation id');
    if (ids.length > MAX_BATCH) throw badInput('ids', `at most ${MAX_BATCH} ids per call, got ${ids.length}`);
    const project = await this.projects.access(p, projectId, 'project:read', sql);
    if (!AuthService.can(p, 'annotations:submit:RETRACTION')) throw forbidden(`role ${p.role} may not retract annotations`, 'ids');
    const firstAt = new Map<string, number>();
    ids.forEach((id, i) => {
      if (!isUuid(id)) throw notFound(`annotation ${clip(id)}`, `ids[${i}]`);
      if (!firstAt.has(id)) firstAt.set(id, i);
    });
    const unique = [...firstAt.keys()];
    const targets = await findRetractionTargets(sql, project.id, unique);
    const byId = new Map(targets.map((t) => [t.id, t]));
    for (const [id, i] of firstAt) {
      const t = byId.get(id);
      if (!t) throw notFound(`annotation ${id}`, `ids[${i}]`);
      if (t.kind === 'RETRACTION') throw badInput(`ids[${i}]`, `annotation ${id} is a RETRACTION; a retraction cannot be withdrawn`);
      if (p.role === 'LABELING_TOOL' && t.api_key_id !== p.keyId) throw forbidden(`annotation ${id} was written by another API key`, `ids[${i}]`);
    }
    // Lock the items (id order), then see which ids are retracted already.
    await lockItems(sql, [...new Set(targets.map((t) => t.item_id))].sort());
    const done = new Set(await findRetractedIds(sql, unique));
    const todo = unique.filter((id) => !done.has(id));
    if (todo.length) {
      await insertRetractions(
        sql,
        todo.map(() => uuidv7()),
        todo,
        p.keyId,
      );
      const stopped = await markNotCurrent(sql, todo);
      const voting = [...new Set(stopped.filter((r) => VOTING_KINDS.includes(r.kind)).map((r) => r.item_id))];
      if (voting.length) await recomputeCurrentLabels(sql, voting);
    }
    const byTarget = new Map((await findRetractionsOf(sql, unique)).map((r) => [r.retracts!, toAnnotationView(r)]));
    return { retracted: todo.length, unchanged: ids.length - todo.length, retractions: ids.map((id) => byTarget.get(id)!) };
  }
}
