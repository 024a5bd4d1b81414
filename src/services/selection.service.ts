import { createHash } from 'node:crypto';
import { Database, Sql } from '../db/database';
import { badInput, conflict } from '../errors';
import { SamplingStrategy, SelectInputs, selectBatch } from '../sampling';
import { ExcludedCounts, splitPool } from '../sampling/pool-eligibility';
import { committeeMatrices, labeledPoolRows, relabelInputs } from '../sampling/selection-inputs';
import { Principal } from './auth.service';
import { isTool, ITEM_SELECT, ItemView, toItemView } from './item.service';
import { EmbeddingCache, PredictionCache } from './feature-cache';
import { blindGold, GoldPlan, mixGold, NO_GOLD, planGold } from './gold-injection';
import { ProjectService, ProjectView } from './project.service';
import { effectiveSettings } from './settings';
import { notUsedReason, usableForScoring } from './model.service';
import { checkAnnotator, leaseSecondsOf } from './lease.service';
import { countKeyLeases, countOthersLeases, deleteExpiredLeases, findOwnLeasedItems, findSkippedItems, lockLeases, upsertLeases } from '../db/repositories/lease.repository';
import { findProjectRoutes } from '../db/repositories/route.repository';
import { findGoldItemIds, findItemsAnnotatedBy } from '../db/repositories/annotation.repository';
import {
  findItemIdsByCreation,
  findItemIdsWithoutEmbedding,
  findItemsWithProject,
  findItemVotes,
  findLabeledItems,
} from '../db/repositories/item.repository';

/** The strategies nextBatch offers (selectBatch's RELABEL_OR_NEW needs ActiveLab scores the service does not compute yet). */
export const NEXT_BATCH_STRATEGIES = ['RANDOM', 'LEAST_CONFIDENCE', 'MARGIN', 'ENTROPY', 'VOTE_ENTROPY', 'KL_CONSENSUS', 'KCENTER', 'HYBRID', 'CLUSTER_MARGIN', 'RELABEL_OR_NEW'] as const;
export type NextBatchStrategy = (typeof NEXT_BATCH_STRATEGIES)[number];
/**
 * Cluster-margin (Citovsky et al. 2021): the only strategy that met every target of the active-learning benchmark
 * (bench/active-learning.ts; results in bench/results/active-learning): 32 % of random's labels on digits, 15 % on
 * SpamAssassin, never below random after the first batch.
 */
export const DEFAULT_STRATEGY: NextBatchStrategy = 'CLUSTER_MARGIN';
export const MAX_BATCH_SIZE = 1000;

export interface BatchItemView {
  item: ItemView;
  /** null for a labeling tool unless the project's settings.exposeScoresToTools (as are scores and reason). */
  totalScore: number | null;
  scores: Array<{ name: string; value: number }> | null;
  reason: string | null;
  leaseExpiresAt: Date;
}

export interface NextBatchView {
  requestedStrategy: NextBatchStrategy;
  strategy: NextBatchStrategy;
  /** Why another strategy was used (e.g. "no model: diversity sampling"); null when none. */
  fallback: string | null;
  modelVersionId: string | null;
  /** Labeled items the selection measured diversity against: the same count the reasons quote. */
  labeledCount: number;
  /** Pool items the strategy scored (gold items mixed in are not counted). */
  candidateCount: number;
  /** Items in this caller's pool. */
  poolSize: number;
  excluded: ExcludedCounts;
  items: BatchItemView[];
}

/** A seed per annotator: random picks differ between annotators and repeat for one. */
function seedOf(annotator: string): number {
  return createHash('sha256').update(annotator, 'utf8').digest().readUInt32LE(0);
}

/** A labeling tool never sees an item's current label (other annotators' answers, gold): it labels blind. */
function blindIfTool(p: Principal, item: ItemView): ItemView {
  return isTool(p) ? { ...item, currentLabel: null } : item;
}

/** Votes a CONSENSUS item collects before it leaves the pool: settings.routing.consensusVotes, else 3. */
export function consensusVotesOf(project: Pick<ProjectView, 'settings'>): number {
  return effectiveSettings(project.settings).routing.consensusVotes;
}

