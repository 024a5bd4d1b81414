/**
 * k-means clustering: k-means++ seeding (Arthur & Vassilvitskii 2007) and Lloyd's iterations (Lloyd 1982),
 * seeded, with optional sample weights and a restriction to candidate rows. Option names follow scikit-learn's
 * `KMeans` (`nInit`, `maxIter`, `tol`, `sampleWeight`; `seed` in place of `random_state`).
 */
import { MatrixInput, QualityInputError } from '../quality/matrix';
import { createRng, Rng } from '../quality/rng';
import { FeatureData, sqDistBounded, sqDistToCenter } from './distances';
import { CandidatesInput, VectorInput, checkPositiveInt, checkSeed, toCandidateList, toFeatures, toVector } from './inputs';

/** Options of {@link kmeansPlusPlus}. */
export interface KMeansPlusPlusOptions {
  seed?: number;
  /** Rows that may be clustered (index list or mask). Default: all. */
  candidates?: CandidatesInput;
  /** Non-negative weight per row (length N): seeding draws proportionally to weight × D². Default: 1. */
  sampleWeight?: VectorInput;
  /**
   * Candidate centers tried per step, keeping the one that lowers the potential most (the "greedy k-means++" of
   * scikit-learn, which uses 2 + ⌊ln k⌋). Default 1: the plain algorithm of the paper.
   */
  nLocalTrials?: number;
}

/** Options of {@link kmeans}. */
export interface KMeansOptions extends KMeansPlusPlusOptions {
  /** Maximum Lloyd iterations per run. Default 300 (scikit-learn). */
  maxIter?: number;
  /**
   * Convergence: stop when the total squared movement of the centers is ≤ tol × (mean per-column variance of
   * the clustered rows). Default 1e-4 (scikit-learn). Also stops when no assignment changes.
   */
  tol?: number;
  /** Runs with different seedings; the one with the lowest inertia is kept. Default 1. */
  nInit?: number;
}

/** Result of {@link kmeans}. */
export interface KMeansResult {
  /** Cluster centers, nClusters × d row-major. */
  centers: Float64Array;
  nClusters: number;
  cols: number;
  /** Cluster of each row (length N); -1 for rows that were not candidates. */
  labels: Int32Array;
  /** Weighted sum of squared distances of the clustered rows to their centers. */
  inertia: number;
  /** Lloyd iterations of the kept run. */
  nIter: number;
}

const DEFAULT_MAX_ITER = 300;
const DEFAULT_TOL = 1e-4;

/**
 * k-means++ seeding: the first center is drawn with probability ∝ w_i, each next one with probability
 * ∝ w_i · D(i)², where D(i) is the distance from row i to its nearest center so far.
 *
 * Shapes: features N × d, nClusters k → Int32Array k of row indices (the initial centers, in draw order).
 * Read: well spread seeds; in expectation an O(log k)-approximation of the optimal k-means cost.
 * Reference: Arthur & Vassilvitskii (2007), "k-means++: The Advantages of Careful Seeding".
 * Cost: O(m·k·d·nLocalTrials) for m candidate rows.
 */
export function kmeansPlusPlus(features: MatrixInput, nClusters: number, options: KMeansPlusPlusOptions = {}): Int32Array {
  const fn = 'kmeansPlusPlus';
  const X = toFeatures(features, fn);
  const p = prepare(X.rows, nClusters, options, fn);
  const seeds = seedInner(X.data, X.cols, p.cand, p.weight, p.k, p.nLocalTrials, createRng(p.seed));
  const out = new Int32Array(p.k);
  for (let c = 0; c < p.k; c++) out[c] = p.cand[seeds[c]];
  return out;
}

/**
 * k-means (Lloyd's algorithm) from k-means++ seeds: alternately assign each row to its nearest center and move
 * each center to the (weighted) mean of its rows, minimising the inertia `Σ_i w_i · ‖x_i − μ_{c(i)}‖²`.
 * A cluster that becomes empty is moved onto the row farthest from its center (as scikit-learn does).
 *
 * Shapes: features N × d, nClusters k → centers k × d, labels N (−1 outside the candidates), inertia.
 * Read: rows with the same label are close to each other; the inertia is lower for tighter clusters.
 * Reference: Lloyd (1982), "Least squares quantization in PCM"; Arthur & Vassilvitskii (2007) for the seeding.
 * Cost: O(nInit · (seeding + iterations · m·k·d)) for m candidate rows; memory O(m + k·d).
 */
export function kmeans(features: MatrixInput, nClusters: number, options: KMeansOptions = {}): KMeansResult {
  const fn = 'kmeans';
  const X = toFeatures(features, fn);
  const p = prepare(X.rows, nClusters, options, fn);
  const maxIter = options.maxIter === undefined ? DEFAULT_MAX_ITER : checkPositiveInt(options.maxIter, fn, 'options.maxIter');
  const nInit = options.nInit === undefined ? 1 : checkPositiveInt(options.nInit, fn, 'options.nInit');
  const tol = options.tol === undefined ? DEFAULT_TOL : options.tol;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new QualityInputError(fn, 'options.tol', `must be a non-negative number (got ${String(tol)})`);
  return kmeansInner(X.data, X.rows, X.cols, p.cand, p.weight, p.k, { maxIter, tol, nInit, nLocalTrials: p.nLocalTrials }, createRng(p.seed));
}

