/**
 * Drift statistics against scipy 1.10.1 reference values (test/fixtures/drift.json, see test/fixtures/README.md §4:
 * scipy.stats.ks_2samp, scipy.stats.chi2_contingency, scipy.spatial.distance.jensenshannon,
 * scipy.stats.wasserstein_distance; psi and mmd2_rbf by the formulas written out there), plus properties.
 */
import { loadFixture, expectClose } from '../helpers/fixtures';
import { ks2samp, sortFloat64 } from '../../src/quality/ks-2samp';
import { psi } from '../../src/quality/psi';
import { chiSquareTest } from '../../src/quality/chi-square';
import { jensenShannon } from '../../src/quality/jensen-shannon';
import { wasserstein1d } from '../../src/quality/wasserstein';
import { mmd2, quickselect } from '../../src/quality/mmd';
import { chi2Sf, kolmogorovSmirnovSf, logGamma, regularizedGammaP, regularizedGammaQ, smirnovSf } from '../../src/quality/special-functions';
import { createRng, shuffleInPlace } from '../../src/quality/rng';
import { QualityInputError } from '../../src/quality/matrix';

/* eslint-disable @typescript-eslint/no-explicit-any */
const fx = loadFixture<any>('drift.json');

/** p-values: relative 1e-6, or absolute 1e-10 for tiny ones. */
const expectP = (actual: number, expected: number) => expectClose(actual, expected, 1e-10, 1e-6);

function normals(rng: ReturnType<typeof createRng>, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + sd * rng.normal();
  return out;
}

function rows(rng: ReturnType<typeof createRng>, n: number, d: number, shift = 0): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(normals(rng, d, shift));
  return out;
}

function shuffled<T>(a: readonly T[], seed: number): T[] {
  const idx = Int32Array.from(a.map((_, i) => i));
  shuffleInPlace(idx, createRng(seed));
  return Array.from(idx, (i) => a[i]);
}

function expectQualityError(f: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(QualityInputError);
  expect((err as Error).message).toMatch(pattern);
}

describe('ks2samp vs scipy.stats.ks_2samp (scipy 1.10.1)', () => {
  const cases: Array<[string, string, any, any]> = [];
  for (const c of fx.ks_2samp) for (const call of c.calls) cases.push([c.name, call.kwargs.method, c, call.result]);
  expect(cases.length).toBe(17);

  test.each(cases)('%s method=%s', (_name, method, c, exp) => {
    const r = ks2samp(c.x, c.y, { method: method as 'auto' | 'exact' | 'asymp' });
    expectClose(r.statistic, exp.statistic, 1e-12, 0);
    expectP(r.pvalue, exp.pvalue);
    expect(r.statisticLocation).toBe(exp.statistic_location);
    expect(r.statisticSign).toBe(exp.statistic_sign);
  });

  test('typed-array inputs give the same result as number[]', () => {
    const c = fx.ks_2samp.find((k: any) => k.name === 'large_small_shift');
    const a = ks2samp(c.x, c.y);
    const b = ks2samp(Float64Array.from(c.x), Float64Array.from(c.y));
    expect(b).toEqual(a);
  });
});

