import { applyVote, itemState, itemVoteColumns } from '../../src/services/vote-state';

const A = '00000000-0000-7000-8000-00000000000a';
const B = '00000000-0000-7000-8000-00000000000b';
const C = '00000000-0000-7000-8000-00000000000c';

describe('itemState', () => {
  test('decodes the votes column and pads the counts to the number of classes', () => {
    const st = itemState({ votes: `1:0|${A}|v1|0`, review_label: null, review_order: 1 }, 3);
    expect(st).toEqual({ counts: [1, 0, 0], voters: [A], voteIds: ['v1'], voteLabels: [0], reviewLabel: null, reviewOrder: 1, newReview: null });
  });

  test('an item without votes', () => {
    const st = itemState({ votes: '|||', review_label: 2, review_order: 0 }, 2);
    expect(st).toMatchObject({ counts: [0, 0], voters: [], voteIds: [], voteLabels: [], reviewLabel: 2, reviewOrder: 0 });
  });
});

describe('applyVote', () => {
  test("a new annotator's vote is inserted in annotator order and counted", () => {
    const st = itemState({ votes: `1:1|${A}:${C}|v1:v2|0:1`, review_label: null, review_order: 1 }, 2);
    expect(applyVote(st, B, 'v3', 1)).toBeNull();
    expect(st.voters).toEqual([A, B, C]);
    expect(st.voteIds).toEqual(['v1', 'v3', 'v2']);
    expect(st.voteLabels).toEqual([0, 1, 1]);
    expect(st.counts).toEqual([1, 2]);
  });

  test("an annotator's later vote replaces its earlier one", () => {
    const st = itemState({ votes: `1|${A}|v1|0`, review_label: null, review_order: 1 }, 2);
    expect(applyVote(st, A, 'v2', 1)).toBe('v1');
    expect(st.voteIds).toEqual(['v2']);
    expect(st.counts).toEqual([0, 1]);
  });
});

describe('itemVoteColumns', () => {
  test('majority vote, ties to the lowest class index, with the winner count and total', () => {
    const st = itemState({ votes: `2:2:1|${A}|v1|0`, review_label: null, review_order: 1 }, 3);
    const c = itemVoteColumns(new Map([['i1', st]]));
    expect(c.labels).toEqual([0]);
    expect(c.winners).toEqual([2]);
    expect(c.totals).toEqual([5]);
    expect(c.sources).toEqual(['MAJORITY_VOTE']);
    expect(c.reviewNow).toEqual([false]);
  });

  test('no votes: no label', () => {
    const c = itemVoteColumns(new Map([['i1', itemState({ votes: '|||', review_label: null, review_order: 1 }, 2)]]));
    expect(c).toMatchObject({ labels: [null], winners: [null], sources: [null], totals: [0], reviewLabels: [null] });
  });

  test('a REVIEW written now replaces an earlier stored review, and decides the label', () => {
    const st = itemState({ votes: '3:0|||', review_label: 1, review_order: 1 }, 2);
    st.newReview = 0;
    const c = itemVoteColumns(new Map([['i1', st]]));
    expect(c).toMatchObject({ labels: [0], reviewLabels: [0], reviewNow: [true], sources: ['REVIEW'] });
  });

  test('at the same instant the lower class wins; a stored review written later stays', () => {
    const same = itemState({ votes: '|||', review_label: 0, review_order: 0 }, 2);
    same.newReview = 1;
    expect(itemVoteColumns(new Map([['i1', same]]))).toMatchObject({ labels: [0], reviewNow: [false] });
    const later = itemState({ votes: '|||', review_label: 1, review_order: -1 }, 2);
    later.newReview = 0;
    expect(itemVoteColumns(new Map([['i1', later]]))).toMatchObject({ labels: [1], reviewNow: [false], sources: ['REVIEW'] });
  });
});
