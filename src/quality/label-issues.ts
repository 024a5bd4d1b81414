/**
 * Which examples are mislabeled (semantics of cleanlab 2.x `cleanlab.filter.find_label_issues`), implemented
 * from Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 70, 2021
 * (§3.2 "Rank and Prune") and cleanlab's documentation; no cleanlab code is copied.
 *
 * The per-class "flag the m most extreme" steps run as bounded selections (buffers compacted by quickselect)
 * fed in a single streaming pass over predProbs, with floors warm-started from a 1/16 sample so that most rows
 * are skipped after one read (no sorting, no per-class copies). Among examples with exactly equal scores at a
 * cut-off, the lower index is taken first (cleanlab's numpy quicksort leaves that order unspecified).
 */
import { confidentJointInner, confidentThresholdsInner, numOffDiagonalIssuesInner } from './confident-joint';
import { ROW_SUM_TOLERANCE } from './internal/constants';
import { calibrateInner } from './internal/latent-algebra';
import { labelCountsOf, npSum, roundPreservingRowTotals } from './internal/numpy';
import { FloatArray, LabelProbInputs, labelIsArgmax, validateLabelsAndProbs } from './internal/validation';
import { LabelQualityMethod, checkLabelQualityMethod, labelQualityScoresInner } from './label-quality';
import { LabelsInput, MatrixInput, QualityInputError } from './matrix';

/** How label issues are chosen (cleanlab `filter_by`). */
export type FilterBy =
  | 'prune_by_noise_rate' | 'prune_by_class' | 'both' | 'confident_learning' | 'predicted_neq_given'
  | 'low_self_confidence' | 'low_normalized_margin';

export const FILTER_BY_METHODS: readonly FilterBy[] = [
  'prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning', 'predicted_neq_given',
  'low_self_confidence', 'low_normalized_margin',
];

/** Options of {@link findLabelIssues} (camelCase of cleanlab's arguments). */
export interface FindLabelIssuesOptions {
  /** Method (default 'prune_by_noise_rate'). */
  filterBy?: FilterBy;
  /** Return only about this fraction of the confident issues (prune_by_noise_rate / prune_by_class / both; default 1). */
  fracNoise?: number;
  /** How many issues to flag in each class, length K (prune_by_class / prune_by_noise_rate / both only). */
  numToRemovePerClass?: ReadonlyArray<number> | null;
  /** Leave at least this many examples in each class; a class with this many or fewer is not pruned (default 1). */
  minExamplesPerClass?: number;
  /** Also return the flagged indices ranked by this label quality score, most likely mislabeled first. */
  rankBy?: LabelQualityMethod | null;
}

/** Result of {@link findLabelIssues}. */
export interface LabelIssuesResult {
  /** true = the example's given label is likely wrong (length N). */
  mask: boolean[];
  /** Flagged indices, lowest label quality score first (only when `rankBy` is given). */
  rankedIndices?: number[];
}

// ---------------------------------------------------------------------------------------------------------
// selection
// ---------------------------------------------------------------------------------------------------------

/** Rearranges a[lo..hi] so that a[kth] holds the value it would hold if sorted ascending (quickselect, Hoare scheme). */
function quickselect(a: Float64Array, kth: number, lo: number, hi: number): number {
  while (hi > lo) {
    if (hi - lo < 16) {
      for (let i = lo + 1; i <= hi; i++) { const x = a[i]; let j = i - 1; while (j >= lo && a[j] > x) { a[j + 1] = a[j]; j--; } a[j + 1] = x; }
      return a[kth];
    }
    // median of three as pivot
    const mid = (lo + hi) >>> 1;
    let x = a[lo], y = a[mid];
    const z = a[hi];
    if (x > y) { const t = x; x = y; y = t; }
    if (y > z) { y = z; if (x > y) y = x; }
    const pivot = y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return a[kth];
  }
  return a[kth];
}

/**
 * Marks in `mark` the `m` positions of `values[0..n)` with the smallest values; ties at the cut-off go to lower
 * positions first. Expected O(n) (quickselect on a copy).
 */
