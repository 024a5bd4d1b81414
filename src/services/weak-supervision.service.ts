import { Database } from '../db/database';
import { findAnnotatorByName } from '../db/repositories/annotator.repository';
import { findLatestLabelsOfKind } from '../db/repositories/consensus.repository';
import { findCurrentLabels } from '../db/repositories/item.repository';
import {
  findLabelingFunctionId,
  findWeakVoteLabels,
  insertLabelingFunction,
  insertWeakAnnotations,
  upsertWeakVotes,
} from '../db/repositories/weak-label.repository';
import { badInput, clip, conflict, listed, notFound } from '../errors';
import { LfReportRow, lfReport } from '../quality/lf-report';
import { replacePrevious } from './annotation.service';
import { Principal } from './auth.service';
import { loadWeak } from './consensus-tables';
import { uuidv7 } from './ids';
import { resolveItemRefs } from './item-refs';
import { MAX_BATCH } from './item.service';
import { checkName } from './names';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';

export interface LabelingFunctionView {
  id: string;
  name: string;
  createdAt: Date;
}

export interface WeakVoteData {
  itemId?: string | null;
  externalId?: string | null;
  label?: string | null;
}

export interface LfSummaryView {
  projectId: string;
  items: number;
  referenceItems: number;
  goldItems: number;
  lfs: LfReportRow[];
}

/** Weak supervision: labeling functions, their votes, and how they do (Snorkel's lf_summary). */
export class WeakSupervisionService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly cache: ReadCache,
  ) {}

  /** Registers a labeling function (an annotator of kind LABELING_FUNCTION); registering it again returns it. */
  async registerLabelingFunction(p: Principal, projectId: string, name: string): Promise<LabelingFunctionView> {
    checkName(name, 'name');
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'weak:submit', sql);
      await insertLabelingFunction(sql, project.id, name);
      const a = (await findAnnotatorByName(sql, project.id, name))!;
      if (a.kind !== 'LABELING_FUNCTION') throw conflict('name', `"${clip(name)}" is already an annotator of kind ${a.kind}`);
      return { id: a.id, name: a.name, createdAt: new Date(a.created_at) };
    });
  }

  /**
   * A labeling function's votes (label null = abstain), all or nothing. Each vote replaces the LF's previous vote on
   * the item in weak_vote (abstains included, so coverage counts the items the LF was applied to); a vote that changes
   * to a class is also appended as a WEAK annotation (history). Re-sending the same votes writes nothing.
   */
  async submitWeakLabels(p: Principal, projectId: string, lf: string, votes: WeakVoteData[]): Promise<{ votes: number; labeled: number; abstains: number; changed: number }> {
    checkName(lf, 'lf');
    if (!Array.isArray(votes) || votes.length === 0) throw badInput('votes', 'must contain at least one vote');
    if (votes.length > MAX_BATCH) throw badInput('votes', `at most ${MAX_BATCH} votes per call, got ${votes.length}`);
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'weak:submit', sql);
      const lfId = await findLabelingFunctionId(sql, project.id, lf);
      if (!lfId) throw notFound(`labeling function "${clip(lf)}" (register it with registerLabelingFunction)`, 'lf');
      const labels = votes.map((v, i) => {
        if (v.label === undefined || v.label === null) return null;
        const c = project.classes.indexOf(v.label);
        if (c < 0) throw badInput(`votes[${i}].label`, `"${clip(v.label)}" is not one of the project's classes (${listed(project.classes)}); null = abstain`);
        return c;
      });
      const itemIds = await resolveItemRefs(sql, project.id, votes, 'votes', { distinct: true });
      const prev = await findWeakVoteLabels(sql, project.id, lfId, itemIds);
      const changed = itemIds.map((_, i) => i).filter((i) => !prev.has(itemIds[i]) || prev.get(itemIds[i]) !== labels[i]);
      if (changed.length) {
        await upsertWeakVotes(sql, { annotatorId: lfId, projectId: project.id, apiKeyId: p.keyId, itemIds: changed.map((i) => itemIds[i]), labels: changed.map((i) => labels[i]) });
        const voted = changed.filter((i) => labels[i] !== null);
        if (voted.length) {
          const ids = voted.map(() => uuidv7());
          await insertWeakAnnotations(sql, {
            projectId: project.id,
            annotatorId: lfId,
            guidelineVersion: project.guidelineVersion,
            apiKeyId: p.keyId,
            ids,
            itemIds: voted.map((i) => itemIds[i]),
            labels: voted.map((i) => labels[i]!),
          });
          // The LF's latest WEAK annotation of an item is its current one (the last of the call for an item named twice).
          const last = new Map<string, string>();
          voted.forEach((i, j) => last.set(itemIds[i], ids[j]));
          await replacePrevious(sql, [...last].map(([itemId, id]) => ({ id, itemId, annotatorId: lfId, kind: 'WEAK' as const })));
        }
      }
      const labeled = labels.filter((l) => l !== null).length;
      return { votes: votes.length, labeled, abstains: votes.length - labeled, changed: changed.length };
    });
  }

  /**
   * Snorkel's lf_summary over the items some labeling function was applied to: polarity, coverage, overlaps,
   * conflicts over all of them; correct / incorrect / empirical accuracy against a reference label (the gold label,
   * else the item's current human label) over the items that have one (null without any such vote); the label model's
   * accuracy estimate beside it.
   */
  async lfSummary(p: Principal, projectId: string): Promise<LfSummaryView> {
    const project = await this.projects.access(p, projectId, 'consensus:read');
    return this.cache.get(project.id, 'lfSummary', [], () => this.computeLfSummary(project));
  }

  private async computeLfSummary(project: ProjectView): Promise<LfSummaryView> {
    return this.db.read(async (sql) => {
      const { table, lfNames } = await loadWeak(sql, project.id);
      const gold = await findLatestLabelsOfKind(sql, project.id, 'GOLD');
      const current = await findCurrentLabels(sql, project.id, table.itemIds);
      return { projectId: project.id, ...lfReport(table, lfNames, project.classes, gold, current) };
    });
  }
}
