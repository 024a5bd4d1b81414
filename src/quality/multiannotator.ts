/**
 * CROWDLAB: consensus labels and label / annotator quality for data labeled by several annotators
 * (cleanlab 2.x `multiannotator.get_label_quality_multiannotator` semantics).
 */
import { CLIPPING_LOWER_BOUND } from './internal/constants';
import { LabelMatrix, assertEveryRowLabeled, majorityVoteCore } from './majority-vote';
import { Matrix, MatrixInput, QualityInputError, toLabelMatrix, toProbMatrix } from './matrix';

export type ConsensusMethod = 'best_quality' | 'majority_vote';
export type QualityMethod = 'crowdlab' | 'agreement';

export interface MultiannotatorOptions {
  /**
   * How the consensus label is chosen (default 'best_quality'). A list computes several: the first fills the main
   * fields, the others go to `otherConsensus`.
   */
  consensusMethod?: ConsensusMethod | ConsensusMethod[];
  /** How label quality is scored (default 'crowdlab'). */
  qualityMethod?: QualityMethod;
}

export interface AnnotatorStats {
  /** Column index of the annotator in labelsMulti. */
  annotator: number;
  /** Overall quality of the annotator's labels in [0, 1] (lower = worse); NaN if it never shares an item. */
  annotatorQuality: number;
  /** Fraction of the annotator's labels equal to the consensus. */
  agreementWithConsensus: number;
  /** The class the annotator most often assigns wrongly (lowest agreement with consensus among its labels). */
  worstClass: number;
  numExamplesLabeled: number;
}

export interface ConsensusResult {
  consensusLabel: Int32Array;
  /** Quality of the consensus label in [0, 1] (lower = less likely correct). */
  consensusQualityScore: Float64Array;
  /** Fraction of the item's annotators that chose the consensus label. */
  annotatorAgreement: Float64Array;
}

export interface MultiannotatorResult extends ConsensusResult {
  /** Annotations per item. */
  numAnnotations: Int32Array;
  /** One entry per annotator, sorted by (annotatorQuality, agreementWithConsensus) ascending, NaN last (worst first). */
  annotatorStats: AnnotatorStats[];
  /** N × M quality score of each individual label (cleanlab `quality_annotator_<j>`), NaN where not labeled. */
  detailedLabelQuality: Matrix;
  /** CROWDLAB weight of the model relative to the annotators (null for qualityMethod 'agreement'). */
  modelWeight: number | null;
  /** CROWDLAB weight of each annotator (M; null for qualityMethod 'agreement'). */
  annotatorWeight: Float64Array | null;
  /** Results of the 2nd, 3rd, … consensus methods when `consensusMethod` is a list. */
  otherConsensus: Partial<Record<ConsensusMethod, ConsensusResult>>;
}