function markSmallest(values: Float64Array, n: number, m: number, mark: Uint8Array): void {
  if (m <= 0) return;
  if (m >= n) { mark.fill(1, 0, n); return; }
  const scratch = values.slice(0, n);
  const cut = quickselect(scratch, m - 1, 0, n - 1);
  let ties = m;
  for (let r = 0; r < n; r++) if (values[r] < cut) ties--;
  for (let r = 0; r < n; r++) {
    const v = values[r];
    if (v < cut) mark[r] = 1;
    else if (v === cut && ties > 0) { mark[r] = 1; ties--; }
  }
}

/**
 * Many bounded "keep the m largest" selections fed in one streaming pass (one per prune cell). Each keeps its
 * candidates in index order in a buffer of 2m slots; when the buffer fills, it is compacted to the m best
 * (quickselect for the cut value, ties to lower indices) and the cut becomes the selection's `floor`: later
 * offers must exceed it (an equal value comes with a larger index, so it ranks lower). The kept set is the m
 * largest values, ties to lower indices: what a stable descending sort followed by taking m would give.
 * Offers must come in increasing index order. Amortised O(1) per accepted offer, O(1) per rejected one.
 */
class TopSelections {
  readonly vals: Float64Array;
  readonly ids: Int32Array;
  readonly start: Int32Array;
  readonly cap: Int32Array;
  readonly len: Int32Array;
  /** Per selection, the value an offer must exceed: −∞ until the first compaction, +∞ when m = 0. */
  readonly floor: Float64Array;
  private readonly scratch: Float64Array;

  constructor(caps: Int32Array) {
    const h = caps.length;
    this.cap = caps;
    this.start = new Int32Array(h + 1);
    let maxBuf = 0;
    for (let q = 0; q < h; q++) {
      const b = caps[q] > 0 ? 2 * caps[q] + 16 : 0;
      this.start[q + 1] = this.start[q] + b;
      if (b > maxBuf) maxBuf = b;
    }
    this.vals = new Float64Array(this.start[h]);
    this.ids = new Int32Array(this.start[h]);
    this.len = new Int32Array(h);
    this.floor = new Float64Array(h);
    for (let q = 0; q < h; q++) this.floor[q] = caps[q] > 0 ? -Infinity : Infinity;
    this.scratch = new Float64Array(maxBuf);
  }

  /** Offers (value, index) to selection q; call only when `v > floor[q]`. */
  offer(q: number, v: number, id: number): void {
    const base = this.start[q];
    let l = this.len[q];
    this.vals[base + l] = v;
    this.ids[base + l] = id;
    l++;
    if (base + l === this.start[q + 1]) l = this.compact(q, l);
    this.len[q] = l;
  }

  /** Keeps the cap[q] best of the l buffered entries (in order), sets the floor; returns the new length. */
  private compact(q: number, l: number): number {
    const m = this.cap[q];
    if (l <= m) return l;
    const base = this.start[q];
    const vals = this.vals;
    const ids = this.ids;
    const scratch = this.scratch;
    for (let r = 0; r < l; r++) scratch[r] = vals[base + r];
    const cut = quickselect(scratch, l - m, 0, l - 1); // the m-th largest
    let ties = m;
    for (let r = 0; r < l; r++) if (vals[base + r] > cut) ties--;
    let w = 0;
    for (let r = 0; r < l; r++) {
      const v = vals[base + r];
      if (v > cut || (v === cut && ties-- > 0)) { vals[base + w] = v; ids[base + w] = ids[base + r]; w++; }
    }
    this.floor[q] = cut;
    return w;
  }

  /** Number of entries kept by selection q (compacting it to at most m). */
  kept(q: number): number {
    this.len[q] = this.compact(q, this.len[q]);
    return this.len[q];
  }

  /** Empties selection q and lowers its floor to −∞. */
  reset(q: number): void {
    this.len[q] = 0;
    this.floor[q] = this.cap[q] > 0 ? -Infinity : Infinity;
  }

  /** Sets mark[id] = 1 for the kept entries of selection q. */
  markInto(q: number, mark: Uint8Array): void {
    const l = this.compact(q, this.len[q]);
    this.len[q] = l;
    const base = this.start[q];
    for (let t = 0; t < l; t++) mark[this.ids[base + t]] = 1;
  }
}

// ---------------------------------------------------------------------------------------------------------
// prune counts
// ---------------------------------------------------------------------------------------------------------