describe('ks2samp properties', () => {
  const rng = createRng(7);
  const x = normals(rng, 37);
  const y = normals(rng, 52, 0.4);

  test('inputs are not modified (number[] and Float64Array)', () => {
    const xc = x.slice();
    const yt = Float64Array.from(y);
    const yc = yt.slice();
    ks2samp(x, yt);
    expect(x).toEqual(xc);
    expect(yt).toEqual(yc);
  });

  test('permuting the examples of each sample changes nothing', () => {
    for (const method of ['exact', 'asymp'] as const) {
      expect(ks2samp(shuffled(x, 1), shuffled(y, 2), { method })).toEqual(ks2samp(x, y, { method }));
    }
  });

  test('swapping the samples keeps D and p, flips the sign', () => {
    const a = ks2samp(x, y);
    const b = ks2samp(y, x);
    expect(b.statistic).toBe(a.statistic);
    expectP(b.pvalue, a.pvalue);
    expect(b.statisticSign).toBe(-a.statisticSign);
  });

  test('identical samples: D = 0, p = 1', () => {
    for (const method of ['exact', 'asymp'] as const) {
      const r = ks2samp(x, x.slice().reverse(), { method });
      expect(r.statistic).toBe(0);
      expect(r.pvalue).toBe(1);
    }
  });

  test('disjoint samples: D = 1, exact p = 2 / C(n1+n2, n1)', () => {
    const r = ks2samp([0, 1, 2, 3, 4], [10, 11, 12, 13, 14], { method: 'exact' });
    expect(r.statistic).toBe(1);
    expectP(r.pvalue, 2 / 252);
    const u = ks2samp([0, 1, 2], [10, 11, 12, 13], { method: 'exact' });
    expectP(u.pvalue, 2 / 35);
    expect(u.statisticLocation).toBe(2);
  });

  test('one value each: D = 1, p = 1', () => {
    const r = ks2samp([0], [1]);
    expect(r.statistic).toBe(1);
    expect(r.pvalue).toBe(1);
  });

  test("'auto' is exact up to 10000 values per sample and asymptotic above", () => {
    const r2 = createRng(3);
    const a = normals(r2, 10001);
    const b = normals(r2, 3000, 0.05);
    expect(ks2samp(a, b)).toEqual(ks2samp(a, b, { method: 'asymp' }));
    const a2 = a.slice(0, 10000);
    expect(ks2samp(a2, b)).toEqual(ks2samp(a2, b, { method: 'exact' }));
    expect(ks2samp(a2, b).pvalue).not.toBe(ks2samp(a2, b, { method: 'asymp' }).pvalue);
  });

  test("'exact' falls back to 'asymp' when lcm(n1, n2) overflows int32 (scipy)", () => {
    const r2 = createRng(4);
    const a = normals(r2, 50000);
    const b = normals(r2, 50001);
    const exact = ks2samp(a, b, { method: 'exact' });
    expect(exact).toEqual(ks2samp(a, b, { method: 'asymp' }));
  });

  test('clear errors', () => {
    expectQualityError(() => ks2samp([1, NaN, 2], [1, 2]), /^ks2samp: x index 1 is NaN, not a finite number/);
    expectQualityError(() => ks2samp([1, 2], [1, null as unknown as number]), /^ks2samp: y index 1 is null/);
    expectQualityError(() => ks2samp([], [1, 2]), /^ks2samp: x has 0 values/);
    expectQualityError(() => ks2samp([1], [2], { method: 'fast' as 'auto' }), /^ks2samp: options\.method is fast/);
    expectQualityError(() => ks2samp([[1]] as unknown as number[], [2]), /^ks2samp: x index 0/);
  });
});

describe('chiSquareTest vs scipy.stats.chi2_contingency (scipy 1.10.1)', () => {
  const cases: Array<[string, boolean, any, any]> = [];
  for (const c of fx.chi2_contingency) for (const call of c.calls) cases.push([c.name, call.kwargs.correction, c, call.result]);
  expect(cases.length).toBe(10);

  test.each(cases)('%s correction=%s', (_name, correction, c, exp) => {
    const r = chiSquareTest(c.observed[0], c.observed[1], { correction });
    expectClose(r.statistic, exp.statistic, 1e-10, 1e-9);
    expectP(r.pvalue, exp.pvalue);
    expect(r.dof).toBe(exp.dof);
    expect(r.expectedFreq.rows).toBe(2);
    expectClose(r.expectedFreq.data, exp.expected_freq.flat(), 1e-9, 1e-12);
  });

  test('correction defaults to true', () => {
    const c = fx.chi2_contingency[0];
    expect(chiSquareTest(c.observed[0], c.observed[1]).statistic).toBe(chiSquareTest(c.observed[0], c.observed[1], { correction: true }).statistic);
  });
});

