/**
 * CROWDLAB (multiannotatorLabelQuality) against cleanlab 2.9 `get_label_quality_multiannotator`
 * (test/fixtures/multiannotator_*.json, see test/fixtures/README.md §2).
 */
import { multiannotatorLabelQuality, MultiannotatorResult } from '../../src/quality/multiannotator';
import { QualityInputError } from '../../src/quality/matrix';
import { createRng } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

type Frame = { index: Array<number | string>; column_order: string[]; columns: Record<string, Array<number | null>> };
interface MaFixture {
  inputs: { K: number; N: number; M: number; annotator_ids: string[]; labels_multiannotator: Array<Array<number | null>>; pred_probs: number[][] };
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: Record<string, unknown> }>;
}
/** findCalls with the fixture's result type kept. */
function callsOf(fx: MaFixture, fn: string, match: Record<string, unknown> = {}): MaFixture['calls'] {
  return findCalls(fx, fn, match) as MaFixture['calls'];
}
const FN = 'cleanlab.multiannotator.get_label_quality_multiannotator';

function checkAnnotatorStats(res: MultiannotatorResult, frame: Frame, ids: string[]): void {
  expect(res.annotatorStats.map((s) => ids[s.annotator])).toEqual(frame.index);
  expectClose(res.annotatorStats.map((s) => s.annotatorQuality), frame.columns.annotator_quality, 1e-6);
  expectClose(res.annotatorStats.map((s) => s.agreementWithConsensus), frame.columns.agreement_with_consensus, 1e-6);
  expect(res.annotatorStats.map((s) => s.worstClass)).toEqual(frame.columns.worst_class);
  expect(res.annotatorStats.map((s) => s.numExamplesLabeled)).toEqual(frame.columns.num_examples_labeled);
}

function detailedColumns(res: MultiannotatorResult): number[][] {
  const { rows, cols, data } = res.detailedLabelQuality;
  const out: number[][] = [];
  for (let j = 0; j < cols; j++) {
    const col: number[] = [];
    for (let i = 0; i < rows; i++) col.push(data[i * cols + j]);
    out.push(col);
  }
  return out;
}