/**
 * The prune count matrix (K×K, transposed relative to the confident joint: column k = given label k, row j =
 * true label j): number of examples to flag per (true j, given k) cell. Raises each diagonal to at least
 * `minExamples` taking the increase evenly from the column's nonzero noise counts, multiplies the
 * off-diagonal by `fracNoise` (moving the rest to the diagonal), truncates to integers. O(K²).
 * @internal
 */
export function pruneCountMatrixInner(cj: Float64Array, k: number, minExamples: number, fracNoise: number): Float64Array {
  const pcm = new Float64Array(k * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) pcm[r * k + c] = cj[c * k + r];
  const newDiag = new Float64Array(k);
  const step = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const d = pcm[c * k + c];
    newDiag[c] = Math.max(d, minExamples);
    let nnz = 0;
    for (let r = 0; r < k; r++) if (pcm[r * k + c] !== 0) nnz++;
    step[c] = (newDiag[c] - d) / Math.max(nnz - 1, 1);
  }
  const m = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = pcm[r * k + c] - step[c];
      m[r * k + c] = r === c ? newDiag[c] : v < 0 ? 0 : v;
    }
  }
  // multiply noise by fracNoise, move the removed mass to the diagonal (column totals kept), truncate
  const out = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    let moved = 0;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const reduced = m[r * k + c] * fracNoise;
      moved += m[r * k + c] - reduced;
      out[r * k + c] = Math.trunc(reduced);
    }
    out[c * k + c] = Math.trunc(m[c * k + c] + moved);
  }
  return out;
}

/**
 * Rescales the prune counts so that about `numToRemove[r]` examples are flagged per class (cleanlab's
 * arithmetic, including its orientation): psy[r][c] = pcm[r][c] / Σ_j pcm[c][j]; rows scaled to
 * numToRemove[r] / (Σ_c psy[r][c] − psy[r][r]); diagonal = n_r − numToRemove[r]; rounded preserving row totals.
 */
function pruneCountsForNumToRemove(pcm: Float64Array, k: number, numToRemove: ReadonlyArray<number>, labelCounts: Float64Array): Float64Array {
  const rowSums = new Float64Array(k);
  for (let r = 0; r < k; r++) rowSums[r] = npSum(pcm, r * k, k);
  const psy = new Float64Array(k * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) psy[r * k + c] = pcm[r * k + c] / rowSums[c];
  const tmp = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    const noise = npSum(psy, r * k, k) - psy[r * k + r];
    for (let c = 0; c < k; c++) {
      // a class with no estimated noise gets no off-diagonal prune counts (cleanlab would divide 0 by 0)
      const v = (psy[r * k + c] * numToRemove[r]) / noise;
      tmp[r * k + c] = Number.isFinite(v) ? v : 0;
    }
    tmp[r * k + r] = labelCounts[r] - numToRemove[r];
  }
  return roundPreservingRowTotals(tmp, k);
}

// ---------------------------------------------------------------------------------------------------------
// inner routine
// ---------------------------------------------------------------------------------------------------------

/** Value offered by row o (given c) to selection (c, j): the margin p_j − p_c, or −p_c for j = c. */
function offeredValue(data: FloatArray, o: number, c: number, j: number): number {
  return j === c ? -data[o + c] : data[o + j] - data[o + c];
}

/** Warm-start sample: blocks of this many consecutive rows, one block in every WARM_STRIDE (1/16 of the rows). */
const WARM_BLOCK = 64;
const WARM_STRIDE = 16;
/** The warm floor leaves about this factor times m (plus a few) candidates above it, so it rarely overshoots. */
const WARM_SLACK = 1.25;

/**
 * Feeds every eligible row to its class's selections (cap = caps[c·k + j]) in one streaming pass and returns
 * them. Floors start from a 1/16 sample (each a little below the sample's estimate of the m-th largest
 * value), which lets most rows be skipped from the start; a selection that ends with fewer than m candidates
 * (its warm floor was too high) is redone exactly in a second pass, so the result does not depend on the sample.
 */
