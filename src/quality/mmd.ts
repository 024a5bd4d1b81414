/**
 * Maximum mean discrepancy with an RBF kernel and the median heuristic, with a permutation test.
 */
import { Matrix, MatrixInput, QualityInputError, toMatrix } from './matrix';
import { createRng, shuffleInPlace } from './rng';

/** A sample: rows = points. `number[][]` / `{rows, cols, data}` (n × d), or a 1-D `number[]`/typed array (d = 1). */
export type SampleInput = MatrixInput | ReadonlyArray<number> | Float64Array | Float32Array;

export interface Mmd2Options {
  /** Number of random relabellings of the pooled sample for the p-value (0 → pvalue 1). Default 100. */
  permutations?: number;
  /** Seed of the permutation generator (same seed, same p-value). Default 0. */
  seed?: number;
}

export interface Mmd2Result {
  /** Biased (V-statistic) MMD²: mean(Kxx) + mean(Kyy) − 2·mean(Kxy), diagonals included. ≥ 0. */
  mmd2: number;
  /** Unbiased (U-statistic) MMD²: off-diagonal means of Kxx and Kyy; can be slightly negative. */
  mmd2Unbiased: number;
  /** Kernel bandwidth: median Euclidean distance over all pairs of the pooled sample. */
  sigma: number;
  /** γ = 1/(2σ²) of k(a, b) = exp(−γ‖a − b‖²). */
  gamma: number;
  /** Permutation p-value of the biased MMD²: (1 + #{perm ≥ observed}) / (1 + permutations). */
  pvalue: number;
}

/** Columns of j held in cache while all rows i stream past (64 rows × d doubles). */
const GRAM_TILE = 64;

function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'rows' in x && 'cols' in x;
}

/** Converts a sample to a validated n × d matrix (1-D inputs become n × 1). */
function toSample(x: SampleInput, fn: string, arg: string): Matrix {
  let m: Matrix;
  if (x instanceof Float64Array || x instanceof Float32Array) {
    m = { rows: x.length, cols: 1, data: x };
  } else if (isMatrix(x)) {
    m = toMatrix(x, fn, arg);
  } else if (Array.isArray(x)) {
    if (x.length > 0 && !Array.isArray(x[0])) {
      const data = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (Array.isArray(v)) throw new QualityInputError(fn, arg, `is ragged: index ${i} is an array but index 0 is a number`);
        data[i] = v === null || v === undefined ? NaN : (v as number);
      }
      m = { rows: x.length, cols: 1, data };
    } else {
      m = toMatrix(x as ReadonlyArray<ReadonlyArray<number | null>>, fn, arg);
    }
  } else {
    throw new QualityInputError(fn, arg, 'must be number[][], {rows, cols, data} or number[]');
  }
  if (m.rows < 2) throw new QualityInputError(fn, arg, `has ${m.rows} rows, needs at least 2`);
  if (m.cols < 1) throw new QualityInputError(fn, arg, 'has 0 columns');
  for (let t = 0; t < m.data.length; t++) {
    if (!Number.isFinite(m.data[t])) {
      throw new QualityInputError(fn, arg, `row ${Math.floor(t / m.cols)} column ${t % m.cols} is not a finite number`);
    }
  }
  return m;
}