describe.each(['multiannotator_k3_n300_m5.json', 'multiannotator_k4_n800_m8.json'])('multiannotatorLabelQuality vs cleanlab: %s', (file) => {
  const fx = loadFixture<MaFixture>(file);
  const { labels_multiannotator: L, pred_probs: pp, annotator_ids: ids } = fx.inputs;

  test('defaults (best_quality, crowdlab): label_quality, detailed_label_quality, annotator_stats', () => {
    const call = callsOf(fx, FN, { verbose: false }).find((c) => Object.keys(c.kwargs).length === 2) as MaFixture['calls'][number];
    expect(call).toBeDefined();
    const res = multiannotatorLabelQuality(L, pp);
    const lq = call.result.label_quality as Frame;
    expect(Array.from(res.consensusLabel)).toEqual(lq.columns.consensus_label);
    expectClose(res.consensusQualityScore, lq.columns.consensus_quality_score, 1e-6);
    expectClose(res.annotatorAgreement, lq.columns.annotator_agreement, 1e-6);
    expect(Array.from(res.numAnnotations)).toEqual(lq.columns.num_annotations);
    const dq = call.result.detailed_label_quality as Frame;
    expect(dq.column_order).toEqual(ids.map((a) => `quality_annotator_${a}`));
    expectClose(detailedColumns(res), dq.column_order.map((c) => dq.columns[c]), 1e-6);
    checkAnnotatorStats(res, call.result.annotator_stats as Frame, ids);
  });

  test('return_weights: model_weight and annotator_weight', () => {
    const [call] = callsOf(fx, FN, { return_weights: true });
    const res = multiannotatorLabelQuality(L, pp, { consensusMethod: 'best_quality', qualityMethod: 'crowdlab' });
    expectClose(res.modelWeight, call.result.model_weight, 1e-6);
    expectClose(res.annotatorWeight, call.result.annotator_weight, 1e-6);
    checkAnnotatorStats(res, call.result.annotator_stats as Frame, ids);
  });

  test("consensusMethod 'majority_vote', qualityMethod 'agreement'", () => {
    const [call] = callsOf(fx, FN, { consensus_method: 'majority_vote', quality_method: 'agreement' });
    const res = multiannotatorLabelQuality(L, pp, { consensusMethod: 'majority_vote', qualityMethod: 'agreement' });
    const lq = call.result.label_quality as Frame;
    expect(Array.from(res.consensusLabel)).toEqual(lq.columns.consensus_label);
    expectClose(res.consensusQualityScore, lq.columns.consensus_quality_score, 1e-6);
    expectClose(res.annotatorAgreement, lq.columns.annotator_agreement, 1e-6);
    expect(res.modelWeight).toBeNull();
    checkAnnotatorStats(res, call.result.annotator_stats as Frame, ids);

    // detailed quality = share of the item's annotators who chose that label. cleanlab 2.9 computes the vote
    // counts of float labels with `value_counts`, which packs the counts of the classes present into positions
    // 0..u-1; its value is right only where the classes present in a row are exactly {0, …, u-1}. Compare there,
    // and check that the remaining reference values are exactly that packing (so the difference is explained).
    const dq = call.result.detailed_label_quality as Frame;
    const ours = detailedColumns(res);
    let compared = 0;
    let packed = 0;
    for (let i = 0; i < L.length; i++) {
      const present = [...new Set(L[i].filter((v): v is number => v !== null))].sort((a, b) => a - b);
      const counts = present.map((c) => L[i].filter((v) => v === c).length);
      const n = counts.reduce((a, b) => a + b, 0);
      const isPrefix = present.every((c, t) => c === t);
      for (let j = 0; j < ids.length; j++) {
        const ref = dq.columns[`quality_annotator_${ids[j]}`][i];
        const v = L[i][j];
        if (v === null) { expect(ref).toBeNull(); expect(Number.isNaN(ours[j][i])).toBe(true); continue; }
        expectClose(ours[j][i], counts[present.indexOf(v)] / n, 1e-12);
        if (isPrefix) { expectClose(ours[j][i], ref, 1e-6); compared++; } else {
          expectClose(ref, v < counts.length ? counts[v] / n : 0, 1e-12);
          packed++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
    expect(packed).toBeGreaterThan(0);
  });

  test("consensusMethod ['best_quality', 'majority_vote']: extra *_majority_vote columns", () => {
    const call = callsOf(fx, FN).find((c) => Array.isArray(c.kwargs.consensus_method)) as MaFixture['calls'][number];
    const res = multiannotatorLabelQuality(L, pp, { consensusMethod: ['best_quality', 'majority_vote'] });
    const lq = call.result.label_quality as Frame;
    expect(Array.from(res.consensusLabel)).toEqual(lq.columns.consensus_label);
    expectClose(res.consensusQualityScore, lq.columns.consensus_quality_score, 1e-6);
    const mv = res.otherConsensus.majority_vote;
    expect(mv).toBeDefined();
    expect(Array.from(mv!.consensusLabel)).toEqual(lq.columns.consensus_label_majority_vote);
    expectClose(mv!.consensusQualityScore, lq.columns.consensus_quality_score_majority_vote, 1e-6);
    expectClose(mv!.annotatorAgreement, lq.columns.annotator_agreement_majority_vote, 1e-6);
    checkAnnotatorStats(res, call.result.annotator_stats as Frame, ids);
  });

  test('inputs are not modified (number[][] and typed)', () => {
    const Lc = JSON.parse(JSON.stringify(L));
    const ppc = JSON.parse(JSON.stringify(pp));
    multiannotatorLabelQuality(Lc, ppc);
    expect(Lc).toEqual(L);
    expect(ppc).toEqual(pp);
    const n = L.length;
    const m = ids.length;
    const Ld = new Float64Array(n * m);
    L.forEach((r, i) => r.forEach((v, j) => { Ld[i * m + j] = v === null ? NaN : v; }));
    const Pd = new Float32Array(pp.flat());
    const Ld0 = Ld.slice();
    const Pd0 = Pd.slice();
    const typed = multiannotatorLabelQuality({ rows: n, cols: m, data: Ld }, { rows: n, cols: fx.inputs.K, data: Pd });
    expect(Array.from(Ld)).toEqual(Array.from(Ld0));
    expect(Array.from(Pd)).toEqual(Array.from(Pd0));
    // float32 probabilities give the same consensus almost everywhere and close scores
    expectClose(typed.consensusQualityScore, multiannotatorLabelQuality(L, pp).consensusQualityScore, 1e-5);
  });

  test('permuting items permutes the per-item outputs and keeps annotator stats', () => {
    const rng = createRng(7);
    const perm = Array.from({ length: L.length }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    const base = multiannotatorLabelQuality(L, pp);
    const res = multiannotatorLabelQuality(perm.map((i) => L[i]), perm.map((i) => pp[i]));
    expect(Array.from(res.consensusLabel)).toEqual(perm.map((i) => base.consensusLabel[i]));
    expectClose(res.consensusQualityScore, perm.map((i) => base.consensusQualityScore[i]), 1e-12);
    expectClose(res.annotatorAgreement, perm.map((i) => base.annotatorAgreement[i]), 1e-12);
    expect(res.annotatorStats.map((s) => s.annotator)).toEqual(base.annotatorStats.map((s) => s.annotator));
    expectClose(res.annotatorStats.map((s) => s.annotatorQuality), base.annotatorStats.map((s) => s.annotatorQuality), 1e-12);
  });

  test('permuting annotators relabels annotator stats and weights', () => {
    const m = ids.length;
    const colPerm = Array.from({ length: m }, (_, j) => m - 1 - j);
    const base = multiannotatorLabelQuality(L, pp);
    const res = multiannotatorLabelQuality(L.map((r) => colPerm.map((j) => r[j])), pp);
    expect(Array.from(res.consensusLabel)).toEqual(Array.from(base.consensusLabel));
    expectClose(res.annotatorWeight, colPerm.map((j) => base.annotatorWeight![j]), 1e-12);
    const byAnn = new Map(base.annotatorStats.map((s) => [s.annotator, s]));
    for (const s of res.annotatorStats) {
      const b = byAnn.get(colPerm[s.annotator])!;
      expectClose(s.annotatorQuality, b.annotatorQuality, 1e-12);
      expect(s.worstClass).toBe(b.worstClass);
    }
  });
});

describe('multiannotatorLabelQuality properties and edge cases', () => {
  const L = [[0, 0, null], [1, 1, 1], [0, 1, 0], [1, null, 1], [0, 0, 1], [1, 0, null]];
  const pp = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.7, 0.3], [0.4, 0.6]];

  test('K = 2: scores in [0, 1], unanimous items with an agreeing model score high', () => {
    const res = multiannotatorLabelQuality(L, pp);
    expect(Array.from(res.consensusLabel)).toEqual([0, 1, 0, 1, 0, 1]);
    for (const v of res.consensusQualityScore) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
    expect(res.consensusQualityScore[1]).toBeGreaterThan(res.consensusQualityScore[5]);
    expect(Array.from(res.numAnnotations)).toEqual([2, 3, 3, 2, 3, 2]);
    expect(res.annotatorStats).toHaveLength(3);
    for (const s of res.annotatorStats) expect(Number.isFinite(s.annotatorQuality)).toBe(true);
    // posterior rows sum to 1: detailed quality of two annotators disagreeing on item 2 sums to 1 (K = 2)
    const d = res.detailedLabelQuality.data;
    expectClose(d[2 * 3 + 0] + d[2 * 3 + 1], 1, 1e-12);
  });

  test('a class with no labels (K = 3 probabilities, labels only 0/1) gives finite scores', () => {
    const pp3 = pp.map(([a, b]) => [a * 0.9, b * 0.9, 0.1]);
    const res = multiannotatorLabelQuality(L, pp3);
    for (const v of res.consensusQualityScore) expect(Number.isFinite(v)).toBe(true);
    for (const s of res.annotatorStats) expect(s.worstClass).toBeLessThan(2);
  });

  test('perfect annotators and model: consensus = labels, agreement 1', () => {
    const truth = [0, 1, 2, 0, 1, 2, 2, 1];
    const Lp = truth.map((t) => [t, t, t]);
    const ppp = truth.map((t) => [0, 1, 2].map((q) => (q === t ? 0.98 : 0.01)));
    const res = multiannotatorLabelQuality(Lp, ppp);
    expect(Array.from(res.consensusLabel)).toEqual(truth);
    expect(Array.from(res.annotatorAgreement)).toEqual(truth.map(() => 1));
    for (const s of res.annotatorStats) expect(s.agreementWithConsensus).toBe(1);
  });

  test('clear errors naming the function and argument', () => {
    const fn = (l: unknown, p: unknown, o?: unknown) => () => multiannotatorLabelQuality(l as never, p as never, o as never);
    expect(fn(L, pp.map((r, i) => (i === 3 ? [NaN, 1] : r)))).toThrow(/multiannotatorLabelQuality: predProbs row 3 column 0 is not a finite number/);
    expect(fn(L, pp.map((r, i) => (i === 2 ? [0.6, 0.6] : r)))).toThrow(/multiannotatorLabelQuality: predProbs row 2 does not sum to 1/);
    expect(fn(L.map((r, i) => (i === 4 ? [0, 2, 1] : r)), pp)).toThrow(/multiannotatorLabelQuality: labelsMulti row 4 column 1 is 2, not a class index in 0\.\.1/);
    expect(fn(L.map((r, i) => (i === 1 ? [1, 1] : r)), pp)).toThrow(/multiannotatorLabelQuality: labelsMulti is ragged: row 1/);
    expect(fn(L, [[1, 0], [0, 1]])).toThrow(/multiannotatorLabelQuality: predProbs has 2 rows but labelsMulti has 6/);
    expect(fn(L.map((r, i) => (i === 5 ? [null, null, null] : r)), pp)).toThrow(/multiannotatorLabelQuality: labelsMulti row 5 has no labels/);
    expect(fn(L.map((r) => [r[0], r[1], null]), pp)).toThrow(/multiannotatorLabelQuality: labelsMulti column 2 \(annotator 2\) has no labels/);
    expect(fn(L.map((r) => [r[0]]), pp)).toThrow(/multiannotatorLabelQuality: labelsMulti must have at least 2 annotator columns/);
    expect(fn([[0, null], [null, 1]], [[1, 0], [0, 1]])).toThrow(/multiannotatorLabelQuality: labelsMulti has only one label per item/);
    expect(fn(L, pp, { consensusMethod: 'dawid_skene' })).toThrow(/multiannotatorLabelQuality: consensusMethod 'dawid_skene' is not one of/);
    expect(fn(L, pp, { qualityMethod: 'foo' })).toThrow(/multiannotatorLabelQuality: qualityMethod 'foo' is not one of/);
    expect(fn(L, pp.map(() => [1]))).toThrow(/multiannotatorLabelQuality: predProbs must have at least 2 columns/);
    expect(fn(L, pp.map((r, i) => (i === 0 ? [1.2, -0.2] : r)))).toThrow(QualityInputError);
  });
});