function runSelections(
  v: LabelProbInputs, caps: Int32Array, eligible: Uint8Array, labelCounts: Float64Array, labelIsMax: Uint8Array,
): TopSelections {
  const { labels, data, n, k } = v;
  const sel = new TopSelections(caps);
  const floor = sel.floor;

  // warm start from a sample: the first WARM_BLOCK rows of every WARM_BLOCK·WARM_STRIDE (sequential reads),
  // copied once into a class-grouped buffer
  const period = WARM_BLOCK * WARM_STRIDE;
  const sampleStart = new Int32Array(k + 1);
  for (let b = 0; b < n; b += period) for (let i = b, e = Math.min(b + WARM_BLOCK, n); i < e; i++) sampleStart[labels[i] + 1]++;
  for (let c = 0; c < k; c++) sampleStart[c + 1] += sampleStart[c];
  const sampleVals = new Float64Array(sampleStart[k] * k);
  const fill = sampleStart.slice(0, k);
  for (let b = 0; b < n; b += period) {
    for (let i = b, e = Math.min(b + WARM_BLOCK, n); i < e; i++) {
      const dst = fill[labels[i]]++ * k;
      for (let j = 0; j < k; j++) sampleVals[dst + j] = data[i * k + j];
    }
  }
  const warm = new Uint8Array(k * k);
  const buf = new Float64Array(Math.max(1, sampleStart[k]));
  for (let c = 0; c < k; c++) {
    if (eligible[c] === 0) continue;
    const s0 = sampleStart[c];
    const sc = sampleStart[c + 1] - s0;
    for (let j = 0; j < k; j++) {
      const q = c * k + j;
      if (caps[q] === 0 || sc === 0) continue;
      const above = Math.ceil((caps[q] * sc * WARM_SLACK) / labelCounts[c]) + 8;
      if (above >= sc) continue;
      for (let r = 0; r < sc; r++) buf[r] = offeredValue(sampleVals, (s0 + r) * k, c, j);
      floor[q] = quickselect(buf, sc - 1 - above, 0, sc - 1);
      warm[q] = 1;
    }
  }

  // skip test: a row given c offers at most p_j − p_c ≤ (1 + tol − p_c) − p_c to a noise selection and −p_c
  // to the class selection; when both are at or below the floors, the row's K values need not be read
  const rest = 1 + ROW_SUM_TOLERANCE + 1e-9; // slack covers rounding of the subtraction
  const noiseFloor = new Float64Array(k);
  const refreshNoiseFloor = (c: number): void => {
    let m = Infinity;
    for (let j = 0; j < k; j++) if (j !== c && floor[c * k + j] < m) m = floor[c * k + j];
    noiseFloor[c] = m;
  };
  const pass = (active: Uint8Array): void => {
    for (let c = 0; c < k; c++) refreshNoiseFloor(c);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (eligible[c] === 0) continue;
      const o = i * k;
      const pc = data[o + c]; // touching every row keeps the reads sequential (prefetch-friendly)
      const q0 = c * k;
      if (!(rest - 2 * pc > noiseFloor[c]) && !(-pc > floor[q0 + c])) continue;
      let isMax = 1; // the given label is the first maximum: below it in front, not above it after
      for (let j = 0; j < k; j++) {
        const q = q0 + j;
        const x = j === c ? -pc : data[o + j] - pc; // the sign of x − p_c is exact
        if (j < c ? x >= 0 : j > c && x > 0) isMax = 0;
        if (active[q] === 1 && x > floor[q]) {
          sel.offer(q, x, i);
          if (j !== c) refreshNoiseFloor(c);
        }
      }
      labelIsMax[i] = isMax;
    }
  };
  const all = new Uint8Array(k * k).fill(1);
  pass(all);

  // exactness: redo any warm-started selection that collected fewer than its m candidates
  const redo = new Uint8Array(k * k);
  let anyRedo = false;
  for (let q = 0; q < k * k; q++) {
    if (warm[q] === 1 && sel.kept(q) < caps[q]) { redo[q] = 1; anyRedo = true; sel.reset(q); }
  }
  if (anyRedo) {
    for (let q = 0; q < k * k; q++) if (redo[q] === 0) floor[q] = Infinity;
    const saved = Float64Array.from(floor);
    pass(redo);
    for (let q = 0; q < k * k; q++) if (redo[q] === 0) floor[q] = saved[q];
  }
  return sel;
}

interface ResolvedOptions {
  filterBy: FilterBy;
  fracNoise: number;
  numToRemovePerClass: ReadonlyArray<number> | null;
  minExamplesPerClass: number;
}

/**
 * Flags label issues; returns a 0/1 mask. See {@link findLabelIssues}.
 * @internal
 */
