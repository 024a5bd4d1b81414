/**
 * Which items one nextBatch caller may be served: the pool, and why each other item short of its votes is left out.
 * Pure: the caller loads routes, votes, leases, skips and own annotations; this decides.
 */

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

/** An item's route as the last pipeline run left it. */
export interface PoolRoute {
  route: string;
  spot_check: boolean;
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
export function servable(route: PoolRoute | undefined, votes: number, expert: boolean, consensusVotes: number): 'yes' | 'done' | 'route' {
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

/** What the pool decision reads about the project and the caller. */
export interface PoolFacts {
  routes: ReadonlyMap<string, PoolRoute>;
  /** Item id → HUMAN/GOLD votes cast, for labeled items. */
  votes: ReadonlyMap<string, number>;
  /** Labeled items whose label a REVIEW decided. */
  reviewed: ReadonlySet<string>;
  /** Gold items (read only when `relabeling`). */
  goldItems: ReadonlySet<string>;
  /** Item id → active leases held by anyone but this caller. */
  othersLeases: ReadonlyMap<string, number>;
  /** Items this annotator annotated. */
  mine: ReadonlySet<string>;
  /** Items this annotator released with a reason that still holds. */
  skipped: ReadonlySet<string>;
  /** A QA lead: served EXPERT items only. */
  expert: boolean;
  consensusVotes: number;
  /** RELABEL_OR_NEW for a labeling tool: labeled items are offered for one more vote. */
  relabeling: boolean;
}

/**
 * Why an item is not in this caller's pool, or null when it is; 'done' when it has the votes it needs. Under
 * `relabeling`, a labeled item not decided by a REVIEW, not gold and not routed DONE is offered for one more vote
 * (the lease rule with votes needed = votes cast + 1).
 */
export function exclusionOf(f: PoolFacts, id: string): keyof ExcludedCounts | 'done' | null {
  const route = f.routes.get(id);
  const v = f.votes.get(id) ?? 0;
  const serve = servable(route, v, f.expert, f.consensusVotes);
  if (serve === 'done') {
    if (!f.relabeling || v === 0 || f.reviewed.has(id) || f.goldItems.has(id) || route?.route === 'DONE') return 'done';
    if (f.mine.has(id)) return 'annotatedByYou';
    if (f.skipped.has(id)) return 'skipped';
    if ((f.othersLeases.get(id) ?? 0) >= 1) return 'leasedToOthers';
    return null;
  }
  if (serve === 'route') return 'notServable';
  if (f.mine.has(id)) return 'annotatedByYou';
  if (f.skipped.has(id)) return 'skipped';
  // The lease rule: votes cast + active leases ≤ the votes the item needs (this caller's lease would be one more).
  if (v + (f.othersLeases.get(id) ?? 0) >= (f.expert ? 1 : votesNeeded(route, f.consensusVotes))) return 'leasedToOthers';
  return null;
}

/** The pool of one selection and the rows it measures against. */
export interface PoolSplit {
  /** Row indices the strategy may pick. */
  pool: number[];
  /** Labeled rows outside the pool (diversity is measured against them). */
  labeled: number[];
  /** Rows leased to others (already selected, for diversity). */
  others: number[];
  excluded: ExcludedCounts;
}

/**
 * Splits the selection's rows (`ids`, in row order) into the pool, labeled rows and rows leased to others, and counts
 * exclusions. `unembedded`: the project's items outside the rows (no embedding), counted as noEmbedding when they
 * would otherwise be in the pool. O(rows + unembedded).
 */
export function splitPool(f: PoolFacts, ids: readonly string[], unembedded: readonly string[] = []): PoolSplit {
  const excluded: ExcludedCounts = { leasedToOthers: 0, annotatedByYou: 0, noEmbedding: 0, notServable: 0, unpredicted: 0, skipped: 0 };
  const pool: number[] = [];
  const labeled: number[] = [];
  const others: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const why = exclusionOf(f, id);
    if (why === null) {
      pool.push(i);
      continue;
    }
    if (why !== 'done') excluded[why]++;
    if (why === 'leasedToOthers') others.push(i);
    else if (f.votes.has(id)) labeled.push(i);
  }
  for (const id of unembedded) {
    const why = exclusionOf(f, id);
    if (why === null) excluded.noEmbedding++;
    else if (why !== 'done') excluded[why]++;
  }
  return { pool, labeled, others, excluded };
}