describe('chiSquareTest properties', () => {
  const a = [45, 107, 30, 173, 228];
  const b = [28, 37, 18, 56, 90];

  test('inputs are not modified; Int32Array accepted', () => {
    const ac = a.slice();
    const bt = Int32Array.from(b);
    const r = chiSquareTest(a, bt);
    expect(a).toEqual(ac);
    expect(Array.from(bt)).toEqual(b);
    expect(r).toEqual(chiSquareTest(a, b));
  });

  test('permuting the categories (jointly) or swapping A and B changes nothing', () => {
    const order = [3, 0, 4, 1, 2];
    const r = chiSquareTest(a, b);
    const p = chiSquareTest(order.map((k) => a[k]), order.map((k) => b[k]));
    expectClose(p.statistic, r.statistic, 1e-12, 1e-12);
    expectClose(p.pvalue, r.pvalue, 1e-15, 1e-12);
    const s = chiSquareTest(b, a);
    expectClose(s.statistic, r.statistic, 1e-12, 1e-12);
  });

  test('columns empty in both samples are dropped (dof counts only the rest)', () => {
    const r = chiSquareTest(a, b);
    const z = chiSquareTest([0, ...a, 0], [0, ...b, 0]);
    expect(z.dof).toBe(r.dof);
    expectClose(z.statistic, r.statistic, 1e-12, 1e-12);
    expect(z.expectedFreq.cols).toBe(7);
    expect(z.expectedFreq.data[0]).toBe(0);
  });

  test('identical proportions give statistic 0 and p-value 1; a single category gives dof 0', () => {
    const r = chiSquareTest([10, 20, 30], [20, 40, 60]);
    expectClose(r.statistic, 0, 1e-12);
    expectClose(r.pvalue, 1, 1e-12);
    const one = chiSquareTest([5, 0], [7, 0]);
    expect(one).toMatchObject({ statistic: 0, pvalue: 1, dof: 0 });
  });

  test('a category present in only one sample is detected', () => {
    const r = chiSquareTest([50, 50, 0], [50, 50, 40]);
    expect(r.pvalue).toBeLessThan(1e-6);
  });

  test('clear errors', () => {
    expectQualityError(() => chiSquareTest([1, 2], [1, 2, 3]), /^chiSquareTest: countsB has length 3, countsA has 2/);
    expectQualityError(() => chiSquareTest([1, -2], [1, 2]), /^chiSquareTest: countsA index 1 is -2, counts must be non-negative/);
    expectQualityError(() => chiSquareTest([1, NaN], [1, 2]), /^chiSquareTest: countsA index 1 is NaN/);
    expectQualityError(() => chiSquareTest([0, 0], [1, 2]), /^chiSquareTest: countsA sums to 0/);
    expectQualityError(() => chiSquareTest([], []), /^chiSquareTest: countsA is empty/);
  });
});

describe('jensenShannon vs scipy.spatial.distance.jensenshannon (scipy 1.10.1)', () => {
  const cases: Array<[string, number | null, any, number]> = [];
  for (const c of fx.jensenshannon) for (const call of c.calls) cases.push([c.name, call.kwargs.base, c, call.result]);
  expect(cases.length).toBe(10);

  test.each(cases)('%s base=%s', (_name, base, c, exp) => {
    expectClose(jensenShannon(c.p, c.q, { base }), exp, 1e-12, 1e-9);
  });

  test('default base is 2; natural log via base e equals base null', () => {
    const c = fx.jensenshannon[0];
    expect(jensenShannon(c.p, c.q)).toBe(jensenShannon(c.p, c.q, { base: 2 }));
    expectClose(jensenShannon(c.p, c.q, { base: Math.E }), jensenShannon(c.p, c.q, { base: null }), 1e-15, 1e-12);
  });

  test('symmetric, invariant to a joint permutation of categories, inputs not modified', () => {
    const c = fx.jensenshannon[1];
    const p: number[] = c.p.slice();
    const q = Float64Array.from(c.q as number[]);
    const d = jensenShannon(p, q);
    expect(p).toEqual(c.p);
    expect(Array.from(q)).toEqual(c.q);
    expectClose(jensenShannon(q, p), d, 1e-15, 1e-12);
    const order = shuffled(p.map((_, i) => i), 5);
    expectClose(jensenShannon(order.map((k) => p[k]), order.map((k) => q[k])), d, 1e-15, 1e-12);
  });

  test('clear errors', () => {
    expectQualityError(() => jensenShannon([0.5, 0.5], [1]), /^jensenShannon: q has length 1, p has 2/);
    expectQualityError(() => jensenShannon([0.5, -0.5], [0.5, 0.5]), /^jensenShannon: p index 1 is -0.5/);
    expectQualityError(() => jensenShannon([0.5, NaN], [0.5, 0.5]), /^jensenShannon: p index 1 is NaN/);
    expectQualityError(() => jensenShannon([0, 0], [0.5, 0.5]), /^jensenShannon: p sums to 0/);
    expectQualityError(() => jensenShannon([1], [1], { base: 1 }), /^jensenShannon: options\.base is 1/);
  });
});

