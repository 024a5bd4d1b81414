/**
 * Dataset label health against cleanlab 2.9.0 (`cleanlab.dataset.*`, every recorded call in
 * test/fixtures/cleanlab_*.json; README §1; DataFrames stored column-wise), plus properties.
 */
import {
  ClassLabelQuality, findOverlappingClasses, labelHealthSummary, OverlappingClasses, overallLabelHealthScore, rankClassesByLabelQuality,
} from '../../src/quality/health-summary';
import { estimateJoint, numLabelIssues } from '../../src/quality/confident-joint';
import { expectClose } from '../helpers/fixtures';
import { CLEANLAB_CASES, callRows, cleanlabFixture, expectSortedRowsMatch } from './cl-helpers';

interface Frame { index: number[]; column_order: string[]; columns: Record<string, Array<number | null>> }

function frameRows(f: Frame): Array<Record<string, number>> {
  return f.index.map((_, r) => Object.fromEntries(f.column_order.map((c) => [c, f.columns[c][r] ?? NaN])));
}

function expectClassesMatch(actual: ClassLabelQuality[], frame: Frame): void {
  const exp = frameRows(frame);
  expect(frame.column_order).toEqual(['Class Index', 'Label Issues', 'Inverse Label Issues', 'Label Noise', 'Inverse Label Noise', 'Label Quality Score']);
  expectSortedRowsMatch(actual, exp.map((e) => ({
    class: e['Class Index'], labelIssues: e['Label Issues'], inverseLabelIssues: e['Inverse Label Issues'],
    labelNoise: e['Label Noise'], inverseLabelNoise: e['Inverse Label Noise'], labelQualityScore: e['Label Quality Score'],
  })), (r) => r.labelQualityScore, (r) => String(r.class), 1e-9);
  const byClass = new Map(exp.map((e) => [e['Class Index'], e]));
  for (const a of actual) {
    const e = byClass.get(a.class) as Record<string, number>;
    expect([a.labelIssues, a.inverseLabelIssues]).toEqual([e['Label Issues'], e['Inverse Label Issues']]);
    expectClose([a.labelNoise, a.inverseLabelNoise, a.labelQualityScore], [e['Label Noise'], e['Inverse Label Noise'], e['Label Quality Score']], 1e-6);
  }
}

function expectOverlapMatch(actual: OverlappingClasses[], frame: Frame): void {
  expect(frame.column_order).toEqual(['Class Index A', 'Class Index B', 'Num Overlapping Examples', 'Joint Probability']);
  const exp = frameRows(frame).map((e) => ({
    classA: e['Class Index A'], classB: e['Class Index B'], numOverlapping: e['Num Overlapping Examples'], jointProbability: e['Joint Probability'],
  }));
  // pairs with (nearly) equal joint probability may come in any order (pandas sorts with numpy quicksort)
  expectSortedRowsMatch(actual, exp, (r) => r.jointProbability, (r) => `${r.classA},${r.classB}`, 1e-9);
  const byPair = new Map(exp.map((e) => [`${e.classA},${e.classB}`, e]));
  for (const a of actual) {
    const e = byPair.get(`${a.classA},${a.classB}`) as OverlappingClasses;
    expect(a.numOverlapping).toBe(e.numOverlapping);
    expectClose(a.jointProbability, e.jointProbability, 1e-6);
  }
}

describe.each(CLEANLAB_CASES)('cleanlab fixture %s', (file) => {
  const fx = cleanlabFixture(file);
  const { labels, pred_probs: predProbs } = fx.inputs;

  test.each(callRows(fx, ['cleanlab.dataset.']))('%s', (_title, call) => {
    switch (call.function) {
      case 'cleanlab.dataset.rank_classes_by_label_quality':
        expectClassesMatch(rankClassesByLabelQuality(labels, predProbs), call.result as Frame);
        break;
      case 'cleanlab.dataset.find_overlapping_classes':
        expectOverlapMatch(findOverlappingClasses(labels, predProbs, { asymmetric: call.kwargs.asymmetric as boolean }), call.result as Frame);
        break;
      case 'cleanlab.dataset.overall_label_health_score':
        expectClose(overallLabelHealthScore(labels, predProbs), call.result, 1e-9);
        break;
      case 'cleanlab.dataset.health_summary': {
        const exp = call.result as { overall_label_health_score: number; joint: number[][]; classes_by_label_quality: Frame; overlapping_classes: Frame };
        const s = labelHealthSummary(labels, predProbs);
        expectClose(s.overallLabelHealthScore, exp.overall_label_health_score, 1e-9);
        expectClose(s.joint, exp.joint, 1e-12);
        expectClassesMatch(s.classesByLabelQuality, exp.classes_by_label_quality);
        expectOverlapMatch(s.overlappingClasses, exp.overlapping_classes);
        break;
      }
      default:
        throw new Error(`unhandled ${call.function}`);
    }
  });
});

