/**
 * Item consensus from annotations, as a pure function of label tables: human votes through majority vote,
 * Dawid–Skene and (with model predictions) CROWDLAB, labeling-function votes through the label model; the method most
 * accurate on gold items is used for each scope, majority vote without gold. GOLD and REVIEW decide an item outright.
 * Also each annotator's quality and gold accuracy. No I/O: the consensus job loads the tables and writes the outcome,
 * and the computation runs on a compute thread.
 */
import { goldAccuracy } from './annotator-agreement';
import { dawidSkene } from './dawid-skene';
import { fitLabelModel } from './label-model';
import { majorityLabelVoter } from './majority-label-voter';
import { majorityVote } from './majority-vote';
import { multiannotatorLabelQuality } from './multiannotator';

/** How the consensus label of an item was decided. */
export type ConsensusMethodName = 'MAJORITY_VOTE' | 'DAWID_SKENE' | 'CROWDLAB' | 'LABEL_MODEL' | 'GOLD' | 'REVIEW';

/** Items × annotators labels (NaN = not labeled), items and annotators in a fixed order. */
export interface LabelTable {
  itemIds: string[];
  annotatorIds: string[];
  /** rows × cols row-major, NaN = missing (the quality library's missing value). */
  data: Float64Array;
}

export const tableMatrix = (t: LabelTable) => ({ rows: t.itemIds.length, cols: t.annotatorIds.length, data: t.data });

export interface MethodReport {
  method: ConsensusMethodName;
  /** HUMAN: aggregates of human annotations; WEAK: fusions of labeling-function votes. */
  scope: 'HUMAN' | 'WEAK';
  /** Items it labeled. */
  items: number;
  /** Gold items among them, and how many it got right. */
  goldN: number;
  goldCorrect: number;
  /** goldCorrect / goldN; null without gold items. */
  goldAccuracy: number | null;
  /** Whether its labels are the consensus of its scope. */
  used: boolean;
  /** Why it did not run (e.g. CROWDLAB without model predictions). */
  note: string | null;
}

export interface ConsensusOutcome {
  items: Array<{ itemId: string; label: number; confidence: number | null; method: ConsensusMethodName; majorityLabel: number | null; numAnnotations: number }>;
  annotators: Array<{
    annotatorId: string;
    quality: number | null;
    agreementWithConsensus: number | null;
    numLabeled: number;
    goldN: number;
    goldAccuracy: number | null;
    goldLower: number | null;
    goldUpper: number | null;
  }>;
  method: ConsensusMethodName;
  weakMethod: ConsensusMethodName | null;
  goldItems: number;
  /** Items whose consensus comes from labeling functions alone. */
  weakItems: number;
  methods: MethodReport[];
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

interface Candidate {
  method: ConsensusMethodName;
  labels: Int32Array;
  confidence: Float64Array;
}

/** Accuracy of `labels` (rows = `itemIds`) on gold; rows with label −1 do not count. */
function onGold(itemIds: string[], labels: Int32Array, gold: Map<string, number>): { n: number; correct: number } {
  let n = 0;
  let correct = 0;
  for (let i = 0; i < itemIds.length; i++) {
    const g = gold.get(itemIds[i]);
    if (g === undefined || labels[i] < 0) continue;
    n++;
    if (labels[i] === g) correct++;
  }
  return { n, correct };
}

/**
 * Picks the candidate most accurate on gold; majority vote (the first candidate) wins ties and is used when no
 * gold item is covered. Fills the reports.
 */
function pickBest(cands: Candidate[], itemIds: string[], gold: Map<string, number>, scope: 'HUMAN' | 'WEAK', reports: MethodReport[]): Candidate {
  let best = cands[0];
  let bestAcc = -1;
  const rs: MethodReport[] = [];
  for (const c of cands) {
    const g = onGold(itemIds, c.labels, gold);
    let items = 0;
    for (let i = 0; i < c.labels.length; i++) if (c.labels[i] >= 0) items++;
    const acc = g.n > 0 ? g.correct / g.n : null;
    rs.push({ method: c.method, scope, items, goldN: g.n, goldCorrect: g.correct, goldAccuracy: acc, used: false, note: null });
    if (acc !== null && acc > bestAcc + 1e-12) {
      best = c;
      bestAcc = acc;
    }
  }
  rs[cands.indexOf(best)].used = true;
  reports.push(...rs);
  return best;
}

function argmaxRows(rows: ReadonlyArray<ArrayLike<number>>, requireVote?: Int32Array): { labels: Int32Array; confidence: Float64Array } {
  const labels = new Int32Array(rows.length).fill(-1);
  const confidence = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    if (requireVote && requireVote[i] === 0) return;
    let b = 0;
    for (let k = 1; k < r.length; k++) if (r[k] > r[b]) b = k;
    labels[i] = b;
    confidence[i] = r[b];
  });
  return { labels, confidence };
}

