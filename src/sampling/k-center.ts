/**
 * k-center greedy (core-set) selection and the cache of each row's distance to the labeled set.
 *
 * The greedy step is evaluated lazily: a row's cached minimum distance can only shrink as centers are added,
 * so a stale value is an upper bound. Rows sit in a max-heap keyed by that bound; the top row is brought up to
 * date against the centers added since it was last looked at, and is picked once it is up to date and still
 * on top. The result is exactly the textbook greedy (same picks, same tie-breaking), but a pick usually
 * touches a handful of rows instead of all N.
 */
import { MatrixInput, QualityInputError } from '../quality/matrix';
import { createRng, Rng } from '../quality/rng';
import { FeatureData, sqDistBounded } from './distances';
import { CandidatesInput, IndexInput, checkPositiveInt, checkSeed, toCandidateList, toFeatures, toIndexList } from './inputs';

/**
 * Each row's squared Euclidean distance to its nearest labeled row. Create it cold with
 * {@link createDistanceCache} and keep it current with {@link updateDistanceCache} as labels arrive.
 * A cache is a value: updates return a new cache and never modify the old one.
 */
export interface DistanceCache {
  /** N: rows of the feature matrix the cache was built from. */
  readonly rows: number;
  /** d: columns of that feature matrix. */
  readonly cols: number;
  /** Number of distinct labeled rows. */
  readonly labeledCount: number;
  /** 1 where the row is labeled. Length N. */
  readonly labeledMask: Uint8Array;
  /** min over labeled rows l of ‖x_i − x_l‖²; `Infinity` while nothing is labeled. Length N. */
  readonly minSqDist: Float64Array;
  /** The labeled row achieving `minSqDist` (the first in labeling order on ties); -1 while nothing is labeled. */
  readonly nearest: Int32Array;
}

/** Labeled rows are processed in blocks this size so that their coordinates stay in the L1/L2 cache. */
const LABELED_BLOCK = 64;

/**
 * Builds the distance cache cold: for every row i, `minSqDist[i] = min_{l ∈ labeled} ‖x_i − x_l‖²` and the
 * nearest labeled row.
 *
 * Shapes: features N × d (finite), labeled = L row indices → cache with Float64Array N and Int32Array N.
 * Read: larger = the row is farther from everything labeled, i.e. less covered by the labeled set.
 * Reference: Sener & Savarese (2018), "Active Learning for Convolutional Neural Networks: A Core-Set Approach"
 * (the quantity k-center greedy maximises). Cost: O(N·L·d) time (partial-distance search prunes some of it),
 * O(N) memory.
 */
export function createDistanceCache(features: MatrixInput, labeled: IndexInput): DistanceCache {
  const fn = 'createDistanceCache';
  const X = toFeatures(features, fn);
  const lab = toIndexList(labeled, X.rows, fn, 'labeled');
  const minSqDist = new Float64Array(X.rows).fill(Infinity);
  const nearest = new Int32Array(X.rows).fill(-1);
  const labeledMask = new Uint8Array(X.rows);
  const distinct = uniqueInOrder(lab, labeledMask);
  minDistToRows(X.data, X.cols, null, distinct, minSqDist, nearest);
  return { rows: X.rows, cols: X.cols, labeledCount: distinct.length, labeledMask, minSqDist, nearest };
}

/**
 * Returns a new cache that also accounts for `newlyLabeled` rows: `minSqDist[i] ← min(minSqDist[i], ‖x_i − x_l‖²)`
 * for each new l (rows already labeled are skipped). The old cache is not modified.
 *
 * Shapes: cache for features N × d, newlyLabeled = B row indices → cache. Equals {@link createDistanceCache}
 * on the union, bit for bit, when the labeled rows are given in the same order.
 * Cost: O(N·d) per new labeled row (plus an O(N) copy and an O(N·d) finiteness check of the features).
 */