/**
 * CROWDLAB consensus labels, consensus quality, per-label quality and annotator quality.
 *
 * With N items, M annotators, K classes, L (N × M, missing allowed) and model probabilities p (N × K, out of sample):
 * 1. Majority vote ĉ (ties by p, see `majorityVote`); agreement_i = share of item i's annotators choosing ĉ_i.
 * 2. CROWDLAB posterior (qualityMethod 'crowdlab'), on the items with ≥ 2 annotations (set S):
 *    P = mean_{i∈S} agreement_i, Q = (1 − P)/(K − 1);
 *    e_mlc = max(fraction of S whose consensus ≠ the most common consensus class, 1e-6);
 *    a_j = annotator j's agreement with the other annotators of its items (pairs counted), w_j = max(1 − (1 − a_j)/e_mlc, 1e-6);
 *    W = max(1 − e_model/e_mlc, 1e-6)·sqrt(mean_i n_i), e_model = fraction of S where argmax p ≠ consensus;
 *    post_ik = (W·p_ik + Σ_{j labels i} w_j·(L_ij = k ? P : Q)) / (W + Σ_{j labels i} w_j)   (N × K).
 *    With 'agreement': post_ik = (votes for k)/n_i.
 * 3. 'best_quality' consensus: argmax_k post_ik (the MV label when the max ties), and step 2 is redone for it.
 * 4. consensusQualityScore_i = post_i,consensus (self-confidence; 'agreement': agreement_i);
 *    detailedLabelQuality_ij = post_i,L_ij;
 *    annotatorQuality_j = ω·mean_i post_i,L_ij + (1 − ω)·(agreement of j with consensus on S), where
 *    ω = W/(W + Σ_j w_j · mean_i n_i / M) ('agreement': the second term only).
 *
 * Read the output: every score is in [0, 1], lower = less likely correct; `annotatorStats` lists the worst annotators first.
 *
 * Reference: H. W. Goh, U. Tkachenko, J. Mueller, "CROWDLAB: Supervised learning to infer consensus labels and
 * quality scores for data with multiple annotators", NeurIPS 2022 HCML workshop, arXiv:2210.06812; semantics of
 * cleanlab 2.9 `get_label_quality_multiannotator` (verified against its outputs).
 *
 * Cost: O(N·M·(consensus methods) + N·K) time, O(N·M + N·K) memory.
 *
 * @param labelsMulti N × M class indices, `null`/NaN = not labeled. Every item and every annotator needs ≥ 1 label,
 *   M ≥ 2, and at least one item needs ≥ 2 labels.
 * @param predProbs N × K out-of-sample model probabilities (rows sum to 1), K ≥ 2.
 * @throws QualityInputError naming the argument for ragged/NaN/out-of-range input and the conditions above.
 */
export function multiannotatorLabelQuality(
  labelsMulti: MatrixInput,
  predProbs: MatrixInput,
  options: MultiannotatorOptions = {},
): MultiannotatorResult {
  const fn = 'multiannotatorLabelQuality';
  const methods = Array.isArray(options.consensusMethod) ? options.consensusMethod : [options.consensusMethod ?? 'best_quality'];
  const qualityMethod = options.qualityMethod ?? 'crowdlab';
  if (methods.length === 0) throw new QualityInputError(fn, 'consensusMethod', 'is an empty list');
  for (const mth of methods) {
    if (mth !== 'best_quality' && mth !== 'majority_vote') {
      throw new QualityInputError(fn, 'consensusMethod', `'${String(mth)}' is not one of 'best_quality', 'majority_vote'`);
    }
  }
  if (qualityMethod !== 'crowdlab' && qualityMethod !== 'agreement') {
    throw new QualityInputError(fn, 'qualityMethod', `'${String(qualityMethod)}' is not one of 'crowdlab', 'agreement'`);
  }
  const pp = toProbMatrix(predProbs, fn, 'predProbs');
  const lm = validateLabelsMulti(labelsMulti, pp, fn, false);
  return crowdlabCore(lm, pp, methods, qualityMethod);
}

/**
 * Validates labelsMulti against predProbs (same N, labels < K, K ≥ 2, every item and annotator labeled and, unless
 * `allowSingleLabel`, M ≥ 2 with some item labeled twice). Returns the internal -1-coded matrix.
 */
export function validateLabelsMulti(labelsMulti: MatrixInput, pp: Matrix, fn: string, allowSingleLabel: boolean): LabelMatrix {
  if (pp.cols < 2) throw new QualityInputError(fn, 'predProbs', `must have at least 2 columns (classes), got ${pp.cols}`);
  const lm = toLabelMatrix(labelsMulti, fn, 'labelsMulti', pp.cols);
  if (lm.rows !== pp.rows) throw new QualityInputError(fn, 'predProbs', `has ${pp.rows} rows but labelsMulti has ${lm.rows}`);
  if (lm.rows === 0) throw new QualityInputError(fn, 'labelsMulti', 'has no rows');
  assertEveryRowLabeled(lm, fn);
  const { rows: n, cols: m, data } = lm;
  for (let j = 0; j < m; j++) {
    let any = false;
    for (let i = 0; i < n; i++) if (data[i * m + j] >= 0) { any = true; break; }
    if (!any) throw new QualityInputError(fn, 'labelsMulti', `column ${j} (annotator ${j}) has no labels (every annotator must label at least one item)`);
  }
  if (!allowSingleLabel) {
    if (m < 2) throw new QualityInputError(fn, 'labelsMulti', `must have at least 2 annotator columns, got ${m} (with one annotator use getLabelQualityScores)`);
    let multi = false;
    for (let i = 0; i < n && !multi; i++) {
      let c = 0;
      for (let j = 0; j < m; j++) if (data[i * m + j] >= 0) c++;
      if (c > 1) multi = true;
    }
    if (!multi) throw new QualityInputError(fn, 'labelsMulti', 'has only one label per item (use getLabelQualityScores on the single labels)');
  }
  return lm;
}

