/**
 * Routing of items to a review path from model confidence and, when known, annotator agreement.
 */
import { MatrixInput, QualityInputError, toProbMatrix } from './matrix';
import { createRng } from './rng';

/** Where an item goes next. */
export type Route = 'AUTO_ACCEPT' | 'SINGLE_REVIEW' | 'CONSENSUS' | 'EXPERT';

export interface RouteItemsOptions {
  /** Max probability ≥ this → AUTO_ACCEPT. Default 0.95. */
  autoAccept?: number;
  /** Max probability ≥ this (and < autoAccept) → SINGLE_REVIEW; below → CONSENSUS. Default 0.7. */
  singleReview?: number;
  /** Share of AUTO_ACCEPT items drawn (seeded) for a spot check. Default 0.05. */
  spotCheckRate?: number;
  /** Per item agreement among its annotators (e.g. vote share or kappa); `null`/NaN = unknown. */
  agreement?: ReadonlyArray<number | null> | Float64Array | Float32Array;
  /** Known agreement below this → EXPERT, whatever the model says. Default 0.6. */
  minAgreement?: number;
  /** Seed of the spot-check draw. Default 0. */
  seed?: number;
}

export interface RouteItemsResult {
  route: Route[];
  /** True for the AUTO_ACCEPT items drawn for a spot check; false everywhere else. */
  spotCheck: boolean[];
}

/**
 * Routes each item to a review path (the "Route" concept of docs/architecture.md: low confidence goes to
 * several annotators, disagreement to an expert).
 *
 * With q_i = max_k predProbs[i][k] (N × K rows summing to 1) and a_i = agreement[i] when given:
 *
 *   EXPERT        if a_i is known and a_i < minAgreement          (overrides the confidence rules)
 *   AUTO_ACCEPT   else if q_i ≥ autoAccept
 *   SINGLE_REVIEW else if q_i ≥ singleReview
 *   CONSENSUS     otherwise
 *
 * Spot checks: among the A items routed AUTO_ACCEPT, exactly round(spotCheckRate · A) are drawn uniformly
 * without replacement (partial Fisher–Yates over their indices with `createRng(seed)`), so the share is exact
 * and the same seed and inputs give the same draw. Routes are permutation-equivariant; which items are
 * spot-checked depends on their order.
 *
 * Reading: AUTO_ACCEPT needs no human (bar spot checks), SINGLE_REVIEW one annotator, CONSENSUS several,
 * EXPERT an adjudicator. Requires 0 ≤ singleReview ≤ autoAccept ≤ 1 and spotCheckRate in [0, 1].
 * Cost: O(N K) time, O(N) memory.
 *
 * @param predProbs N × K predicted class probabilities
 */
export function routeItems(predProbs: MatrixInput, options: RouteItemsOptions = {}): RouteItemsResult {
  const fn = 'routeItems';
  const autoAccept = options.autoAccept ?? 0.95;
  const singleReview = options.singleReview ?? 0.7;
  const spotCheckRate = options.spotCheckRate ?? 0.05;
  const minAgreement = options.minAgreement ?? 0.6;
  const seed = options.seed ?? 0;
  for (const [name, v] of [['autoAccept', autoAccept], ['singleReview', singleReview], ['spotCheckRate', spotCheckRate]] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new QualityInputError(fn, `options.${name}`, `must be a number in [0, 1], got ${String(v)}`);
  }
  if (singleReview > autoAccept) {
    throw new QualityInputError(fn, 'options.singleReview', `(${singleReview}) must not exceed options.autoAccept (${autoAccept})`);
  }
  if (typeof minAgreement !== 'number' || !Number.isFinite(minAgreement)) {
    throw new QualityInputError(fn, 'options.minAgreement', `must be a finite number, got ${String(minAgreement)}`);
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new QualityInputError(fn, 'options.seed', `must be a finite number, got ${String(seed)}`);
  const pp = toProbMatrix(predProbs, fn, 'predProbs');
  const n = pp.rows;
  let agreement: Float64Array | null = null;
  if (options.agreement !== undefined && options.agreement !== null) {
    const a = options.agreement;
    if (!Array.isArray(a) && !(a instanceof Float64Array) && !(a instanceof Float32Array)) {
      throw new QualityInputError(fn, 'options.agreement', 'must be number[] or a Float64Array/Float32Array (null/NaN = unknown)');
    }
    if (a.length !== n) throw new QualityInputError(fn, 'options.agreement', `has length ${a.length}, expected ${n} (rows of predProbs)`);
    agreement = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      if (v === null || v === undefined || Number.isNaN(v)) { agreement[i] = NaN; continue; }
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new QualityInputError(fn, 'options.agreement', `index ${i} is ${String(v)}, not a finite number or null`);
      agreement[i] = v;
    }
  }
  return routeItemsInner(pp.data, n, pp.cols, autoAccept, singleReview, spotCheckRate, agreement, minAgreement, seed);
}

function routeItemsInner(
  p: Float64Array | Float32Array, n: number, k: number, autoAccept: number, singleReview: number,
  spotCheckRate: number, agreement: Float64Array | null, minAgreement: number, seed: number,
): RouteItemsResult {
  const route = new Array<Route>(n);
  const spotCheck = new Array<boolean>(n).fill(false);
  const accepted = new Int32Array(n);
  let nAccepted = 0;
  for (let i = 0; i < n; i++) {
    if (agreement !== null && agreement[i] < minAgreement) { // NaN (unknown) compares false
      route[i] = 'EXPERT';
      continue;
    }
    let q = -Infinity;
    const o = i * k;
    for (let j = 0; j < k; j++) if (p[o + j] > q) q = p[o + j];
    if (q >= autoAccept) {
      route[i] = 'AUTO_ACCEPT';
      accepted[nAccepted++] = i;
    } else if (q >= singleReview) route[i] = 'SINGLE_REVIEW';
    else route[i] = 'CONSENSUS';
  }
  const draws = Math.round(spotCheckRate * nAccepted);
  if (draws > 0) {
    const rng = createRng(seed);
    for (let t = 0; t < draws; t++) {
      const j = t + rng.int(nAccepted - t);
      const tmp = accepted[t];
      accepted[t] = accepted[j];
      accepted[j] = tmp;
      spotCheck[accepted[t]] = true;
    }
  }
  return { route, spotCheck };
}
