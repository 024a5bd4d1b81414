import { checkPageSize, MAX_PAGE, pageOf } from '../../src/services/page';

describe('pages', () => {
  test('a page size is an integer in 1..max', () => {
    expect(() => checkPageSize(1)).not.toThrow();
    expect(() => checkPageSize(MAX_PAGE)).not.toThrow();
    for (const bad of [0, MAX_PAGE + 1, 1.5, NaN]) {
      expect(() => checkPageSize(bad)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first', message: `first: must be an integer in 1..${MAX_PAGE}` }));
    }
    expect(() => checkPageSize(101, 100)).toThrow('first: must be an integer in 1..100');
  });

  test('the extra row read says more follow and is left out', () => {
    expect(pageOf(['a', 'b', 'c'], 2, 9, (r) => r.toUpperCase(), (r) => r)).toEqual({
      rows: [{ node: 'A', key: 'a' }, { node: 'B', key: 'b' }],
      hasMore: true,
      total: 9,
    });
    expect(pageOf(['a'], 2, 1, (r) => r, (r) => r).hasMore).toBe(false);
  });
});
