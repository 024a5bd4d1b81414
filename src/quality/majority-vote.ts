/**
 * Majority vote over several annotators' labels (cleanlab `multiannotator.get_majority_vote_label` semantics).
 */
import { Matrix, MatrixInput, QualityInputError, toLabelMatrix, toProbMatrix } from './matrix';

/** A labels-by-annotators matrix in the internal form: N × M, row-major, -1 = not labeled. */
export interface LabelMatrix {
  rows: number;
  cols: number;
  data: Int32Array;
}

export interface MajorityVoteOptions {
  /** N × K model probabilities; when given, they break ties first and fix K = predProbs columns. */
  predProbs?: MatrixInput;
}

export interface MajorityVoteResult {
  /** Consensus class of each item. */
  labels: Int32Array;
  /** Fraction of the item's annotators whose label equals the consensus (cleanlab's `annotator_agreement`). */
  voteShare: Float64Array;
}

/**
 * Majority-vote consensus label of each item from an N × M matrix of annotators' labels.
 *
 * For item i with vote counts c_ik = #{j : L_ij = k}, the consensus is argmax_k c_ik. Ties are broken, in order
 * (as cleanlab 2.x does; verified against its output):
 * 1. by `predProbs` (the tied class with the highest predicted probability), when given;
 * 2. by overall class frequency Σ_i c_ik — the **least** frequent tied class wins (cleanlab does this to avoid
 *    amplifying class imbalance);
 * 3. by annotator quality: each annotator's agreement with the consensus on the untied items; each tied class is
 *    scored by the mean agreement of the annotators who chose it, highest wins;
 * 4. by the lowest class index (cleanlab picks at random here; we stay deterministic).
 *
 * `voteShare` = c_i,label / n_i (n_i = annotations of item i): 1 = unanimous.
 *
 * Reference: cleanlab `get_majority_vote_label` (Goh, Tkachenko, Mueller, "CROWDLAB: Supervised learning to infer
 * consensus labels and quality scores for data with multiple annotators", 2022, arXiv:2210.06812).
 *
 * Cost: O(N·M + N·K) time, O(N·K) memory.
 *
 * @param labelsMulti N × M class indices, `null`/NaN = the annotator did not label the item. Every item needs ≥ 1 label.
 * @param options `predProbs` (N × K) to break ties.
 * @throws QualityInputError on ragged input, non-integer or out-of-range labels, rows without labels, bad predProbs.
 */
export function majorityVote(labelsMulti: MatrixInput, options: MajorityVoteOptions = {}): MajorityVoteResult {
  const fn = 'majorityVote';
  let pp: Matrix | null = null;
  if (options.predProbs !== undefined && options.predProbs !== null) pp = toProbMatrix(options.predProbs, fn, 'predProbs');
  const lm = toLabelMatrix(labelsMulti, fn, 'labelsMulti', pp ? pp.cols : undefined);
  if (pp && pp.rows !== lm.rows) {
    throw new QualityInputError(fn, 'predProbs', `has ${pp.rows} rows but labelsMulti has ${lm.rows}`);
  }
  assertEveryRowLabeled(lm, fn);
  const k = pp ? pp.cols : maxLabel(lm) + 1;
  return majorityVoteCore(lm, k, pp);
}

/** Largest label present (-1 when none). */
function maxLabel(lm: LabelMatrix): number {
  let mx = -1;
  const d = lm.data;
  for (let t = 0; t < d.length; t++) if (d[t] > mx) mx = d[t];
  return mx;
}

/** Throws naming the first item without any label. */
export function assertEveryRowLabeled(lm: LabelMatrix, fn: string, arg = 'labelsMulti'): void {
  const { rows, cols, data } = lm;
  for (let i = 0; i < rows; i++) {
    let any = false;
    for (let j = 0; j < cols; j++) if (data[i * cols + j] >= 0) { any = true; break; }
    if (!any) throw new QualityInputError(fn, arg, `row ${i} has no labels (every item needs at least one annotation)`);
  }
}

