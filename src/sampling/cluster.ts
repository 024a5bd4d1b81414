/**
 * Cluster-based selection: cluster the candidates into as many clusters as the batch needs and take from each
 * cluster the row closest to its center — one representative per region of the pool.
 */
import { MatrixInput, QualityInputError } from '../quality/matrix';
import { createRng } from '../quality/rng';
import { sqDistToCenter } from './distances';
import { CandidatesInput, VectorInput, checkPositiveInt, checkSeed, toCandidateList, toFeatures, toVector } from './inputs';
import { kmeansInner } from './kmeans';

/** Options of {@link clusterSelect}. */
export interface ClusterSelectOptions {
  /** Batch size = number of clusters (capped by the number of candidates). */
  size: number;
  seed?: number;
  /** Selectable rows (index list or mask). Default: all. */
  candidates?: CandidatesInput;
  /**
   * Informativeness of each row (length N, ≥ 0), used as k-means sample weights so that centers are drawn towards
   * uncertain rows (Zhdanov 2019). Default: unweighted.
   */
  sampleWeight?: VectorInput;
  /** Lloyd iterations at most. Default 100. */
  maxIter?: number;
}

/** Result of {@link clusterSelect}. */
export interface ClusterSelectResult {
  /** One row per cluster, the one closest to its cluster's center; clusters with the largest weight first. */
  indices: Int32Array;
  /** Cluster id of each pick. */
  clusters: Int32Array;
  /** Total (weighted) size of each pick's cluster. */
  clusterWeights: Float64Array;
  /** Squared distance of each pick to its cluster's center. */
  sqDistToCenter: Float64Array;
  /** Cluster of every row (−1 outside the candidates). */
  labels: Int32Array;
}

const DEFAULT_MAX_ITER = 100;

/**
 * Cluster-based batch selection: k-means (k = size, k-means++ seeding, optionally weighted by informativeness)
 * on the candidates, then from each cluster the member nearest its center:
 * `pick_c = argmin_{i : c(i) = c} ‖x_i − μ_c‖²` (ties → lowest row index).
 *
 * Shapes: features N × d → `size` row indices, ordered by cluster weight (descending, ties by cluster id).
 * Read: each pick represents one region of the pool; big clusters (dense regions) come first.
 * Reference: Zhdanov (2019), "Diverse mini-batch Active Learning" (weighted k-means, nearest-to-center picks);
 * Nguyen & Smeulders (2004), "Active learning using pre-clustering".
 * Cost: O(seeding m·k·d + iterations · m·k·d) for m candidates and k = size.
 */
export function clusterSelect(features: MatrixInput, options: ClusterSelectOptions): ClusterSelectResult {
  const fn = 'clusterSelect';
  const X = toFeatures(features, fn);
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const seed = checkSeed(options.seed, fn);
  const maxIter = options.maxIter === undefined ? DEFAULT_MAX_ITER : checkPositiveInt(options.maxIter, fn, 'options.maxIter');
  const cand = toCandidateList(options.candidates, X.rows, fn, 'options.candidates');
  let weight: Float64Array | null = null;
  if (options.sampleWeight !== undefined) {
    const w = toVector(options.sampleWeight, X.rows, fn, 'options.sampleWeight');
    weight = new Float64Array(cand.length);
    let total = 0;
    for (let p = 0; p < cand.length; p++) {
      if (w[cand[p]] < 0) throw new QualityInputError(fn, 'options.sampleWeight', `entry ${cand[p]} is negative`);
      weight[p] = w[cand[p]];
      total += weight[p];
    }
    if (cand.length > 0 && !(total > 0)) throw new QualityInputError(fn, 'options.sampleWeight', 'sums to 0 over the candidates');
  }
  const k = Math.min(size, cand.length);
  if (k === 0) {
    return { indices: new Int32Array(0), clusters: new Int32Array(0), clusterWeights: new Float64Array(0), sqDistToCenter: new Float64Array(0), labels: new Int32Array(X.rows).fill(-1) };
  }
  const km = kmeansInner(X.data, X.rows, X.cols, cand, weight, k, { maxIter, tol: 1e-4, nInit: 1, nLocalTrials: 1 }, createRng(seed));
  const bestRow = new Int32Array(k).fill(-1);
  const bestD = new Float64Array(k).fill(Infinity);
  const cw = new Float64Array(k);
  for (let p = 0; p < cand.length; p++) {
    const i = cand[p];
    const c = km.labels[i];
    cw[c] += weight === null ? 1 : weight[p];
    const d = sqDistToCenter(X.data, X.cols, i, km.centers, c);
    if (d < bestD[c]) { bestD[c] = d; bestRow[c] = i; }
  }
  const order: number[] = [];
  for (let c = 0; c < k; c++) if (bestRow[c] >= 0) order.push(c);
  order.sort((a, b) => cw[b] - cw[a] || a - b);
  const n = order.length;
  const res: ClusterSelectResult = {
    indices: new Int32Array(n),
    clusters: new Int32Array(n),
    clusterWeights: new Float64Array(n),
    sqDistToCenter: new Float64Array(n),
    labels: km.labels,
  };
  for (let t = 0; t < n; t++) {
    const c = order[t];
    res.indices[t] = bestRow[c];
    res.clusters[t] = c;
    res.clusterWeights[t] = cw[c];
    res.sqDistToCenter[t] = bestD[c];
  }
  return res;
}
