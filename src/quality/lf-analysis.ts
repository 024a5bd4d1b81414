/**
 * Labeling-function analysis for weak supervision (Snorkel `LFAnalysis.lf_summary` semantics).
 *
 * Also home of {@link toLfMatrix}, the shared validator/converter for weak-supervision label matrices
 * (used by `majority-label-voter.ts` and `label-model.ts`).
 */
import { type MatrixInput, QualityInputError } from './matrix';

/** A label matrix `L` (N × m, row-major): `L[i*m + j]` is labeling function j's vote on example i, −1 = abstain. */
export interface LfMatrix {
  rows: number;
  cols: number;
  data: Int32Array;
}

/**
 * What the public surface accepts for a weak-supervision label matrix: `number[][]` (with `null`/NaN = abstain)
 * or a row-major `{rows, cols, data}` whose data is a float or integer typed array.
 */
export type LfMatrixInput =
  | MatrixInput
  | { rows: number; cols: number; data: Int32Array | Int16Array | Int8Array | Float64Array | Float32Array };

/** Abstain value in a label matrix (Snorkel's convention). */
export const ABSTAIN = -1;
/** Module-local copy for hot loops (an exported const compiles to a property of `exports`). */
const NO_VOTE = ABSTAIN;

/**
 * Converts and validates a label matrix. Every entry must be −1 (abstain), `null`/NaN (missing, read as abstain)
 * or an integer class index (in 0..cardinality−1 when `cardinality` is given). Throws naming `fn`, `arg`, the row
 * and the column. An Int32Array-backed input is validated and returned as is (never written to); anything else is
 * copied into a new Int32Array. Cost O(N·m).
 */
export function toLfMatrix(L: LfMatrixInput, fn: string, arg = 'L', cardinality?: number): LfMatrix {
  let rows: number;
  let cols: number;
  let src: ArrayLike<number | null>;
  const rowArrays = Array.isArray(L) ? (L as ReadonlyArray<ReadonlyArray<number | null>>) : null;
  if (rowArrays) {
    rows = rowArrays.length;
    cols = rows > 0 && Array.isArray(rowArrays[0]) ? rowArrays[0].length : 0;
    src = [];
  } else if (typeof L === 'object' && L !== null && 'data' in L && 'rows' in L && 'cols' in L) {
    rows = L.rows;
    cols = L.cols;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new QualityInputError(fn, arg, 'has invalid rows/cols');
    }
    if (!ArrayBuffer.isView(L.data)) throw new QualityInputError(fn, arg, 'data must be a typed array');
    if (L.data.length !== rows * cols) {
      throw new QualityInputError(fn, arg, `data length ${L.data.length} is not rows*cols = ${rows * cols}`);
    }
    src = L.data;
  } else {
    throw new QualityInputError(fn, arg, 'must be number[][] or {rows, cols, data}');
  }
  const hi = cardinality === undefined ? Number.MAX_SAFE_INTEGER : cardinality - 1;
  const bad = (i: number, j: number, v: unknown): QualityInputError =>
    new QualityInputError(fn, arg, `row ${i} column ${j} is ${String(v)}, not -1 (abstain) or a class index in 0..${cardinality === undefined ? 'K-1' : hi}`);

  if (!rowArrays && src instanceof Int32Array) {
    for (let t = 0; t < src.length; t++) {
      const v = src[t];
      if (v < NO_VOTE || v > hi) throw bad(Math.floor(t / cols), t % cols, v);
    }
    return { rows, cols, data: src };
  }
  const data = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let row: ArrayLike<number | null>;
    let o: number;
    if (rowArrays) {
      const r = rowArrays[i];
      if (!Array.isArray(r) || r.length !== cols) {
        throw new QualityInputError(fn, arg, `is ragged: row ${i} has length ${Array.isArray(r) ? r.length : 'n/a'}, expected ${cols}`);
      }
      row = r;
      o = 0;
    } else {
      row = src;
      o = i * cols;
    }
    const d = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = row[o + j];
      if (v === null || v === undefined || Number.isNaN(v)) { data[d + j] = NO_VOTE; continue; }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < NO_VOTE || v > hi) throw bad(i, j, v);
      data[d + j] = v;
    }
  }
  return { rows, cols, data };
}

