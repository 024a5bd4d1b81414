/**
 * Dataset- and class-level label health (semantics of cleanlab 2.x `cleanlab.dataset`: `health_summary`,
 * `rank_classes_by_label_quality`, `find_overlapping_classes`, `overall_label_health_score`), all read off the
 * estimated joint distribution of given and true labels (Northcutt et al., "Confident Learning", JAIR 2021,
 * §3 and §6 "ontological issues"). No cleanlab code is copied.
 */
import { estimateJointInner, numOffDiagonalIssuesInner } from './confident-joint';
import { TINY_VALUE } from './internal/constants';
import { npSum, roundHalfEven, squareToArrays } from './internal/numpy';
import { validateLabelsAndProbs } from './internal/validation';
import { LabelsInput, MatrixInput } from './matrix';

/** One class's label quality (a row of cleanlab's `rank_classes_by_label_quality` DataFrame). */
export interface ClassLabelQuality {
  /** Class index 0..K-1. */
  class: number;
  /** round(N · p(given = k, true ≠ k)): examples given label k that should have another label. */
  labelIssues: number;
  /** round(N · p(given ≠ k, true = k)): examples of class k given another label. */
  inverseLabelIssues: number;
  /** p(true ≠ k | given = k); 0 when no example is given k. */
  labelNoise: number;
  /** p(given ≠ k | true = k); 0 when no example is estimated to be truly k. */
  inverseLabelNoise: number;
  /** p(true = k | given = k) = 1 − labelNoise; higher is better. */
  labelQualityScore: number;
}

/** A pair of classes often confused (a row of cleanlab's `find_overlapping_classes` DataFrame). */
export interface OverlappingClasses {
  classA: number;
  classB: number;
  /** round(N · jointProbability). */
  numOverlapping: number;
  /** p(given = A, true = B) (asymmetric) or p(given = A, true = B) + p(given = B, true = A) (symmetric). */
  jointProbability: number;
}

/** Result of {@link labelHealthSummary}. */
export interface LabelHealthSummary {
  overallLabelHealthScore: number;
  classesByLabelQuality: ClassLabelQuality[];
  overlappingClasses: OverlappingClasses[];
  /** Estimated joint p(given = i, true = j), K×K, rows = given label, sums to 1. */
  joint: number[][];
}

/** Stable sort of `items` by `key` ascending (or descending), NaN last (as pandas `sort_values`). */
function stableSortBy<T>(items: T[], key: (t: T) => number, descending: boolean): T[] {
  const decorated = items.map((item, pos) => ({ item, pos, v: key(item) }));
  decorated.sort((a, b) => {
    const an = Number.isNaN(a.v), bn = Number.isNaN(b.v);
    if (an || bn) return an === bn ? a.pos - b.pos : an ? 1 : -1;
    const d = descending ? b.v - a.v : a.v - b.v;
    return d !== 0 ? d : a.pos - b.pos;
  });
  return decorated.map((d) => d.item);
}

/**
 * Classes ordered by label quality from a K×K joint (rows given): see {@link rankClassesByLabelQuality}.
 * @internal
 */
export function rankClassesFromJoint(joint: Float64Array, k: number, numExamples: number): ClassLabelQuality[] {
  const rows: ClassLabelQuality[] = [];
  for (let c = 0; c < k; c++) {
    const rowSum = npSum(joint, c * k, k);
    let colSum = 0;
    for (let r = 0; r < k; r++) colSum += joint[r * k + c];
    const d = joint[c * k + c];
    const given = rowSum - d;
    const truth = colSum - d;
    // row and column sums are clipped from below before dividing: an absent class gets noise 0
    const labelNoise = given / Math.max(rowSum, TINY_VALUE);
    rows.push({
      class: c,
      labelIssues: roundHalfEven(given * numExamples),
      inverseLabelIssues: roundHalfEven(truth * numExamples),
      labelNoise,
      inverseLabelNoise: truth / Math.max(colSum, TINY_VALUE),
      labelQualityScore: 1 - labelNoise,
    });
  }
  return stableSortBy(rows, (r) => r.labelQualityScore, false);
}

/**
 * Pairs of classes by joint probability from a K×K joint: see {@link findOverlappingClasses}.
 * @internal
 */
