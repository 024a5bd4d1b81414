/**
 * majorityVote against cleanlab 2.9 `get_majority_vote_label` (test/fixtures/multiannotator_*.json, README §2).
 */
import { majorityVote } from '../../src/quality/majority-vote';
import { createRng } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface MaFixture {
  inputs: { K: number; labels_multiannotator: Array<Array<number | null>>; pred_probs: number[][] };
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: unknown }>;
}
/** findCalls with the fixture's result type kept. */
function callsOf(fx: MaFixture, fn: string, match: Record<string, unknown> = {}): MaFixture['calls'] {
  return findCalls(fx, fn, match) as MaFixture['calls'];
}
const FN = 'cleanlab.multiannotator.get_majority_vote_label';

function voteShares(L: Array<Array<number | null>>, labels: ArrayLike<number>): number[] {
  return L.map((r, i) => r.filter((v) => v === labels[i]).length / r.filter((v) => v !== null).length);
}

describe.each(['multiannotator_k3_n300_m5.json', 'multiannotator_k4_n800_m8.json'])('majorityVote vs cleanlab: %s', (file) => {
  const fx = loadFixture<MaFixture>(file);
  const { labels_multiannotator: L, pred_probs: pp } = fx.inputs;

  test('without predProbs (ties → least frequent class overall)', () => {
    const call = callsOf(fx, FN).find((c) => !('pred_probs' in c.kwargs))!;
    const res = majorityVote(L);
    expect(Array.from(res.labels)).toEqual(call.result);
    expectClose(res.voteShare, voteShares(L, res.labels), 1e-12);
  });

  test('with predProbs (ties → highest predicted probability)', () => {
    const [call] = callsOf(fx, FN, { pred_probs: '<inputs.pred_probs>' });
    const res = majorityVote(L, { predProbs: pp });
    expect(Array.from(res.labels)).toEqual(call.result);
    // voteShare = cleanlab's annotator_agreement for the majority-vote consensus
    const agreementCall = callsOf(fx, 'cleanlab.multiannotator.get_label_quality_multiannotator', { consensus_method: 'majority_vote' })[0];
    const lq = (agreementCall.result as { label_quality: { columns: Record<string, number[]> } }).label_quality;
    expectClose(res.voteShare, lq.columns.annotator_agreement, 1e-12);
  });

  test('typed input (Float64Array with NaN, Float32Array predProbs) gives the same answer and is not modified', () => {
    const n = L.length;
    const m = L[0].length;
    const data = new Float64Array(n * m);
    L.forEach((r, i) => r.forEach((v, j) => { data[i * m + j] = v === null ? NaN : v; }));
    const p32 = new Float32Array(pp.flat());
    const data0 = data.slice();
    const p0 = p32.slice();
    const res = majorityVote({ rows: n, cols: m, data }, { predProbs: { rows: n, cols: fx.inputs.K, data: p32 } });
    expect(Array.from(data)).toEqual(Array.from(data0));
    expect(Array.from(p32)).toEqual(Array.from(p0));
    expect(Array.from(res.labels)).toEqual(Array.from(majorityVote(L, { predProbs: pp }).labels));
  });

  test('number[][] inputs are not modified; permuting items permutes the output', () => {
    const Lc = JSON.parse(JSON.stringify(L));
    const ppc = JSON.parse(JSON.stringify(pp));
    const base = majorityVote(Lc, { predProbs: ppc });
    expect(Lc).toEqual(L);
    expect(ppc).toEqual(pp);
    const rng = createRng(11);
    const perm = Array.from({ length: L.length }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    for (const opts of [{}, { predProbs: perm.map((i) => pp[i]) }]) {
      const ref = 'predProbs' in opts ? base : majorityVote(L);
      const res = majorityVote(perm.map((i) => L[i]), opts);
      expect(Array.from(res.labels)).toEqual(perm.map((i) => ref.labels[i]));
      expectClose(res.voteShare, perm.map((i) => ref.voteShare[i]), 0);
    }
  });
});

describe('majorityVote tie-breaking and edge cases', () => {
  test('ties: predProbs first, then the least frequent class overall', () => {
    // class 0 is more frequent overall than class 1; item 2 ties 0/1
    const L = [[0, 0, 0], [0, 0, 1], [0, 1, null]];
    expect(Array.from(majorityVote(L).labels)).toEqual([0, 0, 1]);
    const pp = [[0.5, 0.5], [0.5, 0.5], [0.9, 0.1]];
    expect(Array.from(majorityVote(L, { predProbs: pp }).labels)).toEqual([0, 0, 0]);
    // equal probabilities for the tied classes fall through to class frequency
    const ppEq = [[0.5, 0.5, 0], [0.5, 0.5, 0], [0.4, 0.4, 0.2]];
    expect(Array.from(majorityVote(L, { predProbs: ppEq }).labels)).toEqual([0, 0, 1]);
  });

  test('ties with equal class frequency: annotators who agree with the untied consensus win', () => {
    // A agrees with the consensus on items 0-1, B disagrees; item 2 ties with A = 1, B = 0, and classes 0 and 1 are
    // equally frequent overall
    const L = [[0, 1, 0], [1, 0, 1], [1, 0, null]];
    expect(Array.from(majorityVote(L).labels)).toEqual([0, 1, 1]);
    const swapped = [[0, 1, 0], [1, 0, 1], [0, 1, null]];
    expect(Array.from(majorityVote(swapped).labels)).toEqual([0, 1, 0]);
  });

  test('complete ties fall back to the lowest class index', () => {
    expect(Array.from(majorityVote([[0, 1], [1, 0]]).labels)).toEqual([0, 0]);
    expect(Array.from(majorityVote([[2, 1], [1, 2]]).labels)).toEqual([1, 1]);
  });

  test('one annotator: the labels themselves, vote share 1', () => {
    const res = majorityVote([[2], [0], [1], [2]]);
    expect(Array.from(res.labels)).toEqual([2, 0, 1, 2]);
    expect(Array.from(res.voteShare)).toEqual([1, 1, 1, 1]);
  });

  test('K = 2 and a class with no votes (K from predProbs)', () => {
    const res = majorityVote([[1, 1, 0], [0, 0, null]], { predProbs: [[0.2, 0.3, 0.5], [0.5, 0.3, 0.2]] });
    expect(Array.from(res.labels)).toEqual([1, 0]);
    expectClose(res.voteShare, [2 / 3, 1], 1e-15);
  });

  test('clear errors naming the function and argument', () => {
    const pp = [[0.5, 0.5], [0.2, 0.8]];
    expect(() => majorityVote([[0, 1], [1, 1]], { predProbs: [[NaN, 1], [0.2, 0.8]] })).toThrow(/majorityVote: predProbs row 0 column 0 is not a finite number/);
    expect(() => majorityVote([[0, 1], [1, 1]], { predProbs: [[0.5, 0.5], [0.3, 0.8]] })).toThrow(/majorityVote: predProbs row 1 does not sum to 1/);
    expect(() => majorityVote([[0, 2], [1, 1]], { predProbs: pp })).toThrow(/majorityVote: labelsMulti row 0 column 1 is 2, not a class index in 0\.\.1/);
    expect(() => majorityVote([[0, -1], [1, 1]])).toThrow(/majorityVote: labelsMulti row 0 column 1 is -1, not a class index/);
    expect(() => majorityVote([[0, 1.5], [1, 1]])).toThrow(/majorityVote: labelsMulti row 0 column 1 is 1.5, not a class index/);
    expect(() => majorityVote([[0, 1], [1]])).toThrow(/majorityVote: labelsMulti is ragged: row 1/);
    expect(() => majorityVote([[0, 1], [null, NaN]])).toThrow(/majorityVote: labelsMulti row 1 has no labels/);
    expect(() => majorityVote([[0, 1], [1, 1]], { predProbs: [[1, 0]] })).toThrow(/majorityVote: predProbs has 1 rows but labelsMulti has 2/);
  });
});