describe('wasserstein1d vs scipy.stats.wasserstein_distance (scipy 1.10.1)', () => {
  const cases: Array<[string, any, number]> = fx.wasserstein_distance.map((c: any) => [c.name, c, c.calls[0].result]);
  expect(cases.length).toBe(4);

  test.each(cases)('%s', (_name, c, exp) => {
    const opts = c.u_weights === null ? {} : { uWeights: c.u_weights, vWeights: c.v_weights };
    expectClose(wasserstein1d(c.u_values, c.v_values, opts), exp, 1e-12, 1e-9);
  });
});

describe('wasserstein1d properties', () => {
  const rng = createRng(11);
  const u = normals(rng, 40);
  const v = normals(rng, 25, 1);
  const uw = u.map(() => rng.next());

  test('inputs (values and weights) are not modified', () => {
    const uc = u.slice();
    const wc = uw.slice();
    const vt = Float32Array.from(v);
    const vc = vt.slice();
    wasserstein1d(u, vt, { uWeights: uw });
    expect(u).toEqual(uc);
    expect(uw).toEqual(wc);
    expect(vt).toEqual(vc);
  });

  test('permuting values together with their weights changes nothing; symmetric', () => {
    const d = wasserstein1d(u, v, { uWeights: uw });
    const order = shuffled(u.map((_, i) => i), 3);
    expectClose(wasserstein1d(order.map((i) => u[i]), shuffled(v, 4), { uWeights: order.map((i) => uw[i]) }), d, 1e-12, 1e-12);
    expectClose(wasserstein1d(v, u, { vWeights: uw }), d, 1e-12, 1e-12);
  });

  test('a shift by c has distance c; equal weights = no weights; integer weights = repeated values', () => {
    expectClose(wasserstein1d(u, u.map((t) => t + 2.5)), 2.5, 1e-12);
    expectClose(wasserstein1d(u, v, { uWeights: u.map(() => 3) }), wasserstein1d(u, v), 1e-14, 1e-12);
    const reps = [1, 2, 3, 1];
    const vals = [0.5, -1, 2, 4];
    const expanded = vals.flatMap((t, i) => new Array(reps[i]).fill(t));
    expectClose(wasserstein1d(vals, v, { uWeights: reps }), wasserstein1d(expanded, v), 1e-14, 1e-12);
    expect(wasserstein1d([1, 1, 1], [1])).toBe(0);
  });

  test('clear errors', () => {
    expectQualityError(() => wasserstein1d([1, 2], [1], { uWeights: [1] }), /^wasserstein1d: options\.uWeights has length 1, expected 2/);
    expectQualityError(() => wasserstein1d([1, 2], [1], { uWeights: [1, -1] }), /^wasserstein1d: options\.uWeights index 1 is -1/);
    expectQualityError(() => wasserstein1d([1, 2], [1], { vWeights: [0] }), /^wasserstein1d: options\.vWeights sums to 0/);
    expectQualityError(() => wasserstein1d([1, Infinity], [1]), /^wasserstein1d: u index 1 is Infinity/);
    expectQualityError(() => wasserstein1d([1], []), /^wasserstein1d: v has 0 values/);
  });
});