/**
 * Inner majority vote on validated input (labels in 0..k-1 or -1, every row labeled, predProbs N × k or null).
 * See {@link majorityVote}.
 */
export function majorityVoteCore(lm: LabelMatrix, k: number, pp: Matrix | null): MajorityVoteResult {
  const { rows: n, cols: m, data: L } = lm;
  const counts = new Int32Array(n * k);
  const classFreq = new Float64Array(k);
  const numAnn = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const c = i * k;
    for (let j = 0; j < m; j++) {
      const v = L[o + j];
      if (v >= 0) { counts[c + v]++; classFreq[v]++; numAnn[i]++; }
    }
  }
  const labels = new Int32Array(n);
  const untied = new Uint8Array(n);
  const tiedItems: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i * k;
    let best = -1;
    let bestCount = -1;
    let nModes = 0;
    for (let q = 0; q < k; q++) {
      const v = counts[c + q];
      if (v > bestCount) { bestCount = v; best = q; nModes = 1; } else if (v === bestCount) nModes++;
    }
    labels[i] = best;
    if (nModes === 1) untied[i] = 1; else tiedItems.push(i);
  }

  if (tiedItems.length > 0) {
    // Candidate sets of tied classes, narrowed by each tie-break in turn.
    const pending = new Map<number, number[]>();
    for (const i of tiedItems) {
      const c = i * k;
      let bestCount = -1;
      for (let q = 0; q < k; q++) if (counts[c + q] > bestCount) bestCount = counts[c + q];
      const cand: number[] = [];
      for (let q = 0; q < k; q++) if (counts[c + q] === bestCount) cand.push(q);
      pending.set(i, cand);
    }
    const narrow = (score: (i: number, q: number) => number, preferMax: boolean): void => {
      for (const [i, cand] of pending) {
        let bestV = preferMax ? -Infinity : Infinity;
        for (const q of cand) {
          const v = score(i, q);
          if (preferMax ? v > bestV : v < bestV) bestV = v;
        }
        const kept = cand.filter((q) => score(i, q) === bestV);
        if (kept.length === 1) { labels[i] = kept[0]; pending.delete(i); } else if (kept.length > 1) pending.set(i, kept);
      }
    };
    // 1. model probabilities
    if (pp) {
      const P = pp.data;
      narrow((i, q) => P[i * k + q], true);
    }
    // 2. least frequent class overall
    if (pending.size > 0) narrow((_i, q) => classFreq[q], false);
    // 3. mean agreement (with the untied consensus) of the annotators who chose each tied class
    if (pending.size > 0) {
      const agree = new Float64Array(m);
      const seen = new Float64Array(m);
      for (let i = 0; i < n; i++) {
        if (!untied[i]) continue;
        const o = i * m;
        for (let j = 0; j < m; j++) {
          const v = L[o + j];
          if (v >= 0) { seen[j]++; if (v === labels[i]) agree[j]++; }
        }
      }
      let sum = 0;
      let cnt = 0;
      for (let j = 0; j < m; j++) if (seen[j] > 0) { agree[j] /= seen[j]; sum += agree[j]; cnt++; }
      const avg = cnt > 0 ? sum / cnt : NaN;
      for (let j = 0; j < m; j++) if (seen[j] === 0) agree[j] = avg;
      if (cnt > 0) {
        narrow((i, q) => {
          let s = 0;
          let c = 0;
          const o = i * m;
          for (let j = 0; j < m; j++) if (L[o + j] === q) { s += agree[j]; c++; }
          return c > 0 ? s / c : -Infinity;
        }, true);
      }
    }
    // 4. lowest class index
    for (const [i, cand] of pending) labels[i] = cand[0];
  }

  const voteShare = new Float64Array(n);
  for (let i = 0; i < n; i++) voteShare[i] = counts[i * k + labels[i]] / numAnn[i];
  return { labels, voteShare };
}