export function updateDistanceCache(cache: DistanceCache, features: MatrixInput, newlyLabeled: IndexInput): DistanceCache {
  const fn = 'updateDistanceCache';
  const X = toFeatures(features, fn);
  checkCache(cache, X.rows, X.cols, fn);
  const add = toIndexList(newlyLabeled, X.rows, fn, 'newlyLabeled');
  const labeledMask = cache.labeledMask.slice();
  const distinct = uniqueInOrder(add, labeledMask);
  const minSqDist = cache.minSqDist.slice();
  const nearest = cache.nearest.slice();
  minDistToRows(X.data, X.cols, null, distinct, minSqDist, nearest);
  return { rows: X.rows, cols: X.cols, labeledCount: cache.labeledCount + distinct.length, labeledMask, minSqDist, nearest };
}

/** Options of {@link kCenterGreedy}. */
export interface KCenterOptions {
  /** Number of rows to pick (fewer when fewer candidates remain). */
  size: number;
  /** Rows already labeled. Their distances to the candidates are computed cold: O(m·L·d). Exclusive with `cache`. */
  labeled?: IndexInput;
  /** Cached distances to the labeled set (see {@link createDistanceCache}): the greedy starts from them at no cost. */
  cache?: DistanceCache;
  /** Rows that count as centers too without being labeled (picked earlier, leased to other annotators). */
  alreadySelected?: IndexInput;
  /** Selectable rows (index list or mask). Default: every row that is neither labeled nor already selected. */
  candidates?: CandidatesInput;
  /** Seeds the first pick when there is nothing labeled and nothing already selected. */
  seed?: number;
}

/** Result of {@link kCenterGreedy}: picks in the order chosen. */
export interface KCenterResult {
  /** Picked row indices, in pick order. */
  indices: Int32Array;
  /**
   * Squared distance of each pick to its nearest center (labeled, already selected or picked before it) at
   * the moment it was picked; non-increasing. `Infinity` for a seeded first pick with no center at all.
   */
  sqDistances: Float64Array;
}

/**
 * k-center greedy (the core-set heuristic): repeatedly pick the candidate farthest from every center, where
 * the centers are the labeled rows, the `alreadySelected` rows and the rows picked so far:
 * `pick_t = argmax_{i ∈ candidates} min_{c ∈ centers_t} ‖x_i − x_c‖²` (ties → lowest row index).
 *
 * Shapes: features N × d → `size` row indices with their squared distances at pick time.
 * Read: the batch covers the feature space; early picks are the rows least represented by the labeled set.
 * A 2-approximation of the minimax facility location (k-center) objective (Gonzalez 1985).
 * Reference: Sener & Savarese (2018), "Active Learning for Convolutional Neural Networks: A Core-Set Approach";
 * Google's active-learning `kcenter_greedy` (`already_selected`).
 * Cost: with `cache`, O(m + size·log m) plus O(d) per (row, new center) pair brought up to date lazily — at
 * worst O(size·m·d), typically far less; without it, add the cold O(m·L·d) for the m candidates. Memory O(m).
 */
export function kCenterGreedy(features: MatrixInput, options: KCenterOptions): KCenterResult {
  const fn = 'kCenterGreedy';
  const X = toFeatures(features, fn);
  const prep = prepareKCenter(X.data, X.rows, X.cols, options, fn);
  return kCenterInner(X.data, X.cols, prep.cand, prep.stale, prep.centers, prep.size, prep.hasReference, createRng(prep.seed));
}

/** Validated k-center inputs: candidates with their distances to the labeled set. */
export interface KCenterPrepared {
  cand: Int32Array;
  stale: Float64Array;
  centers: Int32Array;
  size: number;
  hasReference: boolean;
  labeledCount: number;
  seed: number;
}

/**
 * Validates the options of k-center-based selection and computes each candidate's distance to the labeled
 * set (from the cache, or cold). `narrow`, when given, maps the candidate list to a subset of it before any
 * distance is computed (hybrid's top-M most uncertain).
 */
