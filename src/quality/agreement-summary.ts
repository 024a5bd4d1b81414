/**
 * Agreement among annotators over one label table, as the three usual coefficients: Cohen's kappa (mean over pairs),
 * Fleiss' kappa and Krippendorff's alpha (nominal), with the counts that say what each was computed on.
 */
import { annotatorAgreement } from './annotator-agreement';
import { fleissKappa } from './fleiss-kappa';
import type { LabelTable } from './item-consensus';
import { tableMatrix } from './item-consensus';
import { krippendorffAlpha } from './krippendorff-alpha';

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface AgreementSummary {
  /** Labels in the table, items, annotators. */
  annotations: number;
  items: number;
  annotators: number;
  cohenKappaMean: number | null;
  /** Pairs of annotators sharing an item whose kappa is defined. */
  cohenPairs: number;
  fleissKappa: number | null;
  /** The number of raters per item Fleiss' kappa was computed for, and the items that have it. */
  fleissRaters: number | null;
  fleissItems: number;
  krippendorffAlpha: number | null;
  /** Items with at least 2 labels. */
  pairableItems: number;
}

/**
 * Agreement among the annotators of `human` (items × annotators, NaN = no label, labels in [0, k)):
 * - Cohen's kappa: the mean over the annotator pairs that share at least one item (pairs whose kappa is undefined,
 *   e.g. one shared class only, are left out);
 * - Fleiss' kappa: over the items rated by the modal number r ≥ 2 of raters (ties → the larger r), since Fleiss
 *   needs the same number of raters per item; items with another number of raters are left out (`fleissItems`);
 * - Krippendorff's alpha (nominal) over every item with ≥ 2 labels (it handles missing values itself).
 * Undefined values (no pairable item, no variation) are null.
 */
export function agreementSummary(human: LabelTable, k: number): AgreementSummary {
  const n = human.itemIds.length;
  const m = human.annotatorIds.length;
  const raters = new Int32Array(n);
  let annotations = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) if (!Number.isNaN(human.data[i * m + j])) raters[i]++;
  for (let i = 0; i < n; i++) annotations += raters[i];
  const base: AgreementSummary = {
    annotations, items: n, annotators: m,
    cohenKappaMean: null, cohenPairs: 0, fleissKappa: null, fleissRaters: null, fleissItems: 0, krippendorffAlpha: null, pairableItems: 0,
  };
  if (n === 0) return base;
  // Cohen: pairs sharing items.
  const kappa = annotatorAgreement(tableMatrix(human)).pairwiseKappa;
  const sharesItem = new Uint8Array(m * m);
  for (let i = 0; i < n; i++) {
    if (raters[i] < 2) continue;
    const cs: number[] = [];
    for (let j = 0; j < m; j++) if (!Number.isNaN(human.data[i * m + j])) cs.push(j);
    for (let s = 0; s < cs.length; s++) for (let t = s + 1; t < cs.length; t++) sharesItem[cs[s] * m + cs[t]] = 1;
  }
  let ks = 0;
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
    if (!sharesItem[a * m + b]) continue;
    const v = kappa[a][b];
    if (Number.isFinite(v)) { ks += v; base.cohenPairs++; }
  }
  base.cohenKappaMean = base.cohenPairs > 0 ? ks / base.cohenPairs : null;
  // Fleiss: items with the modal rater count.
  const freq = new Map<number, number>();
  for (let i = 0; i < n; i++) if (raters[i] >= 2) freq.set(raters[i], (freq.get(raters[i]) ?? 0) + 1);
  base.pairableItems = [...freq.values()].reduce((s, x) => s + x, 0);
  if (freq.size) {
    let r = 0;
    let best = -1;
    for (const [c, f] of freq) if (f > best || (f === best && c > r)) { r = c; best = f; }
    const counts: number[][] = [];
    for (let i = 0; i < n; i++) {
      if (raters[i] !== r) continue;
      const row = new Array<number>(k).fill(0);
      for (let j = 0; j < m; j++) { const v = human.data[i * m + j]; if (!Number.isNaN(v)) row[v]++; }
      counts.push(row);
    }
    base.fleissRaters = r;
    base.fleissItems = counts.length;
    base.fleissKappa = fin(fleissKappa(counts));
    // Krippendorff: coders × units.
    const rel = new Float64Array(m * n).fill(NaN);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) rel[j * n + i] = human.data[i * m + j];
    base.krippendorffAlpha = fin(krippendorffAlpha({ rows: m, cols: n, data: rel }, { level: 'nominal' }));
  }
  return base;
}