export function findLabelIssuesInner(v: LabelProbInputs, opt: ResolvedOptions): Uint8Array {
  const { labels, n, k } = v;
  const { filterBy } = opt;
  const mask = new Uint8Array(n);

  if (filterBy === 'predicted_neq_given') {
    for (let i = 0; i < n; i++) if (!labelIsArgmax(v, i)) mask[i] = 1;
    return mask;
  }

  if (filterBy === 'low_self_confidence' || filterBy === 'low_normalized_margin') {
    const method: LabelQualityMethod = filterBy === 'low_self_confidence' ? 'self_confidence' : 'normalized_margin';
    markSmallest(labelQualityScoresInner(v, method, false), n, numOffDiagonalIssuesInner(v), mask);
    return mask;
  }

  const thresholds = confidentThresholdsInner(v);
  if (filterBy === 'confident_learning') {
    const { offDiagonal, offDiagonalLabelIsArgmax } = confidentJointInner(v, thresholds, true);
    const off = offDiagonal as Int32Array;
    const isMax = offDiagonalLabelIsArgmax as Uint8Array;
    // an example whose given label is the model's prediction is never an issue here
    for (let q = 0; q < off.length; q++) if (isMax[q] === 0) mask[off[q]] = 1;
    return mask;
  }

  const labelCounts = labelCountsOf(labels, k);
  const { cj } = confidentJointInner(v, thresholds, false);
  const cal = calibrateInner(cj, labelCounts, k);
  let pcm = pruneCountMatrixInner(cal, k, opt.minExamplesPerClass, opt.fracNoise);
  if (opt.numToRemovePerClass !== null) pcm = pruneCountsForNumToRemove(pcm, k, opt.numToRemovePerClass, labelCounts);

  // cleanlab prunes a class only with more than minExamplesPerClass examples, and never flags the only
  // example of a class
  const eligible = new Uint8Array(k);
  for (let c = 0; c < k; c++) eligible[c] = labelCounts[c] > opt.minExamplesPerClass && labelCounts[c] > 1 ? 1 : 0;
  const doClass = filterBy === 'prune_by_class' || filterBy === 'both';
  const doNoise = filterBy === 'prune_by_noise_rate' || filterBy === 'both';

  // selection q = c·k + j: among examples given c, keep the pcm[j][c] largest margins p_j − p_c (j ≠ c);
  // selection q = c·k + c: keep the n_c − pcm[c][c] largest −p_c (prune_by_class)
  const caps = new Int32Array(k * k);
  for (let c = 0; c < k; c++) {
    if (eligible[c] === 0) continue;
    for (let j = 0; j < k; j++) {
      const want = j === c ? (doClass ? labelCounts[c] - pcm[c * k + c] : 0) : doNoise ? pcm[j * k + c] : 0;
      caps[c * k + j] = Math.max(0, Math.min(want, labelCounts[c]));
    }
  }
  const labelIsMax = new Uint8Array(n);
  const sel = runSelections(v, caps, eligible, labelCounts, labelIsMax);
  if (filterBy === 'both') {
    const byClass = new Uint8Array(n);
    const byNoise = new Uint8Array(n);
    for (let c = 0; c < k; c++) for (let j = 0; j < k; j++) sel.markInto(c * k + j, j === c ? byClass : byNoise);
    for (let i = 0; i < n; i++) mask[i] = byClass[i] & byNoise[i];
  } else {
    for (let q = 0; q < k * k; q++) sel.markInto(q, mask);
  }
  // an example whose given label is the model's prediction is never an issue here (every selected row was
  // read in the selection pass, which recorded whether its label is the argmax)
  for (let i = 0; i < n; i++) if (labelIsMax[i] === 1) mask[i] = 0;
  return mask;
}

/**
 * Flagged indices ranked by a label quality score, lowest first; exact ties by index.
 * @internal
 */
