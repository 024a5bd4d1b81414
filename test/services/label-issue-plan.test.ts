import { encodeFloat32 } from '../../src/db/float32';
import { flaggedIssues, planIssueSet, scoringInputs } from '../../src/services/label-issue-plan';

const version = { id: 'v1', classes: ['a', 'b', 'c'] };
const row = (id: string, label: number, p: number[]) => ({ id, label, probs: encodeFloat32(Float32Array.from(p)) });

describe('scoringInputs', () => {
  test('without a version: empty inputs', () => {
    const s = scoringInputs(null, []);
    expect(s).toEqual({ version: null, itemIds: [], labels: new Int32Array(0), probs: new Float64Array(0), k: 0 });
  });

  test('labels in order, each probability row renormalised to sum to 1', () => {
    const s = scoringInputs(version, [row('x', 0, [2, 1, 1]), row('y', 2, [0.1, 0.1, 0.3])]);
    expect(s.version).toEqual(version);
    expect(s.itemIds).toEqual(['x', 'y']);
    expect(Array.from(s.labels)).toEqual([0, 2]);
    expect(s.k).toBe(3);
    for (let i = 0; i < 2; i++) expect(s.probs[i * 3] + s.probs[i * 3 + 1] + s.probs[i * 3 + 2]).toBeCloseTo(1, 6);
    expect(s.probs[0]).toBeCloseTo(0.5, 6);
    expect(s.probs[5]).toBeCloseTo(0.6, 6);
  });
});

describe('flaggedIssues', () => {
  const inputs = scoringInputs(version, [row('x', 0, [0.1, 0.7, 0.2]), row('y', 1, [0.2, 0.5, 0.3]), row('z', 2, [0.6, 0.1, 0.3])]);

  test('only flagged items; the suggestion is the most probable class, or the runner-up where that is the given label', () => {
    const out = flaggedIssues(inputs, Uint8Array.from([1, 1, 0]), Float64Array.from([0.1, 0.5, 0.3]));
    expect(out.map((f) => [f.itemId, f.given, f.suggested])).toEqual([
      ['x', 0, 1],
      ['y', 1, 2],
    ]);
    expect(out[0].score).toBeCloseTo(0.1, 12);
  });

  test('scores are clipped to [0, 1]', () => {
    const out = flaggedIssues(inputs, Uint8Array.from([1, 0, 1]), Float64Array.from([-0.5, 0, 1.5]));
    expect(out.map((f) => f.score)).toEqual([0, 1]);
  });
});

describe('planIssueSet', () => {
  const f = (itemId: string, suggested = 1) => ({ itemId, given: 0, suggested, score: 0.2 });

  test('open issues refresh, new items insert, unflagged open issues go stale', () => {
    const plan = planIssueSet([f('a'), f('b')], [{ id: 'ia', item_id: 'a' }, { id: 'ic', item_id: 'c' }], new Map(), new Map());
    expect(plan.refresh.map((r) => r.itemId)).toEqual(['a']);
    expect(plan.insert).toEqual([{ ...f('b'), reopenedFrom: null }]);
    expect(plan.stale).toEqual(['ic']);
    expect(plan.keptClosed).toBe(0);
  });

  test('a resolved issue stays closed unless a new annotation came or the suggestion changed', () => {
    const last = new Map([
      ['a', { id: 'ra', suggested_label: 1, votes_at_resolution: 2 }],
      ['b', { id: 'rb', suggested_label: 1, votes_at_resolution: 2 }],
      ['c', { id: 'rc', suggested_label: 1, votes_at_resolution: 2 }],
    ]);
    const votes = new Map([['a', 2], ['b', 3], ['c', 2]]);
    const plan = planIssueSet([f('a'), f('b'), f('c', 2)], [], last, votes);
    expect(plan.keptClosed).toBe(1);
    expect(plan.insert.map((r) => [r.itemId, r.reopenedFrom])).toEqual([
      ['b', 'rb'],
      ['c', 'rc'],
    ]);
    expect(plan.refresh).toEqual([]);
    expect(plan.stale).toEqual([]);
  });
});
