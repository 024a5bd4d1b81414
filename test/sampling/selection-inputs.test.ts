/** Committee matrices over the project's classes and ActiveLab inputs of RELABEL_OR_NEW, hand-checked. */
import { committeeMatrices, labeledPoolRows, relabelInputs } from '../../src/sampling/selection-inputs';
import { activeLabScores } from '../../src/quality/active-lab';

describe('committeeMatrices', () => {
  test('members over the project classes; rows without votes repeat predProbs', () => {
    // version classes [b, a]; project classes [a, b, c] (c appended since)
    const committee = new Map([['x', Float32Array.from([0.25, 0.75, 0.5, 0.5])]]);
    const predProbs = Float32Array.from([0.1, 0.2, 0.7, 0.3, 0.3, 0.4]);
    const m = committeeMatrices({ classes: ['b', 'a'], committee, members: 2 }, ['a', 'b', 'c'], ['x', 'y'], predProbs);
    expect(m).toHaveLength(2);
    expect(Array.from(m[0].data)).toEqual([0.75, 0.25, 0, ...Array.from(predProbs.subarray(3))]);
    expect(Array.from(m[1].data)).toEqual([0.5, 0.5, 0, ...Array.from(predProbs.subarray(3))]);
    expect(Array.from(predProbs)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.7, 0.3, 0.3, 0.4])));
  });
});

describe('relabelInputs', () => {
  test('labeled and unlabeled pool rows on one ActiveLab scale; rows outside the pool get 1', () => {
    const ids = ['u', 'l', 'out'];
    const votes = new Map([['l', 2]]);
    const predProbs = Float32Array.from([0.5, 0.5, 0.9, 0.1, 0.2, 0.8]);
    const pool = [0, 1];
    expect(labeledPoolRows(ids, pool, votes)).toEqual([1]);
    const r = relabelInputs(ids, pool, votes, predProbs, 2, [{ id: 'l', voters: 'ann1:ann2', labels: '0:1' }]);
    const ref = activeLabScores({ rows: 1, cols: 2, data: Float64Array.from([0, 1]) }, { rows: 1, cols: 2, data: Float64Array.from([0.9, 0.1].map((v) => Math.fround(v))) }, { rows: 1, cols: 2, data: Float64Array.from([0.5, 0.5]) });
    expect(r.activeLabScores[0]).toBeCloseTo(ref.scoresUnlabeled[0], 12);
    expect(r.activeLabScores[1]).toBeCloseTo(ref.scores[0], 12);
    expect(r.activeLabScores[2]).toBe(1);
    expect(Array.from(r.annotationCounts)).toEqual([0, 2, 0]);
  });
  test('no labeled rows: unlabeled scores only', () => {
    const r = relabelInputs(['u'], [0], new Map(), Float32Array.from([0.6, 0.4]), 2, []);
    const ref = activeLabScores(null, null, { rows: 1, cols: 2, data: Float64Array.from([0.6, 0.4].map((v) => Math.fround(v))) });
    expect(r.activeLabScores[0]).toBeCloseTo(ref.scoresUnlabeled[0], 12);
  });
});
