/**
 * Krippendorff's alpha (semantics of fast-krippendorff `krippendorff.alpha`), computed from per-unit value
 * counts, never from the O(N²) pairs of values.
 */
import { Matrix, MatrixInput, QualityInputError, toMatrix } from './matrix';

/** Level of measurement, as fast-krippendorff's `level_of_measurement`. */
export type KrippendorffLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';

export interface KrippendorffAlphaOptions {
  /** Default `'interval'` (fast-krippendorff's default). */
  level?: KrippendorffLevel;
}

/** Non-negative integer values below this are mapped to the value domain through a dense lookup table. */
const SMALL_INT_LIMIT = 1 << 16;

/** A V × V coincidence matrix is refused beyond this many distinct values (V² doubles: 128 MB). */
const MAX_COINCIDENCE_VALUES = 4096;

/** Reliability data reduced to the pairable values, unit by unit. */
interface Prepared {
  /** Sorted distinct values present anywhere in the data (the value domain). */
  values: Float64Array;
  /** Domain indices of the values of pairable units (units with ≥ 2 values), unit after unit. */
  codes: Int32Array;
  /** Start offset in `codes` of each pairable unit; `unitStart[p + 1]` is its end. */
  unitStart: Int32Array;
  /** n_c: how many pairable values equal values[c]. */
  valueCounts: Float64Array;
}

/**
 * Krippendorff's alpha: agreement among coders who each assigned values to some of the units, corrected for
 * the agreement expected by chance; missing values allowed.
 *
 * `reliabilityData` is coders × units (M × U) with `null`/NaN for a missing value. Only units with m_u ≥ 2
 * values are pairable. With n_uc = how many of unit u's values equal c, n_c = Σ_u n_uc and n = Σ_c n_c
 * (over pairable units), the coincidence matrix is o_ck = Σ_u n_uc (n_uk − [c = k]) / (m_u − 1) and
 *
 *   α = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck
 *
 * with δ²_ck = [c ≠ k] (nominal); (M_c − M_k)², M_c = Σ_{g<c} n_g + n_c / 2 (ordinal, ranks within the
 * sorted value domain); (c − k)² (interval); ((c − k) / (c + k))² (ratio, non-negative values).
 * The numerator is summed unit by unit from the counts n_uc: nominal m_u² − Σ_c n_uc²; interval/ordinal
 * 2 (m_u Σ x² − (Σ x)²) over the unit's (transformed) values; ratio over pairs of the unit's distinct values.
 *
 * Reading: 1 = perfect reliability, 0 = chance level, < 0 = systematic disagreement (Krippendorff suggests
 * relying on data with α ≥ 0.8, tentative conclusions for 0.667 ≤ α < 0.8). NaN when no unit has two values,
 * or when all pairable values are equal (no expected disagreement).
 *
 * Reference: K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability"; Content Analysis (2004),
 * ch. 11. Value domain = sorted distinct values present, as fast-krippendorff's default.
 * Cost: O(M U) to read the data + O(T) for the T present values + O(V) (O(V²) for ratio, V distinct values,
 * plus O(Σ_u d_u²) over each unit's d_u distinct values); O(U + T) memory.
 *
 * @param reliabilityData coders × units matrix, `null`/NaN = missing
 */
export function krippendorffAlpha(reliabilityData: MatrixInput, options: KrippendorffAlphaOptions = {}): number {
  const fn = 'krippendorffAlpha';
  const level = options.level ?? 'interval';
  if (level !== 'nominal' && level !== 'ordinal' && level !== 'interval' && level !== 'ratio') {
    throw new QualityInputError(fn, 'options.level', `must be 'nominal', 'ordinal', 'interval' or 'ratio', got ${String(level)}`);
  }
  const m = toMatrix(reliabilityData, fn, 'reliabilityData');
  const prep = prepare(m, fn, level === 'ratio');
  return alphaInner(prep, level);
}

/**
 * The coincidence matrix behind Krippendorff's alpha, for inspection: o_ck = Σ_u n_uc (n_uk − [c = k]) / (m_u − 1)
 * over units with at least two values (see {@link krippendorffAlpha}). Rows and columns follow `values`, the
 * sorted distinct values present in the data; row sums are n_c, the total is n (number of pairable values).
 * Reference: K. Krippendorff (2011). Cost: O(M U + Σ_u d_u² + V²) time, O(V²) memory (refused for V > 4096).
 *
 * @param reliabilityData coders × units matrix, `null`/NaN = missing
 */
