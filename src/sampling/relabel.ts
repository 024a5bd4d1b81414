/**
 * Relabel-or-new: rows that already have annotations compete with unlabeled rows for the next annotation, on
 * the single scale of ActiveLab scores (Goh & Mueller 2023). The scores themselves come from the quality
 * library's multi-annotator module (cleanlab's `get_active_learning_scores`); this module only ranks them.
 */
import { QualityInputError } from '../quality/matrix';
import { CandidatesInput, VectorInput, checkPositiveInt, toCandidateList, toVector, topKByKey } from './inputs';

/** Options of {@link relabelOrNew}. */
export interface RelabelOrNewOptions {
  /** Number of rows to pick across both sets. */
  size: number;
  /** Annotated rows that may get another annotation (index list or mask into `activeLearningScores`). Default: all. */
  labeledCandidates?: CandidatesInput;
  /** Unlabeled rows that may be picked (index list or mask into `activeLearningScoresUnlabeled`). Default: all. */
  unlabeledCandidates?: CandidatesInput;
}

/** Result of {@link relabelOrNew}: picks in order, lowest score first. */
export interface RelabelOrNewResult {
  /** Index of each pick in its own array (`activeLearningScores` when `relabel` is 1, else the unlabeled one). */
  indices: Int32Array;
  /** 1 = the pick already has annotations (collect one more), 0 = a new, unlabeled row. */
  relabel: Uint8Array;
  /** ActiveLab score of each pick. */
  scores: Float64Array;
}

/**
 * Ranks annotated and unlabeled rows together by ActiveLab score and returns the `size` lowest:
 * `picks = the size smallest of {activeLearningScores[i]} ∪ {activeLearningScoresUnlabeled[j]}`
 * (ties → annotated rows first, then the lower index — the order of `argsort` on their concatenation).
 *
 * Shapes: activeLearningScores L (rows with ≥ 1 annotation), activeLearningScoresUnlabeled U → `size` picks.
 * Read: lower score = another label is worth more (an annotated row with a doubtful consensus, or an unlabeled
 * row the model is unsure of); scores are comparable across the two sets by construction of ActiveLab.
 * Reference: Goh & Mueller (2023), "ActiveLab: Active Learning with Re-Labeling by Multiple Annotators";
 * cleanlab `multiannotator.get_active_learning_scores` (docs: "lower scores indicate examples whose true label
 * we are least confident about", to be labeled next). Cost: O((L + U) log size).
 */
export function relabelOrNew(
  activeLearningScores: VectorInput,
  activeLearningScoresUnlabeled: VectorInput,
  options: RelabelOrNewOptions,
): RelabelOrNewResult {
  const fn = 'relabelOrNew';
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const a = toVector(activeLearningScores, activeLearningScores?.length ?? 0, fn, 'activeLearningScores');
  const b = toVector(activeLearningScoresUnlabeled, activeLearningScoresUnlabeled?.length ?? 0, fn, 'activeLearningScoresUnlabeled');
  const L = a.length;
  const ca = toCandidateList(options.labeledCandidates, L, fn, 'options.labeledCandidates');
  const cb = toCandidateList(options.unlabeledCandidates, b.length, fn, 'options.unlabeledCandidates');
  // One key vector over the concatenation [annotated, unlabeled]; topKByKey keeps the largest −score.
  const key = new Float64Array(L + b.length);
  for (let i = 0; i < L; i++) key[i] = -a[i];
  for (let j = 0; j < b.length; j++) key[L + j] = -b[j];
  const cand = new Int32Array(ca.length + cb.length);
  cand.set(ca);
  for (let j = 0; j < cb.length; j++) cand[ca.length + j] = L + cb[j];
  const pos = topKByKey(key, cand, size);
  const k = pos.length;
  const res: RelabelOrNewResult = { indices: new Int32Array(k), relabel: new Uint8Array(k), scores: new Float64Array(k) };
  for (let t = 0; t < k; t++) {
    const c = cand[pos[t]];
    const isLabeled = c < L;
    res.indices[t] = isLabeled ? c : c - L;
    res.relabel[t] = isLabeled ? 1 : 0;
    res.scores[t] = -key[c];
  }
  return res;
}