export function prepareKCenter(
  data: FeatureData,
  rows: number,
  cols: number,
  options: KCenterOptions,
  fn: string,
  narrow?: (cand: Int32Array) => Int32Array,
): KCenterPrepared {
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const seed = checkSeed(options.seed, fn);
  if (options.cache !== undefined && options.labeled !== undefined) {
    throw new QualityInputError(fn, 'options.labeled', 'cannot be given together with options.cache (the cache already holds the labeled set)');
  }
  let labeledMask: Uint8Array;
  let labeledList: Int32Array | null = null;
  let labeledCount: number;
  if (options.cache !== undefined) {
    checkCache(options.cache, rows, cols, fn, 'options.cache');
    labeledMask = options.cache.labeledMask;
    labeledCount = options.cache.labeledCount;
  } else {
    labeledMask = new Uint8Array(rows);
    labeledList = options.labeled !== undefined ? uniqueInOrder(toIndexList(options.labeled, rows, fn, 'options.labeled'), labeledMask) : new Int32Array(0);
    labeledCount = labeledList.length;
  }
  const selectedMask = new Uint8Array(rows);
  const centers = options.alreadySelected !== undefined
    ? uniqueInOrder(toIndexList(options.alreadySelected, rows, fn, 'options.alreadySelected'), selectedMask)
    : new Int32Array(0);
  let cand: Int32Array;
  if (options.candidates !== undefined) {
    cand = toCandidateList(options.candidates, rows, fn, 'options.candidates', selectedMask);
  } else {
    const exclude = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) exclude[i] = labeledMask[i] | selectedMask[i];
    cand = toCandidateList(undefined, rows, fn, 'options.candidates', exclude);
  }
  if (narrow !== undefined) cand = narrow(cand);
  const stale = new Float64Array(cand.length);
  if (options.cache !== undefined) {
    const md = options.cache.minSqDist;
    for (let p = 0; p < cand.length; p++) stale[p] = md[cand[p]];
  } else {
    stale.fill(Infinity);
    minDistToRows(data, cols, cand, labeledList as Int32Array, stale, null);
  }
  return { cand, stale, centers, size, hasReference: labeledCount > 0 || centers.length > 0, labeledCount, seed };
}

/**
 * Lazy k-center greedy over candidates `cand` whose current squared distances to the labeled set are `stale`
 * (modified). `centers0` are extra centers not yet accounted for in `stale`. Without any reference (nothing
 * labeled, nothing already selected) the first pick is `cand[firstPick]`, or a seeded draw when firstPick < 0.
 * Assumes valid input.
 */
