import { Database, Sql } from '../db/database';
import { forbidden } from '../errors';
import type { StepOptions } from './pipeline-step';
import { routeItems } from '../quality';
import { AuthService, Principal } from './auth.service';
import { ProjectService } from './project.service';
import { effectiveSettings } from './settings';
import { latestProbabilities } from '../db/repositories/prediction.repository';
import {
  countLabelingVotes,
  countRoutes,
  deleteRoutes,
  findConsensusConfidence,
  findItemRoutes,
  insertRoutes,
  lastRouteRun,
  latestIssueResolutions,
  RouteColumns,
  tableExists,
} from '../db/repositories/route.repository';
import { countProjectItems, findItemIdsByCreationAndId } from '../db/repositories/item.repository';
import { findProjectSettings } from '../db/repositories/project.repository';

/** Where an item goes next: routeItems' four paths, and DONE for items already settled by people. */
export type RouteName = 'AUTO_ACCEPT' | 'SINGLE_REVIEW' | 'CONSENSUS' | 'EXPERT' | 'DONE';
export const ROUTE_NAMES: readonly RouteName[] = ['AUTO_ACCEPT', 'SINGLE_REVIEW', 'CONSENSUS', 'EXPERT', 'DONE'];

/** The project's routing thresholds (settings.routing), with routeItems' defaults. */
export interface RoutingSettings {
  autoAccept: number;
  singleReview: number;
  spotCheckRate: number;
  minAgreement: number;
  /** Seed of the spot-check draw. */
  seed: number;
}

export const DEFAULT_ROUTING: RoutingSettings = routingSettings({});

/** Fewest agreeing HUMAN/GOLD votes that settle an item (with their share ≥ minAgreement). */
export const SETTLING_VOTES = 2;
/** item_consensus methods that aggregate human votes (their confidence is read as the item's agreement). */
const CONSENSUS_HUMAN_METHODS = ['MAJORITY_VOTE', 'DAWID_SKENE', 'CROWDLAB'];

export interface ItemRouteView {
  itemId: string;
  route: RouteName;
  spotCheck: boolean;
  /** The latest model's top probability for the item (null: no prediction). */
  confidence: number | null;
  /** Annotator agreement used (null: unknown). */
  agreement: number | null;
  runId: string;
  updatedAt: Date;
}

export interface RouteCountsView {
  projectId: string;
  /** Items in the project. */
  items: number;
  /** Items with a route (items created since the last route run have none yet). */
  routed: number;
  spotChecks: number;
  counts: Array<{ route: RouteName; count: number }>;
  runId: string | null;
  updatedAt: Date | null;
}

/** Reads settings.routing, refusing values of the wrong type (the job records the message). */
export function routingSettings(settings: Record<string, unknown>): RoutingSettings {
  const { autoAccept, singleReview, spotCheckRate, minAgreement, seed } = effectiveSettings(settings).routing;
  return { autoAccept, singleReview, spotCheckRate, minAgreement, seed };
}

/** What the route job computed, before it is written. */
export interface RoutePlan extends RouteColumns {
  routes: RouteName[];
  modelVersionId: string | null;
  /** Items whose agreement came from item_consensus (the others': their HUMAN/GOLD vote share). */
  fromConsensus: number;
}

/**
 * Routes: every item of a project gets a route from the project's thresholds and the quality library's
 * routeItems; routeCounts and item.route read them.
 */