export function krippendorffCoincidences(reliabilityData: MatrixInput): { values: Float64Array; matrix: Matrix } {
  const fn = 'krippendorffCoincidences';
  const m = toMatrix(reliabilityData, fn, 'reliabilityData');
  const prep = prepare(m, fn, false);
  const v = prep.values.length;
  if (v > MAX_COINCIDENCE_VALUES) {
    throw new QualityInputError(fn, 'reliabilityData', `has ${v} distinct values; a ${v} × ${v} coincidence matrix is refused (limit ${MAX_COINCIDENCE_VALUES})`);
  }
  const o = new Float64Array(v * v);
  const cnt = new Float64Array(v);
  const touched = new Int32Array(v);
  const { codes, unitStart } = prep;
  const units = unitStart.length - 1;
  for (let p = 0; p < units; p++) {
    const s = unitStart[p];
    const e = unitStart[p + 1];
    const inv = 1 / (e - s - 1);
    let d = 0;
    for (let t = s; t < e; t++) {
      const c = codes[t];
      if (cnt[c] === 0) touched[d++] = c;
      cnt[c] += 1;
    }
    for (let x = 0; x < d; x++) {
      const c = touched[x];
      const nc = cnt[c];
      for (let y = 0; y < d; y++) {
        const k = touched[y];
        o[c * v + k] += (c === k ? nc * (nc - 1) : nc * cnt[k]) * inv;
      }
    }
    for (let x = 0; x < d; x++) cnt[touched[x]] = 0;
  }
  return { values: prep.values, matrix: { rows: v, cols: v, data: o } };
}

/**
 * Validates and reduces the data: two contiguous passes over the coders × units matrix (row by row, so memory
 * is read in order), the first counting values per unit and collecting the value domain, the second writing the
 * domain index of every value of a pairable unit into a unit-grouped array.
 */
function prepare(m: Matrix, fn: string, nonNegative: boolean): Prepared {
  const { rows: coders, cols: units, data } = m;
  const perUnit = new Int32Array(units);
  const seenSmall = new Uint8Array(SMALL_INT_LIMIT);
  let general = false; // some value is not a small non-negative integer
  let total = 0;
  for (let r = 0; r < coders; r++) {
    const o = r * units;
    for (let u = 0; u < units; u++) {
      const v = data[o + u];
      if (v !== v) continue; // NaN = missing
      perUnit[u]++;
      total++;
      if ((v >>> 0) === v && v < SMALL_INT_LIMIT) seenSmall[v] = 1;
      else {
        if (!Number.isFinite(v)) throw new QualityInputError(fn, 'reliabilityData', `row ${r} column ${u} is ${v}, not a finite number or missing`);
        if (nonNegative && v < 0) throw new QualityInputError(fn, 'reliabilityData', `row ${r} column ${u} is ${v}: ratio level needs non-negative values`);
        general = true;
      }
    }
  }

  // Value domain and the map value → index.
  let values: Float64Array;
  let lut: Int32Array | null = null;
  if (!general) {
    let v = 0;
    for (let x = 0; x < SMALL_INT_LIMIT; x++) v += seenSmall[x];
    values = new Float64Array(v);
    lut = new Int32Array(SMALL_INT_LIMIT);
    let idx = 0;
    for (let x = 0; x < SMALL_INT_LIMIT; x++) {
      if (seenSmall[x]) {
        values[idx] = x;
        lut[x] = idx++;
      }
    }
  } else {
    const all = new Float64Array(total);
    let t = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v === v) all[t++] = v;
    }
    all.sort();
    let v = 0;
    for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) all[v++] = all[i];
    values = all.slice(0, v);
  }

  // Offsets of pairable units (m_u ≥ 2), in unit order.
  const pos = new Int32Array(units);
  let pairable = 0;
  let n = 0;
  for (let u = 0; u < units; u++) {
    if (perUnit[u] >= 2) {
      pos[u] = n;
      n += perUnit[u];
      pairable++;
    } else pos[u] = -1;
  }
  const unitStart = new Int32Array(pairable + 1);
  {
    let p = 0;
    for (let u = 0; u < units; u++) if (perUnit[u] >= 2) unitStart[p++] = pos[u];
    unitStart[pairable] = n;
  }

  const codes = new Int32Array(n);
  const valueCounts = new Float64Array(values.length);
  for (let r = 0; r < coders; r++) {
    const o = r * units;
    for (let u = 0; u < units; u++) {
      const v = data[o + u];
      if (v !== v) continue;
      const p = pos[u];
      if (p < 0) continue;
      const c = lut !== null ? lut[v] : indexOf(values, v);
      codes[p] = c;
      pos[u] = p + 1;
      valueCounts[c] += 1;
    }
  }
  return { values, codes, unitStart, valueCounts };
}