export function overlappingFromJoint(joint: Float64Array, k: number, numExamples: number, asymmetric: boolean): OverlappingClasses[] {
  const rows: OverlappingClasses[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      if (asymmetric ? a === b : a >= b) continue;
      const p = asymmetric ? joint[a * k + b] : joint[a * k + b] + joint[b * k + a];
      rows.push({ classA: a, classB: b, numOverlapping: roundHalfEven(p * numExamples), jointProbability: p });
    }
  }
  return stableSortBy(rows, (r) => r.jointProbability, true);
}

/**
 * Classes ranked by label quality, worst first (cleanlab `dataset.rank_classes_by_label_quality`).
 *
 * From the estimated joint Q (K×K, rows given, {@link estimateJoint}): labelIssues_k = round(N·(Σ_j Q[k][j] −
 * Q[k][k])), inverseLabelIssues_k = round(N·(Σ_i Q[i][k] − Q[k][k])), labelNoise_k = (Σ_j Q[k][j] − Q[k][k]) /
 * Σ_j Q[k][j], inverseLabelNoise_k = (Σ_i Q[i][k] − Q[k][k]) / Σ_i Q[i][k], labelQualityScore_k = 1 − labelNoise_k.
 * Output sorted by labelQualityScore ascending (ties by class index). Read the first rows as the classes
 * whose labels need review most. Reference: Northcutt et al., JAIR 2021. Cost: O(N·K + K² log K).
 */
export function rankClassesByLabelQuality(labels: LabelsInput, predProbs: MatrixInput): ClassLabelQuality[] {
  const v = validateLabelsAndProbs(labels, predProbs, 'rankClassesByLabelQuality');
  return rankClassesFromJoint(estimateJointInner(v), v.k, v.n);
}

/**
 * Pairs of classes that annotators confuse (cleanlab `dataset.find_overlapping_classes`), highest joint
 * probability first (ties in row-major pair order).
 *
 * asymmetric = false (default): one row per unordered pair A < B with jointProbability = Q[A][B] + Q[B][A];
 * asymmetric = true: one row per ordered pair A ≠ B with Q[A][B] = p(given = A, true = B).
 * numOverlapping = round(N · jointProbability). Read the top pairs as candidates for merging classes or
 * clarifying the labeling guideline. Reference: Northcutt et al., JAIR 2021, §6. Cost: O(N·K + K² log K).
 */
export function findOverlappingClasses(
  labels: LabelsInput, predProbs: MatrixInput, options: { asymmetric?: boolean } = {},
): OverlappingClasses[] {
  const v = validateLabelsAndProbs(labels, predProbs, 'findOverlappingClasses');
  return overlappingFromJoint(estimateJointInner(v), v.k, v.n, options.asymmetric ?? false);
}

/**
 * Overall label health score (cleanlab 2.9 `dataset.overall_label_health_score` given labels and predProbs):
 * 1 − numLabelIssues / N with numLabelIssues the 'off_diagonal' estimate ({@link numLabelIssues}); in [0, 1],
 * the estimated fraction of correctly labeled examples: 1 = all labels look right, 0.5 = half look wrong.
 * Reference: Northcutt et al., JAIR 2021. Cost: O(N·K).
 */
export function overallLabelHealthScore(labels: LabelsInput, predProbs: MatrixInput): number {
  const v = validateLabelsAndProbs(labels, predProbs, 'overallLabelHealthScore');
  return 1 - numOffDiagonalIssuesInner(v) / v.n;
}

/**
 * Label health summary of a dataset (cleanlab `dataset.health_summary`): the overall label health score
 * ({@link overallLabelHealthScore}), classes ranked by label quality ({@link rankClassesByLabelQuality}), overlapping class
 * pairs ({@link findOverlappingClasses}, symmetric unless `asymmetric`), and the estimated joint
 * p(given = i, true = j) (K×K, rows given, sums to 1).
 * Inputs: labels (N), predProbs (N×K, out-of-sample). Reference: Northcutt et al., JAIR 2021.
 * Cost: O(N·K + K² log K); the joint is estimated once.
 */
export function labelHealthSummary(
  labels: LabelsInput, predProbs: MatrixInput, options: { asymmetric?: boolean } = {},
): LabelHealthSummary {
  const v = validateLabelsAndProbs(labels, predProbs, 'labelHealthSummary');
  const joint = estimateJointInner(v);
  return {
    overallLabelHealthScore: 1 - numOffDiagonalIssuesInner(v) / v.n,
    classesByLabelQuality: rankClassesFromJoint(joint, v.k, v.n),
    overlappingClasses: overlappingFromJoint(joint, v.k, v.n, options.asymmetric ?? false),
    joint: squareToArrays(joint, v.k),
  };
}
