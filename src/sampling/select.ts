/**
 * One entry point for "what should be labeled next": {@link selectBatch} dispatches to a strategy, falls back
 * when the inputs a strategy needs are missing (no model → diversity sampling), and explains every pick with a
 * total score, the score of each criterion and a readable reason.
 */
import { Matrix, MatrixInput, QualityInputError, toProbMatrix } from '../quality/matrix';
import { createRng } from '../quality/rng';
import { klToConsensusInner, toCommittee, voteEntropyInner, votesOf } from './committee';
import { clusterMarginInner, hybridInner } from './hybrid';
import {
  CandidatesInput,
  IndexInput,
  LabelsLike,
  VectorInput,
  checkPositiveInt,
  checkSeed,
  toCandidateList,
  toClusterLabels,
  toFeatures,
  toIndexList,
  toMask,
  toVector,
  topKByKey,
} from './inputs';
import { DistanceCache, checkCache, kCenterInner, minDistToRows, prepareKCenter } from './k-center';
import { kmeansInner } from './kmeans';
import { randomInner } from './random';
import { entropyInner, leastConfidenceInner, marginInner, topTwoClasses } from './uncertainty';

/** The strategies of `nextBatch` (the GraphQL enum), plus RELABEL_OR_NEW for ActiveLab scores. */
export const SAMPLING_STRATEGIES = [
  'RANDOM',
  'LEAST_CONFIDENCE',
  'MARGIN',
  'ENTROPY',
  'VOTE_ENTROPY',
  'KL_CONSENSUS',
  'KCENTER',
  'HYBRID',
  'CLUSTER_MARGIN',
  'RELABEL_OR_NEW',
] as const;

/** A selection strategy name. */
export type SamplingStrategy = (typeof SAMPLING_STRATEGIES)[number];

/** The uncertainty measures HYBRID can filter on. */
export type UncertaintyMeasure = 'MARGIN' | 'ENTROPY' | 'LEAST_CONFIDENCE';

/**
 * What {@link selectBatch} selects from. Rows are the pool's items, in the same order in every matrix; each
 * strategy reads only what it needs. Give the pool size `n` when no matrix is given (RANDOM without a model).
 */
export interface SelectInputs {
  /** Pool size N; only needed when none of the matrices below is given. */
  n?: number;
  /** The model's predicted probabilities, N × K (rows sum to 1). Absent = no trained model. */
  predProbs?: MatrixInput;
  /** The committee's predicted probabilities (e.g. the K-fold models): C matrices N × K. */
  committee?: ReadonlyArray<MatrixInput>;
  /** Embeddings or featurizer vectors, N × d (Float32Array row-major is the fast path). */
  features?: MatrixInput;
  /** Rows already labeled (never picked, except by RELABEL_OR_NEW). Ignored for distances when `distanceCache` is given. */
  labeled?: IndexInput;
  /** Cached distances of every row to the labeled set (see createDistanceCache); its labeled rows are never picked. */
  distanceCache?: DistanceCache;
  /** Rows leased to other annotators or picked earlier: never picked, and diversity strategies treat them as covered. */
  alreadySelected?: IndexInput;
  /** Selectable rows (index list or mask of length N). Default: all rows. */
  candidates?: CandidatesInput;
  /** Class names for the reasons, length K. Default "class k". */
  classNames?: ReadonlyArray<string>;
  /** A clustering of the pool computed once (e.g. kmeans labels), for CLUSTER_MARGIN; −1 = unclustered. */
  clusterLabels?: LabelsLike;
  /** ActiveLab score of every row (annotated and unlabeled on one scale; lower = more worth a label), for RELABEL_OR_NEW. */
  activeLabScores?: VectorInput;
  /** Number of annotations each row already has (length N), for RELABEL_OR_NEW's reasons. */
  annotationCounts?: LabelsLike;
}