/** Binary search of v in the sorted domain (v is known to be present). */
function indexOf(values: Float64Array, v: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function alphaInner(prep: Prepared, level: KrippendorffLevel): number {
  const { values, codes, unitStart, valueCounts } = prep;
  const n = codes.length;
  if (n === 0) return NaN; // no unit has two values
  const v = values.length;
  const units = unitStart.length - 1;
  let observed = 0; // Σ_ck o_ck δ²_ck
  let expected = 0; // Σ_ck n_c n_k δ²_ck

  if (level === 'nominal') {
    const cnt = new Float64Array(v);
    for (let p = 0; p < units; p++) {
      const s = unitStart[p];
      const e = unitStart[p + 1];
      const mu = e - s;
      let sumSq = 0;
      for (let t = s; t < e; t++) {
        const c = codes[t];
        sumSq += 2 * cnt[c] + 1; // (x + 1)² − x²
        cnt[c] += 1;
      }
      for (let t = s; t < e; t++) cnt[codes[t]] = 0;
      observed += (mu * mu - sumSq) / (mu - 1);
    }
    let sq = 0;
    for (let c = 0; c < v; c++) sq += valueCounts[c] * valueCounts[c];
    expected = n * n - sq;
  } else if (level === 'interval' || level === 'ordinal') {
    // x_c: the value itself (interval) or its mid-rank M_c (ordinal), centred at the pooled mean.
    const x = new Float64Array(v);
    if (level === 'interval') x.set(values);
    else {
      let below = 0;
      for (let c = 0; c < v; c++) {
        x[c] = below + valueCounts[c] / 2;
        below += valueCounts[c];
      }
    }
    let mean = 0;
    for (let c = 0; c < v; c++) mean += valueCounts[c] * x[c];
    mean /= n;
    for (let c = 0; c < v; c++) x[c] -= mean;
    for (let p = 0; p < units; p++) {
      const s = unitStart[p];
      const e = unitStart[p + 1];
      const mu = e - s;
      const shift = x[codes[s]]; // shifting by a unit member keeps m Σx² − (Σx)² free of cancellation
      let s1 = 0;
      let s2 = 0;
      for (let t = s; t < e; t++) {
        const d = x[codes[t]] - shift;
        s1 += d;
        s2 += d * d;
      }
      observed += (2 * (mu * s2 - s1 * s1)) / (mu - 1);
    }
    let ss = 0;
    for (let c = 0; c < v; c++) ss += valueCounts[c] * x[c] * x[c];
    expected = 2 * n * ss;
  } else {
    const cnt = new Float64Array(v);
    const touched = new Int32Array(v);
    for (let p = 0; p < units; p++) {
      const s = unitStart[p];
      const e = unitStart[p + 1];
      let d = 0;
      for (let t = s; t < e; t++) {
        const c = codes[t];
        if (cnt[c] === 0) touched[d++] = c;
        cnt[c] += 1;
      }
      let u = 0;
      for (let a = 0; a < d; a++) {
        const ca = touched[a];
        for (let b = a + 1; b < d; b++) {
          const cb = touched[b];
          u += cnt[ca] * cnt[cb] * ratioDelta(values[ca], values[cb]);
        }
      }
      observed += (2 * u) / (e - s - 1);
      for (let a = 0; a < d; a++) cnt[touched[a]] = 0;
    }
    for (let a = 0; a < v; a++) {
      const na = valueCounts[a];
      if (na === 0) continue;
      let row = 0;
      for (let b = a + 1; b < v; b++) row += valueCounts[b] * ratioDelta(values[a], values[b]);
      expected += 2 * na * row;
    }
  }
  if (expected === 0) return NaN;
  return 1 - ((n - 1) * observed) / expected;
}

/** ((c − k) / (c + k))² for distinct non-negative c, k (c + k > 0). */
function ratioDelta(c: number, k: number): number {
  const q = (c - k) / (c + k);
  return q * q;
}