describe('psi vs the quantile-bin formula of test/fixtures/README.md §4', () => {
  const cases: Array<[string, number, any, any]> = fx.psi.map((c: any) => [c.name, c.calls[0].kwargs.n_bins, c, c.calls[0].result]);
  expect(cases.length).toBe(4);

  test.each(cases)('%s bins=%s', (_name, bins, c, exp) => {
    expect(c.calls[0].kwargs.eps).toBe(1e-4);
    const r = psi(c.reference, c.current, { bins });
    expectClose(r.psi, exp.psi, 1e-12, 1e-9);
    expectClose(r.edges, exp.interior_edges, 1e-12, 0);
    expect(Array.from(r.referenceCounts)).toEqual(exp.ref_counts);
    expect(Array.from(r.currentCounts)).toEqual(exp.cur_counts);
    expectClose(r.contributions, exp.contributions, 1e-12, 1e-9);
  });
});

describe('psi properties', () => {
  const c = fx.psi[0];

  test('default bins = 10; inputs not modified; typed arrays accepted', () => {
    const ref = c.reference.slice();
    const cur = Float64Array.from(c.current);
    const r = psi(ref, cur);
    expect(ref).toEqual(c.reference);
    expect(Array.from(cur)).toEqual(c.current);
    expect(r.edges.length).toBe(9);
    expect(r).toEqual(psi(c.reference, c.current, { bins: 10 }));
  });

  test('permuting either sample changes nothing', () => {
    const r = psi(c.reference, c.current);
    const p = psi(shuffled(c.reference, 1), shuffled(c.current, 2));
    expect(p.psi).toBe(r.psi);
    expect(p.edges).toEqual(r.edges);
  });

  test('current = reference gives 0; one bin gives 0; a constant reference has one edge', () => {
    expect(psi(c.reference, c.reference).psi).toBe(0);
    const one = psi(c.reference, c.current, { bins: 1 });
    expect(one.edges.length).toBe(0);
    expect(one.psi).toBe(0);
    const k = psi([3, 3, 3, 3], [1, 3, 5]);
    expect(Array.from(k.edges)).toEqual([3]);
    expect(Array.from(k.referenceCounts)).toEqual([0, 4]);
    expect(Array.from(k.currentCounts)).toEqual([1, 2]);
    expect(k.psi).toBeGreaterThan(0);
  });

  test('contributions are non-negative and sum to psi', () => {
    const r = psi(c.reference, c.current);
    let s = 0;
    for (const v of r.contributions) {
      expect(v).toBeGreaterThanOrEqual(0);
      s += v;
    }
    expectClose(s, r.psi, 1e-15, 1e-12);
  });

  test('clear errors', () => {
    expectQualityError(() => psi([1, 2], [1], { bins: 0 }), /^psi: options\.bins is 0/);
    expectQualityError(() => psi([1, 2], [1], { bins: 2.5 }), /^psi: options\.bins is 2\.5/);
    expectQualityError(() => psi([1, NaN], [1]), /^psi: reference index 1 is NaN/);
    expectQualityError(() => psi([1, 2], []), /^psi: current has 0 values/);
  });
});

describe('mmd2 vs the RBF/median-heuristic formulas of test/fixtures/README.md §4', () => {
  const cases: Array<[string, any, any]> = fx.mmd2_rbf.map((c: any) => [c.name, c, c.calls[0].result]);
  expect(cases.length).toBe(4);

  test.each(cases)('%s', (_name, c, exp) => {
    const r = mmd2(c.X, c.Y);
    expectClose(r.sigma, exp.sigma, 1e-12, 1e-9);
    expectClose(r.gamma, exp.gamma, 1e-12, 1e-9);
    expectClose(r.mmd2, exp.mmd2_biased, 1e-12, 1e-9);
    expectClose(r.mmd2Unbiased, exp.mmd2_unbiased, 1e-12, 1e-9);
    expect(r.pvalue).toBeGreaterThan(0);
    expect(r.pvalue).toBeLessThanOrEqual(1);
  });

  test('{rows, cols, data} and 1-D typed inputs agree with number[][]', () => {
    const c = fx.mmd2_rbf.find((k: any) => k.name === '5d_shift');
    const toM = (a: number[][]) => ({ rows: a.length, cols: a[0].length, data: Float64Array.from(a.flat()) });
    expect(mmd2(toM(c.X), toM(c.Y))).toEqual(mmd2(c.X, c.Y));
    const d1 = fx.mmd2_rbf.find((k: any) => k.name === '1d_scale');
    expect(mmd2(Float64Array.from(d1.X), d1.Y.map((v: number) => [v]))).toEqual(mmd2(d1.X, d1.Y));
  });
});