/** Per-consensus statistics (post = posterior N × K). */
interface ConsensusStats extends ConsensusResult {
  post: Float64Array;
  modelWeight: number | null;
  annotatorWeight: Float64Array | null;
}

/**
 * Inner CROWDLAB on validated input. Also used by ActiveLab. See {@link multiannotatorLabelQuality}.
 */
export function crowdlabCore(
  lm: LabelMatrix,
  pp: Matrix,
  methods: ConsensusMethod[],
  qualityMethod: QualityMethod,
): MultiannotatorResult {
  const { rows: n, cols: m, data: L } = lm;
  const k = pp.cols;
  const numAnn = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < m; j++) if (L[i * m + j] >= 0) c++;
    numAnn[i] = c;
  }
  const annAgreement = qualityMethod === 'crowdlab' ? annotatorAgreementWithAnnotators(lm, numAnn) : null;

  const mv = majorityVoteCore(lm, k, pp);
  const mvStats = consensusStats(lm, pp, numAnn, mv.labels, qualityMethod, annAgreement);
  const byMethod = new Map<ConsensusMethod, ConsensusStats>();
  byMethod.set('majority_vote', mvStats);
  if (methods.includes('best_quality')) {
    const post = mvStats.post;
    const cons = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let best = 0;
      let ties = 1;
      for (let q = 1; q < k; q++) {
        const v = post[o + q];
        if (v > post[o + best]) { best = q; ties = 1; } else if (v === post[o + best]) ties++;
      }
      cons[i] = ties === 1 ? best : mv.labels[i];
    }
    byMethod.set('best_quality', consensusStats(lm, pp, numAnn, cons, qualityMethod, annAgreement));
  }

  const main = byMethod.get(methods[0]) as ConsensusStats;
  const otherConsensus: Partial<Record<ConsensusMethod, ConsensusResult>> = {};
  for (const mth of methods.slice(1)) {
    const s = byMethod.get(mth) as ConsensusStats;
    otherConsensus[mth] = { consensusLabel: s.consensusLabel, consensusQualityScore: s.consensusQualityScore, annotatorAgreement: s.annotatorAgreement };
  }

  // per-label quality: self-confidence of each annotator's label under the posterior
  const detailed = new Float64Array(n * m);
  const post = main.post;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = L[i * m + j];
      detailed[i * m + j] = v >= 0 ? post[i * k + v] : NaN;
    }
  }
  const annotatorStats = annotatorStatistics(lm, numAnn, main, detailed, qualityMethod);

  return {
    consensusLabel: main.consensusLabel,
    consensusQualityScore: main.consensusQualityScore,
    annotatorAgreement: main.annotatorAgreement,
    numAnnotations: numAnn,
    annotatorStats,
    detailedLabelQuality: { rows: n, cols: m, data: detailed },
    modelWeight: main.modelWeight,
    annotatorWeight: main.annotatorWeight,
    otherConsensus,
  };
}

/**
 * a_j: agreement of annotator j with the other annotators on the items they share,
 * Σ_i #{m ≠ j : L_im = L_ij} / Σ_i (n_i − 1) over j's items; annotators sharing no item get the mean of the others.
 */