/**
 * Squared MMD between samples X (n × d) and Y (m × d) with the Gaussian RBF kernel, bandwidth by the median
 * heuristic, and a permutation p-value (the "our formula" of test/fixtures/README.md §4).
 *
 * Z = X ∪ Y (N = n + m points); σ = median_{i<j} ‖z_i − z_j‖; k(a, b) = exp(−‖a − b‖² / (2σ²)).
 * Biased: MMD²_b = (1/n²) Σ_{i,j∈X} k + (1/m²) Σ_{i,j∈Y} k − (2/(nm)) Σ_{i∈X, j∈Y} k.
 * Unbiased: MMD²_u = Σ_{i≠j∈X} k / (n(n−1)) + Σ_{i≠j∈Y} k / (m(m−1)) − (2/(nm)) Σ_{X×Y} k.
 * p-value: relabel Z at random `permutations` times (seeded), recompute MMD²_b with the same σ,
 * p = (1 + #{MMD²_b(perm) ≥ observed}) / (1 + permutations). If σ = 0 (over half the pairs coincide) the kernel
 * is its σ → 0 limit: 1 for identical points, 0 otherwise.
 *
 * Read it: MMD² ≈ 0 when X and Y come from the same distribution; a small p-value (floor 1/(1+permutations))
 * means they differ. Gretton, Borgwardt, Rasch, Schölkopf & Smola (2012), JMLR 13:723–773.
 * Cost: O(N² d) for the kernel (computed once, Gram trick ‖a‖² + ‖b‖² − 2a·b with a cache-tiled product),
 * O(N²) expected for the median (sampled quickselect, not a sort), O(permutations · min(n,m)²) for the test (each
 * permutation sums only the smaller group's block, using precomputed kernel row sums).
 * Memory: the upper triangle of the N × N kernel, N(N−1)/2 doubles (64 MB for N = 4000), plus ~2% of that for
 * the median's sampled selection. Inputs are not modified.
 */
export function mmd2(X: SampleInput, Y: SampleInput, options: Mmd2Options = {}): Mmd2Result {
  const fn = 'mmd2';
  const permutations = options.permutations ?? 100;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(permutations) || permutations < 0) {
    throw new QualityInputError(fn, 'options.permutations', `is ${String(permutations)}, expected an integer ≥ 0`);
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new QualityInputError(fn, 'options.seed', `is ${String(seed)}, expected a finite number`);
  const x = toSample(X, fn, 'X');
  const y = toSample(Y, fn, 'Y');
  if (x.cols !== y.cols) throw new QualityInputError(fn, 'Y', `has ${y.cols} columns, X has ${x.cols}`);
  return mmd2Inner(x, y, permutations, seed);
}

/** Offset in the packed upper triangle of pair (i, j), j > i, minus j: rowBase(i) + j. */
function rowBase(i: number, N: number): number {
  return (i * (2 * N - i - 1)) / 2 - i - 1;
}

/** Packed upper triangle of squared Euclidean distances of the rows of Z (N × d). */
function pairwiseSquaredDistances(Z: Float64Array, N: number, d: number): Float64Array {
  const P = (N * (N - 1)) / 2;
  const D = new Float64Array(P);
  const sq = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    const o = i * d;
    for (let k = 0; k < d; k++) s += Z[o + k] * Z[o + k];
    sq[i] = s;
  }
  const put = (p: number, i: number, j: number, dot: number): void => {
    const dd = sq[i] + sq[j] - 2 * dot;
    D[p] = dd > 0 ? dd : 0;
  };
  for (let jt = 0; jt < N; jt += GRAM_TILE) {
    const jEnd = Math.min(jt + GRAM_TILE, N);
    let i = 0;
    // 2 × 4 register tile: rows i, i+1 against columns j..j+3 (8 dot products share 6 loads per k).
    for (; i + 1 < jEnd - 1; i += 2) {
      const ia = i * d;
      const ib = ia + d;
      const ba = rowBase(i, N);
      const bb = rowBase(i + 1, N);
      let j = Math.max(jt, i + 1);
      if (j === i + 1) {
        // pair (i, i+1) belongs to row i only
        let s = 0;
        for (let k = 0; k < d; k++) s += Z[ia + k] * Z[ib + k];
        put(ba + j, i, j, s);
        j++;
      }
      for (; j + 3 < jEnd; j += 4) {
        const o0 = j * d;
        const o1 = o0 + d;
        const o2 = o1 + d;
        const o3 = o2 + d;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (let k = 0; k < d; k++) {
          const za = Z[ia + k];
          const zb = Z[ib + k];
          const y0 = Z[o0 + k];
          const y1 = Z[o1 + k];
          const y2 = Z[o2 + k];
          const y3 = Z[o3 + k];
          a0 += za * y0;
          a1 += za * y1;
          a2 += za * y2;
          a3 += za * y3;
          b0 += zb * y0;
          b1 += zb * y1;
          b2 += zb * y2;
          b3 += zb * y3;
        }
        put(ba + j, i, j, a0);
        put(ba + j + 1, i, j + 1, a1);
        put(ba + j + 2, i, j + 2, a2);
        put(ba + j + 3, i, j + 3, a3);
        put(bb + j, i + 1, j, b0);
        put(bb + j + 1, i + 1, j + 1, b1);
        put(bb + j + 2, i + 1, j + 2, b2);
        put(bb + j + 3, i + 1, j + 3, b3);
      }
      for (; j < jEnd; j++) {
        const oj = j * d;
        let sa = 0;
        let sb = 0;
        for (let k = 0; k < d; k++) {
          const y = Z[oj + k];
          sa += Z[ia + k] * y;
          sb += Z[ib + k] * y;
        }
        put(ba + j, i, j, sa);
        put(bb + j, i + 1, j, sb);
      }
    }
    for (; i < jEnd - 1; i++) {
      const io = i * d;
      const base = rowBase(i, N);
      for (let j = Math.max(jt, i + 1); j < jEnd; j++) {
        const oj = j * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += Z[io + k] * Z[oj + k];
        put(base + j, i, j, s);
      }
    }
  }
  return D;
}

