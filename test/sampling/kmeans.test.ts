/**
 * k-means++ and Lloyd's k-means against a straightforward reference implementation in this file, on
 * hand-checked and seeded random data; cluster-based selection on separated blobs.
 */
import { clusterSelect, kmeans, kmeansPlusPlus } from '../../src/sampling';
import { createRng } from '../../src/quality/rng';
import { expectClose } from '../helpers/fixtures';

function blobs(nPer: number, centers: number[][], seed: number, sd = 0.3): { X: number[][]; truth: number[] } {
  const rng = createRng(seed);
  const X: number[][] = [];
  const truth: number[] = [];
  for (let t = 0; t < nPer * centers.length; t++) {
    const c = t % centers.length;
    X.push(centers[c].map((v) => v + sd * rng.normal()));
    truth.push(c);
  }
  return { X, truth };
}
const d2 = (a: number[], b: ArrayLike<number>) => a.reduce((s, v, j) => s + (v - b[j]) ** 2, 0);

/** Plain Lloyd from given seed rows; same stopping rule as scikit-learn (labels unchanged, or shift ≤ tol·mean var). */
function referenceLloyd(X: number[][], seeds: number[], maxIter = 300, tol = 1e-4) {
  const d = X[0].length;
  let C = seeds.map((i) => X[i].slice());
  const meanVar = Array.from({ length: d }, (_, j) => {
    const m = X.reduce((s, x) => s + x[j], 0) / X.length;
    return X.reduce((s, x) => s + (x[j] - m) ** 2, 0) / X.length;
  }).reduce((a, b) => a + b, 0) / d;
  let labels = X.map(() => -1);
  for (let it = 0; it < maxIter; it++) {
    const nl = X.map((x) => { let b = 0; for (let c = 1; c < C.length; c++) if (d2(x, C[c]) < d2(x, C[b])) b = c; return b; });
    const changed = nl.some((v, i) => v !== labels[i]);
    labels = nl;
    const NC = C.map((c, k) => { const m = X.filter((_, i) => labels[i] === k); return m.length ? c.map((_, j) => m.reduce((s, x) => s + x[j], 0) / m.length) : c; });
    const shift = NC.reduce((s, c, k) => s + d2(c, C[k]), 0);
    C = NC;
    if (!changed || shift <= tol * meanVar) break;
  }
  labels = X.map((x) => { let b = 0; for (let c = 1; c < C.length; c++) if (d2(x, C[c]) < d2(x, C[b])) b = c; return b; });
  const inertia = X.reduce((s, x, i) => s + d2(x, C[labels[i]]), 0);
  return { C, labels, inertia };
}

describe('kmeansPlusPlus', () => {
  test('hand-checked: a duplicate of a chosen seed has D² = 0 and is never drawn', () => {
    const X = [[0], [0], [10]];
    for (let seed = 0; seed < 20; seed++) {
      const s = Array.from(kmeansPlusPlus(X, 2, { seed }));
      expect(s.includes(2)).toBe(true);
      expect(s.includes(0) || s.includes(1)).toBe(true);
    }
  });
  test('draws the next seed with probability ∝ D² (points 0, 1, 3; first seed 0 → P(3) = 9/10)', () => {
    const X = [[0], [1], [3]];
    let firstZero = 0;
    let thenThree = 0;
    for (let seed = 0; seed < 3000; seed++) {
      const s = kmeansPlusPlus(X, 2, { seed });
      if (s[0] === 0) { firstZero++; if (s[1] === 2) thenThree++; }
    }
    expect(firstZero).toBeGreaterThan(800); // ≈ 1000
    expect(thenThree / firstZero).toBeGreaterThan(0.86);
    expect(thenThree / firstZero).toBeLessThan(0.94);
  });
  test('distinct seeds even when rows coincide; respects candidates; same seed → same seeds', () => {
    const X = [[1], [1], [1], [1], [5]];
    const s = Array.from(kmeansPlusPlus(X, 4, { seed: 3 }));
    expect(new Set(s).size).toBe(4);
    const c = Array.from(kmeansPlusPlus(X, 2, { seed: 4, candidates: [0, 4] })).sort();
    expect(c).toEqual([0, 4]);
    expect(Array.from(kmeansPlusPlus(X, 3, { seed: 9, nLocalTrials: 3 }))).toEqual(Array.from(kmeansPlusPlus(X, 3, { seed: 9, nLocalTrials: 3 })));
  });
});

