/**
 * Per-example label quality scores (semantics of cleanlab 2.x `cleanlab.rank.get_label_quality_scores`):
 * one score in [0, 1] per example, lower = more likely mislabeled. Implemented from Northcutt et al.,
 * "Confident Learning", JAIR 2021 and Kuan & Mueller, "Model-Agnostic Label Quality Scoring to Detect Real-World
 * Label Errors", ICML DataPerf workshop 2022; no cleanlab code is copied.
 */
import { confidentThresholdsInner } from './confident-joint';
import { CLIPPING_LOWER_BOUND } from './internal/constants';
import { LabelProbInputs, validateLabelsAndProbs } from './internal/validation';
import { LabelsInput, MatrixInput, QualityInputError } from './matrix';

/** Scoring method (cleanlab `method`). */
export type LabelQualityMethod = 'self_confidence' | 'normalized_margin' | 'confidence_weighted_entropy';

export const LABEL_QUALITY_METHODS: readonly LabelQualityMethod[] = ['self_confidence', 'normalized_margin', 'confidence_weighted_entropy'];

/** Options of {@link getLabelQualityScores}. */
export interface LabelQualityOptions {
  /** Scoring method (default 'self_confidence'). */
  method?: LabelQualityMethod;
  /** Subtract the per-class confident thresholds and renormalise first, to account for class imbalance (default false). */
  adjustPredProbs?: boolean;
}

/** @internal validates a method name. */
export function checkLabelQualityMethod(fn: string, arg: string, m: unknown): LabelQualityMethod {
  if (!LABEL_QUALITY_METHODS.includes(m as LabelQualityMethod)) {
    throw new QualityInputError(fn, arg, `must be one of ${LABEL_QUALITY_METHODS.join(', ')}, got ${String(m)}`);
  }
  return m as LabelQualityMethod;
}

/**
 * Score of one example from its (possibly adjusted) probability row `p` (offset `o` in `data`, K entries).
 * Inner kernel: no allocation.
 */
function scoreRow(data: ArrayLike<number>, o: number, k: number, l: number, method: LabelQualityMethod, invLogK: number): number {
  const sc = data[o + l];
  if (method === 'self_confidence') return sc;
  if (method === 'normalized_margin') {
    let maxOther = -Infinity;
    for (let j = 0; j < k; j++) if (j !== l) { const v = data[o + j]; if (v > maxOther) maxOther = v; }
    return (sc - maxOther + 1) / 2;
  }
  // confidence_weighted_entropy: normalised entropy / self-confidence, mapped by log(1 + x) / x
  let h = 0;
  for (let j = 0; j < k; j++) { const v = data[o + j]; if (v > 0) h -= v * Math.log(v); }
  const ratio = (h * invLogK) / Math.max(sc, CLIPPING_LOWER_BOUND);
  return Math.log(ratio + 1) / Math.max(ratio, CLIPPING_LOWER_BOUND);
}

/**
 * Inner routine: scores of the examples listed in `which` (all when null), written to a new Float64Array of
 * length `which.length` (or N). `adjust` subtracts the confident thresholds t and renormalises each row:
 * p'_ij = (p_ij − t_j + max_j t_j) / Σ_j (p_ij − t_j + max_j t_j). O(N·K), O(K) scratch.
 * @internal
 */