/**
 * k-th smallest value of a (0-based), rearranging a so that a[0..k) ≤ a[k] ≤ a(k..]. Hoare partition with a
 * median-of-three pivot: expected O(n).
 */
export function quickselect(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) { const t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { const t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { const t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Below this many pairs the median is selected on a plain copy. */
const MEDIAN_SAMPLE_MIN = 1 << 16;
/** Sample size of the sampled selection (its band holds ~ 2·3/√s of the values). */
const MEDIAN_SAMPLE_SIZE = 1 << 16;

/**
 * The k-th and (k+1)-th smallest of D (k + 1 < D.length), D not modified. For large D: take a strided sample,
 * pick bounds lo ≤ hi around the target rank (± 3 standard deviations of the sample rank), count in one pass the
 * values below lo and inside [lo, hi], and quickselect only inside the band (≈ 2% of the values). If the band
 * misses the targets (rare; structured data) fall back to a full copy. O(P) time, O(P/40) scratch.
 */
function selectPair(D: Float64Array, k: number): [number, number] {
  const P = D.length;
  const full = (): [number, number] => {
    const S = D.slice();
    const a = quickselect(S, k);
    let b = Infinity;
    for (let t = k + 1; t < P; t++) if (S[t] < b) b = S[t];
    return [a, b];
  };
  if (P < MEDIAN_SAMPLE_MIN) return full();
  const s = MEDIAN_SAMPLE_SIZE;
  const sample = new Float64Array(s);
  const stride = P / s;
  for (let t = 0; t < s; t++) sample[t] = D[Math.floor(t * stride)];
  sample.sort();
  const centre = (k / P) * s;
  const delta = Math.ceil(3 * Math.sqrt(s));
  const lo = sample[Math.max(0, Math.floor(centre) - delta)];
  const hi = sample[Math.min(s - 1, Math.ceil(centre) + delta)];
  let below = 0;
  let inBand = 0;
  for (let p = 0; p < P; p++) {
    const v = D[p];
    if (v < lo) below++;
    else if (v <= hi) inBand++;
  }
  if (below > k || k + 1 >= below + inBand) return full();
  const B = new Float64Array(inBand);
  let c = 0;
  for (let p = 0; p < P; p++) {
    const v = D[p];
    if (v >= lo && v <= hi) B[c++] = v;
  }
  const r = k - below;
  const a = quickselect(B, r);
  let b = Infinity;
  for (let t = r + 1; t < inBand; t++) if (B[t] < b) b = B[t];
  return [a, b];
}

/** Median of the square roots of the packed squared distances (np.median: mean of the two middle values). */
function medianDistance(D: Float64Array): number {
  const P = D.length;
  if (P === 1) return Math.sqrt(D[0]);
  const k = (P - 1) >>> 1;
  const [a, b] = selectPair(D, k);
  return P % 2 === 1 ? Math.sqrt(a) : (Math.sqrt(a) + Math.sqrt(b)) / 2;
}

/** Σ_{p<q} K(G_p, G_q) over an ascending index list G of length g (packed upper-triangle kernel K). */
function blockPairSum(K: Float64Array, G: Int32Array, g: number, N: number): number {
  let s = 0;
  for (let p = 0; p < g - 1; p++) {
    const i = G[p];
    const base = rowBase(i, N);
    let r = 0;
    for (let q = p + 1; q < g; q++) r += K[base + G[q]];
    s += r;
  }
  return s;
}

function mmd2Inner(x: Matrix, y: Matrix, permutations: number, seed: number): Mmd2Result {
  const n = x.rows;
  const m = y.rows;
  const d = x.cols;
  const N = n + m;
  const Z = new Float64Array(N * d);
  Z.set(x.data, 0);
  Z.set(y.data, n * d);
  const K = pairwiseSquaredDistances(Z, N, d);
  const sigma = medianDistance(K);
  const gamma = 1 / (2 * sigma * sigma);
  // Kernel in place of the squared distances, and the row sums of the full symmetric kernel (k(z, z) = 1),
  // in one pass over the triangle.
  const rowSum = new Float64Array(N).fill(1);
  const smooth = sigma > 0;
  for (let i = 0; i < N - 1; i++) {
    const base = rowBase(i, N);
    let r = 0;
    for (let j = i + 1; j < N; j++) {
      const p = base + j;
      const kv = smooth ? Math.exp(-gamma * K[p]) : K[p] === 0 ? 1 : 0;
      K[p] = kv;
      r += kv;
      rowSum[j] += kv;
    }
    rowSum[i] += r;
  }
  let total = 0;
  for (let i = 0; i < N; i++) total += rowSum[i];

  // The smaller group's within-block sum determines everything else:
  // S_GG = g + 2Σ_{p<q}; S_GH = Σ_{i∈G} rowSum_i − S_GG; S_HH = total − 2 S_GH − S_GG.
  const useX = n <= m;
  const g = useX ? n : m;
  const G = new Int32Array(g);
  const stats = (groupPairSum: number, groupRowSum: number): [number, number] => {
    const sgg = g + 2 * groupPairSum;
    const sgh = groupRowSum - sgg;
    const shh = total - 2 * sgh - sgg;
    const sxx = useX ? sgg : shh;
    const syy = useX ? shh : sgg;
    const biased = sxx / (n * n) + syy / (m * m) - (2 * sgh) / (n * m);
    const unbiased = (sxx - n) / (n * (n - 1)) + (syy - m) / (m * (m - 1)) - (2 * sgh) / (n * m);
    return [biased, unbiased];
  };
  const start = useX ? 0 : n;
  let groupRow = 0;
  for (let t = 0; t < g; t++) {
    G[t] = start + t;
    groupRow += rowSum[start + t];
  }
  const [biased, unbiased] = stats(blockPairSum(K, G, g, N), groupRow);

  let exceed = 0;
  if (permutations > 0) {
    const rng = createRng(seed);
    const perm = new Int32Array(N);
    for (let i = 0; i < N; i++) perm[i] = i;
    const inX = new Uint8Array(N);
    for (let r = 0; r < permutations; r++) {
      shuffleInPlace(perm, rng);
      inX.fill(0);
      for (let t = 0; t < n; t++) inX[perm[t]] = 1;
      const want = useX ? 1 : 0;
      let c = 0;
      let gr = 0;
      for (let i = 0; i < N; i++) {
        if (inX[i] === want) {
          G[c++] = i;
          gr += rowSum[i];
        }
      }
      const [pb] = stats(blockPairSum(K, G, g, N), gr);
      if (pb >= biased) exceed++;
    }
  }
  return { mmd2: biased, mmd2Unbiased: unbiased, sigma, gamma, pvalue: (1 + exceed) / (1 + permutations) };
}
