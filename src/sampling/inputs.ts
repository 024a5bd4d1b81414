/**
 * Input handling shared by the selection strategies: features, index lists, candidate sets, score vectors.
 * Public functions call these once, then hand typed arrays to inner routines that assume valid input.
 * Nothing here modifies its argument: index lists are copied, typed matrices are only read.
 */
import { Matrix, MatrixInput, QualityInputError, toMatrix } from '../quality/matrix';

/** A list of row indices: `number[]`, `Int32Array` or `Uint32Array`. */
export type IndexInput = ReadonlyArray<number> | Int32Array | Uint32Array;

/**
 * Which rows may be picked: an index list (`number[]`, `Int32Array`, `Uint32Array`) or a mask of length N
 * (`Uint8Array` with 1 = selectable, or `boolean[]`). A `number[]` is always read as an index list.
 */
export type CandidatesInput = IndexInput | Uint8Array | ReadonlyArray<boolean>;

/** A vector of scores, one per row. */
export type VectorInput = ReadonlyArray<number> | Float64Array | Float32Array;

/** Converts features (N × d) and checks every entry is finite. Typed matrices are returned as is (read only). */
export function toFeatures(x: MatrixInput, fn: string, arg = 'features'): Matrix {
  const m = toMatrix(x, fn, arg);
  const { data, cols } = m;
  for (let t = 0; t < data.length; t++) {
    const v = data[t];
    if (v - v !== 0) { // NaN and ±Infinity give NaN; a cheaper test than Number.isFinite on 10⁷ entries
      throw new QualityInputError(fn, arg, `row ${Math.floor(t / cols)} column ${t % cols} is not a finite number`);
    }
  }
  return m;
}

/** Checks `x` is a positive integer (a batch size, a number of clusters). */
export function checkPositiveInt(x: unknown, fn: string, arg: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) {
    throw new QualityInputError(fn, arg, `must be a positive integer (got ${String(x)})`);
  }
  return x;
}

/** Checks an optional numeric seed. */
export function checkSeed(x: unknown, fn: string): number {
  if (x === undefined) return 0;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new QualityInputError(fn, 'options.seed', `must be a finite number (got ${String(x)})`);
  return x;
}

/**
 * Copies an index list into an Int32Array, checking each entry is an integer row index in 0..n-1.
 * Duplicates are kept (callers that need a set use {@link toMask}).
 */
export function toIndexList(x: IndexInput, n: number, fn: string, arg: string): Int32Array {
  if (!(x instanceof Int32Array) && !(x instanceof Uint32Array) && !Array.isArray(x)) {
    throw new QualityInputError(fn, arg, 'must be number[], Int32Array or Uint32Array of row indices');
  }
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) {
      throw new QualityInputError(fn, arg, `index ${i} is ${String(v)}, not a row index in 0..${n - 1}`);
    }
    out[i] = v;
  }
  return out;
}

/** A 0/1 mask of length n with 1 at the given rows. */
export function toMask(indices: Int32Array, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (let i = 0; i < indices.length; i++) mask[indices[i]] = 1;
  return mask;
}

/**
 * The selectable rows as a sorted Int32Array without duplicates. `undefined` = every row. Rows with
 * `exclude[row] = 1` are dropped (labeled rows, rows already leased).
 */