describe('mmd2 properties', () => {
  const rng = createRng(21);
  const X = rows(rng, 40, 3);
  const Y = rows(rng, 30, 3, 0.2);

  test('inputs are not modified', () => {
    const xc = X.map((r) => r.slice());
    const yd = Float64Array.from(Y.flat());
    const yc = yd.slice();
    mmd2(X, { rows: 30, cols: 3, data: yd }, { permutations: 20 });
    expect(X).toEqual(xc);
    expect(yd).toEqual(yc);
  });

  test('permuting the rows of X and Y leaves the statistics unchanged; swapping X and Y too', () => {
    const r = mmd2(X, Y, { permutations: 0 });
    const p = mmd2(shuffled(X, 1), shuffled(Y, 2), { permutations: 0 });
    expectClose(p.mmd2, r.mmd2, 1e-14, 1e-10);
    expectClose(p.mmd2Unbiased, r.mmd2Unbiased, 1e-14, 1e-10);
    expect(p.sigma).toBe(r.sigma);
    const s = mmd2(Y, X, { permutations: 0 });
    expectClose(s.mmd2, r.mmd2, 1e-14, 1e-10);
    expectClose(s.mmd2Unbiased, r.mmd2Unbiased, 1e-14, 1e-10);
  });

  test('p-value: same seed → same p-value; permutations = 0 → 1; values on the grid k/(1+permutations)', () => {
    const a = mmd2(X, Y, { permutations: 50, seed: 5 });
    const b = mmd2(X, Y, { permutations: 50, seed: 5 });
    expect(b.pvalue).toBe(a.pvalue);
    expect(Math.abs(a.pvalue * 51 - Math.round(a.pvalue * 51))).toBeLessThan(1e-9);
    expect(mmd2(X, Y, { permutations: 0 }).pvalue).toBe(1);
    const seeds = new Set([1, 2, 3, 4, 5, 6].map((seed) => mmd2(X, Y, { permutations: 50, seed }).pvalue));
    expect(seeds.size).toBeGreaterThan(1);
  });

  test('a clear shift gives the minimum p-value 1/(1 + permutations)', () => {
    const r2 = createRng(8);
    const A = rows(r2, 60, 4);
    const B = rows(r2, 50, 4, 1);
    const r = mmd2(A, B, { permutations: 200, seed: 1 });
    expect(r.pvalue).toBe(1 / 201);
    expect(r.mmd2).toBeGreaterThan(0.1);
  });

  test('same distribution: p-values over 30 data sets look uniform (mean near 1/2, few below 0.05)', () => {
    const r2 = createRng(9);
    const ps: number[] = [];
    for (let t = 0; t < 30; t++) {
      ps.push(mmd2(rows(r2, 30, 2), rows(r2, 25, 2), { permutations: 99, seed: t }).pvalue);
    }
    const mean = ps.reduce((s, p) => s + p, 0) / ps.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
    expect(ps.filter((p) => p <= 0.05).length).toBeLessThanOrEqual(5);
  });

  test('MMD² is 0 and p = 1 for identical samples; biased ≥ 0; σ = 0 (coincident points) stays finite', () => {
    const r = mmd2(X, X, { permutations: 30 });
    expectClose(r.mmd2, 0, 1e-12);
    expect(r.pvalue).toBe(1);
    expect(mmd2(X, Y).mmd2).toBeGreaterThanOrEqual(0);
    const z = mmd2([0, 0, 0, 0, 1], [0, 0, 0, 1, 1], { permutations: 10 });
    expect(z.sigma).toBe(0);
    expect(Number.isFinite(z.mmd2)).toBe(true);
    expect(Number.isFinite(z.mmd2Unbiased)).toBe(true);
  });

  test('σ is the exact median pairwise distance, also on the sampled-selection path (≥ 65,536 pairs) and with ties', () => {
    const bruteSigma = (pts: number[][]): number => {
      const ds: number[] = [];
      for (let i = 0; i < pts.length; i++) {
        for (let j = i + 1; j < pts.length; j++) ds.push(Math.hypot(...pts[i].map((v, k) => v - pts[j][k])));
      }
      ds.sort((a, b) => a - b);
      const h = ds.length >> 1;
      return ds.length % 2 ? ds[h] : (ds[h - 1] + ds[h]) / 2;
    };
    const r2 = createRng(14);
    const A = rows(r2, 220, 3);
    const B = rows(r2, 180, 3, 0.5); // 400 points → 79,800 pairs (even count)
    expectClose(mmd2(A, B, { permutations: 0 }).sigma, bruteSigma([...A, ...B]), 1e-12, 1e-12);
    const C = rows(r2, 201, 2); // 401 points → 80,200 pairs
    expectClose(mmd2(C, B.map((r) => r.slice(0, 2)), { permutations: 0 }).sigma, bruteSigma([...C, ...B.map((r) => r.slice(0, 2))]), 1e-12, 1e-12);
    const ints = Array.from({ length: 400 }, () => [Math.floor(r2.next() * 5)]); // heavy ties
    expectClose(mmd2(ints.slice(0, 200), ints.slice(200), { permutations: 0 }).sigma, bruteSigma(ints), 1e-12, 1e-12);
  });

  test('clear errors', () => {
    expectQualityError(() => mmd2([[1, 2], [3]], [[1, 2], [3, 4]]), /^mmd2: X is ragged: row 1 has length 1, expected 2/);
    expectQualityError(() => mmd2([[1, 2], [3, 4]], [[1], [2]]), /^mmd2: Y has 1 columns, X has 2/);
    expectQualityError(() => mmd2([[1, 2], [3, NaN]], [[1, 2], [3, 4]]), /^mmd2: X row 1 column 1 is not a finite number/);
    expectQualityError(() => mmd2([1, 2, null as unknown as number], [1, 2]), /^mmd2: X row 2 column 0 is not a finite number/);
    expectQualityError(() => mmd2([[1, 2]], [[1, 2], [3, 4]]), /^mmd2: X has 1 rows, needs at least 2/);
    expectQualityError(() => mmd2([1, 2], [1, 2], { permutations: -1 }), /^mmd2: options\.permutations is -1/);
    expectQualityError(() => mmd2({ rows: 2, cols: 2, data: new Float64Array(3) }, [[1, 2], [3, 4]]), /^mmd2: X data length 3/);
  });
});

