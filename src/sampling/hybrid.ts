/**
 * Strategies that combine uncertainty with diversity:
 * - {@link hybridSelect}: the top-M most uncertain candidates, then k-center greedy down to the batch size;
 * - {@link clusterMargin}: the lowest-margin candidates, then round-robin over their clusters (Citovsky et al. 2021).
 */
import { MatrixInput, QualityInputError, toProbMatrix } from '../quality/matrix';
import { createRng, shuffleInPlace } from '../quality/rng';
import { CandidatesInput, LabelsLike, VectorInput, checkPositiveInt, checkSeed, toCandidateList, toClusterLabels, toFeatures, toVector, topKByKey } from './inputs';
import { KCenterOptions, kCenterInner, prepareKCenter } from './k-center';
import { marginInner } from './uncertainty';

/** Options of {@link hybridSelect}: those of k-center greedy plus the size of the uncertain pre-selection. */
export interface HybridOptions extends KCenterOptions {
  /** How many of the most uncertain candidates k-center greedy chooses from. Default 10 × size. */
  topM?: number;
}

/** Result of {@link hybridSelect}. */
export interface HybridResult {
  /** Picked rows in pick order. */
  indices: Int32Array;
  /** Squared distance of each pick to its nearest center (labeled, already selected, earlier pick) when picked. */
  sqDistances: Float64Array;
  /** Uncertainty of each pick (the input score). */
  uncertainty: Float64Array;
  /** The M rows k-center chose from, most uncertain first. */
  topM: Int32Array;
}

/** Default pre-selection: ten times the batch (Zhdanov 2019 pre-filters β·k with β = 10). */
export const DEFAULT_TOP_M_FACTOR = 10;

/**
 * Hybrid uncertainty + diversity: keep the M candidates with the highest `uncertainty` (ties → lowest row),
 * then run k-center greedy among them, with the labeled set (cache or list) and `alreadySelected` as centers.
 *
 * Shapes: features N × d, uncertainty N (higher = more uncertain, e.g. 1 − margin) → `size` rows.
 * Read: every pick is among the M most uncertain rows, and the batch avoids near-duplicates and regions the
 * labeled set already covers; picks come in k-center order (farthest first). With nothing labeled and nothing
 * already selected, the most uncertain candidate is the first pick (deterministic; no seed needed).
 * Reference: Sener & Savarese (2018) for k-center greedy; Zhdanov (2019), "Diverse mini-batch Active Learning",
 * for the uncertain pre-filter of β·k candidates.
 * Cost: O(m log M) for the pre-filter, then k-center on M rows: O(M·L·d) cold without a cache, and at worst
 * O(size·M·d) for the greedy.
 */
export function hybridSelect(features: MatrixInput, uncertainty: VectorInput, options: HybridOptions): HybridResult {
  const fn = 'hybridSelect';
  const X = toFeatures(features, fn);
  const u = toVector(uncertainty, X.rows, fn, 'uncertainty');
  return hybridInner(X.data, X.rows, X.cols, u, options, fn);
}

/** Hybrid selection on validated features and uncertainty; validates the options. */
export function hybridInner(
  data: Float32Array | Float64Array,
  rows: number,
  cols: number,
  u: ArrayLike<number>,
  options: HybridOptions,
  fn: string,
): HybridResult {
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const topMSize = options.topM === undefined ? DEFAULT_TOP_M_FACTOR * size : checkPositiveInt(options.topM, fn, 'options.topM');
  if (topMSize < size) throw new QualityInputError(fn, 'options.topM', `is ${topMSize}, smaller than options.size ${size}`);
  let topM = new Int32Array(0);
  const prep = prepareKCenter(data, rows, cols, options, fn, (cand) => {
    const pos = topKByKey(u, cand, topMSize);
    topM = new Int32Array(pos.length);
    for (let t = 0; t < pos.length; t++) topM[t] = cand[pos[t]];
    return topM;
  });
  // With nothing labeled or selected, the most uncertain row (topM[0] = cand[0] here) starts the batch.
  const res = kCenterInner(data, cols, prep.cand, prep.stale, prep.centers, prep.size, prep.hasReference, createRng(prep.seed), 0);
  const unc = new Float64Array(res.indices.length);
  for (let t = 0; t < unc.length; t++) unc[t] = u[res.indices[t]];
  return { indices: res.indices, sqDistances: res.sqDistances, uncertainty: unc, topM };
}

/** Options of {@link clusterMargin}. */
export interface ClusterMarginOptions {
  /** Batch size k_t. */
  size: number;
  /** k_m = ⌈marginMultiplier × size⌉ lowest-margin candidates are spread over their clusters. Default 10. */
  marginMultiplier?: number;
  /** Selectable rows (index list or mask). Default: every row with a cluster label ≥ 0. */
  candidates?: CandidatesInput;
  /** Seeds the random order inside each cluster. */
  seed?: number;
}

