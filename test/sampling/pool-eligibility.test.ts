/** Who may be served what: the route table, the lease rule, relabeling, and the split's exclusion counts. */
import { exclusionOf, PoolFacts, servable, splitPool, votesNeeded } from '../../src/sampling/pool-eligibility';

const facts = (over: Partial<PoolFacts> = {}): PoolFacts => ({
  routes: new Map(),
  votes: new Map(),
  reviewed: new Set(),
  goldItems: new Set(),
  othersLeases: new Map(),
  mine: new Set(),
  skipped: new Set(),
  expert: false,
  consensusVotes: 3,
  relabeling: false,
  ...over,
});

describe('servable', () => {
  test('routes for a labeling tool', () => {
    expect(servable(undefined, 0, false, 3)).toBe('yes');
    expect(servable(undefined, 1, false, 3)).toBe('done');
    expect(servable({ route: 'AUTO_ACCEPT', spot_check: false }, 0, false, 3)).toBe('route');
    expect(servable({ route: 'AUTO_ACCEPT', spot_check: true }, 0, false, 3)).toBe('yes');
    expect(servable({ route: 'SINGLE_REVIEW', spot_check: false }, 1, false, 3)).toBe('done');
    expect(servable({ route: 'CONSENSUS', spot_check: false }, 2, false, 3)).toBe('yes');
    expect(servable({ route: 'CONSENSUS', spot_check: false }, 3, false, 3)).toBe('done');
    expect(servable({ route: 'DONE', spot_check: false }, 0, false, 3)).toBe('done');
    expect(servable({ route: 'EXPERT', spot_check: false }, 0, false, 3)).toBe('route');
  });
  test('an expert gets EXPERT items only', () => {
    expect(servable({ route: 'EXPERT', spot_check: false }, 5, true, 3)).toBe('yes');
    expect(servable(undefined, 0, true, 3)).toBe('route');
  });
  test('votes needed', () => {
    expect(votesNeeded({ route: 'CONSENSUS' }, 4)).toBe(4);
    expect(votesNeeded(undefined, 4)).toBe(1);
  });
});

describe('exclusionOf', () => {
  test('reasons in order: route, own annotation, skip, lease rule', () => {
    const f = facts({
      routes: new Map([['r', { route: 'EXPERT', spot_check: false }], ['c', { route: 'CONSENSUS', spot_check: false }]]),
      mine: new Set(['m', 'r']),
      skipped: new Set(['s', 'm']),
      othersLeases: new Map([['l', 1], ['c', 2], ['s', 1]]),
      votes: new Map([['c', 1]]),
    });
    expect(exclusionOf(f, 'r')).toBe('notServable');
    expect(exclusionOf(f, 'm')).toBe('annotatedByYou');
    expect(exclusionOf(f, 's')).toBe('skipped');
    expect(exclusionOf(f, 'l')).toBe('leasedToOthers');
    // 1 vote + 2 leases reach the 3 a CONSENSUS item needs
    expect(exclusionOf(f, 'c')).toBe('leasedToOthers');
    expect(exclusionOf(f, 'free')).toBeNull();
  });
  test('relabeling offers a labeled item for one more vote unless reviewed, gold or routed DONE', () => {
    const f = facts({ relabeling: true, votes: new Map([['a', 1], ['rv', 1], ['g', 1], ['d', 1], ['l', 1]]), reviewed: new Set(['rv']), goldItems: new Set(['g']), routes: new Map([['d', { route: 'DONE', spot_check: false }]]), othersLeases: new Map([['l', 1]]) });
    expect(exclusionOf(f, 'a')).toBeNull();
    expect(exclusionOf(f, 'rv')).toBe('done');
    expect(exclusionOf(f, 'g')).toBe('done');
    expect(exclusionOf(f, 'd')).toBe('done');
    expect(exclusionOf(f, 'l')).toBe('leasedToOthers');
    expect(exclusionOf({ ...f, relabeling: false }, 'a')).toBe('done');
  });
});

describe('splitPool', () => {
  test('pool, labeled rows, rows leased to others and counts; unembedded items counted once', () => {
    const f = facts({ votes: new Map([['b', 1]]), othersLeases: new Map([['c', 1]]), mine: new Set(['d', 'x']) });
    const s = splitPool(f, ['a', 'b', 'c', 'd'], ['e', 'x']);
    expect(s.pool).toEqual([0]);
    expect(s.labeled).toEqual([1]);
    expect(s.others).toEqual([2]);
    expect(s.excluded).toEqual({ notServable: 0, annotatedByYou: 2, skipped: 0, leasedToOthers: 1, noEmbedding: 1, unpredicted: 0 });
  });
  test('inputs are not modified', () => {
    const votes = new Map([['b', 1]]);
    const ids = ['a', 'b'];
    splitPool(facts({ votes }), ids);
    expect([...votes]).toEqual([['b', 1]]);
    expect(ids).toEqual(['a', 'b']);
  });
});