describe('sortFloat64 (radix sort)', () => {
  test('matches the built-in sort bit for bit: negatives, ±0, ±Infinity, subnormals, ties, constant high words', () => {
    const rng = createRng(12);
    for (const n of [0, 1, 5, 2047, 2048, 50000]) {
      const a = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? Math.round(rng.normal() * 4) : rng.normal() * 10 ** Math.floor(rng.next() * 20 - 10)));
      const specials = [-0, 0, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, -1.7976931348623157e308];
      for (let t = 0; t < Math.min(n, specials.length); t++) a[(t * 7919) % n] = specials[t];
      const expected = a.slice().sort();
      const got = sortFloat64(a.slice());
      expect(got.length).toBe(n);
      for (let i = 0; i < n; i++) if (!Object.is(got[i], expected[i])) throw new Error(`n=${n} index ${i}: ${got[i]} vs ${expected[i]}`);
    }
    // all values in [1, 2): the top digit passes are trivial and skipped
    const b = Float64Array.from({ length: 10000 }, () => 1 + rng.next());
    expect(Array.from(sortFloat64(b.slice()))).toEqual(Array.from(b.slice().sort()));
    // same high word, only the low 32 bits differ (±): every low-word pass decides the order
    const c = Float64Array.from({ length: 10000 }, (_, i) => (i % 2 ? -1 : 1) * (1 + rng.int(2 ** 32) * 2 ** -52));
    expect(Array.from(sortFloat64(c.slice()))).toEqual(Array.from(c.slice().sort()));
  });
});

