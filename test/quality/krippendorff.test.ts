/**
 * Krippendorff's alpha. Reference values: test/fixtures/agreement.json → krippendorff_alpha (fast-krippendorff
 * `krippendorff.alpha`, commit b1eb616, default value domain; coincidence matrices stored; seed 31).
 */
import { krippendorffAlpha, krippendorffCoincidences, KrippendorffLevel } from '../../src/quality/krippendorff-alpha';
import { createRng, shuffleInPlace } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface ResultCall { function: string; kwargs: Record<string, unknown>; result: number }
/** findCalls, typed with the numeric `result` these fixtures store. */
const callsOf = (c: { calls: ResultCall[] }, fn: string, match: Record<string, unknown>): ResultCall[] => findCalls(c, fn, match) as ResultCall[];

interface AlphaCase {
  name: string;
  reliability_data_coders_x_units: (number | null)[][];
  coincidence_matrix: number[][];
  coincidence_values: number[];
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: number }>;
}

const cases = loadFixture<{ krippendorff_alpha: AlphaCase[] }>('agreement.json').krippendorff_alpha;
const LEVELS: KrippendorffLevel[] = ['nominal', 'ordinal', 'interval', 'ratio'];
type Data = (number | null)[][];

function typed(d: Data, Arr: Float64ArrayConstructor | Float32ArrayConstructor = Float64Array) {
  const flat = d.flat();
  const data = new Arr(flat.length);
  flat.forEach((v, i) => { data[i] = v === null ? NaN : v; });
  return { rows: d.length, cols: d[0].length, data };
}
const mapValues = (d: Data, f: (v: number) => number): Data => d.map((row) => row.map((v) => (v === null ? null : f(v))));

/**
 * Textbook alpha from explicit pairs (Krippendorff 2011): for every unit with m_u ≥ 2 values, each ordered pair of
 * its values (from different coders) adds 1/(m_u − 1) to o_ck; α = 1 − (n − 1) Σ o δ² / Σ n_c n_k δ².
 * O(Σ m_u²): an independent check of the count-based implementation.
 */
function pairAlpha(d: Data, level: KrippendorffLevel): number {
  const units = d[0].length;
  const pairs: Array<[number, number, number]> = [];
  for (let u = 0; u < units; u++) {
    const vals = d.map((row) => row[u]).filter((v): v is number => v !== null);
    if (vals.length < 2) continue;
    for (let i = 0; i < vals.length; i++) for (let j = 0; j < vals.length; j++) if (i !== j) pairs.push([vals[i], vals[j], 1 / (vals.length - 1)]);
  }
  const nc = new Map<number, number>();
  for (const [c, , w] of pairs) nc.set(c, (nc.get(c) ?? 0) + w);
  const domain = Array.from(nc.keys()).sort((a, b) => a - b);
  const n = domain.reduce((s, c) => s + nc.get(c)!, 0);
  const delta = (c: number, k: number): number => {
    if (c === k) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return (c - k) ** 2;
    if (level === 'ratio') return ((c - k) / (c + k)) ** 2;
    const [lo, hi] = c < k ? [c, k] : [k, c];
    let s = 0;
    for (const g of domain) if (g >= lo && g <= hi) s += nc.get(g)!;
    return (s - (nc.get(c)! + nc.get(k)!) / 2) ** 2;
  };
  let dObs = 0;
  for (const [c, k, w] of pairs) dObs += w * delta(c, k);
  let dExp = 0;
  for (const c of domain) for (const k of domain) dExp += nc.get(c)! * nc.get(k)! * delta(c, k);
  return 1 - ((n - 1) * dObs) / dExp;
}

function randomData(coders: number, units: number, values: number, missing: number, seed: number): Data {
  const rng = createRng(seed);
  const d: Data = [];
  const truth = Array.from({ length: units }, () => 1 + rng.int(values));
  for (let c = 0; c < coders; c++) {
    d.push(truth.map((t) => (rng.next() < missing ? null : rng.next() < 0.6 ? t : 1 + rng.int(values))));
  }
  return d;
}

