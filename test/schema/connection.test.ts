import { LoupeError } from '../../src/errors';
import { connection, encodeCursor, itemCursor, itemsAfter, labelIssueCursor, labelIssuesAfter } from '../../src/schema/connection';
import { pageOf } from '../../src/services/page';

const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function refusedAfter(f: () => unknown): void {
  let e: unknown;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(LoupeError);
  expect(e).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after', message: 'after: is not a cursor returned by this API' });
}

describe('Relay cursors', () => {
  test('a cursor is base64url of "position|id"', () => {
    expect(encodeCursor('1700000000123456', ID)).toBe(b64(`1700000000123456|${ID}`));
    expect(itemCursor({ us: '1700000000123456', id: ID })).toBe(b64(`1700000000123456|${ID}`));
    expect(labelIssueCursor({ score: 0.125, id: ID })).toBe(b64(`0.125|${ID}`));
    expect(labelIssueCursor({ score: 1e-7, id: ID })).toBe(b64(`1e-7|${ID}`));
  });

  test('the page start of a cursor is the key it was made from; no cursor starts at the beginning', () => {
    expect(itemsAfter(itemCursor({ us: '42', id: ID }))()).toEqual({ us: '42', id: ID });
    expect(labelIssuesAfter(labelIssueCursor({ score: 0.5, id: ID }))()).toEqual({ score: 0.5, id: ID });
    expect(itemsAfter(null)()).toBeNull();
    expect(itemsAfter('')()).toBeNull();
    expect(labelIssuesAfter(undefined)()).toBeNull();
  });

  test('a bad cursor is refused only when the page start is read', () => {
    const start = itemsAfter('nonsense');
    refusedAfter(start);
    refusedAfter(itemsAfter(b64(`253402300800000000|${ID}`)));
    refusedAfter(itemsAfter(b64(`-1|${ID}`)));
    refusedAfter(itemsAfter(b64('42|not-a-uuid')));
    refusedAfter(labelIssuesAfter(b64(`|${ID}`)));
    refusedAfter(labelIssuesAfter(b64(`NaN|${ID}`)));
    refusedAfter(labelIssuesAfter('x'));
  });
});

describe('connection', () => {
  test('edges, end cursor and total of a page read with one row more', () => {
    const rows = [1, 2, 3].map((n) => ({ n, us: String(n), id: ID }));
    const page = pageOf(rows, 2, 7, (r) => r.n, (r) => ({ us: r.us, id: r.id }));
    expect(page).toEqual({ rows: [{ node: 1, key: { us: '1', id: ID } }, { node: 2, key: { us: '2', id: ID } }], hasMore: true, total: 7 });
    expect(connection(page, itemCursor)).toEqual({
      edges: [
        { cursor: b64(`1|${ID}`), node: 1 },
        { cursor: b64(`2|${ID}`), node: 2 },
      ],
      pageInfo: { hasNextPage: true, endCursor: b64(`2|${ID}`) },
      totalCount: 7,
    });
  });

  test('what else the page carries is kept beside the edges', () => {
    const page = { modelVersionId: 'mv', ...pageOf([{ score: 0.5, id: ID }], 1, 1, (r) => r.score, (r) => r) };
    expect(connection(page, labelIssueCursor)).toEqual({
      modelVersionId: 'mv',
      edges: [{ cursor: b64(`0.5|${ID}`), node: 0.5 }],
      pageInfo: { hasNextPage: false, endCursor: b64(`0.5|${ID}`) },
      totalCount: 1,
    });
  });

  test('an empty page has no end cursor', () => {
    expect(connection(pageOf([], 5, 0, (r) => r, (r) => r), itemCursor)).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });
});