describe('quickselect', () => {
  test('returns the k-th smallest and partitions around it, with many ties', () => {
    const rng = createRng(2);
    for (const n of [1, 2, 3, 10, 1001]) {
      const a = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 7));
      const sorted = a.slice().sort();
      for (const k of [0, n >> 1, n - 1]) {
        const b = a.slice();
        expect(quickselect(b, k)).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(b[i]).toBeLessThanOrEqual(b[k]);
        for (let i = k + 1; i < n; i++) expect(b[i]).toBeGreaterThanOrEqual(b[k]);
      }
    }
  });
});

describe('special functions (scipy 1.17.1 values, computed for this test: scipy.stats.kstwo.sf, scipy.special.smirnov, scipy.stats.chi2.sf)', () => {
  // Each kstwo case exercises one branch of the Simard–L'Ecuyer method selection.
  test.each([
    ['Ruben–Gambino nx ≤ 1', 3, 0.3, 0.8862222222222222],
    ['Durbin matrix, n ≤ 140', 10, 0.25, 0.4841115325000003],
    ['Pomeranz, n ≤ 140', 20, 0.3, 0.04306706665851623],
    ['2·Smirnov, n ≤ 140', 100, 0.25, 5.408871776434847e-6],
    ['Pelz–Good, n > 140', 1000, 0.02, 0.8108971656895577],
    ['Durbin matrix, n > 140', 5000, 0.004, 0.9999977369528622],
    ['Pelz–Good, n > 10⁵', 200000, 0.002, 0.39995085369038097],
    ['2·Smirnov, n > 140', 2000, 0.05, 8.74309579589503e-5],
    ['Ruben–Gambino nx ≥ n − 1', 10, 0.95, 1.9531250000000172e-13],
    ['x ≥ 1/2', 30, 0.6, 7.392006292214292e-11],
  ])('kolmogorovSmirnovSf %s (n=%s, x=%s)', (_b, n, x, exp) => {
    expectP(kolmogorovSmirnovSf(n, x), exp);
  });

  test('smirnovSf', () => {
    expectP(smirnovSf(5, 0.3), 0.34282);
    expectP(smirnovSf(50, 0.1), 0.34490701996888);
    expectP(smirnovSf(1000, 0.05), 0.006506037390545166);
    expectP(smirnovSf(20, 0.02), 0.970863776549444);
    expect(smirnovSf(1, 0.25)).toBe(0.75);
  });

  test('chi2Sf and the incomplete gamma function', () => {
    expectP(chi2Sf(3.841458820694124, 1), 0.04999999999999989);
    expectP(chi2Sf(10.5, 4), 0.03279698999488366);
    expectP(chi2Sf(150, 100), 0.0009039320423540184);
    expectP(chi2Sf(0.3, 3), 0.9600284803068776);
    expectP(chi2Sf(80, 5), 8.391825114831597e-16);
    // dof = 2 is exponential: sf = e^{−x/2}
    for (const x of [0.1, 1, 7, 40]) expectClose(chi2Sf(x, 2), Math.exp(-x / 2), 0, 1e-13);
    expect(chi2Sf(0, 3)).toBe(1);
    expectClose(regularizedGammaP(2.5, 1.7) + regularizedGammaQ(2.5, 1.7), 1, 1e-15);
    expectClose(logGamma(10), Math.log(362880), 0, 1e-14);
    expectClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 0, 1e-14);
  });
});