export function rankFlaggedInner(v: LabelProbInputs, mask: Uint8Array, rankBy: LabelQualityMethod): number[] {
  const n = v.n;
  let m = 0;
  for (let i = 0; i < n; i++) m += mask[i];
  const idx = new Int32Array(m);
  for (let i = 0, q = 0; i < n; i++) if (mask[i] === 1) idx[q++] = i;
  const scores = labelQualityScoresInner(v, rankBy, false, idx);
  const order = new Uint32Array(m);
  for (let q = 0; q < m; q++) order[q] = q;
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  const out = new Array<number>(m);
  for (let q = 0; q < m; q++) out[q] = idx[order[q]];
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// public API
// ---------------------------------------------------------------------------------------------------------

/**
 * Finds examples whose given label is likely wrong (cleanlab `filter.find_label_issues`, multi-class).
 *
 * Inputs: labels (N, class indices 0..K-1), predProbs (N×K, out-of-sample predicted probabilities).
 * With C the calibrated confident joint (rows given, columns true) and P = C transposed after keeping
 * `minExamplesPerClass` per class and scaling noise by `fracNoise`:
 * - 'prune_by_noise_rate' (default): for each given class k and each other class j, flag the P[j][k] examples
 *   given k with the largest margin predProbs[:, j] − predProbs[:, k];
 * - 'prune_by_class': for each class k, flag the n_k − P[k][k] examples given k with the smallest predProbs[:, k];
 * - 'both': flagged by both of the above;
 * - 'confident_learning': the examples counted off the diagonal of the confident joint;
 * - 'predicted_neq_given': argmax predProbs ≠ label;
 * - 'low_self_confidence' / 'low_normalized_margin': the `numLabelIssues` lowest scores.
 * Except for the two low-score methods, an example whose label equals its argmax is never flagged.
 * Output: `mask` (N booleans, true = likely mislabeled); with `rankBy`, `rankedIndices` = flagged indices,
 * lowest label quality score first (most likely mislabeled first; exactly tied scores by index).
 * Reference: Northcutt et al., JAIR 2021, §3.2. Cost: O(N·K) time (validation, confident joint, one streaming
 * selection pass; amortised O(1) per kept candidate), O(N) extra memory; ranking adds O(F log F)
 * for F flagged examples.
 */
export function findLabelIssues(labels: LabelsInput, predProbs: MatrixInput, options: FindLabelIssuesOptions = {}): LabelIssuesResult {
  const fn = 'findLabelIssues';
  const filterBy = options.filterBy ?? 'prune_by_noise_rate';
  if (!FILTER_BY_METHODS.includes(filterBy)) {
    throw new QualityInputError(fn, 'options.filterBy', `must be one of ${FILTER_BY_METHODS.join(', ')}, got ${String(filterBy)}`);
  }
  const fracNoise = options.fracNoise ?? 1;
  if (typeof fracNoise !== 'number' || !(fracNoise >= 0 && fracNoise <= 1)) {
    throw new QualityInputError(fn, 'options.fracNoise', `must be a number in [0, 1], got ${String(fracNoise)}`);
  }
  const minExamplesPerClass = options.minExamplesPerClass ?? 1;
  if (!Number.isInteger(minExamplesPerClass) || minExamplesPerClass < 0) {
    throw new QualityInputError(fn, 'options.minExamplesPerClass', `must be a non-negative integer, got ${String(minExamplesPerClass)}`);
  }
  const rankBy = options.rankBy ?? null;
  if (rankBy !== null) checkLabelQualityMethod(fn, 'options.rankBy', rankBy);
  const numToRemove = options.numToRemovePerClass ?? null;
  if (numToRemove !== null && !['prune_by_noise_rate', 'prune_by_class', 'both'].includes(filterBy)) {
    throw new QualityInputError(fn, 'options.numToRemovePerClass', `is only supported with filterBy prune_by_noise_rate, prune_by_class or both (as in cleanlab), not ${filterBy}`);
  }
  const v = validateLabelsAndProbs(labels, predProbs, fn);
  if (numToRemove !== null) {
    if (!Array.isArray(numToRemove) || numToRemove.length !== v.k) {
      throw new QualityInputError(fn, 'options.numToRemovePerClass', `must be an array of length K = ${v.k}`);
    }
    numToRemove.forEach((x, c) => {
      if (!Number.isInteger(x) || x < 0) throw new QualityInputError(fn, 'options.numToRemovePerClass', `entry ${c} is ${String(x)}, not a non-negative integer`);
    });
  }
  const mask = findLabelIssuesInner(v, {
    filterBy, fracNoise, numToRemovePerClass: numToRemove, minExamplesPerClass,
  });
  const out: LabelIssuesResult = { mask: new Array<boolean>(v.n) };
  for (let i = 0; i < v.n; i++) out.mask[i] = mask[i] === 1;
  if (rankBy !== null) out.rankedIndices = rankFlaggedInner(v, mask, rankBy);
  return out;
}