export class RoutingService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /** How many items are on each route, as the last route run left them. */
  async routeCounts(p: Principal, projectId: string): Promise<RouteCountsView> {
    const project = await this.projects.access(p, projectId, 'routes:read');
    return this.db.read(async (sql) => {
      const rows = await countRoutes(sql, project.id);
      const n = await countProjectItems(sql, project.id);
      const last = await lastRouteRun(sql, project.id);
      const by = new Map(rows.map((r) => [r.route as RouteName, r]));
      return {
        projectId: project.id,
        items: n,
        routed: rows.reduce((s, r) => s + r.n, 0),
        spotChecks: rows.reduce((s, r) => s + r.s, 0),
        counts: ROUTE_NAMES.map((route) => ({ route, count: by.get(route)?.n ?? 0 })),
        runId: last?.run_id ?? null,
        updatedAt: last ? new Date(last.updated_at) : null,
      };
    });
  }

  /** For item.route: the root field has checked the item's project; this checks the role. */
  async forItems(p: Principal, itemIds: readonly string[]): Promise<(ItemRouteView | null)[]> {
    if (!AuthService.can(p, 'routes:read')) throw forbidden(`role ${p.role} may not routes:read`);
    const rows = await this.db.read((sql) => findItemRoutes(sql, itemIds));
    const by = new Map(rows.map((r) => [r.item_id, r]));
    return itemIds.map((id) => {
      const r = by.get(id);
      if (!r) return null;
      return {
        itemId: r.item_id,
        route: r.route as RouteName,
        spotCheck: r.spot_check,
        confidence: r.confidence === null ? null : Number(r.confidence),
        agreement: r.agreement === null ? null : Number(r.agreement),
        runId: r.run_id,
        updatedAt: new Date(r.updated_at),
      };
    });
  }

  /**
   * The route job: plans every item's route and replaces the project's routes in ONE transaction, so a run killed
   * mid-way leaves the previous routes in place. Returns how many items went on each route.
   */
  async run(projectId: string, opts: StepOptions): Promise<Record<string, number>> {
    await opts.progress(0.05, 'planning');
    const plan = await this.planRoutes(projectId);
    opts.signal.throwIfAborted();
    await opts.progress(0.7, 'writing');
    await this.writeRoutes(projectId, opts.runId, plan);
    const count = (r: string) => plan.routes.filter((x) => x === r).length;
    return {
      items: plan.itemIds.length,
      autoAccept: count('AUTO_ACCEPT'),
      spotChecks: plan.spotCheck.filter(Boolean).length,
      singleReview: count('SINGLE_REVIEW'),
      consensus: count('CONSENSUS'),
      expert: count('EXPERT'),
      done: count('DONE'),
      predicted: plan.confidence.filter((c) => c !== null).length,
      agreementFromConsensus: plan.fromConsensus,
    };
  }

  /**
   * Computes every item's route reading outside a transaction.
   *
   * Items in (created_at, id) order. An item is DONE when a REVIEW annotation decided it, or when at least
   * SETTLING_VOTES HUMAN/GOLD votes agree on its majority label with a vote share ≥ minAgreement — unless a QA lead's
   * NOT_SURE resolution (label_issue.route = 'EXPERT', when that table exists) is newer than its last REVIEW: then
   * EXPERT. Every other item goes through routeItems with the latest model version's probabilities (an item it did
   * not predict gets the uniform row: no confidence → CONSENSUS unless singleReview ≤ 1/K) and, as agreement, the
   * consensus job's confidence for the item when it has one (see consensusAgreement), else the majority's share of its
   * ≥ 2 HUMAN/GOLD votes (unknown with fewer).
   */
  private async planRoutes(projectId: string): Promise<RoutePlan> {
    return this.db.read(async (sql) => {
      const project = await findProjectSettings(sql, projectId);
      if (!project) throw new Error(`project ${projectId} not found`);
      const settings = routingSettings(project.settings ?? {});
      const itemIds = await findItemIdsByCreationAndId(sql, projectId);
      const votes = await countLabelingVotes(sql, projectId);
      type Acc = { counts: Map<number, number>; total: number; reviewAt: number | null };
      const acc = new Map<string, Acc>();
      for (const v of votes) {
        let a = acc.get(v.item_id);
        if (!a) acc.set(v.item_id, (a = { counts: new Map(), total: 0, reviewAt: null }));
        if (v.kind === 'REVIEW') a.reviewAt = Math.max(a.reviewAt ?? -Infinity, Date.parse(v.last_at));
        else {
          a.counts.set(v.label, (a.counts.get(v.label) ?? 0) + v.n);
          a.total += v.n;
        }
      }
      const notSure = await this.notSureResolutions(sql, projectId);
      const consensus = await this.consensusAgreement(sql, projectId);

      const latest = await latestProbabilities(sql, projectId);
      const mv = latest?.version ?? null;
      const probs = latest?.probs ?? new Map<string, Float32Array>();
      const k = mv ? mv.classes.length : 2;

      const n = itemIds.length;
      const routes = new Array<RouteName>(n);
      const spotCheck = new Array<boolean>(n).fill(false);
      const confidence = new Array<number | null>(n).fill(null);
      const agreement = new Array<number | null>(n).fill(null);
      const open: number[] = []; // indices routed by routeItems
      for (let i = 0; i < n; i++) {
        const id = itemIds[i];
        const pr = probs.get(id);
        if (pr) confidence[i] = Math.max(...pr);
        const a = acc.get(id);
        let top = 0;
        if (a) for (const c of a.counts.values()) top = Math.max(top, c);
        const share = a && a.total > 0 ? top / a.total : null;
        agreement[i] = consensus.get(id) ?? (a && a.total >= SETTLING_VOTES ? share : null);
        const ns = notSure.get(id);
        if (ns !== undefined && (a?.reviewAt ?? -Infinity) < ns) routes[i] = 'EXPERT';
        else if (a?.reviewAt != null) routes[i] = 'DONE';
        else if (a && top >= SETTLING_VOTES && share! >= settings.minAgreement) routes[i] = 'DONE';
        else open.push(i);
      }
      if (open.length) {
        const data = new Float64Array(open.length * k);
        for (let t = 0; t < open.length; t++) {
          const pr = probs.get(itemIds[open[t]]);
          for (let j = 0; j < k; j++) data[t * k + j] = pr ? pr[j] : 1 / k;
        }
        const res = routeItems(
          { rows: open.length, cols: k, data },
          {
            autoAccept: settings.autoAccept,
            singleReview: settings.singleReview,
            spotCheckRate: settings.spotCheckRate,
            minAgreement: settings.minAgreement,
            agreement: open.map((i) => agreement[i]),
            seed: settings.seed,
          },
        );
        for (let t = 0; t < open.length; t++) {
          routes[open[t]] = res.route[t];
          spotCheck[open[t]] = res.spotCheck[t];
        }
      }
      return {
        itemIds,
        routes,
        spotCheck,
        confidence,
        agreement,
        modelVersionId: mv?.id ?? null,
        fromConsensus: consensus.size,
      };
    });
  }

  /** Replaces the project's routes by `plan` in one transaction (items deleted meanwhile are skipped). */
  private async writeRoutes(projectId: string, runId: string, plan: RoutePlan): Promise<void> {
    await this.db.transaction(async (sql) => {
      await deleteRoutes(sql, projectId);
      for (const [s, e] of this.db.bulkRanges(plan.itemIds.length)) {
        await insertRoutes(sql, projectId, runId, {
          itemIds: plan.itemIds.slice(s, e),
          routes: plan.routes.slice(s, e),
          spotCheck: plan.spotCheck.slice(s, e),
          confidence: plan.confidence.slice(s, e),
          agreement: plan.agreement.slice(s, e),
        });
      }
    });
  }

  /** item id → time of its latest label-issue resolution when that was NOT_SURE (route EXPERT); empty without label_issue. */
  private async notSureResolutions(sql: Sql, projectId: string): Promise<Map<string, number>> {
    if (!(await tableExists(sql, 'label_issue'))) return new Map();
    const rows = await latestIssueResolutions(sql, projectId);
    return new Map(rows.filter((r) => r.route === 'EXPERT').map((r) => [r.item_id, Date.parse(r.at)]));
  }

  /**
   * item id → agreement from item_consensus (written by the consensus job; checked at run time, the table may be absent):
   * the consensus confidence (vote share under majority vote, the posterior under Dawid–Skene, CROWDLAB's consensus
   * quality) of items whose label comes from ≥ 2 human annotations. Other items are not in the map.
   */
  private async consensusAgreement(sql: Sql, projectId: string): Promise<Map<string, number>> {
    if (!(await tableExists(sql, 'item_consensus'))) return new Map();
    const rows = await findConsensusConfidence(sql, projectId, CONSENSUS_HUMAN_METHODS, SETTLING_VOTES);
    return new Map(rows.map((r) => [r.item_id, Number(r.a)]));
  }

}
