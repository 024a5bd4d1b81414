/**
 * Squared Euclidean distance kernels on row-major feature matrices. Every distance in src/sampling goes
 * through {@link sqDistBounded}, so a cached distance and a freshly computed one are bit-for-bit equal.
 */

/** Features are read in float32 or float64; sums are accumulated in float64. */
export type FeatureData = Float32Array | Float64Array;

/**
 * Squared Euclidean distance between rows starting at offsets `ao` and `bo` (in elements) of `data`, both of
 * length `cols`. Partial-distance search: sums 16 coordinates at a time and returns early, with a value
 * ≥ `bound`, as soon as the partial sum reaches `bound` (pass `Infinity` for the exact distance). A value
 * below `bound` is always exact. Cost O(cols).
 */
export function sqDistBounded(data: FeatureData, cols: number, ao: number, bo: number, bound: number): number {
  let s = 0;
  let j = 0;
  const end16 = cols - (cols % 16);
  while (j < end16) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const stop = j + 16;
    for (; j < stop; j += 4) {
      const a = data[ao + j] - data[bo + j];
      const b = data[ao + j + 1] - data[bo + j + 1];
      const c = data[ao + j + 2] - data[bo + j + 2];
      const d = data[ao + j + 3] - data[bo + j + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    s += (s0 + s1) + (s2 + s3);
    if (s >= bound) return s;
  }
  for (; j < cols; j++) {
    const t = data[ao + j] - data[bo + j];
    s += t * t;
  }
  return s;
}

/**
 * Squared distance between row `a` of `data` and a center stored in `centers` (float64, row `c`).
 * Same blocking as {@link sqDistBounded}, without the early exit. Cost O(cols).
 */
export function sqDistToCenter(data: FeatureData, cols: number, a: number, centers: Float64Array, c: number): number {
  const ao = a * cols;
  const co = c * cols;
  let s = 0;
  let j = 0;
  const end4 = cols - (cols % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (; j < end4; j += 4) {
    const x = data[ao + j] - centers[co + j];
    const y = data[ao + j + 1] - centers[co + j + 1];
    const z = data[ao + j + 2] - centers[co + j + 2];
    const w = data[ao + j + 3] - centers[co + j + 3];
    s0 += x * x;
    s1 += y * y;
    s2 += z * z;
    s3 += w * w;
  }
  s = (s0 + s1) + (s2 + s3);
  for (; j < cols; j++) {
    const t = data[ao + j] - centers[co + j];
    s += t * t;
  }
  return s;
}
