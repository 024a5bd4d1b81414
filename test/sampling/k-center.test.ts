/**
 * k-center greedy against a brute-force reference (every step recomputes every candidate's distance to every
 * center), the distance cache against its cold recomputation, and the usual properties.
 */
import { createDistanceCache, kCenterGreedy, updateDistanceCache } from '../../src/sampling';
import { createRng } from '../../src/quality/rng';
import { expectClose } from '../helpers/fixtures';

function randomFeatures(n: number, d: number, seed: number, clusters = 0): { rows: number; cols: number; data: Float32Array } {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  const centers = Array.from({ length: clusters }, () => Array.from({ length: d }, () => 4 * rng.normal()));
  for (let i = 0; i < n; i++) {
    const c = clusters > 0 ? centers[rng.int(clusters)] : null;
    for (let j = 0; j < d; j++) data[i * d + j] = (c ? c[j] : 0) + rng.normal();
  }
  return { rows: n, cols: d, data };
}

function sq(X: { cols: number; data: ArrayLike<number> }, a: number, b: number): number {
  let s = 0;
  for (let j = 0; j < X.cols; j++) { const t = X.data[a * X.cols + j] - X.data[b * X.cols + j]; s += t * t; }
  return s;
}

/** Textbook greedy: O(size · m · |centers| · d). `first` forces the first pick (used when there is no center). */
function bruteForce(X: { rows: number; cols: number; data: ArrayLike<number> }, size: number, labeled: number[], selected: number[], candidates: number[], first?: number) {
  const centers = [...labeled, ...selected];
  const remaining = new Set(candidates);
  const picks: number[] = [];
  const dists: number[] = [];
  while (picks.length < size && remaining.size > 0) {
    let best = -1;
    let bestD = -Infinity;
    if (picks.length === 0 && first !== undefined) { best = first; bestD = Infinity; } else {
      for (const i of [...remaining].sort((a, b) => a - b)) {
        let m = Infinity;
        for (const c of centers) m = Math.min(m, sq(X, i, c));
        if (m > bestD) { bestD = m; best = i; }
      }
    }
    picks.push(best);
    dists.push(bestD);
    centers.push(best);
    remaining.delete(best);
  }
  return { picks, dists };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('kCenterGreedy equals the brute-force greedy', () => {
  test.each([1, 2, 3, 4, 5, 6])('seed %i: random data, labeled list, cache, alreadySelected, candidates', (seed) => {
    const rng = createRng(100 + seed);
    const n = 120 + 20 * seed;
    const d = [3, 7, 16, 33, 2, 20][seed - 1];
    const X = randomFeatures(n, d, seed, seed % 2 === 0 ? 4 : 0);
    const labeled = Array.from({ length: 5 + seed }, () => rng.int(n));
    const uniqLabeled = [...new Set(labeled)];
    const selected = [rng.int(n), rng.int(n)].filter((i) => !uniqLabeled.includes(i));
    const cand = range(n).filter((i) => !uniqLabeled.includes(i) && !selected.includes(i));
    const size = 15;
    const ref = bruteForce(X, size, uniqLabeled, [...new Set(selected)], cand);

    const a = kCenterGreedy(X, { size, labeled, alreadySelected: selected });
    expect(Array.from(a.indices)).toEqual(ref.picks);
    expectClose(a.sqDistances, ref.dists, 0, 1e-9);

    const cache = createDistanceCache(X, labeled);
    const b = kCenterGreedy(X, { size, cache, alreadySelected: selected });
    expect(Array.from(b.indices)).toEqual(ref.picks);
    expectClose(b.sqDistances, ref.dists, 0, 1e-9);
    for (let t = 1; t < size; t++) expect(a.sqDistances[t]).toBeLessThanOrEqual(a.sqDistances[t - 1]);

    // Restricted candidates: odd rows only (mask form and list form agree).
    const odd = cand.filter((i) => i % 2 === 1);
    const mask = new Uint8Array(n);
    odd.forEach((i) => { mask[i] = 1; });
    const refOdd = bruteForce(X, size, uniqLabeled, [...new Set(selected)], odd);
    expect(Array.from(kCenterGreedy(X, { size, cache, alreadySelected: selected, candidates: odd }).indices)).toEqual(refOdd.picks);
    expect(Array.from(kCenterGreedy(X, { size, labeled, alreadySelected: selected, candidates: mask }).indices)).toEqual(refOdd.picks);
  });

  test.each([7, 8, 9])('seed %i: nothing labeled — seeded first pick, then the greedy', (seed) => {
    const X = randomFeatures(90, 5, seed);
    const r1 = kCenterGreedy(X, { size: 12, seed });
    const r2 = kCenterGreedy(X, { size: 12, seed });
    expect(Array.from(r1.indices)).toEqual(Array.from(r2.indices));
    expect(r1.sqDistances[0]).toBe(Infinity);
    const ref = bruteForce(X, 12, [], [], range(90), r1.indices[0]);
    expect(Array.from(r1.indices)).toEqual(ref.picks);
    expectClose(Array.from(r1.sqDistances).slice(1), ref.dists.slice(1), 0, 1e-9);
    // different seeds usually start elsewhere
    const starts = new Set([0, 1, 2, 3, 4, 5].map((s) => kCenterGreedy(X, { size: 1, seed: s }).indices[0]));
    expect(starts.size).toBeGreaterThan(1);
  });

  test('hand-checked on a line: farthest first, then the midpoint gaps', () => {
    // points at 0, 1, 2, ..., 10 on a line; labeled {0}
    const X = range(11).map((i) => [i]);
    const r = kCenterGreedy(X, { size: 3, labeled: [0] });
    // after {0, 10}: 5 is 5 away; after {0, 5, 10}: rows 2, 3, 7, 8 are all 2 away → the lowest row, 2
    expect(Array.from(r.indices)).toEqual([10, 5, 2]);
    expectClose(r.sqDistances, [100, 25, 4], 0);
  });

  test('duplicates and exhaustion: never picks a row twice, stops at the candidates', () => {
    const X = [[0], [0], [0], [1]];
    const r = kCenterGreedy(X, { size: 10, labeled: [0] });
    expect(Array.from(r.indices)).toEqual([3, 1, 2]);
    expectClose(r.sqDistances, [1, 0, 0], 0);
  });
});

describe('DistanceCache', () => {
  test.each([11, 12, 13])('seed %i: incremental updates equal the cold computation bit for bit', (seed) => {
    const X = randomFeatures(300, 37, seed);
    const rng = createRng(seed);
    const labeled = Array.from({ length: 40 }, () => rng.int(300));
    const cold = createDistanceCache(X, labeled);
    let inc = createDistanceCache(X, labeled.slice(0, 3));
    inc = updateDistanceCache(inc, X, labeled.slice(3, 10));
    for (let t = 10; t < 40; t++) inc = updateDistanceCache(inc, X, [labeled[t]]);
    expect(inc.minSqDist).toEqual(cold.minSqDist);
    expect(inc.nearest).toEqual(cold.nearest);
    expect(inc.labeledMask).toEqual(cold.labeledMask);
    expect(inc.labeledCount).toBe(new Set(labeled).size);
    // and the cold values are the true minima
    for (let i = 0; i < 300; i += 7) {
      let m = Infinity;
      for (const l of labeled) m = Math.min(m, sq(X, i, l));
      expect(cold.minSqDist[i]).toBeCloseTo(m, 9);
      expect(sq(X, i, cold.nearest[i])).toBeCloseTo(m, 9);
    }
  });
  test('empty labeled set: Infinity and -1; update does not modify the old cache', () => {
    const X = randomFeatures(20, 4, 1);
    const c0 = createDistanceCache(X, []);
    expect(c0.labeledCount).toBe(0);
    expect(Array.from(c0.minSqDist).every((v) => v === Infinity)).toBe(true);
    expect(Array.from(c0.nearest).every((v) => v === -1)).toBe(true);
    const c1 = updateDistanceCache(c0, X, [3, 3]);
    expect(c1.labeledCount).toBe(1);
    expect(c1.minSqDist[3]).toBe(0);
    expect(c0.minSqDist[3]).toBe(Infinity);
    expect(c0.labeledMask[3]).toBe(0);
    const c2 = updateDistanceCache(c1, X, [3]);
    expect(c2.labeledCount).toBe(1);
    expect(c2.minSqDist).toEqual(c1.minSqDist);
  });
  test('labeled rows are excluded by default', () => {
    const X = randomFeatures(50, 3, 2);
    const cache = createDistanceCache(X, [1, 2, 3]);
    const r = kCenterGreedy(X, { size: 47, cache });
    expect(r.indices).toHaveLength(47);
    expect(Array.from(r.indices)).not.toEqual(expect.arrayContaining([1]));
    expect(new Set(r.indices).size).toBe(47);
  });
});

describe('properties', () => {
  test('inputs are not modified', () => {
    const X = randomFeatures(80, 6, 21);
    const before = X.data.slice();
    const labeled = [1, 2, 3];
    const cache = createDistanceCache(X, labeled);
    const snap = { m: cache.minSqDist.slice(), n: cache.nearest.slice(), l: cache.labeledMask.slice() };
    const cand = new Int32Array(range(80).filter((i) => i > 10));
    const candCopy = cand.slice();
    kCenterGreedy(X, { size: 10, cache, candidates: cand, alreadySelected: [5] });
    kCenterGreedy(X, { size: 10, labeled, candidates: cand });
    updateDistanceCache(cache, X, [40]);
    expect(X.data).toEqual(before);
    expect(cache.minSqDist).toEqual(snap.m);
    expect(cache.nearest).toEqual(snap.n);
    expect(cache.labeledMask).toEqual(snap.l);
    expect(cand).toEqual(candCopy);
    expect(labeled).toEqual([1, 2, 3]);
  });
  test('permuting rows permutes the picks', () => {
    const X = randomFeatures(100, 4, 22);
    const perm = range(100).map((i) => (i * 37) % 100); // new row t = old row perm[t]
    const inv = new Array(100);
    perm.forEach((old, t) => { inv[old] = t; });
    const Y = { rows: 100, cols: 4, data: new Float32Array(400) };
    perm.forEach((old, t) => Y.data.set(X.data.subarray(old * 4, old * 4 + 4), t * 4));
    const a = kCenterGreedy(X, { size: 20, labeled: [0, 50] });
    const b = kCenterGreedy(Y, { size: 20, labeled: [inv[0], inv[50]] });
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices).map((i) => inv[i]));
    expectClose(b.sqDistances, a.sqDistances, 0, 1e-12);
  });
  test('float64 features and number[][] agree with float32', () => {
    const X = randomFeatures(60, 5, 23);
    const arr = range(60).map((i) => Array.from(X.data.subarray(i * 5, i * 5 + 5)));
    const a = kCenterGreedy(X, { size: 8, labeled: [0] });
    const b = kCenterGreedy(arr, { size: 8, labeled: [0] });
    const c = kCenterGreedy({ rows: 60, cols: 5, data: Float64Array.from(X.data) }, { size: 8, labeled: [0] });
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(c.indices)).toEqual(Array.from(a.indices));
  });
});