/** Result of {@link clusterMargin}. */
export interface ClusterMarginResult {
  /** Picked rows in round-robin order. */
  indices: Int32Array;
  /** Margin p(1) − p(2) of each pick. */
  margins: Float64Array;
  /** Cluster label of each pick. */
  clusters: Int32Array;
  /** Number of the k_m low-margin rows in each pick's cluster. */
  clusterCounts: Int32Array;
}

/** Default k_m / k_t. Citovsky et al. treat k_m ≥ k_t as a tuning knob; 10 mirrors the hybrid pre-filter. */
export const DEFAULT_MARGIN_MULTIPLIER = 10;

/**
 * Cluster-Margin: take the k_m candidates with the smallest margin `p(1) − p(2)` (ties → lowest row), group them
 * by their cluster in a clustering of the pool computed once beforehand (`clusterLabels`), order the groups by
 * size ascending (ties → lower label), shuffle each group (seeded), then take one row per group in turn,
 * cycling, until `size` rows are picked.
 *
 * Shapes: predProbs N × K, clusterLabels N (integers ≥ 0; −1 = not clustered) → `size` rows.
 * Read: uncertain rows spread over many clusters; small clusters (rare regions) are served first.
 * Reference: Citovsky et al. (2021), "Batch Active Learning at Scale" (NeurIPS), Algorithm 1. The paper clusters
 * the pool once with average-linkage HAC; any clustering works here (for example {@link kmeans} labels).
 * Cost: O(N·K) margins + O(m log k_m) + O(k_m log k_m).
 */
export function clusterMargin(predProbs: MatrixInput, clusterLabels: LabelsLike, options: ClusterMarginOptions): ClusterMarginResult {
  const fn = 'clusterMargin';
  const p = toProbMatrix(predProbs, fn);
  const labels = toClusterLabels(clusterLabels, p.rows, fn, 'clusterLabels');
  return clusterMarginInner(marginInner(p), labels, options, fn);
}

/** Cluster-Margin on validated margins and cluster labels; validates the options. */
export function clusterMarginInner(margins: Float64Array, labels: Int32Array, options: ClusterMarginOptions, fn: string): ClusterMarginResult {
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const n = margins.length;
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const mult = options.marginMultiplier === undefined ? DEFAULT_MARGIN_MULTIPLIER : options.marginMultiplier;
  if (typeof mult !== 'number' || !(mult >= 1) || !Number.isFinite(mult)) {
    throw new QualityInputError(fn, 'options.marginMultiplier', `must be a number ≥ 1 (got ${String(mult)})`);
  }
  const seed = checkSeed(options.seed, fn);
  const unclustered = new Uint8Array(n);
  for (let i = 0; i < n; i++) unclustered[i] = labels[i] < 0 ? 1 : 0;
  let cand: Int32Array;
  if (options.candidates !== undefined) {
    cand = toCandidateList(options.candidates, n, fn, 'options.candidates');
    for (let p = 0; p < cand.length; p++) {
      if (labels[cand[p]] < 0) throw new QualityInputError(fn, 'options.candidates', `row ${cand[p]} has no cluster (clusterLabels is ${labels[cand[p]]})`);
    }
  } else {
    cand = toCandidateList(undefined, n, fn, 'options.candidates', unclustered);
  }
  const km = Math.min(cand.length, Math.ceil(mult * size));
  const negMargin = new Float64Array(n);
  for (let i = 0; i < n; i++) negMargin[i] = -margins[i];
  const pos = topKByKey(negMargin, cand, km);
  // Group the k_m rows by cluster: sort (cluster, row).
  const rowsByCluster = Array.from(pos, (q) => cand[q]).sort((a, b) => labels[a] - labels[b] || a - b);
  const groups: number[][] = [];
  for (let t = 0; t < rowsByCluster.length; t++) {
    const r = rowsByCluster[t];
    if (t === 0 || labels[r] !== labels[rowsByCluster[t - 1]]) groups.push([]);
    groups[groups.length - 1].push(r);
  }
  groups.sort((a, b) => a.length - b.length || labels[a[0]] - labels[b[0]]);
  const rng = createRng(seed);
  const shuffled = groups.map((g) => shuffleInPlace(Int32Array.from(g), rng));
  const k = Math.min(size, km);
  const res: ClusterMarginResult = {
    indices: new Int32Array(k),
    margins: new Float64Array(k),
    clusters: new Int32Array(k),
    clusterCounts: new Int32Array(k),
  };
  let t = 0;
  for (let round = 0; t < k; round++) {
    for (let g = 0; g < shuffled.length && t < k; g++) {
      if (round < shuffled[g].length) {
        const r = shuffled[g][round];
        res.indices[t] = r;
        res.margins[t] = margins[r];
        res.clusters[t] = labels[r];
        res.clusterCounts[t] = shuffled[g].length;
        t++;
      }
    }
  }
  return res;
}
