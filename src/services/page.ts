import { badInput } from '../errors';

/** Largest page of a paged list (items, label issues). */
export const MAX_PAGE = 1000;

/**
 * One page of an ordered list: each row with its key (its position in the list's order, from which the next page
 * starts), whether more rows follow, and how many rows match in all.
 */
export interface Page<T, K> {
  rows: Array<{ node: T; key: K }>;
  hasMore: boolean;
  total: number;
}

/**
 * Where a page starts: the key of the last row already seen, or null for the first page. It is read (and checked)
 * only when called, so that a list checks access and its other arguments first.
 */
export type PageStart<K> = () => K | null;

/** BAD_USER_INPUT on `first` unless it is an integer in 1..max. */
export function checkPageSize(first: number, max = MAX_PAGE): void {
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput('first', `must be an integer in 1..${max}`);
}

/** The page of `rows` read with one row more than `first` (the extra row only says that more follow). */
export function pageOf<R, T, K>(rows: readonly R[], first: number, total: number, node: (r: R) => T, key: (r: R) => K): Page<T, K> {
  return { rows: rows.slice(0, first).map((r) => ({ node: node(r), key: key(r) })), hasMore: rows.length > first, total };
}