interface Prepared {
  cand: Int32Array;
  weight: Float64Array | null;
  k: number;
  seed: number;
  nLocalTrials: number;
}

function prepare(rows: number, nClusters: number, options: KMeansPlusPlusOptions, fn: string): Prepared {
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object');
  const k = checkPositiveInt(nClusters, fn, 'nClusters');
  const seed = checkSeed(options.seed, fn);
  const nLocalTrials = options.nLocalTrials === undefined ? 1 : checkPositiveInt(options.nLocalTrials, fn, 'options.nLocalTrials');
  const cand = toCandidateList(options.candidates, rows, fn, 'options.candidates');
  if (k > cand.length) throw new QualityInputError(fn, 'nClusters', `is ${k}, more than the ${cand.length} rows to cluster`);
  let weight: Float64Array | null = null;
  if (options.sampleWeight !== undefined) {
    const w = toVector(options.sampleWeight, rows, fn, 'options.sampleWeight');
    weight = new Float64Array(cand.length);
    let total = 0;
    for (let p = 0; p < cand.length; p++) {
      const v = w[cand[p]];
      if (v < 0) throw new QualityInputError(fn, 'options.sampleWeight', `entry ${cand[p]} is negative`);
      weight[p] = v;
      total += v;
    }
    if (!(total > 0)) throw new QualityInputError(fn, 'options.sampleWeight', 'sums to 0 over the rows to cluster');
  }
  return { cand, weight, k, seed, nLocalTrials };
}

/** Index p drawn with probability ∝ v[p] (v ≥ 0, total > 0). */
function drawProportional(v: Float64Array, total: number, rng: Rng): number {
  const r = rng.next() * total;
  let acc = 0;
  let last = -1;
  for (let p = 0; p < v.length; p++) {
    if (v[p] > 0) {
      acc += v[p];
      last = p;
      if (acc > r) return p;
    }
  }
  return last; // r within rounding of the total
}

/**
 * k-means++ over candidate positions; returns k positions into `cand`. Assumes valid input.
 * When every remaining row coincides with a center (zero potential), the next seed is the first row not yet
 * chosen, so the k seeds are always distinct rows.
 */
export function seedInner(
  data: FeatureData,
  cols: number,
  cand: Int32Array,
  weight: Float64Array | null,
  k: number,
  nLocalTrials: number,
  rng: Rng,
): Int32Array {
  const m = cand.length;
  const seeds = new Int32Array(k);
  const chosen = new Uint8Array(m);
  const closest = new Float64Array(m);
  const wd = new Float64Array(m); // weight × D²
  const trial = new Float64Array(m);
  const best = new Float64Array(m);
  let first: number;
  if (weight === null) first = rng.int(m);
  else {
    let total = 0;
    for (let p = 0; p < m; p++) total += weight[p];
    first = drawProportional(weight, total, rng);
  }
  seeds[0] = first;
  chosen[first] = 1;
  const fo = cand[first] * cols;
  for (let p = 0; p < m; p++) closest[p] = sqDistBounded(data, cols, cand[p] * cols, fo, Infinity);
  for (let c = 1; c < k; c++) {
    let pot = 0;
    for (let p = 0; p < m; p++) {
      wd[p] = chosen[p] ? 0 : (weight === null ? 1 : weight[p]) * closest[p];
      pot += wd[p];
    }
    let pick = -1;
    if (!(pot > 0)) {
      for (let p = 0; p < m && pick < 0; p++) if (!chosen[p]) pick = p;
      if (pick < 0) break; // cannot happen: k ≤ m
      const po = cand[pick] * cols;
      for (let p = 0; p < m; p++) {
        const d = sqDistBounded(data, cols, cand[p] * cols, po, closest[p]);
        if (d < closest[p]) closest[p] = d;
      }
    } else {
      let bestPot = Infinity;
      for (let t = 0; t < nLocalTrials; t++) {
        const q = drawProportional(wd, pot, rng);
        const qo = cand[q] * cols;
        let newPot = 0;
        for (let p = 0; p < m; p++) {
          const d = sqDistBounded(data, cols, cand[p] * cols, qo, closest[p]);
          const v = d < closest[p] ? d : closest[p];
          trial[p] = v;
          if (!chosen[p] && p !== q) newPot += (weight === null ? 1 : weight[p]) * v;
        }
        if (newPot < bestPot) {
          bestPot = newPot;
          pick = q;
          best.set(trial);
        }
      }
      closest.set(best);
    }
    seeds[c] = pick;
    chosen[pick] = 1;
  }
  return seeds;
}

