/**
 * Helpers shared by the confident-learning tests (cleanlab fixtures: test/fixtures/cleanlab_*.json, produced by
 * cleanlab 2.9.0; see test/fixtures/README.md §1).
 */
import { loadFixture } from '../helpers/fixtures';

export interface CleanlabCall {
  function: string;
  kwargs: Record<string, unknown>;
  result: unknown;
  result_scores?: number[];
  note?: string;
}

export interface CleanlabFixture {
  name: string;
  inputs: { K: number; N: number; labels: number[]; pred_probs: number[][]; true_labels: number[]; true_noise_matrix: number[][] };
  calls: CleanlabCall[];
}

export const CLEANLAB_CASES = [
  'cleanlab_k2_n50_blobs.json',
  'cleanlab_k3_n500_rare_class.json',
  'cleanlab_k3_n300_near_perfect.json',
  'cleanlab_k10_digits_n1797.json',
  'cleanlab_k4_n5000_blobs.json',
] as const;

const cache = new Map<string, CleanlabFixture>();
export function cleanlabFixture(name: string): CleanlabFixture {
  let f = cache.get(name);
  if (!f) { f = loadFixture<CleanlabFixture>(name); cache.set(name, f); }
  return f;
}

/** Table rows for `test.each`: one per recorded call of the given functions. */
export function callRows(fx: CleanlabFixture, fnPrefixes: string[]): Array<[string, CleanlabCall]> {
  return fx.calls
    .filter((c) => fnPrefixes.some((p) => c.function === p || c.function.startsWith(p)))
    .map((c) => [`${c.function.replace(/^cleanlab\./, '')} ${JSON.stringify(c.kwargs)}`, c]);
}

/** Asserts two masks are identical, listing the differing indices on failure. */
export function expectSameMask(actual: boolean[], expected: boolean[]): void {
  expect(actual.length).toBe(expected.length);
  const diff: number[] = [];
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) diff.push(i);
  if (diff.length > 0) {
    throw new Error(`masks differ at ${diff.length} indices: ${diff.slice(0, 20).map((i) => `${i} (expected ${expected[i]})`).join(', ')}`);
  }
}

/**
 * Asserts ranked indices match the reference: same set, each position's score equal to the reference score
 * of that position (tol), and within each run of tied reference scores (|Δ| ≤ tieTol) the same indices in any
 * order (cleanlab orders ties with numpy's unstable quicksort).
 */
export function expectRankedMatch(
  actual: number[], expected: number[], expectedScores: number[], scoreOf: (i: number) => number, tol = 1e-6, tieTol = 1e-12,
): void {
  expect(actual.length).toBe(expected.length);
  expect([...actual].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
  for (let p = 0; p < actual.length; p++) {
    const s = scoreOf(actual[p]);
    if (!(Math.abs(s - expectedScores[p]) <= tol)) {
      throw new Error(`position ${p}: index ${actual[p]} has score ${s}, reference position holds ${expected[p]} with ${expectedScores[p]}`);
    }
  }
  let i = 0;
  while (i < expected.length) {
    let j = i;
    while (j + 1 < expected.length && Math.abs(expectedScores[j + 1] - expectedScores[i]) <= tieTol) j++;
    const a = actual.slice(i, j + 1).sort((x, y) => x - y);
    const e = expected.slice(i, j + 1).sort((x, y) => x - y);
    expect({ positions: [i, j], indices: a }).toEqual({ positions: [i, j], indices: e });
    i = j + 1;
  }
}

/**
 * Compares an ordered table with the reference where rows with (nearly) equal sort keys may come in any order:
 * walks runs of equal keys (|Δ| ≤ tieTol) and compares the runs as sets of row keys.
 */
export function expectSortedRowsMatch<T>(
  actual: T[], expected: T[], sortKey: (r: T) => number, rowKey: (r: T) => string, tieTol = 1e-12,
): void {
  expect(actual.length).toBe(expected.length);
  let i = 0;
  while (i < expected.length) {
    let j = i;
    const ki = sortKey(expected[i]);
    while (j + 1 < expected.length && (Math.abs(sortKey(expected[j + 1]) - ki) <= tieTol || (Number.isNaN(ki) && Number.isNaN(sortKey(expected[j + 1]))))) j++;
    const a = actual.slice(i, j + 1).map(rowKey).sort();
    const e = expected.slice(i, j + 1).map(rowKey).sort();
    expect({ rows: [i, j], keys: a }).toEqual({ rows: [i, j], keys: e });
    i = j + 1;
  }
}