export function kCenterInner(
  data: FeatureData,
  cols: number,
  cand: Int32Array,
  stale: Float64Array,
  centers0: Int32Array,
  size: number,
  hasReference: boolean,
  rng: Rng,
  firstPick = -1,
): KCenterResult {
  const m = cand.length;
  const k = Math.min(size, m);
  const indices = new Int32Array(k);
  const sqDistances = new Float64Array(k);
  if (k === 0) return { indices, sqDistances };
  // Centers: the already selected rows, then the picks. ver[p] = how many of them candidate p has seen.
  const centers = new Int32Array(centers0.length + k);
  centers.set(centers0);
  let nCenters = centers0.length;
  const ver = new Int32Array(m);
  const removed = new Uint8Array(m);
  // Max-heap of candidate positions ordered by (stale desc, row index asc).
  const heap = new Int32Array(m);
  let hs = m;
  for (let p = 0; p < m; p++) heap[p] = p;
  const above = (a: number, b: number): boolean => stale[a] > stale[b] || (stale[a] === stale[b] && cand[a] < cand[b]);
  const siftDown = (i: number): void => {
    const x = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= hs) break;
      let c = l;
      if (l + 1 < hs && above(heap[l + 1], heap[l])) c = l + 1;
      if (!above(heap[c], x)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = x;
  };
  for (let i = (hs >> 1) - 1; i >= 0; i--) siftDown(i);
  const popTop = (): void => {
    hs--;
    if (hs > 0) {
      heap[0] = heap[hs];
      siftDown(0);
    }
  };

  let picked = 0;
  if (!hasReference) {
    // Nothing to measure distances from: the first center is `firstPick` (a position in `cand`) when given,
    // else a seeded uniform draw among the candidates.
    const p = firstPick >= 0 && firstPick < m ? firstPick : rng.int(m);
    removed[p] = 1;
    indices[0] = cand[p];
    sqDistances[0] = Infinity;
    centers[nCenters++] = cand[p];
    picked = 1;
  }
  while (picked < k && hs > 0) {
    const p = heap[0];
    if (removed[p]) { popTop(); continue; }
    if (ver[p] < nCenters) {
      const ao = cand[p] * cols;
      let s = stale[p];
      for (let c = ver[p]; c < nCenters; c++) {
        const d = sqDistBounded(data, cols, ao, centers[c] * cols, s);
        if (d < s) s = d;
      }
      stale[p] = s;
      ver[p] = nCenters;
      siftDown(0);
      continue;
    }
    popTop();
    indices[picked] = cand[p];
    sqDistances[picked] = stale[p];
    centers[nCenters++] = cand[p];
    picked++;
  }
  return { indices, sqDistances };
}

/**
 * For each target row (all rows when `targets` is null, else `targets[p]`), lowers `md[p]` to the squared
 * distance to each row in `from` (in order; strict improvement only, so the first nearest wins ties) and records
 * it in `nearest[p]` when given. Assumes valid input. Cost O(|targets|·|from|·d), pruned by partial distances.
 */
export function minDistToRows(
  data: FeatureData,
  cols: number,
  targets: Int32Array | null,
  from: Int32Array,
  md: Float64Array,
  nearest: Int32Array | null,
): void {
  const nt = targets === null ? md.length : targets.length;
  for (let b0 = 0; b0 < from.length; b0 += LABELED_BLOCK) {
    const b1 = Math.min(from.length, b0 + LABELED_BLOCK);
    for (let p = 0; p < nt; p++) {
      const ao = (targets === null ? p : targets[p]) * cols;
      let m = md[p];
      let nn = -1;
      for (let t = b0; t < b1; t++) {
        const s = sqDistBounded(data, cols, ao, from[t] * cols, m);
        if (s < m) { m = s; nn = from[t]; }
      }
      if (nn >= 0) {
        md[p] = m;
        if (nearest !== null) nearest[p] = nn;
      }
    }
  }
}

/** Keeps the first occurrence of each index not yet set in `mask`, setting it; returns them in order. */
function uniqueInOrder(list: Int32Array, mask: Uint8Array): Int32Array {
  const out = new Int32Array(list.length);
  let c = 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!mask[v]) { mask[v] = 1; out[c++] = v; }
  }
  return out.subarray(0, c);
}

/** Checks a cache object matches the features it is used with. */
export function checkCache(cache: DistanceCache, rows: number, cols: number, fn: string, arg = 'cache'): void {
  if (typeof cache !== 'object' || cache === null || !(cache.minSqDist instanceof Float64Array) || !(cache.nearest instanceof Int32Array) || !(cache.labeledMask instanceof Uint8Array)) {
    throw new QualityInputError(fn, arg, 'is not a DistanceCache (use createDistanceCache)');
  }
  if (cache.rows !== rows || cache.cols !== cols) {
    throw new QualityInputError(fn, arg, `was built for ${cache.rows} × ${cache.cols} features, these are ${rows} × ${cols}`);
  }
  if (cache.minSqDist.length !== rows || cache.nearest.length !== rows || cache.labeledMask.length !== rows) {
    throw new QualityInputError(fn, arg, `arrays do not have length ${rows}`);
  }
}
