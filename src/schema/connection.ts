import { badInput } from '../errors';
import { isUuid } from '../services/ids';
import type { Page, PageStart } from '../services/page';

/** Cursor timestamps are microseconds since 1970 before the year 10000 (beyond: not a cursor of this API). */
const MAX_CURSOR_US = 253_402_300_800_000_000n;

/** A Relay connection: the page's edges, where the next page starts, and how many match in all. */
export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** The Relay cursor of a row at key (`position`, `id`): base64url of `position|id`. */
export function encodeCursor(position: string | number, id: string): string {
  return Buffer.from(`${position}|${id}`, 'utf8').toString('base64url');
}

/** The two parts of a cursor from {@link encodeCursor} (either may be undefined when it is not one). */
function cursorParts(c: string): [string | undefined, string | undefined] {
  const [position, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  return [position, id];
}

const notACursor = () => badInput('after', 'is not a cursor returned by this API');

/** The page start of an `after` argument over items: its (created_at µs, id) key, checked when the service reads it. */
export function itemsAfter(after: string | null | undefined): PageStart<{ us: string; id: string }> {
  return () => {
    if (!after) return null;
    const [us, id] = cursorParts(after);
    if (!/^\d{1,18}$/.test(us ?? '') || BigInt(us!) >= MAX_CURSOR_US || !isUuid(id!)) throw notACursor();
    return { us: us!, id: id! };
  };
}

/** The page start of an `after` argument over label issues: its (score, id) key, checked when the service reads it. */
export function labelIssuesAfter(after: string | null | undefined): PageStart<{ score: number; id: string }> {
  return () => {
    if (!after) return null;
    const [s, id] = cursorParts(after);
    const score = Number(s);
    if (s === undefined || s === '' || !Number.isFinite(score) || !isUuid(id!)) throw notACursor();
    return { score, id: id! };
  };
}

type RowOf<P> = P extends Page<infer T, infer K> ? { node: T; key: K } : never;

/**
 * The Relay connection of a page, each edge's cursor made from its row's key; whatever else the page carries (the
 * model version of a label issue page, say) is kept beside the edges.
 */
export function connection<P extends Page<unknown, unknown>>(
  page: P,
  cursorOf: (key: RowOf<P>['key']) => string,
): Omit<P, keyof Page<unknown, unknown>> & Connection<RowOf<P>['node']> {
  const { rows, hasMore, total, ...rest } = page;
  const edges = (rows as Array<RowOf<P>>).map((r) => ({ cursor: cursorOf(r.key), node: r.node }));
  return {
    ...rest,
    edges,
    pageInfo: { hasNextPage: hasMore, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    totalCount: total,
  };
}

/** The cursor of an item's key. */
export const itemCursor = (k: { us: string; id: string }): string => encodeCursor(k.us, k.id);

/** The cursor of a label issue's key. */
export const labelIssueCursor = (k: { score: number; id: string }): string => encodeCursor(k.score, k.id);