function annotatorAgreementWithAnnotators(lm: LabelMatrix, numAnn: Int32Array): Float64Array {
  const { rows: n, cols: m, data: L } = lm;
  const agreeCount = new Float64Array(m);
  const pairCount = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    if (numAnn[i] < 2) continue;
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const v = L[o + j];
      if (v < 0) continue;
      let same = 0;
      for (let r = 0; r < m; r++) if (L[o + r] === v) same++;
      agreeCount[j] += same - 1;
      pairCount[j] += numAnn[i] - 1;
    }
  }
  const a = new Float64Array(m);
  let sum = 0;
  let cnt = 0;
  for (let j = 0; j < m; j++) {
    if (pairCount[j] > 0) { a[j] = agreeCount[j] / pairCount[j]; sum += a[j]; cnt++; } else a[j] = NaN;
  }
  const avg = cnt > 0 ? sum / cnt : NaN;
  for (let j = 0; j < m; j++) if (Number.isNaN(a[j])) a[j] = avg;
  return a;
}

/** Agreement, CROWDLAB (or vote-share) posterior, consensus quality and weights for one consensus labelling. */
function consensusStats(
  lm: LabelMatrix,
  pp: Matrix,
  numAnn: Int32Array,
  consensus: Int32Array,
  qualityMethod: QualityMethod,
  annAgreement: Float64Array | null,
): ConsensusStats {
  const { rows: n, cols: m, data: L } = lm;
  const k = pp.cols;
  const P = pp.data;
  const agreement = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    const o = i * m;
    for (let j = 0; j < m; j++) if (L[o + j] === consensus[i]) c++;
    agreement[i] = c / numAnn[i];
  }
  const post = new Float64Array(n * k);
  const quality = new Float64Array(n);
  if (qualityMethod === 'agreement') {
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let j = 0; j < m; j++) { const v = L[o + j]; if (v >= 0) post[i * k + v] += 1; }
      for (let q = 0; q < k; q++) post[i * k + q] /= numAnn[i];
      quality[i] = agreement[i];
    }
    return { consensusLabel: consensus, consensusQualityScore: quality, annotatorAgreement: agreement, post, modelWeight: null, annotatorWeight: null };
  }

  // items with more than one annotation
  let nMulti = 0;
  let agreeSum = 0;
  const consCounts = new Float64Array(k);
  let modelWrong = 0;
  let annSum = 0;
  for (let i = 0; i < n; i++) {
    annSum += numAnn[i];
    if (numAnn[i] === 1) continue;
    nMulti++;
    agreeSum += agreement[i];
    consCounts[consensus[i]]++;
    const o = i * k;
    let am = 0;
    for (let q = 1; q < k; q++) if (P[o + q] > P[o + am]) am = q;
    if (am !== consensus[i]) modelWrong++;
  }
  const consensusLikelihood = agreeSum / nMulti;
  const nonConsensusLikelihood = (1 - consensusLikelihood) / (k - 1);
  let modeClass = 0;
  for (let q = 1; q < k; q++) if (consCounts[q] > consCounts[modeClass]) modeClass = q;
  const mostLikelyClassError = Math.max((nMulti - consCounts[modeClass]) / nMulti, CLIPPING_LOWER_BOUND);
  const aj = annAgreement as Float64Array;
  const w = new Float64Array(m);
  for (let j = 0; j < m; j++) w[j] = Math.max(1 - (1 - aj[j]) / mostLikelyClassError, CLIPPING_LOWER_BOUND);
  const modelWeight = Math.max(1 - modelWrong / nMulti / mostLikelyClassError, CLIPPING_LOWER_BOUND) * Math.sqrt(annSum / n);

  const diff = consensusLikelihood - nonConsensusLikelihood;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const r = i * m;
    let wSum = 0;
    for (let q = 0; q < k; q++) post[o + q] = modelWeight * P[o + q];
    for (let j = 0; j < m; j++) {
      const v = L[r + j];
      if (v < 0) continue;
      wSum += w[j];
      post[o + v] += w[j] * diff;
    }
    const base = wSum * nonConsensusLikelihood;
    const inv = 1 / (modelWeight + wSum);
    for (let q = 0; q < k; q++) post[o + q] = (post[o + q] + base) * inv;
    quality[i] = post[o + consensus[i]];
  }
  return { consensusLabel: consensus, consensusQualityScore: quality, annotatorAgreement: agreement, post, modelWeight, annotatorWeight: w };
}

