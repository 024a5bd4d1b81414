/**
 * Label tables (items × annotators) built from vote rows, as the consensus job, the annotator statistics and the
 * labeling-function summary read them.
 */
import type { LabelTable } from './item-consensus';

/** One vote row: an annotator's label on an item (null = no label). */
export interface VoteInput {
  item_id: string;
  annotator_id: string;
  label: number | null;
}

/**
 * The table of `rows`: items and annotators in order of first appearance, a cell per (item, annotator) holding its
 * label, `missing` where the annotator gave none (a null label leaves the cell missing too).
 */
export function buildLabelTable(rows: ReadonlyArray<VoteInput>, missing = NaN): LabelTable {
  const itemIdx = new Map<string, number>();
  const annIdx = new Map<string, number>();
  for (const r of rows) {
    if (!itemIdx.has(r.item_id)) itemIdx.set(r.item_id, itemIdx.size);
    if (!annIdx.has(r.annotator_id)) annIdx.set(r.annotator_id, annIdx.size);
  }
  const n = itemIdx.size;
  const m = annIdx.size;
  const data = new Float64Array(n * m).fill(missing);
  for (const r of rows) if (r.label !== null) data[itemIdx.get(r.item_id)! * m + annIdx.get(r.annotator_id)!] = r.label;
  return { itemIds: [...itemIdx.keys()], annotatorIds: [...annIdx.keys()], data };
}

/**
 * Labeling functions' votes as a table: rows = items some source voted on (in order of first appearance), columns =
 * every registered labeling function in `lfIds` order (one that never voted is an all-abstain column), then the other
 * sources that voted (in order of first appearance); −1 = abstain.
 */
export function buildWeakTable(lfIds: readonly string[], votes: ReadonlyArray<VoteInput>): LabelTable {
  const known = new Set(lfIds);
  const extra = [...new Set(votes.filter((v) => !known.has(v.annotator_id)).map((v) => v.annotator_id))];
  const annotatorIds = [...lfIds, ...extra];
  const itemIdx = new Map<string, number>();
  for (const v of votes) if (!itemIdx.has(v.item_id)) itemIdx.set(v.item_id, itemIdx.size);
  const m = annotatorIds.length;
  const colOf = new Map(annotatorIds.map((id, j) => [id, j]));
  const data = new Float64Array(itemIdx.size * m).fill(-1);
  for (const v of votes) if (v.label !== null) data[itemIdx.get(v.item_id)! * m + colOf.get(v.annotator_id)!] = v.label;
  return { itemIds: [...itemIdx.keys()], annotatorIds, data };
}

/**
 * Writes one probability row into `out[offset .. offset + k)`: entry j of `pr` goes to column `col[j]` (dropped when
 * `col[j] < 0`), the other columns are 0, and the row is renormalised to sum to 1. Returns false (the row left all 0)
 * when no mass lands on a kept column. The one renormalisation of model probabilities: O(len(pr) + k), no allocation.
 */
export function alignRowInto(col: ArrayLike<number>, pr: ArrayLike<number>, out: Float64Array, offset: number, k: number): boolean {
  out.fill(0, offset, offset + k);
  let s = 0;
  for (let j = 0; j < pr.length; j++) if (col[j] >= 0) { out[offset + col[j]] = pr[j]; s += pr[j]; }
  if (!(s > 0)) return false;
  for (let j = 0; j < k; j++) out[offset + j] /= s;
  return true;
}

/**
 * A function from a model's probabilities (over `modelClasses`) to probabilities over the project's classes: classes
 * the project lacks are dropped and the rest renormalised ({@link alignRowInto}); null when nothing is left (no mass
 * on the project's classes).
 */
export function probabilityAligner(modelClasses: readonly string[], projectClasses: readonly string[]): (pr: ArrayLike<number>) => Float64Array | null {
  const k = projectClasses.length;
  const col = modelClasses.map((c) => projectClasses.indexOf(c));
  return (pr) => {
    const out = new Float64Array(k);
    return alignRowInto(col, pr, out, 0, k) ? out : null;
  };
}