export function labelQualityScoresInner(
  v: LabelProbInputs, method: LabelQualityMethod, adjust: boolean, which: Int32Array | null = null,
): Float64Array {
  const { labels, data, selfConf, n, k } = v;
  const m = which === null ? n : which.length;
  const invLogK = 1 / Math.log(k);
  if (!adjust) {
    if (method === 'self_confidence') {
      if (which === null) return selfConf.slice();
      const out = new Float64Array(m);
      for (let q = 0; q < m; q++) out[q] = selfConf[which[q]];
      return out;
    }
    const out = new Float64Array(m);
    for (let q = 0; q < m; q++) {
      const i = which === null ? q : which[q];
      out[q] = scoreRow(data, i * k, k, labels[i], method, invLogK);
    }
    return out;
  }
  const out = new Float64Array(m);
  const t = confidentThresholdsInner(v);
  let tMax = -Infinity;
  for (let j = 0; j < k; j++) if (t[j] > tMax) tMax = t[j];
  const row = new Float64Array(k);
  for (let q = 0; q < m; q++) {
    const i = which === null ? q : which[q];
    const o = i * k;
    for (let j = 0; j < k; j++) row[j] = (data[o + j] - t[j]) + tMax;
    let s = 0;
    for (let j = 0; j < k; j++) s += row[j];
    for (let j = 0; j < k; j++) row[j] /= s;
    out[q] = scoreRow(row, 0, k, labels[i], method, invLogK);
  }
  return out;
}

/**
 * Label quality score of every example (cleanlab `rank.get_label_quality_scores`); lower = more likely
 * mislabeled, each in [0, 1].
 *
 * With l = labels[i] and p = predProbs[i] (row of K):
 * - 'self_confidence' (default): p_l;
 * - 'normalized_margin': (p_l − max_{j≠l} p_j + 1) / 2;
 * - 'confidence_weighted_entropy': r = H(p)/ln K / max(p_l, 1e-6), score = ln(1 + r) / max(r, 1e-6)
 *   (as in cleanlab, a row with entropy exactly 0, e.g. one-hot, scores 0 and near-one-hot rows score near 0).
 * `adjustPredProbs` first replaces p by (p − t + max t) / Σ(p − t + max t) with t the per-class confident
 * thresholds; not supported with 'confidence_weighted_entropy' (throws, as cleanlab raises).
 * Inputs: labels (N), predProbs (N×K, out-of-sample). Output: Float64Array (N).
 * Read it as a ranking: sort ascending and review the first few hundred; self-confidence is best for
 * out-of-distribution or ambiguous examples, normalized margin for class-conditional errors.
 * Reference: Northcutt et al., JAIR 2021; Kuan & Mueller 2022. Cost: O(N·K) time, O(N) output.
 */
export function getLabelQualityScores(labels: LabelsInput, predProbs: MatrixInput, options: LabelQualityOptions = {}): Float64Array {
  const fn = 'getLabelQualityScores';
  const method = checkLabelQualityMethod(fn, 'options.method', options.method ?? 'self_confidence');
  const adjust = options.adjustPredProbs ?? false;
  if (adjust && method === 'confidence_weighted_entropy') {
    throw new QualityInputError(fn, 'options.adjustPredProbs', "is not supported with method 'confidence_weighted_entropy' (as in cleanlab)");
  }
  const v = validateLabelsAndProbs(labels, predProbs, fn);
  return labelQualityScoresInner(v, method, adjust);
}

/**
 * Self-confidence p[i, labels[i]] of each example (the default label quality score); lower = more likely
 * mislabeled. Reference: Northcutt et al., JAIR 2021. Cost: O(N).
 */
export function selfConfidenceScores(labels: LabelsInput, predProbs: MatrixInput): Float64Array {
  const v = validateLabelsAndProbs(labels, predProbs, 'selfConfidenceScores');
  return labelQualityScoresInner(v, 'self_confidence', false);
}

/**
 * Normalized margin (p_l − max_{j≠l} p_j + 1) / 2 of each example; lower = more likely mislabeled; below 0.5
 * means another class is predicted more likely than the given one. Reference: Northcutt et al., JAIR 2021.
 * Cost: O(N·K).
 */
export function normalizedMarginScores(labels: LabelsInput, predProbs: MatrixInput): Float64Array {
  const v = validateLabelsAndProbs(labels, predProbs, 'normalizedMarginScores');
  return labelQualityScoresInner(v, 'normalized_margin', false);
}