function annotatorStatistics(
  lm: LabelMatrix,
  numAnn: Int32Array,
  main: ConsensusStats,
  detailed: Float64Array,
  qualityMethod: QualityMethod,
): AnnotatorStats[] {
  const { rows: n, cols: m, data: L } = lm;
  const cons = main.consensusLabel;
  const cq = main.consensusQualityScore;
  let k = 0;
  for (let t = 0; t < L.length; t++) if (L[t] + 1 > k) k = L[t] + 1;
  for (let i = 0; i < n; i++) if (cons[i] + 1 > k) k = cons[i] + 1;
  let annSum = 0;
  for (let i = 0; i < n; i++) annSum += numAnn[i];
  let wSum = 0;
  if (main.annotatorWeight) for (let j = 0; j < m; j++) wSum += main.annotatorWeight[j];
  const omega = main.modelWeight !== null ? main.modelWeight / (main.modelWeight + wSum * (annSum / n / m)) : 0;

  const perClassN = new Float64Array(k);
  const perClassOk = new Float64Array(k);
  const perClassQ = new Float64Array(k);
  const stats: AnnotatorStats[] = [];
  for (let j = 0; j < m; j++) {
    let labeled = 0;
    let agree = 0;
    let lqSum = 0;
    let multi = 0;
    let multiAgree = 0;
    perClassN.fill(0);
    perClassOk.fill(0);
    perClassQ.fill(0);
    for (let i = 0; i < n; i++) {
      const v = L[i * m + j];
      if (v < 0) continue;
      labeled++;
      const ok = v === cons[i] ? 1 : 0;
      agree += ok;
      lqSum += detailed[i * m + j];
      if (numAnn[i] !== 1) { multi++; multiAgree += ok; }
      perClassN[v]++;
      perClassOk[v] += ok;
      perClassQ[v] += cq[i];
    }
    const agreementMulti = multi > 0 ? multiAgree / multi : NaN;
    const annotatorQuality = qualityMethod === 'crowdlab' ? omega * (lqSum / labeled) + (1 - omega) * agreementMulti : agreementMulti;
    // worst class: lowest accuracy among the classes j used; ties → most used, then highest mean consensus quality, then lowest
    let worst = -1;
    for (let q = 0; q < k; q++) {
      if (perClassN[q] === 0) continue;
      if (worst < 0) { worst = q; continue; }
      const accQ = perClassOk[q] / perClassN[q];
      const accW = perClassOk[worst] / perClassN[worst];
      if (accQ < accW) { worst = q; continue; }
      if (accQ > accW) continue;
      if (perClassN[q] > perClassN[worst]) { worst = q; continue; }
      if (perClassN[q] < perClassN[worst]) continue;
      if (perClassQ[q] / perClassN[q] > perClassQ[worst] / perClassN[worst]) worst = q;
    }
    stats.push({ annotator: j, annotatorQuality, agreementWithConsensus: agree / labeled, worstClass: worst, numExamplesLabeled: labeled });
  }
  const key = (x: number): number => (Number.isNaN(x) ? Infinity : x);
  const nanRank = (x: number): number => (Number.isNaN(x) ? 1 : 0);
  stats.sort((a, b) =>
    nanRank(a.annotatorQuality) - nanRank(b.annotatorQuality) ||
    key(a.annotatorQuality) - key(b.annotatorQuality) ||
    nanRank(a.agreementWithConsensus) - nanRank(b.agreementWithConsensus) ||
    key(a.agreementWithConsensus) - key(b.agreementWithConsensus) ||
    a.annotator - b.annotator);
  return stats;
}