/** Validates a cardinality argument (number of classes K ≥ 2). */
export function checkCardinality(cardinality: unknown, fn: string): number {
  if (typeof cardinality !== 'number' || !Number.isInteger(cardinality) || cardinality < 2) {
    throw new QualityInputError(fn, 'cardinality', `must be an integer >= 2, got ${String(cardinality)}`);
  }
  return cardinality;
}

/** One labeling function's row of {@link lfSummary} (Snorkel's `lf_summary` columns, camelCased). */
export interface LfSummaryRow {
  /** Sorted distinct non-abstain labels the LF emits (Snorkel "Polarity"); `[]` for an LF that never votes. */
  polarity: number[];
  /** Fraction of examples the LF labels (does not abstain on). */
  coverage: number;
  /** Fraction of examples the LF labels that at least one other LF also labels. */
  overlaps: number;
  /** Fraction of examples the LF labels on which some LF gives a different (non-abstain) label. */
  conflicts: number;
  /** With gold: number of the LF's votes equal to gold (examples with gold −1 excluded). */
  correct?: number;
  /** With gold: number of the LF's votes different from gold (examples with gold −1 excluded). */
  incorrect?: number;
  /**
   * With gold: Snorkel's empirical accuracy `0.5·((#right − #wrong)/#votes + 1)` over all the LF's votes
   * (a vote on an example whose gold is −1 counts as wrong); 0 for an LF that never votes.
   */
  empiricalAccuracy?: number;
}

/** Options of {@link lfSummary}. */
export interface LfSummaryOptions {
  /** Gold labels (length N; class indices, −1 = unknown). Snorkel's `Y`. Adds correct / incorrect / empiricalAccuracy. */
  gold?: ReadonlyArray<number> | Int32Array;
}

/** Above this many (LF × label value) cells, polarities are collected in Sets instead of a flag table. */
const MAX_POLARITY_TABLE = 1 << 24;

/**
 * Per-labeling-function statistics of a label matrix: Snorkel's `LFAnalysis(L).lf_summary(Y)`, exactly.
 *
 * With L (N × m, −1 = abstain), v_ij = [L_ij ≠ −1], overlapped_i = [Σ_j v_ij ≥ 2] and
 * conflicted_i = [row i holds ≥ 2 distinct non-abstain labels]:
 * - polarity_j = sorted {L_ij : v_ij = 1}
 * - coverage_j = Σ_i v_ij / N,  overlaps_j = Σ_i v_ij·overlapped_i / N,  conflicts_j = Σ_i v_ij·conflicted_i / N
 * - with gold Y (length N): correct_j = #{i : v_ij, Y_i ≠ −1, L_ij = Y_i}, incorrect_j = #{i : v_ij, Y_i ≠ −1, L_ij ≠ Y_i}
 *   (Snorkel's confusion matrix without its abstain row and column), and
 *   empiricalAccuracy_j = 0.5·((#{v_ij, L_ij = Y_i} − #{v_ij, L_ij ≠ Y_i}) / Σ_i v_ij + 1), 0 when the LF never votes.
 *
 * Reading it: coverage near 0 means the LF rarely fires; overlaps ≤ coverage and conflicts ≤ overlaps; a high
 * conflicts/overlaps ratio flags an LF that disagrees with the others (noisy, or correlated errors elsewhere).
 * empiricalAccuracy is the fraction of the LF's votes that match gold.
 *
 * Reference: Ratner et al., "Snorkel: Rapid Training Data Creation with Weak Supervision", VLDB 2018;
 * semantics of snorkel `LFAnalysis.lf_summary` (0.10). `L` entries `null`/NaN are read as abstain.
 *
 * Cost: O(N·m) time, O(m + N) extra memory (plus O(m·maxLabel) flags for polarities).
 *
 * @param L label matrix N × m, −1 (or null/NaN) = abstain, otherwise integer class indices ≥ 0
 * @returns one {@link LfSummaryRow} per labeling function (column of L), in column order
 */
