/**
 * Random baseline and relabel-or-new. Relabel-or-new ranks cleanlab 2.9's ActiveLab scores
 * (`get_active_learning_scores`, test/fixtures/multiannotator_*.json, README §2) and must equal the lowest
 * scores of their concatenation.
 */
import { randomSelect, relabelOrNew } from '../../src/sampling';
import { findCalls, loadFixture } from '../helpers/fixtures';

describe('randomSelect', () => {
  test('distinct rows among the candidates; same seed → same sample; other seeds differ', () => {
    const a = randomSelect(100, { size: 30, seed: 1 });
    expect(new Set(a).size).toBe(30);
    expect(Array.from(a).every((i) => i >= 0 && i < 100)).toBe(true);
    expect(randomSelect(100, { size: 30, seed: 1 })).toEqual(a);
    expect(randomSelect(100, { size: 30, seed: 2 })).not.toEqual(a);
    const c = randomSelect(100, { size: 30, seed: 3, candidates: [5, 6, 7] });
    expect(Array.from(c).sort()).toEqual([5, 6, 7]);
    const mask = new Uint8Array(100);
    mask[42] = 1;
    expect(Array.from(randomSelect(100, { size: 2, candidates: mask }))).toEqual([42]);
  });
  test('uniform: each of 10 rows drawn ≈ 1/10 of the time', () => {
    const counts = new Array(10).fill(0);
    for (let s = 0; s < 5000; s++) counts[randomSelect(10, { size: 1, seed: s })[0]]++;
    for (const c of counts) { expect(c).toBeGreaterThan(400); expect(c).toBeLessThan(600); }
  });
  test('errors', () => {
    expect(() => randomSelect(-1, { size: 1 })).toThrow('randomSelect: n must be a non-negative integer');
    expect(() => randomSelect(5, { size: 1.5 })).toThrow('randomSelect: options.size must be a positive integer');
    expect(() => randomSelect(5, { size: 1, seed: NaN })).toThrow('randomSelect: options.seed must be a finite number');
    expect(() => randomSelect(5, { size: 1, candidates: [9] })).toThrow('randomSelect: options.candidates index 0 is 9');
  });
});

describe('relabelOrNew', () => {
  interface Fx { calls: Array<{ function: string; kwargs: Record<string, unknown>; result: { active_learning_scores: number[]; active_learning_scores_unlabeled: number[] } }> }
  test.each(['multiannotator_k3_n300_m5.json', 'multiannotator_k4_n800_m8.json'])('%s: the lowest ActiveLab scores across both sets', (file) => {
    const fx = loadFixture<Fx>(file);
    const [call] = findCalls(fx, 'cleanlab.multiannotator.get_active_learning_scores', { labels_multiannotator: '<inputs.labels_multiannotator>' }) as Fx['calls'];
    const a = call.result.active_learning_scores;
    const b = call.result.active_learning_scores_unlabeled;
    const all = [...a.map((s, i) => ({ s, relabel: 1, i })), ...b.map((s, i) => ({ s, relabel: 0, i }))];
    all.sort((x, y) => x.s - y.s || y.relabel - x.relabel || x.i - y.i);
    for (const size of [1, 10, 50]) {
      const r = relabelOrNew(a, b, { size });
      const ref = all.slice(0, size);
      expect(Array.from(r.indices)).toEqual(ref.map((x) => x.i));
      expect(Array.from(r.relabel)).toEqual(ref.map((x) => x.relabel));
      expect(Array.from(r.scores)).toEqual(ref.map((x) => x.s));
    }
    // both kinds actually compete in these fixtures
    const r = relabelOrNew(a, b, { size: 50 });
    expect(r.relabel.includes(1)).toBe(true);
    expect(r.relabel.includes(0)).toBe(true);
  });
  test('hand-checked ties (annotated first, then lower index) and candidate restrictions', () => {
    const r = relabelOrNew([0.5, 0.2, 0.9], [0.2, 0.1], { size: 4 });
    expect(Array.from(r.indices)).toEqual([1, 1, 0, 0]);
    expect(Array.from(r.relabel)).toEqual([0, 1, 0, 1]);
    const c = relabelOrNew([0.5, 0.2, 0.9], [0.2, 0.1], { size: 2, labeledCandidates: [0, 2], unlabeledCandidates: new Uint8Array([1, 0]) });
    expect(Array.from(c.indices)).toEqual([0, 0]);
    expect(Array.from(c.relabel)).toEqual([0, 1]);
    expect(Array.from(c.scores)).toEqual([0.2, 0.5]);
  });
  test('inputs not modified; errors', () => {
    const a = new Float64Array([0.3, 0.1]);
    const b = [0.2];
    relabelOrNew(a, b, { size: 3 });
    expect(Array.from(a)).toEqual([0.3, 0.1]);
    expect(b).toEqual([0.2]);
    expect(() => relabelOrNew([NaN], [], { size: 1 })).toThrow('relabelOrNew: activeLearningScores entry 0 is not a finite number');
    expect(() => relabelOrNew([0.1], null as never, { size: 1 })).toThrow('relabelOrNew: activeLearningScoresUnlabeled must be number[]');
    expect(() => relabelOrNew([0.1], [], { size: 1, labeledCandidates: [3] })).toThrow('relabelOrNew: options.labeledCandidates index 0 is 3');
  });
});
