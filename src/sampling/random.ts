/**
 * Random sampling: the baseline every active-learning strategy is measured against.
 */
import { QualityInputError } from '../quality/matrix';
import { createRng, Rng } from '../quality/rng';
import { CandidatesInput, checkPositiveInt, checkSeed, toCandidateList } from './inputs';

/** Options of {@link randomSelect}. */
export interface RandomSelectOptions {
  /** Number of rows to draw (fewer when fewer candidates exist). */
  size: number;
  seed?: number;
  /** Selectable rows (index list or mask of length n). Default: all n rows. */
  candidates?: CandidatesInput;
}

/**
 * Uniform sample without replacement of `size` rows among the candidates (partial Fisher–Yates shuffle with a
 * seeded generator): every subset of that size is equally likely.
 *
 * Shapes: n rows → Int32Array min(size, m) of row indices, in draw order.
 * Read: the passive-learning baseline; same seed, same sample.
 * Reference: Fisher & Yates (1938); Knuth, TAOCP vol. 2, Algorithm P. Cost: O(n) to list candidates + O(size).
 */
export function randomSelect(n: number, options: RandomSelectOptions): Int32Array {
  const fn = 'randomSelect';
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new QualityInputError(fn, 'n', `must be a non-negative integer (got ${String(n)})`);
  if (typeof options !== 'object' || options === null) throw new QualityInputError(fn, 'options', 'must be an object with at least { size }');
  const size = checkPositiveInt(options.size, fn, 'options.size');
  const seed = checkSeed(options.seed, fn);
  const cand = toCandidateList(options.candidates, n, fn, 'options.candidates');
  return randomInner(cand, size, createRng(seed));
}

/** Partial Fisher–Yates over a copy of `cand`: the first min(size, m) entries. Assumes valid input. */
export function randomInner(cand: Int32Array, size: number, rng: Rng): Int32Array {
  const a = cand.slice();
  const m = a.length;
  const k = Math.min(size, m);
  for (let t = 0; t < k; t++) {
    const j = t + rng.int(m - t);
    const v = a[t];
    a[t] = a[j];
    a[j] = v;
  }
  return a.slice(0, k);
}