describe('errors name the function and the argument', () => {
  const X = [[0, 1], [1, 0], [2, 2]];
  test('features', () => {
    expect(() => kCenterGreedy([[0, NaN], [1, 1]], { size: 1 })).toThrow('kCenterGreedy: features row 0 column 1 is not a finite number');
    expect(() => kCenterGreedy([[0, 1], [1]], { size: 1 })).toThrow('kCenterGreedy: features is ragged: row 1');
    expect(() => kCenterGreedy({ rows: 1, cols: 2, data: new Float32Array([0, Infinity]) }, { size: 1 })).toThrow('kCenterGreedy: features row 0 column 1 is not a finite number');
    expect(() => createDistanceCache({ rows: 2, cols: 2, data: new Float32Array(3) }, [])).toThrow('createDistanceCache: features data length 3 is not rows*cols = 4');
  });
  test('indices and options', () => {
    expect(() => kCenterGreedy(X, { size: 0 })).toThrow('kCenterGreedy: options.size must be a positive integer');
    expect(() => kCenterGreedy(X, { size: 1, labeled: [3] })).toThrow('kCenterGreedy: options.labeled index 0 is 3, not a row index in 0..2');
    expect(() => kCenterGreedy(X, { size: 1, alreadySelected: [1.5] })).toThrow('kCenterGreedy: options.alreadySelected index 0 is 1.5');
    expect(() => kCenterGreedy(X, { size: 1, candidates: new Uint8Array(2) })).toThrow('kCenterGreedy: options.candidates mask has length 2, expected 3');
    expect(() => createDistanceCache(X, [-1])).toThrow('createDistanceCache: labeled index 0 is -1');
    const cache = createDistanceCache(X, [0]);
    expect(() => kCenterGreedy(X, { size: 1, cache, labeled: [0] })).toThrow('kCenterGreedy: options.labeled cannot be given together with options.cache');
    expect(() => kCenterGreedy([[0, 1, 2]], { size: 1, cache })).toThrow('kCenterGreedy: options.cache was built for 3 × 2 features, these are 1 × 3');
    expect(() => updateDistanceCache(cache, X, [7])).toThrow('updateDistanceCache: newlyLabeled index 0 is 7');
    expect(() => updateDistanceCache({} as never, X, [1])).toThrow('updateDistanceCache: cache is not a DistanceCache');
  });
});