/** Lloyd iterations from k-means++ seeds, nInit runs, best inertia kept. Assumes valid input. */
export function kmeansInner(
  data: FeatureData,
  rows: number,
  cols: number,
  cand: Int32Array,
  weight: Float64Array | null,
  k: number,
  opts: { maxIter: number; tol: number; nInit: number; nLocalTrials: number },
  rng: Rng,
): KMeansResult {
  const m = cand.length;
  // Absolute tolerance: tol × mean column variance of the clustered rows (scikit-learn's `_tolerance`).
  let meanVar = 0;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    let s2 = 0;
    for (let p = 0; p < m; p++) { const v = data[cand[p] * cols + j]; s += v; s2 += v * v; }
    const mu = s / m;
    meanVar += Math.max(0, s2 / m - mu * mu);
  }
  meanVar /= cols || 1;
  const tolAbs = opts.tol * meanVar;

  let bestRun: { centers: Float64Array; assign: Int32Array; inertia: number; nIter: number } | null = null;
  const assign = new Int32Array(m);
  const dist = new Float64Array(m);
  const sums = new Float64Array(k * cols);
  const wsum = new Float64Array(k);
  const relocated = new Uint8Array(m);
  for (let run = 0; run < opts.nInit; run++) {
    const seeds = seedInner(data, cols, cand, weight, k, opts.nLocalTrials, rng);
    let centers = new Float64Array(k * cols);
    let next = new Float64Array(k * cols);
    for (let c = 0; c < k; c++) for (let j = 0; j < cols; j++) centers[c * cols + j] = data[cand[seeds[c]] * cols + j];
    assign.fill(-1);
    let nIter = 0;
    for (let it = 0; it < opts.maxIter; it++) {
      nIter = it + 1;
      let changed = assignRows(data, cols, cand, centers, k, assign, dist);
      // M-step: weighted means.
      sums.fill(0);
      wsum.fill(0);
      for (let p = 0; p < m; p++) {
        const c = assign[p];
        const w = weight === null ? 1 : weight[p];
        const xo = cand[p] * cols;
        const so = c * cols;
        for (let j = 0; j < cols; j++) sums[so + j] += w * data[xo + j];
        wsum[c] += w;
      }
      // Empty clusters: move each onto the row farthest from its center, taking that row out of its cluster.
      relocated.fill(0);
      for (let c = 0; c < k; c++) {
        if (wsum[c] > 0) continue;
        let far = -1;
        for (let p = 0; p < m; p++) if (!relocated[p] && (far < 0 || dist[p] > dist[far])) far = p;
        if (far < 0) continue;
        relocated[far] = 1;
        const w = weight === null ? 1 : weight[far];
        const old = assign[far];
        const xo = cand[far] * cols;
        for (let j = 0; j < cols; j++) sums[old * cols + j] -= w * data[xo + j];
        wsum[old] -= w;
        // A zero-weight row still fixes the position: the center is the row itself.
        const wc = w > 0 ? w : 1;
        for (let j = 0; j < cols; j++) sums[c * cols + j] = wc * data[xo + j];
        wsum[c] = wc;
        assign[far] = c;
        dist[far] = 0;
        changed = true;
      }
      let shift = 0;
      for (let c = 0; c < k; c++) {
        const so = c * cols;
        const keep = !(wsum[c] > 0); // a cluster left with zero weight keeps its center
        const inv = keep ? 0 : 1 / wsum[c];
        for (let j = 0; j < cols; j++) {
          const v = keep ? centers[so + j] : sums[so + j] * inv;
          next[so + j] = v;
          const dlt = v - centers[so + j];
          shift += dlt * dlt;
        }
      }
      const t = centers; centers = next; next = t;
      if (!changed || shift <= tolAbs) break;
    }
    // Final assignment against the final centers, so labels and inertia describe them.
    assignRows(data, cols, cand, centers, k, assign, dist);
    let inertia = 0;
    for (let p = 0; p < m; p++) inertia += (weight === null ? 1 : weight[p]) * dist[p];
    if (bestRun === null || inertia < bestRun.inertia) bestRun = { centers, assign: assign.slice(), inertia, nIter };
  }
  const run = bestRun as { centers: Float64Array; assign: Int32Array; inertia: number; nIter: number };
  const labels = new Int32Array(rows).fill(-1);
  for (let p = 0; p < m; p++) labels[cand[p]] = run.assign[p];
  return { centers: run.centers, nClusters: k, cols, labels, inertia: run.inertia, nIter: run.nIter };
}

/** E-step: nearest center of each candidate (ties → lower center index). Returns whether any assignment changed. */
function assignRows(data: FeatureData, cols: number, cand: Int32Array, centers: Float64Array, k: number, assign: Int32Array, dist: Float64Array): boolean {
  let changed = false;
  for (let p = 0; p < cand.length; p++) {
    let bc = 0;
    let bd = sqDistToCenter(data, cols, cand[p], centers, 0);
    for (let c = 1; c < k; c++) {
      const d = sqDistToCenter(data, cols, cand[p], centers, c);
      if (d < bd) { bd = d; bc = c; }
    }
    if (assign[p] !== bc) { assign[p] = bc; changed = true; }
    dist[p] = bd;
  }
  return changed;
}
