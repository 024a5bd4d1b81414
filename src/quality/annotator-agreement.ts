/**
 * Agreement between annotators of a multi-annotator label matrix, and their accuracy on gold items.
 */
import { majorityVote } from './majority-vote';
import { MatrixInput, QualityInputError, toLabelMatrix } from './matrix';

/** z for a two-sided 95 % interval: the 0.975 quantile of the standard normal. */
export const WILSON_Z_95 = 1.959963984540054;

/** A vector of class indices where `null`/NaN mean "none" (no consensus, not a gold item). */
export type OptionalLabelsInput = ReadonlyArray<number | null> | Int32Array | Float64Array | Float32Array;

export interface AnnotatorAgreementOptions {
  /**
   * Consensus label per item to compare each annotator with (`null`/NaN = none: the item is skipped).
   * Default: the majority vote of all annotators, including the one being scored, computed by
   * `majorityVote` (cleanlab's tie-breaking without model probabilities).
   */
  consensusLabel?: OptionalLabelsInput;
}

export interface AnnotatorAgreementResult {
  /** M × M Cohen's kappa over the items both annotators labeled; NaN where they never overlap; diagonal 1. */
  pairwiseKappa: number[][];
  /** Per annotator: fraction of its labels equal to the consensus label (NaN for an annotator with no labels). */
  agreementWithConsensus: Float64Array;
}

/**
 * How far annotators agree with each other and with the consensus.
 *
 * `labelsMulti` is N × M (items × annotators), class indices with `null`/NaN = not labeled.
 *
 * pairwiseKappa[a][b] = Cohen's (unweighted) kappa on S_ab = {i : both a and b labeled i}:
 *   κ_ab = 1 − (|S_ab| − Σ_k O_kk) / (|S_ab| − Σ_k r_k c_k / |S_ab|), O = confusion of a vs b on S_ab,
 *   r, c its marginals (scikit-learn `cohen_kappa_score` on those items). NaN when S_ab is empty, or when
 *   chance agreement is 1 (both gave the same single class to all shared items), as scikit-learn.
 *   Diagonal = 1 for an annotator with at least one label (NaN for one with none). Symmetric.
 * agreementWithConsensus[a] = #{i : L_ia = consensus_i} / #{i : a labeled i and consensus_i exists}
 *   (cleanlab `get_label_quality_multiannotator` → `annotator_stats.agreement_with_consensus`; the consensus
 *   includes the annotator's own vote, as cleanlab's).
 *
 * Reading: kappa 1 = the two always agree, 0 = chance level; a low agreementWithConsensus flags an annotator
 * who often departs from the crowd. Items labeled by nobody are ignored.
 *
 * References: J. Cohen (1960); H. W. Goh, U. Tkachenko, J. Mueller (2022), "CROWDLAB", arXiv:2210.06812.
 * Cost: O(N M² + M² K) time (each pair scans N items), O(N M + K) memory.
 *
 * @param labelsMulti N × M matrix of class indices, `null`/NaN = missing
 */
export function annotatorAgreement(labelsMulti: MatrixInput, options: AnnotatorAgreementOptions = {}): AnnotatorAgreementResult {
  const fn = 'annotatorAgreement';
  const lm = toLabelMatrix(labelsMulti, fn, 'labelsMulti');
  const { rows: n, cols: m, data } = lm;
  let consensus: Int32Array;
  if (options.consensusLabel !== undefined && options.consensusLabel !== null) {
    consensus = toOptionalLabels(options.consensusLabel, n, fn, 'options.consensusLabel');
  } else {
    consensus = majorityConsensus(data, n, m);
  }
  // Column-major copy: each annotator's labels contiguous, for the M² pair scans.
  const byAnnotator = new Int32Array(n * m);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = data[i * m + j];
      byAnnotator[j * n + i] = v;
      if (v + 1 > k) k = v + 1;
    }
  }
  return annotatorAgreementInner(byAnnotator, n, m, k, consensus);
}

/** Majority vote over the items that have labels (-1 for items labeled by nobody). */
function majorityConsensus(data: Int32Array, n: number, m: number): Int32Array {
  const out = new Int32Array(n).fill(-1);
  let labeled = 0;
  const rowsLabeled = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (data[i * m + j] >= 0) {
        rowsLabeled[labeled++] = i;
        break;
      }
    }
  }
  if (labeled === 0) return out;
  const sub = new Float64Array(labeled * m);
  for (let r = 0; r < labeled; r++) {
    const o = rowsLabeled[r] * m;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      sub[r * m + j] = v < 0 ? NaN : v;
    }
  }
  const { labels } = majorityVote({ rows: labeled, cols: m, data: sub });
  for (let r = 0; r < labeled; r++) out[rowsLabeled[r]] = labels[r];
  return out;
}

