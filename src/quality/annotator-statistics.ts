/**
 * Per-annotator statistics over a label table: items labeled, agreement with the consensus, accuracy on gold with its
 * Wilson interval, label-distribution drift, and the pairwise Cohen's kappa of annotators sharing items.
 */
import { annotatorAgreement, goldAccuracy } from './annotator-agreement';
import type { LabelTable } from './item-consensus';
import { tableMatrix } from './item-consensus';
import { jensenShannon } from './jensen-shannon';
import { majorityVote } from './majority-vote';

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** An annotator's statistics over the items it labeled. */
export interface AnnotatorColumnStats {
  itemsLabeled: number;
  agreementWithConsensus: number | null;
  goldN: number;
  goldAccuracy: number | null;
  goldLower: number | null;
  goldUpper: number | null;
}

/** How an annotator's recent labels differ from its earlier ones. */
export interface LabelDrift {
  /** Jensen–Shannon distance (base 2) between the recent and the earlier label counts; null when either is empty. */
  jsDistance: number | null;
  recent: number;
  before: number;
  /** Each class's share of the recent labels (empty without recent labels). */
  recentShares: Array<{ label: string; share: number }>;
}

/** A label count of one annotator, recent or before. */
export interface LabelMixInput {
  annotator_id: string;
  label: number;
  recent: boolean;
  n: number;
}

export interface AnnotatorStatistics {
  /** Per annotator of the table (a column). */
  byAnnotator: Map<string, AnnotatorColumnStats>;
  /** Kappa of each pair of annotators (ids) sharing at least one item, in column order. */
  kappa: Array<{ a: string; b: string; kappa: number | null; sharedItems: number }>;
  meanKappa: number | null;
  /** 'ITEM_CONSENSUS' when `jobConsensus` has labels (they are the consensus), else 'MAJORITY_VOTE' (computed here). */
  consensusSource: 'ITEM_CONSENSUS' | 'MAJORITY_VOTE';
}

/** The drift of an annotator without labels. */
export const noDrift = (): LabelDrift => ({ jsDistance: null, recent: 0, before: 0, recentShares: [] });

/**
 * Statistics of the annotators of `human` (items × annotators, NaN = no label): agreement with the consensus (the
 * consensus job's labels `jobConsensus` where there are any, else the majority vote), accuracy on `gold` with a 95 %
 * Wilson interval, and Cohen's kappa of every pair sharing items (the mean over pairs whose kappa is defined).
 */
export function annotatorStatistics(human: LabelTable, jobConsensus: ReadonlyMap<string, number>, gold: ReadonlyMap<string, number>): AnnotatorStatistics {
  const n = human.itemIds.length;
  const m = human.annotatorIds.length;
  let agreement: Float64Array | null = null;
  let kappaM: number[][] | null = null;
  let ga: ReturnType<typeof goldAccuracy> | null = null;
  const useJob = jobConsensus.size > 0;
  if (n > 0) {
    const L = tableMatrix(human);
    let consensus: Array<number | null>;
    if (useJob) consensus = human.itemIds.map((id) => jobConsensus.get(id) ?? null);
    else consensus = Array.from(majorityVote(L).labels);
    const aa = annotatorAgreement(L, { consensusLabel: consensus });
    agreement = aa.agreementWithConsensus;
    kappaM = aa.pairwiseKappa;
    ga = goldAccuracy(L, human.itemIds.map((id) => gold.get(id) ?? null));
  }
  // Shared items per pair, in one pass over the rows.
  const shared = new Int32Array(m * m);
  const labeledPerAnnotator = new Int32Array(m);
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    cols.length = 0;
    for (let j = 0; j < m; j++) if (!Number.isNaN(human.data[i * m + j])) cols.push(j);
    for (const a of cols) labeledPerAnnotator[a]++;
    for (let s = 0; s < cols.length; s++) for (let t = s + 1; t < cols.length; t++) shared[cols[s] * m + cols[t]]++;
  }
  const kappa: AnnotatorStatistics['kappa'] = [];
  let ksum = 0;
  let kn = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      const s = shared[a * m + b];
      if (s === 0) continue;
      const kv = fin(kappaM![a][b]);
      if (kv !== null) { ksum += kv; kn++; }
      kappa.push({ a: human.annotatorIds[a], b: human.annotatorIds[b], kappa: kv, sharedItems: s });
    }
  }
  const byAnnotator = new Map<string, AnnotatorColumnStats>();
  human.annotatorIds.forEach((id, j) => {
    const g = ga ? ga[j] : null;
    byAnnotator.set(id, {
      itemsLabeled: labeledPerAnnotator[j],
      agreementWithConsensus: agreement ? fin(agreement[j]) : null,
      goldN: g ? g.n : 0,
      goldAccuracy: g && g.n > 0 ? g.accuracy : null,
      goldLower: g && g.n > 0 ? g.lower : null,
      goldUpper: g && g.n > 0 ? g.upper : null,
    });
  });
  return { byAnnotator, kappa, meanKappa: kn > 0 ? ksum / kn : null, consensusSource: useJob ? 'ITEM_CONSENSUS' : 'MAJORITY_VOTE' };
}

/**
 * Label-distribution drift per annotator from its label counts (labels outside `classes` ignored): the
 * Jensen–Shannon distance (base 2) between its recent and earlier counts, and the recent class shares.
 */
export function labelDrift(mix: ReadonlyArray<LabelMixInput>, classes: readonly string[]): Map<string, LabelDrift> {
  const k = classes.length;
  const mixOf = new Map<string, { recent: Float64Array; before: Float64Array }>();
  for (const r of mix) {
    let e = mixOf.get(r.annotator_id);
    if (!e) mixOf.set(r.annotator_id, (e = { recent: new Float64Array(k), before: new Float64Array(k) }));
    if (r.label < k) (r.recent ? e.recent : e.before)[r.label] += r.n;
  }
  const sum = (v: Float64Array) => v.reduce((s, x) => s + x, 0);
  const out = new Map<string, LabelDrift>();
  for (const [id, e] of mixOf) {
    const recent = sum(e.recent);
    const before = sum(e.before);
    out.set(id, {
      jsDistance: recent > 0 && before > 0 ? jensenShannon(e.recent, e.before) : null,
      recent,
      before,
      recentShares: recent > 0 ? classes.map((label, c) => ({ label, share: e.recent[c] / recent })) : [],
    });
  }
  return out;
}