export function lfSummary(L: LfMatrixInput, options: LfSummaryOptions = {}): LfSummaryRow[] {
  const fn = 'lfSummary';
  const lm = toLfMatrix(L, fn, 'L');
  let gold: Int32Array | null = null;
  if (options.gold !== undefined && options.gold !== null) {
    const g = options.gold;
    if (!(g instanceof Int32Array) && !Array.isArray(g)) throw new QualityInputError(fn, 'gold', 'must be number[] or Int32Array');
    if (g.length !== lm.rows) throw new QualityInputError(fn, 'gold', `has length ${g.length}, expected ${lm.rows} (rows of L)`);
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (!Number.isInteger(v) || v < NO_VOTE) throw new QualityInputError(fn, 'gold', `index ${i} is ${v}, not -1 or a class index`);
    }
    gold = g instanceof Int32Array ? g : Int32Array.from(g);
  }
  return lfSummaryInner(lm, gold);
}

function lfSummaryInner(lm: LfMatrix, gold: Int32Array | null): LfSummaryRow[] {
  const { rows: n, cols: m, data } = lm;
  const cover = new Float64Array(m);
  const overlap = new Float64Array(m);
  const conflict = new Float64Array(m);
  const right = new Float64Array(m); // L = Y (Y ≠ −1)
  const wrongKnown = new Float64Array(m); // L ≠ Y, Y ≠ −1
  const wrongUnknown = new Float64Array(m); // Y = −1
  let maxLabel = -1;
  for (let t = 0; t < data.length; t++) if (data[t] > maxLabel) maxLabel = data[t];
  const width = maxLabel + 1;
  const useTable = width * m <= MAX_POLARITY_TABLE;
  const seen = useTable ? new Uint8Array(width * m) : null;
  const sets: Set<number>[] | null = useTable ? null : Array.from({ length: m }, () => new Set<number>());

  for (let i = 0; i < n; i++) {
    const o = i * m;
    let votes = 0;
    let first = NO_VOTE;
    let conflicted = 0;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v === NO_VOTE) continue;
      votes++;
      if (first === NO_VOTE) first = v;
      else if (v !== first) conflicted = 1;
    }
    if (votes === 0) continue;
    const overlapped = votes >= 2 ? 1 : 0;
    const y = gold === null ? NO_VOTE : gold[i];
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v === NO_VOTE) continue;
      cover[j]++;
      overlap[j] += overlapped;
      conflict[j] += conflicted;
      if (seen) seen[j * width + v] = 1;
      else (sets as Set<number>[])[j].add(v);
      if (gold !== null) {
        if (y === NO_VOTE) wrongUnknown[j]++;
        else if (v === y) right[j]++;
        else wrongKnown[j]++;
      }
    }
  }

  const out: LfSummaryRow[] = new Array(m);
  for (let j = 0; j < m; j++) {
    let polarity: number[];
    if (seen) {
      polarity = [];
      for (let c = 0; c < width; c++) if (seen[j * width + c]) polarity.push(c);
    } else {
      polarity = Array.from((sets as Set<number>[])[j]).sort((a, b) => a - b);
    }
    // Same operation order as numpy (integer counts divided by N) so the floats are identical.
    // With N = 0 Snorkel gives coverage NaN (0/0) and overlaps/conflicts 0 (nan_to_num); so do we.
    const row: LfSummaryRow = {
      polarity,
      coverage: cover[j] / n,
      overlaps: n === 0 ? 0 : overlap[j] / n,
      conflicts: n === 0 ? 0 : conflict[j] / n,
    };
    if (gold !== null) {
      row.correct = right[j];
      row.incorrect = wrongKnown[j];
      const wrong = wrongKnown[j] + wrongUnknown[j];
      row.empiricalAccuracy = cover[j] === 0 ? 0 : 0.5 * ((right[j] - wrong) / cover[j] + 1);
    }
    out[j] = row;
  }
  return out;
}
