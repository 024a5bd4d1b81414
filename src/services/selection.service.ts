import { createHash } from 'node:crypto';
import { Database, Sql } from '../db/database';
import { badInput, conflict, notFound } from '../errors';
import { SamplingStrategy, SelectInputs, selectBatch } from '../sampling';
import { Principal } from './auth.service';
import { isUuid } from './ids';
import { isTool, ITEM_SELECT, ItemView, MAX_BATCH, toItemView } from './item.service';
import { EmbeddingCache, PredictionCache, VersionPredictions } from './feature-cache';
import { activeLabScores } from '../quality';
import { CURRENT, LABELING_KINDS_SQL } from '../db/annotation-sql';
import { blindGold, GoldPlan, mixGold, NO_GOLD, planGold } from './gold-injection';
import { ProjectService, ProjectView } from './project.service';
import { effectiveSettings, MAX_LEASE_SECONDS } from './settings';
import { notUsedReason, usableForScoring } from './model.service';

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
/** Why an annotator gives an item back: LATER (not now: away for the cooldown) or SKIP (away until someone else labels it). */
export const RELEASE_REASONS = ['LATER', 'SKIP'] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];
/** How long a LATER release keeps an item from the annotator when the settings give no `skipCooldownSeconds`. */
export const DEFAULT_SKIP_COOLDOWN_SECONDS = effectiveSettings({}).skipCooldownSeconds;

/** A lease's length when the project's settings give no `leaseSeconds`. */
export const DEFAULT_LEASE_SECONDS = effectiveSettings({}).leaseSeconds;
export { MAX_LEASE_SECONDS };
const MAX_NAME = 200;

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

/**
 * Items short of their votes that this caller's pool leaves out, each counted once under the first reason that
 * applies, in this order: notServable, annotatedByYou, skipped, leasedToOthers, noEmbedding, unpredicted. The
 * project's items = poolSize + these + the items that have the votes they need.
 */
export interface ExcludedCounts {
  /** Its route does not serve it to this caller (DONE, AUTO_ACCEPT without spot check, EXPERT only for QA leads). */
  notServable: number;
  annotatedByYou: number;
  /** Released by this annotator with a reason that still holds (see releaseItems). */
  skipped: number;
  /** Its votes cast plus other annotators' active leases already reach the votes it needs. */
  leasedToOthers: number;
  /** No embedding in a project with an embedding dimension. */
  noEmbedding: number;
  /** The model version in use has no prediction for it. */
  unpredicted: number;
}

export interface LeaseView {
  itemId: string;
  annotator: string;
  expiresAt: Date;
}