function annotatorAgreementInner(byAnnotator: Int32Array, n: number, m: number, k: number, consensus: Int32Array): AnnotatorAgreementResult {
  const pairwiseKappa: number[][] = [];
  for (let a = 0; a < m; a++) pairwiseKappa.push(new Array<number>(m).fill(NaN));
  const r = new Float64Array(k);
  const c = new Float64Array(k);
  for (let a = 0; a < m; a++) {
    const la = byAnnotator.subarray(a * n, (a + 1) * n);
    let any = false;
    for (let i = 0; i < n; i++) if (la[i] >= 0) { any = true; break; }
    pairwiseKappa[a][a] = any ? 1 : NaN;
    for (let b = a + 1; b < m; b++) {
      const lb = byAnnotator.subarray(b * n, (b + 1) * n);
      let shared = 0;
      let diag = 0;
      for (let i = 0; i < n; i++) {
        const x = la[i];
        const y = lb[i];
        if (x < 0 || y < 0) continue;
        r[x] += 1;
        c[y] += 1;
        shared++;
        if (x === y) diag++;
      }
      let kappa = NaN;
      if (shared > 0) {
        let rc = 0;
        for (let q = 0; q < k; q++) rc += r[q] * c[q];
        const expected = shared - rc / shared;
        if (expected !== 0) kappa = 1 - (shared - diag) / expected;
      }
      r.fill(0);
      c.fill(0);
      pairwiseKappa[a][b] = kappa;
      pairwiseKappa[b][a] = kappa;
    }
  }
  const agreementWithConsensus = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const o = a * n;
    let seen = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      const x = byAnnotator[o + i];
      const y = consensus[i];
      if (x < 0 || y < 0) continue;
      seen++;
      if (x === y) agree++;
    }
    agreementWithConsensus[a] = seen > 0 ? agree / seen : NaN;
  }
  return { pairwiseKappa, agreementWithConsensus };
}

export interface GoldAccuracy {
  /** Column index of the annotator in labelsMulti. */
  annotator: number;
  /** Gold items this annotator labeled. */
  n: number;
  /** Fraction of those labeled correctly (NaN when n = 0). */
  accuracy: number;
  /** Lower end of the 95 % Wilson score interval (0 when n = 0). */
  lower: number;
  /** Upper end of the 95 % Wilson score interval (1 when n = 0). */
  upper: number;
}

/**
 * Each annotator's accuracy on the gold (known-answer) items, with a 95 % Wilson score interval.
 *
 * For annotator a, n_a = #{i : gold_i known and a labeled i}, x_a = #{those with L_ia = gold_i}, p = x_a / n_a:
 *
 *   centre = (p + z² / (2n)) / (1 + z² / n),   half = z / (1 + z² / n) · √(p (1 − p) / n + z² / (4 n²)),
 *   [lower, upper] = [centre − half, centre + half] (clamped to [0, 1]),   z = 1.959963984540054.
 *
 * Reading: the interval is where the annotator's true accuracy lies with 95 % confidence; it stays inside
 * [0, 1] and is honest for small n and for p near 0 or 1 (unlike the normal ±z·√(p(1−p)/n) interval).
 * n = 0 gives accuracy NaN and the uninformative [0, 1].
 *
 * Reference: E. B. Wilson (1927), "Probable inference, the law of succession, and statistical inference";
 * R. G. Newcombe (1998), "Two-sided confidence intervals for the single proportion" (method 3).
 * Cost: O(N M) time, O(M) memory.
 *
 * @param labelsMulti N × M class indices, `null`/NaN = not labeled
 * @param gold length N, the true class of gold items, `null`/NaN = not a gold item
 */
export function goldAccuracy(labelsMulti: MatrixInput, gold: OptionalLabelsInput): GoldAccuracy[] {
  const fn = 'goldAccuracy';
  const lm = toLabelMatrix(labelsMulti, fn, 'labelsMulti');
  const g = toOptionalLabels(gold, lm.rows, fn, 'gold');
  const { rows: n, cols: m, data } = lm;
  const seen = new Float64Array(m);
  const correct = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    if (gi < 0) continue;
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v < 0) continue;
      seen[j]++;
      if (v === gi) correct[j]++;
    }
  }
  const out: GoldAccuracy[] = [];
  for (let j = 0; j < m; j++) {
    const [lower, upper] = wilsonInterval(correct[j], seen[j], WILSON_Z_95);
    out.push({ annotator: j, n: seen[j], accuracy: seen[j] > 0 ? correct[j] / seen[j] : NaN, lower, upper });
  }
  return out;
}

/** Wilson score interval for x successes in n trials; [0, 1] when n = 0. */
function wilsonInterval(x: number, n: number, z: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = x / n;
  const z2n = (z * z) / n;
  const denom = 1 + z2n;
  const centre = (p + z2n / 2) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Validates a length-n vector of class indices with null/NaN allowed; returns Int32Array with -1 for none. */
function toOptionalLabels(x: OptionalLabelsInput, n: number, fn: string, arg: string): Int32Array {
  const isTyped = x instanceof Int32Array || x instanceof Float64Array || x instanceof Float32Array;
  if (!isTyped && !Array.isArray(x)) throw new QualityInputError(fn, arg, 'must be an array of class indices (null/NaN = none)');
  if (x.length !== n) throw new QualityInputError(fn, arg, `has length ${x.length}, expected ${n} (rows of labelsMulti)`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === null || v === undefined || Number.isNaN(v)) { out[i] = -1; continue; }
    if (!Number.isInteger(v) || v < 0) throw new QualityInputError(fn, arg, `index ${i} is ${String(v)}, not a class index (a non-negative integer)`);
    out[i] = v;
  }
  return out;
}
