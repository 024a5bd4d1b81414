/**
 * What each operation costs against LOUPE_MAX_QUERY_COMPLEXITY (graphql-query-complexity, default limit 50,000).
 *
 * A plain field costs 1. A page costs its size times what each element asks for. A project-wide aggregate reads or
 * scans the whole project, whatever the page or selection, so it costs a fixed base plus its selection.
 *
 * The bases are proportional to the time each aggregate takes on the seeded demo project (3,023 items, 1,487
 * annotations; medians of 7 calls over HTTP, PGlite / PostgreSQL 15, warm): about 12–20 µs of that time per unit, so
 * the default limit lets one operation spend roughly one second on aggregates (25 annotatorStats, 50 projectStats),
 * and 1,000 aliases of any of them are refused before anything runs.
 *
 * | field | demo time | base | why |
 * |---|---|---|---|
 * | annotatorStats | 25 / 26 ms | 2,000 | every current vote, gold, consensus, pairwise kappa |
 * | labelHealth | 5 / 4 ms | 2,000 | confident learning over every labeled item once predictions exist (the demo has none yet) |
 * | agreement | 17 / 14 ms | 1,000 | every HUMAN vote in the window, kappa and alpha |
 * | projectStats | 19 / 15 ms | 1,000 | six aggregates over items and annotations |
 * | driftStatus | 18 / 23 ms | 1,000 | every item's creation time |
 * | lfSummary | 6 / 5 ms | 1,000 | every weak vote and a label-model fit (grows with labeling functions) |
 * | routeCounts | 6 / 5 ms | 500 | counts over every routed item |
 * | consensus, driftReports | 3 / 3 ms | 500 | stored results of the last run (one round trip) |
 */
export const AGGREGATE_COSTS = {
  annotatorStats: 2000,
  labelHealth: 2000,
  agreement: 1000,
  projectStats: 1000,
  driftStatus: 1000,
  lfSummary: 1000,
  routeCounts: 500,
  consensus: 500,
  driftReports: 500,
} as const;

export type AggregateField = keyof typeof AGGREGATE_COSTS;

/** Page sizes assumed when a page field's size argument is left out (its GraphQL default). */
export const PAGE_COSTS = {
  /** `items(first)`: 1 + first × each item's selection. */
  items: { sizeArg: 'first', defaultSize: 50 },
  /** `labelIssues(first)`: 1 + first × each issue's selection. */
  labelIssues: { sizeArg: 'first', defaultSize: 50 },
  /** `nextBatch(size)`: 1 + size × each item's selection. */
  nextBatch: { sizeArg: 'size', defaultSize: 10 },
  /** `snapshotDiff(first)`: 1 + first × each list's selection. */
  snapshotDiff: { sizeArg: 'first', defaultSize: 1000 },
  /** `webhookDeliveries(first)`: 1 + first × each delivery's selection. */
  webhookDeliveries: { sizeArg: 'first', defaultSize: 50 },
} as const;

/** Lists nested in an element, costed as a fixed number of entries times each entry's selection. */
export const LIST_COSTS = {
  /** `Item.annotations`: 10 × each annotation's selection (an item holds a handful of votes). */
  itemAnnotations: 10,
} as const;

/** The complexity option of a project-wide aggregate: its base plus what it asks for. */
export function aggregateCost(field: AggregateField) {
  const base = AGGREGATE_COSTS[field];
  return ({ childComplexity }: { childComplexity: number }) => base + childComplexity;
}

/** The complexity option of a page: 1 + size × each element's selection. */
export function pageCost(field: keyof typeof PAGE_COSTS) {
  const { sizeArg, defaultSize } = PAGE_COSTS[field];
  return ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }) =>
    1 + ((args[sizeArg] as number | undefined) ?? defaultSize) * childComplexity;
}

/** The complexity option of a list nested in an element: its assumed length × each entry's selection. */
export function listCost(field: keyof typeof LIST_COSTS) {
  const entries = LIST_COSTS[field];
  return ({ childComplexity }: { childComplexity: number }) => entries * childComplexity;
}