describe('kmeans', () => {
  test.each([1, 2, 3])('seed %i: equals the reference Lloyd from the same seeds', (seed) => {
    const rng = createRng(seed);
    const X = Array.from({ length: 150 }, () => [rng.normal(), rng.normal(), rng.normal() * 2]);
    const seeds = Array.from(kmeansPlusPlus(X, 5, { seed }));
    const ref = referenceLloyd(X, seeds);
    const res = kmeans(X, 5, { seed });
    expect(Array.from(res.labels)).toEqual(ref.labels);
    expectClose(res.centers, ref.C.flat(), 1e-9);
    expectClose(res.inertia, ref.inertia, 1e-9);
  });
  test('recovers separated blobs (up to relabeling) and their means', () => {
    const centers = [[0, 0], [10, 0], [0, 10], [10, 10]];
    const { X, truth } = blobs(25, centers, 7);
    const res = kmeans(X, 4, { seed: 1, nInit: 3 });
    const map = new Map<number, number>();
    truth.forEach((t, i) => { if (!map.has(res.labels[i])) map.set(res.labels[i], t); expect(map.get(res.labels[i])).toBe(t); });
    expect(map.size).toBe(4);
    for (const [k, t] of map) {
      const members = X.filter((_, i) => truth[i] === t);
      const mean = [0, 1].map((j) => members.reduce((s, x) => s + x[j], 0) / members.length);
      expectClose(Array.from(res.centers.subarray(k * 2, k * 2 + 2)), mean, 1e-9);
    }
  });
  test('candidates: other rows get label -1; sample weights pull the center', () => {
    const X = [[0], [1], [100], [2]];
    const r = kmeans(X, 1, { candidates: [0, 1, 3] });
    expect(Array.from(r.labels)).toEqual([0, 0, -1, 0]);
    expectClose(r.centers, [1], 1e-12);
    const w = kmeans(X, 1, { candidates: [0, 1, 3], sampleWeight: [3, 0, 0, 1] });
    expectClose(w.centers, [0.5], 1e-12);
    expectClose(w.inertia, 3 * 0.25 + 1 * 2.25, 1e-12);
  });
  test('same seed → same result; inputs not modified', () => {
    const { X } = blobs(20, [[0, 0], [3, 3], [6, 0]], 2, 1);
    const before = JSON.stringify(X);
    const w = Array.from({ length: X.length }, (_, i) => 1 + (i % 3));
    const a = kmeans(X, 3, { seed: 5, sampleWeight: w });
    const b = kmeans(X, 3, { seed: 5, sampleWeight: w });
    expect(a.labels).toEqual(b.labels);
    expect(a.centers).toEqual(b.centers);
    expect(JSON.stringify(X)).toBe(before);
    expect(w[1]).toBe(2);
  });
  test('errors name the function and the argument', () => {
    expect(() => kmeans([[0], [1]], 3)).toThrow('kmeans: nClusters is 3, more than the 2 rows to cluster');
    expect(() => kmeans([[0], [NaN]], 1)).toThrow('kmeans: features row 1 column 0 is not a finite number');
    expect(() => kmeans([[0], [1]], 1, { sampleWeight: [1, -1] })).toThrow('kmeans: options.sampleWeight entry 1 is negative');
    expect(() => kmeans([[0], [1]], 1, { sampleWeight: [0, 0] })).toThrow('kmeans: options.sampleWeight sums to 0');
    expect(() => kmeans([[0], [1]], 1, { maxIter: 0 })).toThrow('kmeans: options.maxIter must be a positive integer');
    expect(() => kmeansPlusPlus([[0], [1]], 0)).toThrow('kmeansPlusPlus: nClusters must be a positive integer');
    expect(() => kmeansPlusPlus([[0, 1], [1]], 1)).toThrow('kmeansPlusPlus: features is ragged');
  });
});

describe('clusterSelect', () => {
  const centers = [[0, 0], [20, 0], [0, 20]];
  test('one pick per blob, each the member nearest its cluster mean, biggest cluster first', () => {
    const a = blobs(10, centers, 3);
    const extra = blobs(8, [[20, 0]], 4); // blob 1 gets 18 members
    const X = [...a.X, ...extra.X];
    const truth = [...a.truth, ...extra.truth.map(() => 1)];
    const r = clusterSelect(X, { size: 3, seed: 2 });
    expect(r.indices).toHaveLength(3);
    expect(new Set(Array.from(r.indices).map((i) => truth[i])).size).toBe(3);
    expect(truth[r.indices[0]]).toBe(1);
    expect(Array.from(r.clusterWeights)).toEqual([18, 10, 10]);
    for (let t = 0; t < 3; t++) {
      const members = X.map((_, i) => i).filter((i) => r.labels[i] === r.clusters[t]);
      const mean = [0, 1].map((j) => members.reduce((s, i) => s + X[i][j], 0) / members.length);
      const best = members.reduce((b, i) => (d2(X[i], mean) < d2(X[b], mean) ? i : b), members[0]);
      expect(r.indices[t]).toBe(best);
      expectClose(r.sqDistToCenter[t], d2(X[best], mean), 1e-9);
    }
  });
  test('candidates and weights; fewer candidates than size', () => {
    const { X } = blobs(10, centers, 5);
    const r = clusterSelect(X, { size: 5, candidates: [0, 1, 2] });
    expect(Array.from(r.indices).sort()).toEqual([0, 1, 2]);
    const w = X.map((_, i) => (i === 7 ? 1000 : 1));
    const rw = clusterSelect(X, { size: 3, seed: 1, sampleWeight: w });
    expect(Array.from(rw.indices)).toContain(7); // the heavy row pulls its center onto itself
    expect(() => clusterSelect(X, { size: 0 })).toThrow('clusterSelect: options.size must be a positive integer');
  });
});