function checkAnnotator(a: unknown): string {
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

/** A seed per annotator: random picks differ between annotators and repeat for one. */
function seedOf(annotator: string): number {
  return createHash('sha256').update(annotator, 'utf8').digest().readUInt32LE(0);
}

/**
 * Serialises lease-taking within one project on PostgreSQL (a transaction-scoped advisory lock; PGlite runs every
 * transaction alone anyway). Statements after it see every lease committed before it was granted.
 */
async function lockLeases(sql: Sql, projectId: string): Promise<void> {
  await sql.query(`SELECT pg_advisory_xact_lock(hashtext('loupe.lease'), hashtext($1))`, [projectId]);
}

/**
 * The committee as selectBatch takes it: one n × k matrix per member (the built-in model's fold models), over the
 * project's classes. Rows without committee votes (items the committee did not score, gold items) repeat the
 * model's probabilities in every member: no disagreement.
 */
function committeeOf(latest: VersionPredictions, classes: string[], rows: Array<{ id: string }>, predProbs: Float32Array): Array<{ rows: number; cols: number; data: Float32Array }> {
  const n = rows.length;
  const k = classes.length;
  const kv = latest.classes.length;
  const col = latest.classes.map((c) => classes.indexOf(c));
  const members = Array.from({ length: latest.members }, () => ({ rows: n, cols: k, data: predProbs.slice() }));
  for (let i = 0; i < n; i++) {
    const c = latest.committee.get(rows[i].id);
    if (!c) continue;
    for (let m = 0; m < latest.members; m++) {
      const d = members[m].data;
      d.fill(0, i * k, (i + 1) * k);
      for (let j = 0; j < kv; j++) if (col[j] >= 0) d[i * k + col[j]] = c[m * kv + j];
    }
  }
  return members;
}

/** A labeling tool never sees an item's current label (other annotators' answers, gold): it labels blind. */
function blindIfTool(p: Principal, item: ItemView): ItemView {
  return isTool(p) ? { ...item, currentLabel: null } : item;
}

/** Votes a CONSENSUS item collects before it leaves the pool: settings.routing.consensusVotes, else 3. */
export function consensusVotesOf(project: Pick<ProjectView, 'settings'>): number {
  return effectiveSettings(project.settings).routing.consensusVotes;
}

/** The votes an item needs: `consensusVotes` for a CONSENSUS item, 1 for any other. */
export function votesNeeded(route: { route: string } | undefined, consensusVotes: number): number {
  return route?.route === 'CONSENSUS' ? consensusVotes : 1;
}

/**
 * Whether an item may be served, from its route (the last pipeline run; none for items that arrived since) and its
 * HUMAN/GOLD votes. Labeling tools get unrouted unlabeled items, spot checks of AUTO_ACCEPT, SINGLE_REVIEW items
 * without a vote and CONSENSUS items short of their votes; experts (QA_LEAD keys) get EXPERT items. 'done': the item
 * has the votes it needs; 'route': its route does not serve it to this caller (DONE, unchecked AUTO_ACCEPT, EXPERT
 * items for a labeling tool, anything else for an expert).
 */
function servable(route: { route: string; spot_check: boolean } | undefined, votes: number, expert: boolean, consensusVotes: number): 'yes' | 'done' | 'route' {
  if (expert) return route?.route === 'EXPERT' ? 'yes' : 'route';
  if (!route) return votes === 0 ? 'yes' : 'done';
  switch (route.route) {
    case 'AUTO_ACCEPT':
      if (!route.spot_check) return 'route';
      return votes === 0 ? 'yes' : 'done';
    case 'SINGLE_REVIEW':
      return votes === 0 ? 'yes' : 'done';
    case 'CONSENSUS':
      return votes < consensusVotes ? 'yes' : 'done';
    case 'DONE':
      return 'done';
    default:
      return 'route';
  }
}

/**
 * ActiveLab scores (cleanlab's get_active_learning_scores) of the pool rows on one scale, labeled rows (from their
 * current votes, one column per annotator) and unlabeled ones alike: lower = a label is worth more. Returns them as
 * selectBatch's RELABEL_OR_NEW inputs (rows outside the pool get 1, the worst score; they are not candidates).
 */
async function relabelScores(
  sql: Sql,
  rows: ReadonlyArray<{ id: string }>,
  pool: number[],
  votes: ReadonlyMap<string, number>,
  predProbs: Float32Array,
  k: number,
): Promise<Pick<SelectInputs, 'activeLabScores' | 'annotationCounts'>> {
  const n = rows.length;
  const labeledRows = pool.filter((i) => (votes.get(rows[i].id) ?? 0) > 0);
  const unlabeledRows = pool.filter((i) => (votes.get(rows[i].id) ?? 0) === 0);
  const counts = new Int32Array(n);
  for (const i of pool) counts[i] = votes.get(rows[i].id) ?? 0;
  const probsOf = (idx: number[]) => {
    const data = new Float64Array(idx.length * k);
    idx.forEach((i, r) => {
      for (let j = 0; j < k; j++) data[r * k + j] = predProbs[i * k + j];
    });
    return { rows: idx.length, cols: k, data };
  };
  let labelsMulti: { rows: number; cols: number; data: Float64Array } | null = null;
  if (labeledRows.length) {
    const cast = await sql.query<{ id: string; voters: string; labels: string }>(
      `SELECT id, array_to_string(voters, ':') AS voters, array_to_string(vote_labels, ':') AS labels FROM item WHERE id = ANY($1::uuid[])`,
      [labeledRows.map((i) => rows[i].id)],
    );
    const byId = new Map(cast.map((r) => [r.id, r]));
    const col = new Map<string, number>();
    for (const r of cast) for (const a of r.voters ? r.voters.split(':') : []) if (!col.has(a)) col.set(a, col.size);
    const m = Math.max(col.size, 1);
    const data = new Float64Array(labeledRows.length * m).fill(NaN);
    labeledRows.forEach((i, r) => {
      const c = byId.get(rows[i].id);
      if (!c || !c.voters) return;
      const ls = c.labels.split(':');
      c.voters.split(':').forEach((a, t) => (data[r * m + col.get(a)!] = Number(ls[t])));
    });
    labelsMulti = { rows: labeledRows.length, cols: m, data };
  }
  const res = labelsMulti
    ? activeLabScores(labelsMulti, probsOf(labeledRows), unlabeledRows.length ? probsOf(unlabeledRows) : null)
    : activeLabScores(null, null, probsOf(unlabeledRows));
  const scores = new Float64Array(n).fill(1);
  labeledRows.forEach((i, r) => (scores[i] = res.scores[r]));
  unlabeledRows.forEach((i, r) => (scores[i] = res.scoresUnlabeled[r]));
  return { activeLabScores: scores, annotationCounts: counts };
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
      await sql.query(`DELETE FROM lease WHERE project_id = $1 AND expires_at <= now()`, [project.id]);

      // 1. Load: rows of the selection (embedding projects: items with an embedding, from the in-memory cache),
      //    labeled items, leases, own annotations.
      const dim = project.embeddingDim;
      let ids: string[];
      let features: Float32Array | null = null;
      if (dim !== null) {
        const m = await this.embeddings.get(sql, project.id, dim);
        ids = m.ids;
        features = m.X;
      } else {
        ids = (await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 ORDER BY created_at, external_id`, [project.id])).map((r) => r.id);
      }
      const labeledRows = await sql.query<{ id: string; votes: number; reviewed: boolean }>(
        `SELECT id, label_votes AS votes, label_source = 'REVIEW' AS reviewed FROM item WHERE project_id = $1 AND current_label IS NOT NULL`,
        [project.id],
      );
      const votes = new Map(labeledRows.map((r) => [r.id, r.votes]));
      const reviewed = new Set(labeledRows.filter((r) => r.reviewed).map((r) => r.id));
      // RELABEL_OR_NEW also offers labeled items for one more vote: not decided by a REVIEW, not gold, not routed DONE.
      const relabeling = strategy === 'RELABEL_OR_NEW' && p.role !== 'QA_LEAD';
      const goldItems = relabeling
        ? new Set((await sql.query<{ item_id: string }>(`SELECT DISTINCT item_id FROM annotation WHERE project_id = $1 AND kind = 'GOLD' AND ${CURRENT('annotation')}`, [project.id])).map((r) => r.item_id))
        : new Set<string>();
      const routes = new Map(
        (await sql.query<{ item_id: string; route: string; spot_check: boolean }>(`SELECT item_id, route, spot_check FROM item_route WHERE project_id = $1`, [project.id])).map(
          (r) => [r.item_id, r],
        ),
      );
      const rows = ids.map((id) => ({ id, labeled: votes.has(id) }));
      const othersLeases = new Map<string, number>();
      for (const r of await sql.query<{ item_id: string; n: number }>(
        `SELECT item_id, count(*)::int AS n FROM lease WHERE project_id = $1 AND (annotator <> $2 OR api_key_id IS DISTINCT FROM $3) GROUP BY item_id`,
        [project.id, annotator, p.keyId],
      )) {
        othersLeases.set(r.item_id, r.n);
      }
      const leasedByOthers = new Set(othersLeases.keys());
      const mine = new Set(
        (
          await sql.query<{ item_id: string }>(
            `SELECT DISTINCT a.item_id FROM annotation a JOIN annotator n ON n.id = a.annotator_id WHERE n.project_id = $1 AND n.name = $2`,
            [project.id, annotator],
          )
        ).map((r) => r.item_id),
      );
      const skipped = await this.skippedBy(sql, project.id, annotator);
      const n = rows.length;
      const labeled: number[] = [];
      const others: number[] = [];
      let pool: number[] = [];
      const expert = p.role === 'QA_LEAD';
      const consensusVotes = consensusVotesOf(project);
      const excluded: ExcludedCounts = { leasedToOthers: 0, annotatedByYou: 0, noEmbedding: 0, notServable: 0, unpredicted: 0, skipped: 0 };
      /** Why an item is not in this caller's pool; null when it is (or when it has the votes it needs). */
      const exclusion = (id: string): keyof ExcludedCounts | 'done' | null => {
        const route = routes.get(id);
        const v = votes.get(id) ?? 0;
        const serve = servable(route, v, expert, consensusVotes);
        if (serve === 'done') {
          if (!relabeling || v === 0 || reviewed.has(id) || goldItems.has(id) || route?.route === 'DONE') return 'done';
          // Offered for one more vote: the lease rule with votes needed = votes cast + 1.
          if (mine.has(id)) return 'annotatedByYou';
          if (skipped.has(id)) return 'skipped';
          if ((othersLeases.get(id) ?? 0) >= 1) return 'leasedToOthers';
          return null;
        }
        if (serve === 'route') return 'notServable';
        if (mine.has(id)) return 'annotatedByYou';
        if (skipped.has(id)) return 'skipped';
        // The lease rule: votes cast + active leases ≤ the votes the item needs (this caller's lease would be one more).
        if (v + (othersLeases.get(id) ?? 0) >= (expert ? 1 : votesNeeded(route, consensusVotes))) return 'leasedToOthers';
        return null;
      };
      for (let i = 0; i < n; i++) {
        const id = rows[i].id;
        const why = exclusion(id);
        if (why === null) {
          pool.push(i);
          continue;
        }
        if (why !== 'done') excluded[why]++;
        if (why === 'leasedToOthers') others.push(i);
        else if (votes.has(id)) labeled.push(i);
      }
      if (dim !== null) {
        for (const r of await sql.query<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 AND embedding IS NULL`, [project.id])) {
          const why = exclusion(r.id);
          if (why === null) excluded.noEmbedding++;
          else if (why !== 'done') excluded[why]++;
        }
      }

      // 2. The latest model's predictions, over the project's classes (classes appended since get probability 0).
      const k = project.classes.length;
      const current = await this.predictions.latest(sql, project.id);
      // A built-in version worse than the label prior is not used: selection goes on as if there were no model.
      const latest = current && usableForScoring(current) ? current : null;
      let predProbs: Float32Array | null = null;
      let fallback: string | null = current && !latest ? notUsedReason({ ...current, id: current.modelVersionId, name: current.modelName }) : null;
      if (latest && pool.some((i) => latest.probs.has(rows[i].id))) {
        predProbs = new Float32Array(n * k).fill(1 / k);
        const col = latest.classes.map((c) => project.classes.indexOf(c));
        for (const i of pool) {
          const pr = latest.probs.get(rows[i].id);
          if (!pr) continue;
          predProbs.fill(0, i * k, (i + 1) * k);
          for (let j = 0; j < pr.length; j++) if (col[j] >= 0) predProbs[i * k + col[j]] = pr[j];
        }
        const predicted = pool.filter((i) => latest.probs.has(rows[i].id));
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
            leasedByOthers: new Set([...leasedByOthers, ...skipped]),
            mine,
            size,
            predicted: predProbs && latest ? latest.probs : null,
          });
      const inputs: SelectInputs = { n, labeled, alreadySelected: others, candidates: pool, classNames: project.classes };
      if (predProbs) inputs.predProbs = { rows: n, cols: k, data: predProbs };
      if (dim !== null && features) inputs.features = { rows: n, cols: dim, data: features };
      if (predProbs && latest && latest.members > 1 && (strategy === 'VOTE_ENTROPY' || strategy === 'KL_CONSENSUS')) {
        inputs.committee = committeeOf(latest, project.classes, rows, predProbs);
      }
      if (relabeling && predProbs) Object.assign(inputs, await relabelScores(sql, rows, pool, votes, predProbs, k));
      const res = mixGold(gold, selectBatch(strategy as SamplingStrategy, inputs, { size, seed: seedOf(annotator) }));
      if (res.fallback) fallback = fallback ? `${fallback}: ${res.strategy === 'KCENTER' ? 'diversity' : 'random'} sampling` : res.fallback;

      // 4. Lease the picks (renewing this annotator's own leases) and return them in pick order. One API key holds at
      //    most settings.maxLeasesPerKey active leases in the project, whatever annotator names it uses: new leases
      //    beyond that are not taken (the last picks are dropped), and a call that can take none is a CONFLICT.
      const maxLeases = effectiveSettings(project.settings).maxLeasesPerKey;
      const candidates = res.items.map((s) => rows[s.index].id);
      const [{ held }] = await sql.query<{ held: number }>(`SELECT count(*)::int AS held FROM lease WHERE project_id = $1 AND api_key_id = $2`, [project.id, p.keyId]);
      const renewing = new Set(
        (
          await sql.query<{ item_id: string }>(`SELECT item_id FROM lease WHERE project_id = $1 AND annotator = $2 AND api_key_id = $3 AND item_id = ANY($4::uuid[])`, [
            project.id,
            annotator,
            p.keyId,
            candidates,
          ])
        ).map((r) => r.item_id),
      );
      let room = maxLeases - held;
      const allowed = candidates.filter((id) => renewing.has(id) || room-- > 0);
      if (allowed.length === 0 && candidates.length > 0) {
        throw conflict(
          'size',
          `this API key holds ${held} active leases in the project and settings.maxLeasesPerKey is ${maxLeases}: submit annotations, release items (releaseItems) or let leases expire first`,
        );
      }
      // A lease of the same annotator name held by another key is not taken over (ON CONFLICT … WHERE): that pick is dropped.
      const leases = await sql.query<{ item_id: string; expires_at: Date }>(
        `INSERT INTO lease (item_id, annotator, project_id, expires_at, api_key_id)
         SELECT t.item_id, $2, $3, now() + make_interval(secs => $4), $5 FROM unnest($1::uuid[]) AS t(item_id)
         ON CONFLICT (item_id, annotator) DO UPDATE SET expires_at = EXCLUDED.expires_at, api_key_id = EXCLUDED.api_key_id
           WHERE lease.api_key_id IS NULL OR lease.api_key_id = EXCLUDED.api_key_id
         RETURNING item_id, expires_at`,
        [allowed, annotator, project.id, leaseSeconds, p.keyId],
      );
      const expires = new Map(leases.map((l) => [l.item_id, new Date(l.expires_at)]));
      const kept = res.items.filter((s) => expires.has(rows[s.index].id));
      const picked = kept.map((s) => rows[s.index].id);
      const views = await sql.query<Parameters<typeof toItemView>[0]>(
        `SELECT ${ITEM_SELECT} FROM item i JOIN project p ON p.id = i.project_id WHERE i.id = ANY($1::uuid[])`,
        [picked],
      );
      const byId = new Map(views.map((r) => [r.id, toItemView(r)]));
      // A labeling tool sees no scores unless the project opts in: what a strategy maximised says how sure the model
      // is, which a tool could use to answer without looking (and, on gold, to spot it).
      const showScores = !isTool(p) || effectiveSettings(project.settings).exposeScoresToTools;
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
          leaseExpiresAt: expires.get(picked[t])!,
        })),
      };
    });
  }

  /** Items `annotator` released with a reason that still holds: LATER before its cooldown ends, SKIP until someone else labels the item. */
  private async skippedBy(sql: Sql, projectId: string, annotator: string): Promise<Set<string>> {
    const rows = await sql.query<{ item_id: string }>(
      `SELECT s.item_id FROM item_skip s
       WHERE s.project_id = $1 AND s.annotator = $2
         AND ((s.reason = 'LATER' AND s.until > now())
           OR (s.reason = 'SKIP' AND NOT EXISTS (
                 SELECT 1 FROM annotation a JOIN annotator n ON n.id = a.annotator_id
                 WHERE a.item_id = s.item_id AND n.name <> s.annotator AND a.kind IN ${LABELING_KINDS_SQL} AND a.created_at > s.created_at)))`,
      [projectId, annotator],
    );
    return new Set(rows.map((r) => r.item_id));
  }

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
      const gone = await sql.query(
        `DELETE FROM lease WHERE project_id = $1 AND annotator = $2 AND item_id = ANY($3::uuid[]) AND expires_at > now() AND ($4 OR api_key_id = $5)
         RETURNING item_id`,
        [project.id, annotator, ids, p.role === 'ADMIN', p.keyId],
      );
      // No skip is recorded on an item that the annotator name holds under another key's lease.
      await sql.query(
        `INSERT INTO item_skip (item_id, annotator, project_id, reason, until)
         SELECT i.id, $2, $1, $4, CASE WHEN $4 = 'LATER' THEN now() + make_interval(secs => $5) END
         FROM item i WHERE i.project_id = $1 AND i.id = ANY($3::uuid[])
           AND ($6 OR NOT EXISTS (SELECT 1 FROM lease l WHERE l.item_id = i.id AND l.annotator = $2 AND l.expires_at > now() AND l.api_key_id IS DISTINCT FROM $7))
         ON CONFLICT (item_id, annotator) DO UPDATE SET reason = EXCLUDED.reason, until = EXCLUDED.until, created_at = now()`,
        [project.id, annotator, ids, reason, cooldown, p.role === 'ADMIN', p.keyId],
      );
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
      const rows = await sql.query<{ item_id: string; expires_at: Date }>(
        `UPDATE lease SET expires_at = now() + make_interval(secs => $4)
         WHERE project_id = $1 AND annotator = $2 AND item_id = ANY($3::uuid[]) AND expires_at > now() AND ($5 OR api_key_id = $6)
         RETURNING item_id, expires_at`,
        [project.id, annotator, ids, seconds, p.role === 'ADMIN', p.keyId],
      );
      const got = new Map(rows.map((r) => [r.item_id, new Date(r.expires_at)]));
      ids.forEach((id, i) => {
        if (!got.has(id)) throw notFound(`active lease of item ${id} by annotator "${annotator}"`, `itemIds[${i}]`);
      });
      return ids.map((id) => ({ itemId: id, annotator, expiresAt: got.get(id)! }));
    });
  }
}