/** Options of {@link selectBatch}. */
export interface SelectOptions {
  /** Batch size. */
  size: number;
  /** Seed of every random choice (RANDOM, a k-center first pick with nothing labeled, CLUSTER_MARGIN). */
  seed?: number;
  /** HYBRID: how many of the most uncertain candidates k-center greedy chooses from. Default 10 × size. */
  topM?: number;
  /** HYBRID: the uncertainty it filters on. Default MARGIN. */
  hybridUncertainty?: UncertaintyMeasure;
  /** CLUSTER_MARGIN: k_m / size. Default 10. */
  marginMultiplier?: number;
}

/** One picked row. */
export interface SelectedItem {
  /** Row index in the pool. */
  index: number;
  /**
   * The quantity the strategy maximised when it picked the row (higher = picked first):
   * LEAST_CONFIDENCE 1 − p(1); MARGIN and CLUSTER_MARGIN 1 − (p(1) − p(2)); ENTROPY entropy / ln K;
   * VOTE_ENTROPY vote entropy / ln min(C, K); KL_CONSENSUS mean KL / ln C (all in [0, 1]);
   * KCENTER and HYBRID the Euclidean distance to the nearest labeled, already selected or earlier-picked row
   * (0 for a seeded first pick when nothing is labeled); RELABEL_OR_NEW 1 − ActiveLab score; RANDOM 0.
   */
  score: number;
  /**
   * Every criterion known for the row: `margin`, `leastConfidence`, `entropy` (normalised) with a model;
   * `voteEntropy`, `klToConsensus` (nats) with a committee; `distanceToLabeled` (Euclidean) with features and a
   * labeled set; `distanceAtPick` for KCENTER/HYBRID; `cluster`, `clusterCount` for CLUSTER_MARGIN;
   * `activeLab`, `annotations` for RELABEL_OR_NEW.
   */
  scores: Record<string, number>;
  /** Why it was picked, e.g. "margin 0.03 between spam and ham; far from the 412 labeled items (nearest at 3.10)". */
  reason: string;
}

/** Result of {@link selectBatch}. */
export interface SelectResult {
  /** The strategy asked for. */
  requested: SamplingStrategy;
  /** The strategy used (differs when a fallback applied). */
  strategy: SamplingStrategy;
  /** Why the strategy changed, e.g. "no model: diversity sampling". Absent when none. */
  fallback?: string;
  /** Picks in selection order (fewer than `size` when fewer candidates exist). */
  items: SelectedItem[];
  /** Number of labeled rows seen (from the cache or the list). */
  labeledCount: number;
  /** Number of selectable rows. */
  candidateCount: number;
}

/**
 * Picks the next batch to label with one strategy:
 * - RANDOM: uniform sample (the baseline);
 * - LEAST_CONFIDENCE, MARGIN, ENTROPY: the `size` most uncertain rows under the model (Settles 2009);
 * - VOTE_ENTROPY, KL_CONSENSUS: the rows the committee disagrees on most (Dagan & Engelson 1995; McCallum & Nigam 1998);
 * - KCENTER: k-center greedy on the features (Sener & Savarese 2018);
 * - HYBRID: the top-M by uncertainty, then k-center greedy down to `size`;
 * - CLUSTER_MARGIN: lowest margins spread round-robin over clusters (Citovsky et al. 2021);
 * - RELABEL_OR_NEW: lowest ActiveLab scores, annotated and unlabeled rows together (Goh & Mueller 2023).
 * Ties go to the lowest row index. Without predictions the model strategies fall back to KCENTER (RANDOM
 * without features) and say so in `fallback`; without a committee the committee strategies use ENTROPY.
 *
 * Shapes: N pool rows → `size` items. Read: `items` in pick order with `score`, `scores` and `reason`.
 * Cost: O(N·K) for uncertainty scores, O(C·N·K) for committees, k-center as in kCenterGreedy (cold distances
 * O(m·L·d) without a cache; HYBRID needs them only for its M rows), plus O(N log N) for the median distance
 * used in reasons when a cache is given.
 */