describe('krippendorffAlpha', () => {
  it.each(cases.map((c) => [c.name, c] as const))('matches fast-krippendorff on %s (all four levels)', (_name, ac) => {
    const d = ac.reliability_data_coders_x_units;
    for (const level of LEVELS) {
      const [call] = callsOf(ac, 'krippendorff.alpha (fast-krippendorff)', { level_of_measurement: level });
      expect(call).toBeDefined();
      expectClose(krippendorffAlpha(d, { level }), call.result, 1e-6);
      expectClose(krippendorffAlpha(typed(d), { level }), call.result, 1e-6);
    }
    // default level is interval, as fast-krippendorff's
    expectClose(krippendorffAlpha(d), callsOf(ac, 'krippendorff.alpha (fast-krippendorff)', { level_of_measurement: 'interval' })[0].result, 1e-6);
  });

  it.each(cases.map((c) => [c.name, c] as const))('coincidence matrix matches the stored one on %s', (_name, ac) => {
    const { values, matrix } = krippendorffCoincidences(ac.reliability_data_coders_x_units);
    expect(Array.from(values)).toEqual(ac.coincidence_values);
    expect(matrix.rows).toBe(values.length);
    expectClose(matrix.data, ac.coincidence_matrix.flat(), 1e-9);
  });

  it('agrees with the explicit-pairs textbook computation on random data (many coders, missing values)', () => {
    for (const [coders, units, values, missing, seed] of [[7, 300, 5, 0.3, 1], [12, 150, 9, 0.5, 2], [3, 500, 2, 0.2, 3]]) {
      const d = randomData(coders, units, values, missing, seed);
      for (const level of LEVELS) expectClose(krippendorffAlpha(d, { level }), pairAlpha(d, level), 1e-9);
    }
  });

  it('is invariant to permuting units and coders, and never modifies its input', () => {
    const d = randomData(6, 200, 5, 0.3, 4);
    const copy = JSON.parse(JSON.stringify(d));
    const t = typed(d);
    const tCopy = Float64Array.from(t.data);
    const p = shuffleInPlace(Int32Array.from({ length: 200 }, (_, i) => i), createRng(5));
    const byUnit = d.map((row) => Array.from(p, (u) => row[u]));
    const byCoder = [d[3], d[0], d[5], d[1], d[4], d[2]];
    for (const level of LEVELS) {
      const ref = krippendorffAlpha(d, { level });
      krippendorffAlpha(t, { level });
      expectClose(krippendorffAlpha(byUnit, { level }), ref, 1e-12);
      expectClose(krippendorffAlpha(byCoder, { level }), ref, 1e-12);
    }
    expect(d).toEqual(copy);
    expect(t.data).toEqual(tCopy);
  });

  it('respects each level\'s invariances (also exercising non-integer values)', () => {
    const d = cases.find((c) => c.name === 'krippendorff2011_4x12')!.reliability_data_coders_x_units;
    const base = Object.fromEntries(LEVELS.map((l) => [l, krippendorffAlpha(d, { level: l })]));
    // nominal: any relabelling; ordinal: any increasing map; interval: affine; ratio: scaling
    expectClose(krippendorffAlpha(mapValues(d, (v) => [0, -7.5, 3.25, 100, 0.5, 42][v]), { level: 'nominal' }), base.nominal, 1e-12);
    expectClose(krippendorffAlpha(mapValues(d, (v) => v ** 3 - 0.37), { level: 'ordinal' }), base.ordinal, 1e-12);
    expectClose(krippendorffAlpha(mapValues(d, (v) => -2.5 * v + 1e6), { level: 'interval' }), base.interval, 1e-9);
    expectClose(krippendorffAlpha(mapValues(d, (v) => 0.37 * v), { level: 'ratio' }), base.ratio, 1e-12);
    // float32 storage of the same integers
    for (const level of LEVELS) expectClose(krippendorffAlpha(typed(d, Float32Array), { level }), base[level], 1e-12);
    // large integers (beyond the dense lookup) too
    expectClose(krippendorffAlpha(mapValues(d, (v) => 70000 + v), { level: 'nominal' }), base.nominal, 1e-12);
  });

  it('edge cases: perfect agreement, K = 2, one coder, no pairable unit, a single value', () => {
    expect(krippendorffAlpha([[1, 2, 3, null], [1, 2, 3, 4]], { level: 'nominal' })).toBe(1);
    expect(krippendorffAlpha([[0, 1, 0, 1], [0, 1, 0, 1]], { level: 'interval' })).toBe(1);
    // binary, one disagreement in four units
    const bin = [[0, 1, 0, 1], [0, 1, 1, 1]];
    for (const level of LEVELS) expectClose(krippendorffAlpha(bin, { level }), pairAlpha(bin, level), 1e-12);
    // one coder, or no unit with two values: NaN
    expect(krippendorffAlpha([[1, 2, 3]], { level: 'nominal' })).toBeNaN();
    expect(krippendorffAlpha([[1, null, 3], [null, 2, null]], { level: 'nominal' })).toBeNaN();
    expect(krippendorffAlpha([[null, null], [null, null]])).toBeNaN();
    // every pairable value identical: no expected disagreement
    expect(krippendorffAlpha([[2, 2, 5], [2, 2, null]], { level: 'nominal' })).toBeNaN();
    // values seen only in unpairable units do not change alpha
    expectClose(krippendorffAlpha([[1, 2, 1, 9], [1, 2, 2, null]], { level: 'ordinal' }), krippendorffAlpha([[1, 2, 1], [1, 2, 2]], { level: 'ordinal' }), 1e-12);
  });

  it('rejects bad input naming the function and the argument', () => {
    expect(() => krippendorffAlpha([[1, 2], [1]])).toThrow('krippendorffAlpha: reliabilityData is ragged: row 1');
    expect(() => krippendorffAlpha([[1, Infinity], [1, 2]])).toThrow('krippendorffAlpha: reliabilityData row 0 column 1 is Infinity');
    expect(() => krippendorffAlpha([[1, 2], [1, -2]], { level: 'ratio' })).toThrow('krippendorffAlpha: reliabilityData row 1 column 1 is -2: ratio level needs non-negative values');
    expect(() => krippendorffAlpha({ rows: 2, cols: 3, data: new Float64Array(5) })).toThrow('krippendorffAlpha: reliabilityData data length 5');
    // @ts-expect-error invalid level on purpose
    expect(() => krippendorffAlpha([[1, 2], [1, 2]], { level: 'cardinal' })).toThrow('krippendorffAlpha: options.level');
    expect(() => krippendorffCoincidences([[1, NaN], [1, -Infinity]])).toThrow('krippendorffCoincidences: reliabilityData row 1 column 1 is -Infinity');
  });
});