export function toCandidateList(
  x: CandidatesInput | undefined,
  n: number,
  fn: string,
  arg = 'candidates',
  exclude?: Uint8Array,
): Int32Array {
  const keep = new Uint8Array(n);
  if (x === undefined) {
    keep.fill(1);
  } else if (x instanceof Uint8Array || (Array.isArray(x) && x.length > 0 && typeof x[0] === 'boolean')) {
    if (x.length !== n) throw new QualityInputError(fn, arg, `mask has length ${x.length}, expected ${n} (one entry per row)`);
    for (let i = 0; i < n; i++) {
      const v = (x as ArrayLike<number | boolean>)[i];
      if (v !== 0 && v !== 1 && v !== true && v !== false) {
        throw new QualityInputError(fn, arg, `mask entry ${i} is ${String(v)}, expected 0/1 or a boolean`);
      }
      keep[i] = v ? 1 : 0;
    }
  } else {
    const list = toIndexList(x as IndexInput, n, fn, arg);
    for (let i = 0; i < list.length; i++) keep[list[i]] = 1;
  }
  let count = 0;
  for (let i = 0; i < n; i++) if (keep[i] && !(exclude && exclude[i])) count++;
  const out = new Int32Array(count);
  let c = 0;
  for (let i = 0; i < n; i++) if (keep[i] && !(exclude && exclude[i])) out[c++] = i;
  return out;
}

/** Converts a score vector of length n (copying `number[]`), checking every entry is finite. */
export function toVector(x: VectorInput, n: number, fn: string, arg: string): Float64Array | Float32Array {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array) && !Array.isArray(x)) {
    throw new QualityInputError(fn, arg, 'must be number[], Float64Array or Float32Array');
  }
  if (x.length !== n) throw new QualityInputError(fn, arg, `has length ${x.length}, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new QualityInputError(fn, arg, `entry ${i} is not a finite number`);
  }
  return x instanceof Float64Array || x instanceof Float32Array ? x : Float64Array.from(x);
}

/**
 * Positions (into `cand`) of the `k` candidates with the largest `key[cand[p]]`, ordered by key descending,
 * ties by row index ascending (deterministic). A bounded min-heap: O(m log k) for m candidates.
 */
export function topKByKey(key: ArrayLike<number>, cand: Int32Array, k: number): Int32Array {
  const m = cand.length;
  if (k > m) k = m;
  const heap = new Int32Array(k); // positions; heap[0] = the worst kept (smallest key, largest row on ties)
  let size = 0;
  // "a is worse than b": smaller key, or equal key and larger row index.
  const worse = (a: number, b: number): boolean => {
    const ka = key[cand[a]];
    const kb = key[cand[b]];
    return ka < kb || (ka === kb && cand[a] > cand[b]);
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let w = l;
      if (l + 1 < size && worse(heap[l + 1], heap[l])) w = l + 1;
      if (!worse(heap[w], heap[i])) return;
      const t = heap[i]; heap[i] = heap[w]; heap[w] = t;
      i = w;
    }
  };
  for (let p = 0; p < m; p++) {
    if (size < k) {
      let i = size++;
      heap[i] = p;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i], heap[parent])) break;
        const t = heap[i]; heap[i] = heap[parent]; heap[parent] = t;
        i = parent;
      }
    } else if (k > 0 && worse(heap[0], p)) {
      heap[0] = p;
      siftDown(0);
    }
  }
  // Pop worst-first into the tail: the result is best-first.
  const out = new Int32Array(size);
  for (let t = size - 1; t >= 0; t--) {
    out[t] = heap[0];
    heap[0] = heap[--size];
    siftDown(0);
  }
  return out;
}

/** Integer labels per row: `number[]` or `Int32Array`. */
export type LabelsLike = ReadonlyArray<number> | Int32Array;

/** Copies cluster labels (integers ≥ −1; −1 = no cluster) of length n into an Int32Array. */
export function toClusterLabels(x: LabelsLike, n: number, fn: string, arg: string): Int32Array {
  if (!(x instanceof Int32Array) && !Array.isArray(x)) throw new QualityInputError(fn, arg, 'must be number[] or Int32Array');
  if (x.length !== n) throw new QualityInputError(fn, arg, `has length ${x.length}, expected ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -1 || v > 0x7fffffff) {
      throw new QualityInputError(fn, arg, `entry ${i} is ${String(v)}, not a cluster label (an integer ≥ 0, or −1 for none)`);
    }
    out[i] = v;
  }
  return out;
}