/**
 * Item consensus and annotator quality from everything known about a project:
 * - human annotations (latest per item × annotator) → majority vote, Dawid–Skene, and CROWDLAB when `predProbs`
 *   covers every human-labeled item; the one most accurate on gold is used (majority vote on ties and without gold);
 * - labeling-function votes on items without a human label → Snorkel-style majority vote and the label model, the
 *   better on gold used the same way;
 * - a REVIEW decides an item outright, then a GOLD label, then the aggregates above.
 * Annotator quality: the chosen method's estimate (CROWDLAB annotator quality; Dawid–Skene prior-weighted
 * confusion diagonal; otherwise agreement with the consensus), agreement with the final consensus, and accuracy on
 * gold with a 95 % Wilson interval. Labeling functions: the label model's accuracy estimate.
 */
export function computeConsensus(input: {
  k: number;
  human: LabelTable;
  weak: LabelTable;
  gold: Map<string, number>;
  review: Map<string, number>;
  predProbs: Map<string, Float64Array> | null;
}): ConsensusOutcome {
  const { k, human, weak, gold, review } = input;
  const methods: MethodReport[] = [];
  const final = new Map<string, { label: number; confidence: number | null; method: ConsensusMethodName; majorityLabel: number | null; numAnnotations: number }>();
  const nH = human.itemIds.length;
  const mH = human.annotatorIds.length;

  // 1. Human aggregates.
  let method: ConsensusMethodName = 'MAJORITY_VOTE';
  let humanBest: Candidate | null = null;
  let humanQuality: Float64Array | null = null;
  const counts = new Int32Array(nH);
  for (let i = 0; i < nH; i++) for (let j = 0; j < mH; j++) if (!Number.isNaN(human.data[i * mH + j])) counts[i]++;
  if (nH > 0) {
    const L = tableMatrix(human);
    const mv = majorityVote(L);
    const cands: Candidate[] = [{ method: 'MAJORITY_VOTE', labels: mv.labels, confidence: mv.voteShare }];
    const ds = dawidSkene(L, { numClasses: k });
    const dsArg = argmaxRows(ds.posteriors);
    cands.push({ method: 'DAWID_SKENE', labels: ds.labels, confidence: dsArg.confidence });
    const dsQuality = new Float64Array(mH);
    for (let j = 0; j < mH; j++) for (let c = 0; c < k; c++) dsQuality[j] += ds.classPriors[c] * ds.confusion[j][c][c];
    let crowdlabNote: string | null = null;
    let crowdlab: ReturnType<typeof multiannotatorLabelQuality> | null = null;
    const pp = input.predProbs;
    if (!pp) crowdlabNote = 'no model predictions';
    else if (human.itemIds.some((id) => !pp.has(id))) crowdlabNote = 'the latest model version has no predictions for some human-labeled items';
    else {
      const P = new Float64Array(nH * k);
      human.itemIds.forEach((id, i) => P.set(pp.get(id)!, i * k));
      try {
        crowdlab = multiannotatorLabelQuality(L, { rows: nH, cols: k, data: P });
        cands.push({ method: 'CROWDLAB', labels: crowdlab.consensusLabel, confidence: crowdlab.consensusQualityScore });
      } catch (e) {
        crowdlabNote = (e as Error).message;
      }
    }
    humanBest = pickBest(cands, human.itemIds, gold, 'HUMAN', methods);
    if (crowdlabNote !== null) methods.push({ method: 'CROWDLAB', scope: 'HUMAN', items: 0, goldN: 0, goldCorrect: 0, goldAccuracy: null, used: false, note: crowdlabNote });
    method = humanBest.method;
    if (method === 'DAWID_SKENE') humanQuality = dsQuality;
    else if (method === 'CROWDLAB' && crowdlab) {
      humanQuality = new Float64Array(mH).fill(NaN);
      for (const s of crowdlab.annotatorStats) humanQuality[s.annotator] = s.annotatorQuality;
    }
    for (let i = 0; i < nH; i++) {
      final.set(human.itemIds[i], {
        label: humanBest.labels[i],
        confidence: fin(humanBest.confidence[i]),
        method,
        majorityLabel: mv.labels[i],
        numAnnotations: counts[i],
      });
    }
  }

  // 2. Weak sources on items without a human label.
  let weakMethod: ConsensusMethodName | null = null;
  let weakItems = 0;
  let lfAccuracies: Float64Array | null = null;
  const mW = weak.annotatorIds.length;
  const weakRows: number[] = [];
  for (let i = 0; i < weak.itemIds.length; i++) {
    if (final.has(weak.itemIds[i])) continue;
    for (let j = 0; j < mW; j++) if (weak.data[i * mW + j] >= 0) { weakRows.push(i); break; }
  }
  if (mW > 0 && weak.itemIds.length > 0) {
    const Lw = { rows: weak.itemIds.length, cols: mW, data: weak.data };
    const lm = fitLabelModel(Lw, k, { seed: 0 });
    lfAccuracies = Float64Array.from(lm.lfAccuracies);
    if (weakRows.length > 0) {
      const sub = new Float64Array(weakRows.length * mW);
      weakRows.forEach((i, r) => sub.set(weak.data.subarray(i * mW, (i + 1) * mW), r * mW));
      const Ls = { rows: weakRows.length, cols: mW, data: sub };
      const ids = weakRows.map((i) => weak.itemIds[i]);
      const mvw = argmaxRows(majorityLabelVoter(Ls, k).predictProba);
      const lmw = argmaxRows(lm.predictProba(Ls));
      const best = pickBest(
        [
          { method: 'MAJORITY_VOTE', labels: mvw.labels, confidence: mvw.confidence },
          { method: 'LABEL_MODEL', labels: lmw.labels, confidence: lmw.confidence },
        ],
        ids,
        gold,
        'WEAK',
        methods,
      );
      weakMethod = best.method;
      weakItems = ids.length;
      ids.forEach((id, r) => {
        let votes = 0;
        for (let j = 0; j < mW; j++) if (sub[r * mW + j] >= 0) votes++;
        final.set(id, { label: best.labels[r], confidence: fin(best.confidence[r]), method: best.method, majorityLabel: mvw.labels[r], numAnnotations: votes });
      });
    }
  }

  // 3. Gold, then REVIEW, decide outright.
  for (const [id, label] of gold) {
    const f = final.get(id);
    final.set(id, { label, confidence: 1, method: 'GOLD', majorityLabel: f?.majorityLabel ?? null, numAnnotations: f?.numAnnotations ?? 0 });
  }
  for (const [id, label] of review) {
    const f = final.get(id);
    final.set(id, { label, confidence: 1, method: 'REVIEW', majorityLabel: f?.majorityLabel ?? null, numAnnotations: f?.numAnnotations ?? 0 });
  }

  // 4. Annotator quality.
  const annotators: ConsensusOutcome['annotators'] = [];
  const rate = (t: LabelTable, missing: (v: number) => boolean, quality: (j: number) => number | null) => {
    const m = t.annotatorIds.length;
    if (m === 0 || t.itemIds.length === 0) return;
    const goldVec = t.itemIds.map((id) => gold.get(id) ?? null);
    const L = { rows: t.itemIds.length, cols: m, data: missing === isAbstain ? t.data.map((v) => (v < 0 ? NaN : v)) : t.data };
    const ga = goldAccuracy(L, goldVec);
    for (let j = 0; j < m; j++) {
      let seen = 0;
      let agree = 0;
      let labeled = 0;
      for (let i = 0; i < t.itemIds.length; i++) {
        const v = t.data[i * m + j];
        if (missing(v)) continue;
        labeled++;
        const f = final.get(t.itemIds[i]);
        if (!f) continue;
        seen++;
        if (f.label === v) agree++;
      }
      annotators.push({
        annotatorId: t.annotatorIds[j],
        quality: quality(j),
        agreementWithConsensus: seen > 0 ? agree / seen : null,
        numLabeled: labeled,
        goldN: ga[j].n,
        goldAccuracy: fin(ga[j].accuracy),
        goldLower: ga[j].n > 0 ? ga[j].lower : null,
        goldUpper: ga[j].n > 0 ? ga[j].upper : null,
      });
    }
  };
  const before = annotators.length;
  rate(human, Number.isNaN, (j) => (humanQuality ? fin(humanQuality[j]) : null));
  // Majority vote: an annotator's quality is its agreement with the consensus.
  if (!humanQuality) for (let t = before; t < annotators.length; t++) annotators[t].quality = annotators[t].agreementWithConsensus;
  rate(weak, isAbstain, (j) => (lfAccuracies ? fin(lfAccuracies[j]) : null));

  return {
    items: [...final].map(([itemId, f]) => ({ itemId, ...f })),
    annotators,
    method,
    weakMethod,
    goldItems: gold.size,
    weakItems,
    methods,
  };
}

const isAbstain = (v: number): boolean => v < 0;