export function selectBatch(strategy: SamplingStrategy, inputs: SelectInputs, options: SelectOptions): SelectResult {
  const fn = 'selectBatch';
  if (!(SAMPLING_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new QualityInputError(fn, 'strategy', `is ${String(strategy)}, expected one of ${SAMPLING_STRATEGIES.join(', ')}`);
  }
  if (typeof inputs !== 'object' || inputs === null) throw new QualityInputError(fn, 'inputs', 'must be an object');
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const seed = checkSeed(options.seed, fn);
  const hybridUncertainty = options.hybridUncertainty ?? 'MARGIN';
  if (!['MARGIN', 'ENTROPY', 'LEAST_CONFIDENCE'].includes(hybridUncertainty)) {
    throw new QualityInputError(fn, 'options.hybridUncertainty', `is ${String(hybridUncertainty)}, expected MARGIN, ENTROPY or LEAST_CONFIDENCE`);
  }

  // ---- Inputs and their shapes -------------------------------------------------------------------------
  const P = inputs.predProbs !== undefined ? toProbMatrix(inputs.predProbs, fn, 'inputs.predProbs') : null;
  const committee = inputs.committee !== undefined ? toCommittee(inputs.committee, fn, 'inputs.committee') : null;
  const X = inputs.features !== undefined ? toFeatures(inputs.features, fn, 'inputs.features') : null;
  const sources: Array<[string, number]> = [];
  if (P) sources.push(['inputs.predProbs', P.rows]);
  if (committee) sources.push(['inputs.committee[0]', committee[0].rows]);
  if (X) sources.push(['inputs.features', X.rows]);
  if (inputs.distanceCache !== undefined) sources.push(['inputs.distanceCache', inputs.distanceCache?.rows]);
  if (inputs.activeLabScores !== undefined) sources.push(['inputs.activeLabScores', inputs.activeLabScores?.length]);
  if (inputs.clusterLabels !== undefined) sources.push(['inputs.clusterLabels', inputs.clusterLabels?.length]);
  if (inputs.n !== undefined) {
    if (typeof inputs.n !== 'number' || !Number.isInteger(inputs.n) || inputs.n < 0) throw new QualityInputError(fn, 'inputs.n', `must be a non-negative integer (got ${String(inputs.n)})`);
    sources.push(['inputs.n', inputs.n]);
  }
  if (sources.length === 0) throw new QualityInputError(fn, 'inputs', 'give at least one of predProbs, committee, features, distanceCache, activeLabScores or n (the pool size)');
  const n = sources[0][1];
  for (const [name, rows] of sources) {
    if (rows !== n) throw new QualityInputError(fn, name, `has ${String(rows)} rows, but ${sources[0][0]} has ${n}`);
  }
  const K = P ? P.cols : committee ? committee[0].cols : 0;
  if (P && committee && committee[0].cols !== P.cols) {
    throw new QualityInputError(fn, 'inputs.committee[0]', `has ${committee[0].cols} classes, but inputs.predProbs has ${P.cols}`);
  }
  const classNames = inputs.classNames;
  if (classNames !== undefined) {
    if (!Array.isArray(classNames) || (K > 0 && classNames.length !== K)) {
      throw new QualityInputError(fn, 'inputs.classNames', `must be an array of ${K} names (one per class)`);
    }
  }
  const cache = inputs.distanceCache;
  if (cache !== undefined) {
    if (X === null) throw new QualityInputError(fn, 'inputs.distanceCache', 'needs inputs.features (the matrix it was built from)');
    checkCache(cache, X.rows, X.cols, fn, 'inputs.distanceCache');
  }
  const labeledMask = new Uint8Array(n);
  let labeledList: Int32Array | null = null;
  if (inputs.labeled !== undefined) {
    labeledList = toIndexList(inputs.labeled, n, fn, 'inputs.labeled');
    for (let t = 0; t < labeledList.length; t++) labeledMask[labeledList[t]] = 1;
  }
  if (cache !== undefined) for (let i = 0; i < n; i++) labeledMask[i] |= cache.labeledMask[i];
  let labeledCount = 0;
  for (let i = 0; i < n; i++) labeledCount += labeledMask[i];
  const selectedList = inputs.alreadySelected !== undefined ? toIndexList(inputs.alreadySelected, n, fn, 'inputs.alreadySelected') : new Int32Array(0);
  const selectedMask = toMask(selectedList, n);
  const clusterLabels = inputs.clusterLabels !== undefined ? toClusterLabels(inputs.clusterLabels, n, fn, 'inputs.clusterLabels') : null;
  const alScores = inputs.activeLabScores !== undefined ? toVector(inputs.activeLabScores, n, fn, 'inputs.activeLabScores') : null;
  const annotationCounts = inputs.annotationCounts !== undefined ? toClusterLabels(inputs.annotationCounts, n, fn, 'inputs.annotationCounts') : null;

  // ---- Strategy and fallback -----------------------------------------------------------------------------
  let used: SamplingStrategy = strategy;
  let fallback: string | undefined;
  const diversity = (why: string): void => {
    used = X ? 'KCENTER' : 'RANDOM';
    fallback = X ? `${why}: diversity sampling` : `${why} and no features: random sampling`;
  };
  if ((used === 'VOTE_ENTROPY' || used === 'KL_CONSENSUS') && committee === null) {
    if (P) { used = 'ENTROPY'; fallback = 'no committee: entropy of the single model'; } else diversity('no model');
  }
  if ((used === 'LEAST_CONFIDENCE' || used === 'MARGIN' || used === 'ENTROPY' || used === 'HYBRID' || used === 'CLUSTER_MARGIN') && P === null) diversity('no model');
  if (used === 'HYBRID' && X === null) { used = 'MARGIN'; fallback = 'no features: margin sampling without diversity'; }
  if (used === 'CLUSTER_MARGIN' && X === null && clusterLabels === null) { used = 'MARGIN'; fallback = 'no features or clusters: margin sampling without diversity'; }
  if (used === 'RELABEL_OR_NEW' && alScores === null) diversity('no ActiveLab scores');
  if (used === 'KCENTER' && X === null) { used = 'RANDOM'; fallback = fallback ?? 'no features: random sampling'; }

  // ---- Candidates ----------------------------------------------------------------------------------------
  const exclude = new Uint8Array(n);
  for (let i = 0; i < n; i++) exclude[i] = selectedMask[i] | (used === 'RELABEL_OR_NEW' ? 0 : labeledMask[i]);
  const cand = toCandidateList(inputs.candidates, n, fn, 'inputs.candidates', exclude);

  // ---- Criteria over the pool (cheap: O(N·K)) ------------------------------------------------------------
  const margins = P ? marginInner(P) : null;
  const lc = P ? leastConfidenceInner(P) : null;
  const ent = P ? entropyInner(P, K > 1 ? 1 / Math.log(K) : 0) : null;
  const ve = committee ? voteEntropyInner(committee) : null;
  const kl = committee ? klToConsensusInner(committee) : null;
  const C = committee ? committee.length : 0;
  const veNorm = Math.min(C, K) > 1 ? 1 / Math.log(Math.min(C, K)) : 0;
  const klNorm = C > 1 ? 1 / Math.log(C) : 0;

  // ---- Dispatch ------------------------------------------------------------------------------------------
  let picks: Int32Array = new Int32Array(0);
  let total: Float64Array = new Float64Array(0);
  let atPick: Float64Array | null = null; // squared distance at pick (KCENTER, HYBRID)
  let candSqDist: Float64Array | null = null; // candidates' squared distances to the labeled set, for the median
  let clusterOf: Int32Array | null = null;
  let clusterCount: Int32Array | null = null;
  const byKey = (key: ArrayLike<number>, scale: number): void => {
    picks = pickTop(key, cand, size);
    total = new Float64Array(picks.length);
    for (let t = 0; t < picks.length; t++) total[t] = key[picks[t]] * scale;
  };
  switch (used) {
    case 'RANDOM':
      picks = randomInner(cand, size, createRng(seed));
      total = new Float64Array(picks.length);
      break;
    case 'LEAST_CONFIDENCE':
      byKey(lc as Float64Array, 1);
      break;
    case 'MARGIN':
      byKey(oneMinus(margins as Float64Array), 1);
      break;
    case 'CLUSTER_MARGIN': {
      let labels = clusterLabels;
      let cmCand = cand;
      if (labels === null) {
        // No pool clustering given: cluster the k_m lowest-margin candidates on the fly into `size` clusters.
        const mult = options.marginMultiplier ?? 10;
        const km = Math.min(cand.length, Math.ceil((typeof mult === 'number' && mult >= 1 ? mult : 10) * size));
        cmCand = pickTop(oneMinus(margins as Float64Array), cand, km).sort();
        const Xm = X as Matrix;
        labels = cmCand.length > 0
          ? kmeansInner(Xm.data, n, Xm.cols, cmCand, null, Math.min(size, cmCand.length), { maxIter: 100, tol: 1e-4, nInit: 1, nLocalTrials: 1 }, createRng(seed)).labels
          : new Int32Array(n).fill(-1);
      } else {
        let c = 0;
        const tmp = new Int32Array(cand.length);
        for (let p = 0; p < cand.length; p++) if (labels[cand[p]] >= 0) tmp[c++] = cand[p];
        cmCand = tmp.slice(0, c);
      }
      const r = clusterMarginInner(margins as Float64Array, labels, { size, marginMultiplier: options.marginMultiplier, candidates: cmCand, seed }, fn);
      picks = r.indices;
      total = oneMinus(r.margins);
      clusterOf = r.clusters;
      clusterCount = r.clusterCounts;
      break;
    }
    case 'ENTROPY':
      byKey(ent as Float64Array, 1);
      break;
    case 'VOTE_ENTROPY':
      byKey(ve as Float64Array, veNorm);
      break;
    case 'KL_CONSENSUS':
      byKey(kl as Float64Array, klNorm);
      break;
    case 'KCENTER': {
      const Xm = X as Matrix;
      const prep = prepareKCenter(Xm.data, n, Xm.cols, kOpts(size, seed, cache, labeledList, selectedList, cand), fn);
      candSqDist = prep.stale.slice();
      const r = kCenterInner(Xm.data, Xm.cols, prep.cand, prep.stale, prep.centers, prep.size, prep.hasReference, createRng(prep.seed));
      picks = r.indices;
      atPick = r.sqDistances;
      total = new Float64Array(picks.length);
      for (let t = 0; t < picks.length; t++) total[t] = Number.isFinite(atPick[t]) ? Math.sqrt(atPick[t]) : 0;
      break;
    }
    case 'HYBRID': {
      const Xm = X as Matrix;
      const u = hybridUncertainty === 'MARGIN' ? oneMinus(margins as Float64Array) : hybridUncertainty === 'ENTROPY' ? (ent as Float64Array) : (lc as Float64Array);
      const r = hybridInner(Xm.data, n, Xm.cols, u, { ...kOpts(size, seed, cache, labeledList, selectedList, cand), topM: options.topM }, fn);
      picks = r.indices;
      atPick = r.sqDistances;
      total = new Float64Array(picks.length);
      for (let t = 0; t < picks.length; t++) total[t] = Number.isFinite(atPick[t]) ? Math.sqrt(atPick[t]) : 0;
      break;
    }
    case 'RELABEL_OR_NEW': {
      const s = alScores as Float64Array | Float32Array;
      picks = pickTop(negate(s), cand, size);
      total = new Float64Array(picks.length);
      for (let t = 0; t < picks.length; t++) total[t] = 1 - s[picks[t]];
      break;
    }
  }

  // ---- Distances of the picks to the labeled set ----------------------------------------------------------
  let pickSqDist: Float64Array | null = null;
  let medianDist = NaN;
  if (X !== null && labeledCount > 0) {
    if (cache !== undefined) {
      pickSqDist = new Float64Array(picks.length);
      for (let t = 0; t < picks.length; t++) pickSqDist[t] = cache.minSqDist[picks[t]];
      if (candSqDist === null) {
        candSqDist = new Float64Array(cand.length);
        for (let p = 0; p < cand.length; p++) candSqDist[p] = cache.minSqDist[cand[p]];
      }
    } else if (labeledList !== null) {
      pickSqDist = new Float64Array(picks.length).fill(Infinity);
      minDistToRows(X.data, X.cols, picks, labeledList, pickSqDist, null);
    }
    if (candSqDist !== null && candSqDist.length > 0) medianDist = Math.sqrt(median(candSqDist));
  }

  // ---- Items with reasons -----------------------------------------------------------------------------------
  const name = (k: number): string => (classNames !== undefined ? String(classNames[k]) : `class ${k}`);
  const items: SelectedItem[] = [];
  for (let t = 0; t < picks.length; t++) {
    const i = picks[t];
    const scores: Record<string, number> = {};
    const parts: string[] = [];
    if (P && margins && lc && ent) {
      scores.margin = margins[i];
      scores.leastConfidence = lc[i];
      scores.entropy = ent[i];
    }
    if (ve && kl) {
      scores.voteEntropy = ve[i];
      scores.klToConsensus = kl[i];
    }
    if (pickSqDist !== null && Number.isFinite(pickSqDist[t])) scores.distanceToLabeled = Math.sqrt(pickSqDist[t]);
    if (atPick !== null && Number.isFinite(atPick[t])) scores.distanceAtPick = Math.sqrt(atPick[t]);
    if (clusterOf !== null && clusterCount !== null) {
      scores.cluster = clusterOf[t];
      scores.clusterCount = clusterCount[t];
    }
    switch (used) {
      case 'RANDOM':
        parts.push('random pick (baseline)');
        break;
      case 'LEAST_CONFIDENCE':
        parts.push(confidencePhrase(P as Matrix, i, name));
        break;
      case 'MARGIN':
      case 'HYBRID':
        if (used === 'MARGIN' || hybridUncertainty === 'MARGIN') parts.push(marginPhrase(P as Matrix, i, margins as Float64Array, name));
        else if (hybridUncertainty === 'ENTROPY') parts.push(entropyPhrase(P as Matrix, i, ent as Float64Array, name));
        else parts.push(confidencePhrase(P as Matrix, i, name));
        break;
      case 'CLUSTER_MARGIN':
        parts.push(marginPhrase(P as Matrix, i, margins as Float64Array, name));
        parts.push(`cluster ${(clusterOf as Int32Array)[t]} (${(clusterCount as Int32Array)[t]} of the low-margin items)`);
        break;
      case 'ENTROPY':
        parts.push(entropyPhrase(P as Matrix, i, ent as Float64Array, name));
        break;
      case 'VOTE_ENTROPY': {
        const votes = votesOf(committee as Matrix[], i);
        const order = Array.from(votes.keys()).filter((k) => votes[k] > 0).sort((a, b) => votes[b] - votes[a] || a - b);
        parts.push(`the ${plural(C, 'committee model', 'committee models')} split their votes: ${order.map((k) => `${votes[k]} ${name(k)}`).join(', ')}`);
        break;
      }
      case 'KL_CONSENSUS':
        parts.push(`the ${plural(C, 'committee model', 'committee models')} disagree with their consensus (mean KL ${fmt((kl as Float64Array)[i])} nats)`);
        break;
      case 'RELABEL_OR_NEW': {
        const s = (alScores as Float64Array | Float32Array)[i];
        scores.activeLab = s;
        const count = annotationCounts !== null ? annotationCounts[i] : labeledMask[i] ? 1 : 0;
        if (annotationCounts !== null) scores.annotations = count;
        parts.push(count > 0 || labeledMask[i]
          ? `ActiveLab score ${fmt(s)}: the ${annotationCounts !== null ? `${count} annotation${count === 1 ? '' : 's'}` : 'annotations'} so far leave its label in doubt, so one more is worth more than a new item`
          : `ActiveLab score ${fmt(s)}: unlabeled item the model is unsure of`);
        break;
      }
      case 'KCENTER':
        break;
    }
    if (used === 'KCENTER' || used === 'HYBRID' || (pickSqDist !== null && Number.isFinite(pickSqDist[t]))) {
      parts.push(distancePhrase(labeledCount, pickSqDist ? pickSqDist[t] : NaN, atPick ? atPick[t] : NaN, medianDist, t, used === 'HYBRID'));
    }
    items.push({ index: i, score: total[t], scores, reason: parts.join('; ') });
  }
  const res: SelectResult = { requested: strategy, strategy: used, items, labeledCount, candidateCount: cand.length };
  if (fallback !== undefined) res.fallback = fallback;
  return res;
}

/** Top `k` candidate rows by `key` (descending, ties → lowest row). */
function pickTop(key: ArrayLike<number>, cand: Int32Array, k: number): Int32Array {
  const pos = topKByKey(key, cand, k);
  const out = new Int32Array(pos.length);
  for (let t = 0; t < pos.length; t++) out[t] = cand[pos[t]];
  return out;
}

function oneMinus(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = 1 - v[i];
  return out;
}

function negate(v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = -v[i];
  return out;
}

function median(v: Float64Array): number {
  const s = v.slice().sort();
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function kOpts(size: number, seed: number, cache: DistanceCache | undefined, labeled: Int32Array | null, selected: Int32Array, cand: Int32Array) {
  return cache !== undefined
    ? { size, seed, cache, alreadySelected: selected, candidates: cand }
    : { size, seed, labeled: labeled ?? undefined, alreadySelected: selected, candidates: cand };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Numbers in reasons: two significant decimals, more for small values. */
function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && a < 0.01) return x.toPrecision(2);
  return x.toFixed(a >= 100 ? 0 : 2);
}

function marginPhrase(P: Matrix, i: number, margins: Float64Array, name: (k: number) => string): string {
  const [c1, c2] = topTwoClasses(P, i);
  return c2 < 0 ? `single class ${name(c1)}` : `margin ${fmt(margins[i])} between ${name(c1)} and ${name(c2)}`;
}

function confidencePhrase(P: Matrix, i: number, name: (k: number) => string): string {
  const [c1] = topTwoClasses(P, i);
  return `top class ${name(c1)} at only ${fmt(P.data[i * P.cols + c1])} probability`;
}

function entropyPhrase(P: Matrix, i: number, ent: Float64Array, name: (k: number) => string): string {
  const [c1, c2] = topTwoClasses(P, i);
  const o = i * P.cols;
  const top = c2 < 0 ? `${name(c1)} ${fmt(P.data[o + c1])}` : `${name(c1)} ${fmt(P.data[o + c1])}, ${name(c2)} ${fmt(P.data[o + c2])}`;
  return `entropy ${fmt(ent[i])} of the maximum over ${plural(P.cols, 'class', 'classes')} (${top})`;
}

function distancePhrase(labeledCount: number, sqToLabeled: number, sqAtPick: number, medianDist: number, t: number, hybrid: boolean): string {
  if (labeledCount === 0) {
    if (!Number.isFinite(sqAtPick)) return hybrid ? 'nothing labeled yet: the most uncertain item starts the batch' : 'nothing labeled yet: seeded random first pick';
    return `nothing labeled yet; ${fmt(Math.sqrt(sqAtPick))} from the nearest selected item`;
  }
  const parts: string[] = [];
  if (Number.isFinite(sqToLabeled)) {
    const d = Math.sqrt(sqToLabeled);
    const items = plural(labeledCount, 'labeled item', 'labeled items');
    if (!Number.isFinite(medianDist)) parts.push(labeledCount === 1 ? `${fmt(d)} from the labeled item` : `${fmt(d)} from the nearest of the ${items}`);
    else if (d >= medianDist) parts.push(`far from the ${items} (nearest at ${fmt(d)}, median ${fmt(medianDist)})`);
    else parts.push(`close to the ${items} (nearest at ${fmt(d)}, median ${fmt(medianDist)})`);
    if (t > 0 && Number.isFinite(sqAtPick) && sqAtPick < sqToLabeled) parts.push(`${fmt(Math.sqrt(sqAtPick))} from the nearest item picked before it`);
  } else if (Number.isFinite(sqAtPick)) {
    parts.push(`${fmt(Math.sqrt(sqAtPick))} from the nearest selected item`);
  }
  return parts.join('; ');
}