export class SelectionService {
  private readonly embeddings = new EmbeddingCache();
  private readonly predictions = new PredictionCache();

  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /**
   * What should `annotator` label next: picks `size` items from the pool with `strategy` and leases them to the
   * annotator for the project's lease length, in one transaction. The pool is the items with no HUMAN, GOLD or REVIEW
   * annotation, not annotated by this annotator, not leased to another annotator (and, in a project with an
   * embedding dimension, with an embedding). Scores come from the project's latest model version (items it did not
   * predict are left out); without a model, diversity sampling (KCENTER, or RANDOM without embeddings), said in
   * `fallback`. Calls that overlap never hand the same item to two annotators.
   */
  async nextBatch(p: Principal, projectId: string, size: number, strategy: NextBatchStrategy, annotator: string): Promise<NextBatchView> {
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) throw badInput('size', `must be an integer in 1..${MAX_BATCH_SIZE}`);
    if (!(NEXT_BATCH_STRATEGIES as readonly string[]).includes(strategy)) throw badInput('strategy', `unknown strategy ${String(strategy)}`);
    checkAnnotator(annotator);
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'selection:next', sql);
      const leaseSeconds = leaseSecondsOf(project);
      await lockLeases(sql, project.id);
      await deleteExpiredLeases(sql, project.id);

      // 1. Load: rows of the selection (embedding projects: items with an embedding, from the in-memory cache),
      //    labeled items, leases, own annotations; then split the rows into the pool and the rest (pure).
      const dim = project.embeddingDim;
      let ids: string[];
      let features: Float32Array | null = null;
      if (dim !== null) {
        const m = await this.embeddings.get(sql, project.id, dim);
        ids = m.ids;
        features = m.X;
      } else {
        ids = await findItemIdsByCreation(sql, project.id);
      }
      const labeledRows = await findLabeledItems(sql, project.id);
      const votes = new Map(labeledRows.map((r) => [r.id, r.votes]));
      // RELABEL_OR_NEW also offers labeled items for one more vote: not decided by a REVIEW, not gold, not routed DONE.
      const relabeling = strategy === 'RELABEL_OR_NEW' && p.role !== 'QA_LEAD';
      const facts = {
        votes,
        reviewed: new Set(labeledRows.filter((r) => r.reviewed).map((r) => r.id)),
        goldItems: relabeling ? await findGoldItemIds(sql, project.id) : new Set<string>(),
        routes: await findProjectRoutes(sql, project.id),
        othersLeases: await countOthersLeases(sql, project.id, annotator, p.keyId),
        mine: await findItemsAnnotatedBy(sql, project.id, annotator),
        skipped: await findSkippedItems(sql, project.id, annotator),
        expert: p.role === 'QA_LEAD',
        consensusVotes: consensusVotesOf(project),
        relabeling,
      };
      const { labeled, others, excluded, pool: eligible } = splitPool(facts, ids, dim !== null ? await findItemIdsWithoutEmbedding(sql, project.id) : []);
      let pool = eligible;
      const n = ids.length;

      // 2. The latest model's predictions, over the project's classes (classes appended since get probability 0).
      const k = project.classes.length;
      const current = await this.predictions.latest(sql, project.id);
      // A built-in version worse than the label prior is not used: selection goes on as if there were no model.
      const latest = current && usableForScoring(current) ? current : null;
      let predProbs: Float32Array | null = null;
      let fallback: string | null = current && !latest ? notUsedReason({ ...current, id: current.modelVersionId, name: current.modelName }) : null;
      if (latest && pool.some((i) => latest.probs.has(ids[i]))) {
        predProbs = new Float32Array(n * k).fill(1 / k);
        const col = latest.classes.map((c) => project.classes.indexOf(c));
        for (const i of pool) {
          const pr = latest.probs.get(ids[i]);
          if (!pr) continue;
          predProbs.fill(0, i * k, (i + 1) * k);
          for (let j = 0; j < pr.length; j++) if (col[j] >= 0) predProbs[i * k + col[j]] = pr[j];
        }
        const predicted = pool.filter((i) => latest.probs.has(ids[i]));
        excluded.unpredicted = pool.length - predicted.length;
        pool = predicted;
      } else if (latest) {
        fallback = `model version ${latest.modelVersionId} (${latest.modelName}) has no predictions for the pool`;
      }

      const base = { requestedStrategy: strategy, modelVersionId: predProbs && latest ? latest.modelVersionId : null, poolSize: pool.length, excluded };
      if (pool.length === 0) return { ...base, labeledCount: labeled.length, strategy, fallback, candidateCount: 0, items: [] };

      // 3. Select (pure).
      // Gold items mixed in at the project's goldRate, each in the place of a pool pick (see gold-injection.ts); not
      // with RELABEL_OR_NEW, whose scores need the votes of every candidate (a gold item's answer is not a vote).
      const gold: GoldPlan = relabeling
        ? NO_GOLD
        : await planGold(sql, {
            projectId: project.id,
            settings: project.settings,
            annotator,
            keyId: p.keyId,
            rowIds: ids,
            labeled,
            leasedByOthers: new Set([...facts.othersLeases.keys(), ...facts.skipped]),
            mine: facts.mine,
            size,
            predicted: predProbs && latest ? latest.probs : null,
          });
      const inputs: SelectInputs = { n, labeled, alreadySelected: others, candidates: pool, classNames: project.classes };
      if (predProbs) inputs.predProbs = { rows: n, cols: k, data: predProbs };
      if (dim !== null && features) inputs.features = { rows: n, cols: dim, data: features };
      if (predProbs && latest && latest.members > 1 && (strategy === 'VOTE_ENTROPY' || strategy === 'KL_CONSENSUS')) {
        inputs.committee = committeeMatrices(latest, project.classes, ids, predProbs);
      }
      if (relabeling && predProbs) {
        const votedRows = labeledPoolRows(ids, pool, votes);
        const cast = votedRows.length ? await findItemVotes(sql, votedRows.map((i) => ids[i])) : [];
        Object.assign(inputs, relabelInputs(ids, pool, votes, predProbs, k, cast));
      }
      const res = mixGold(gold, selectBatch(strategy as SamplingStrategy, inputs, { size, seed: seedOf(annotator) }));
      if (res.fallback) fallback = fallback ? `${fallback}: ${res.strategy === 'KCENTER' ? 'diversity' : 'random'} sampling` : res.fallback;

      // 4. Lease the picks and return them in pick order.
      const leased = await this.leasePicks(sql, p, project, annotator, leaseSeconds, res.items.map((s) => ids[s.index]));
      const kept = res.items.filter((s) => leased.expires.has(ids[s.index]));
      const picked = kept.map((s) => ids[s.index]);
      // A labeling tool sees no scores unless the project opts in: what a strategy maximised says how sure the model
      // is, which a tool could use to answer without looking (and, on gold, to spot it).
      const showScores = !isTool(p) || effectiveSettings(project.settings).exposeScoresToTools;
      const byId = new Map((await findItemsWithProject<Parameters<typeof toItemView>[0]>(sql, ITEM_SELECT, picked)).map((r) => [r.id, toItemView(r)]));
      return {
        ...base,
        labeledCount: res.labeledCount,
        strategy: res.strategy as NextBatchStrategy,
        fallback,
        candidateCount: res.candidateCount,
        items: kept.map((s, t) => ({
          item: blindIfTool(p, blindGold(gold, byId.get(picked[t])!)),
          totalScore: showScores ? s.score : null,
          scores: showScores ? Object.entries(s.scores).map(([name, value]) => ({ name, value })) : null,
          reason: showScores ? s.reason : null,
          leaseExpiresAt: leased.expires.get(picked[t])!,
        })),
      };
    });
  }

  /**
   * Leases `candidates` to `annotator`, renewing the annotator's own leases. One API key holds at most
   * settings.maxLeasesPerKey active leases in the project, whatever annotator names it uses: new leases beyond that
   * are not taken (the last picks are dropped), and a call that can take none is a CONFLICT. Returns each leased
   * item's expiry.
   */
  private async leasePicks(sql: Sql, p: Principal, project: ProjectView, annotator: string, seconds: number, candidates: string[]): Promise<{ expires: Map<string, Date> }> {
    const maxLeases = effectiveSettings(project.settings).maxLeasesPerKey;
    const held = await countKeyLeases(sql, project.id, p.keyId);
    const renewing = await findOwnLeasedItems(sql, project.id, annotator, p.keyId, candidates);
    let room = maxLeases - held;
    const allowed = candidates.filter((id) => renewing.has(id) || room-- > 0);
    if (allowed.length === 0 && candidates.length > 0) {
      throw conflict(
        'size',
        `this API key holds ${held} active leases in the project and settings.maxLeasesPerKey is ${maxLeases}: submit annotations, release items (releaseItems) or let leases expire first`,
      );
    }
    // A lease of the same annotator name held by another key is not taken over: that pick is dropped.
    const leases = await upsertLeases(sql, project.id, annotator, p.keyId, allowed, seconds);
    return { expires: new Map(leases.map((l) => [l.item_id, new Date(l.expires_at)])) };
  }
}
