/**
 * Snorkel's lf_summary of a project's labeling functions, with accuracy against reference labels and the label
 * model's accuracy estimate beside it.
 */
import type { LabelTable } from './item-consensus';
import { fitLabelModel } from './label-model';
import { lfSummary } from './lf-analysis';

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** One labeling function's line of the report. */
export interface LfReportRow {
  id: string;
  name: string;
  /** Classes it voted for (names). */
  polarity: string[];
  votes: number;
  coverage: number;
  overlaps: number;
  conflicts: number;
  correct: number;
  incorrect: number;
  empiricalAccuracy: number | null;
  labelModelAccuracy: number | null;
}

export interface LfReport {
  items: number;
  referenceItems: number;
  goldItems: number;
  lfs: LfReportRow[];
}

/**
 * The report over `table` (items × sources, −1 = abstain; `names` per column): polarity, coverage, overlaps,
 * conflicts over every item; correct / incorrect / empirical accuracy against a reference label (the gold label,
 * else the item's current label; labels outside `classes` are no reference) over the items that have one; the label
 * model's (seed 0) accuracy estimate per source.
 */
export function lfReport(
  table: LabelTable,
  names: readonly string[],
  classes: readonly string[],
  gold: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number | null>,
): LfReport {
  const k = classes.length;
  const n = table.itemIds.length;
  const m = table.annotatorIds.length;
  const view: LfReport = { items: n, referenceItems: 0, goldItems: 0, lfs: [] };
  if (m === 0) return view;
  const L = { rows: n, cols: m, data: table.data };
  const rows = n > 0 ? lfSummary(L) : table.annotatorIds.map(() => ({ polarity: [], coverage: 0, overlaps: 0, conflicts: 0 }));
  const refRows: number[] = [];
  const ref: number[] = [];
  table.itemIds.forEach((id, i) => {
    const g = gold.get(id);
    const r = g ?? current.get(id) ?? null;
    if (g !== undefined) view.goldItems++;
    if (r !== null && r < k) { refRows.push(i); ref.push(r); }
  });
  view.referenceItems = refRows.length;
  let withRef: ReturnType<typeof lfSummary> | null = null;
  if (refRows.length) {
    const sub = new Float64Array(refRows.length * m);
    refRows.forEach((i, r) => sub.set(table.data.subarray(i * m, (i + 1) * m), r * m));
    withRef = lfSummary({ rows: refRows.length, cols: m, data: sub }, { gold: ref });
  }
  let lmAcc: Float64Array | null = null;
  if (n > 0) lmAcc = Float64Array.from(fitLabelModel(L, k, { seed: 0 }).lfAccuracies);
  const votes = new Int32Array(m);
  for (let t = 0; t < table.data.length; t++) if (table.data[t] >= 0) votes[t % m]++;
  view.lfs = table.annotatorIds.map((id, j) => {
    const c = withRef ? withRef[j].correct ?? 0 : 0;
    const w = withRef ? withRef[j].incorrect ?? 0 : 0;
    return {
      id,
      name: names[j],
      polarity: rows[j].polarity.map((c2) => classes[c2] ?? String(c2)),
      votes: votes[j],
      coverage: rows[j].coverage,
      overlaps: rows[j].overlaps,
      conflicts: rows[j].conflicts,
      correct: c,
      incorrect: w,
      empiricalAccuracy: c + w > 0 ? c / (c + w) : null,
      labelModelAccuracy: lmAcc ? fin(lmAcc[j]) : null,
    };
  });
  return view;
}