describe('labelHealthSummary properties', () => {
  const fx = cleanlabFixture('cleanlab_k4_n5000_blobs.json');
  const { labels, pred_probs: predProbs } = fx.inputs;

  test('consistency: health score, class rows and pairs add up', () => {
    const s = labelHealthSummary(labels, predProbs);
    const j = s.joint;
    const k = j.length;
    expectClose(s.overallLabelHealthScore, 1 - numLabelIssues(labels, predProbs) / labels.length, 1e-15);
    expect(s.overallLabelHealthScore).toBe(overallLabelHealthScore(labels, predProbs));
    const trace = j.reduce((a, row, i) => a + row[i], 0);
    expect(s.classesByLabelQuality.map((c) => c.class).sort()).toEqual([0, 1, 2, 3]);
    for (const c of s.classesByLabelQuality) expectClose(c.labelQualityScore, 1 - c.labelNoise, 1e-15);
    for (let i = 1; i < k; i++) expect(s.classesByLabelQuality[i].labelQualityScore).toBeGreaterThanOrEqual(s.classesByLabelQuality[i - 1].labelQualityScore);
    expect(s.overlappingClasses.length).toBe((k * (k - 1)) / 2);
    const asym = findOverlappingClasses(labels, predProbs, { asymmetric: true });
    expect(asym.length).toBe(k * (k - 1));
    const offDiag = j.flat().reduce((a, b) => a + b, 0) - trace;
    expectClose(s.overlappingClasses.reduce((a, r) => a + r.jointProbability, 0), offDiag, 1e-12);
    expect(s.joint).toEqual(estimateJoint(labels, predProbs));
  });

  test('perfect predictions: health 1, no label issues, no overlap', () => {
    const l = [0, 1, 2, 2, 1, 0, 1];
    const p = l.map((y) => [0, 1, 2].map((c) => (c === y ? 1 : 0)));
    const s = labelHealthSummary(l, p);
    expect(s.overallLabelHealthScore).toBe(1);
    for (const c of s.classesByLabelQuality) { expect(c.labelIssues).toBe(0); expect(c.labelQualityScore).toBe(1); }
    for (const o of s.overlappingClasses) expect(o.jointProbability).toBe(0);
  });

  test('a class with no examples gets zero noise and sorts last', () => {
    const l = [0, 0, 1, 1, 0, 1];
    const p = [[0.9, 0.05, 0.05], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.4, 0.5, 0.1], [0.6, 0.3, 0.1]];
    const ranked = rankClassesByLabelQuality(l, p);
    expect(ranked[2]).toEqual({ class: 2, labelIssues: 0, inverseLabelIssues: 0, labelNoise: 0, inverseLabelNoise: 0, labelQualityScore: 1 });
    const s = labelHealthSummary(l, p);
    expect(s.joint[2]).toEqual([0, 0, 0]);
    for (const row of s.joint) expect(row[2]).toBe(0);
  });

  test('inputs are not modified and permuting examples changes nothing', () => {
    const l = [...labels];
    const p = predProbs.map((r) => [...r]);
    const s1 = labelHealthSummary(l, p);
    expect(l).toEqual(labels);
    expect(p).toEqual(predProbs);
    const perm = l.map((_, i) => (i * 7919) % l.length); // 7919 is prime, coprime with N = 5000
    const s2 = labelHealthSummary(perm.map((i) => l[i]), perm.map((i) => p[i]));
    expect(s2).toEqual(s1);
  });

  test('clear errors naming function and argument', () => {
    expect(() => labelHealthSummary([0, 1], [[0.5, 0.5], [NaN, 1]])).toThrow(/^labelHealthSummary: predProbs row 1 column 0 is not a finite number/);
    expect(() => labelHealthSummary([0, 1], [[0.5, 0.6], [0, 1]])).toThrow(/^labelHealthSummary: predProbs row 0 does not sum to 1/);
    expect(() => labelHealthSummary([0, 3], [[0.5, 0.5], [0, 1]])).toThrow(/^labelHealthSummary: labels index 1 is 3/);
    expect(() => labelHealthSummary([0, 1], [[0.5, 0.5], [1, 0, 0]])).toThrow(/^labelHealthSummary: predProbs is ragged/);
    expect(() => rankClassesByLabelQuality([0, 1], [[0.5, 0.5]])).toThrow(/^rankClassesByLabelQuality: labels has length 2 but predProbs has 1 rows/);
    expect(() => findOverlappingClasses([0], [[-0.5, 1.5]])).toThrow(/^findOverlappingClasses: predProbs row 0 column 0 is negative/);
    expect(() => overallLabelHealthScore([0.5], [[0.5, 0.5]])).toThrow(/^overallLabelHealthScore: labels index 0/);
  });
});
