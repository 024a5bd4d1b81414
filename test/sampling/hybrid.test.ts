/**
 * Hybrid (top-M uncertain, then k-center) against the composition of two brute-force references, and
 * Cluster-Margin (Citovsky et al. 2021) on hand-checked cases.
 */
import { clusterMargin, hybridSelect, kCenterGreedy, createDistanceCache } from '../../src/sampling';
import { createRng } from '../../src/quality/rng';

function features(n: number, d: number, seed: number) {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let t = 0; t < data.length; t++) data[t] = rng.normal();
  return { rows: n, cols: d, data };
}

describe('hybridSelect', () => {
  test.each([1, 2, 3])('seed %i: equals top-M by uncertainty (ties → lowest row) then k-center among them', (seed) => {
    const n = 200;
    const X = features(n, 6, seed);
    const rng = createRng(seed + 50);
    // uncertainty with ties (rounded to 0.05)
    const u = Array.from({ length: n }, () => Math.round(rng.next() * 20) / 20);
    const labeled = [3, 17, 44];
    const size = 8;
    const topM = 30;
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => !labeled.includes(i)).sort((a, b) => u[b] - u[a] || a - b);
    const top = order.slice(0, topM);
    const ref = kCenterGreedy(X, { size, labeled, candidates: top });
    const r = hybridSelect(X, u, { size, topM, labeled });
    expect(Array.from(r.topM)).toEqual(top);
    expect(Array.from(r.indices)).toEqual(Array.from(ref.indices));
    expect(Array.from(r.uncertainty)).toEqual(Array.from(r.indices).map((i) => u[i]));
    const rc = hybridSelect(X, u, { size, topM, cache: createDistanceCache(X, labeled) });
    expect(Array.from(rc.indices)).toEqual(Array.from(ref.indices));
  });
  test('hand-checked: skips near-duplicates of an uncertain group in favour of a far uncertain row', () => {
    // rows 0-2: a tight, very uncertain group; row 3: uncertain and far; row 4: certain and farther still
    const X = [[0, 0], [0.01, 0], [0, 0.01], [5, 5], [50, 50]];
    const u = [0.9, 0.9, 0.9, 0.8, 0.1];
    const r = hybridSelect(X, u, { size: 2, topM: 4, seed: 1 });
    expect(r.indices).toHaveLength(2);
    expect(Array.from(r.indices)).toContain(3);
    expect(Array.from(r.indices)).not.toContain(4);
    const one = Array.from(r.indices).filter((i) => i <= 2);
    expect(one).toHaveLength(1);
    // with topM = size it is plain uncertainty sampling
    expect(Array.from(hybridSelect(X, u, { size: 2, topM: 2, labeled: [4] }).indices).sort()).toEqual([0, 1]);
  });
  test('nothing labeled: the most uncertain row starts the batch, then k-center', () => {
    const X = [[0], [1], [2], [10]];
    const u = [0.2, 0.9, 0.5, 0.4];
    const r = hybridSelect(X, u, { size: 3, topM: 4, seed: 123 });
    expect(Array.from(r.indices)).toEqual([1, 3, 0]); // 1 first; then 10 (9 away); then 0 (1 away, ties 2 → lower row)
    expect(r.sqDistances[0]).toBe(Infinity);
    expect(Array.from(r.sqDistances).slice(1)).toEqual([81, 1]);
  });
  test('same seed → same batch, inputs unmodified, errors', () => {
    const X = features(50, 3, 9);
    const u = new Float64Array(50).map((_, i) => (i * 7919) % 13);
    const uc = u.slice();
    const xc = X.data.slice();
    const a = hybridSelect(X, u, { size: 5, seed: 4 });
    const b = hybridSelect(X, u, { size: 5, seed: 4 });
    expect(a.indices).toEqual(b.indices);
    expect(u).toEqual(uc);
    expect(X.data).toEqual(xc);
    expect(() => hybridSelect(X, u, { size: 5, topM: 4 })).toThrow('hybridSelect: options.topM is 4, smaller than options.size 5');
    expect(() => hybridSelect(X, [1, 2], { size: 1 })).toThrow('hybridSelect: uncertainty has length 2, expected 50');
    expect(() => hybridSelect(X, new Float64Array(50).fill(NaN), { size: 1 })).toThrow('hybridSelect: uncertainty entry 0 is not a finite number');
  });
});

describe('clusterMargin', () => {
  const probs = (m: number) => [(1 + m) / 2, (1 - m) / 2]; // margin m for K = 2
  // margins: rows 0..7; row 7 is confident
  const margins = [0.1, 0.2, 0.05, 0.3, 0.15, 0.25, 0.12, 0.95];
  const P = margins.map(probs);
  const clusters = [0, 0, 0, 1, 1, 2, 0, 2];

  test('hand-checked: smallest clusters first, one per cluster per round, low-margin rows only', () => {
    // k_m = 7 lowest margins = rows 0..6 (row 7 excluded); groups: c2 {5}, c1 {3, 4}, c0 {0, 1, 2, 6}
    const r = clusterMargin(P, clusters, { size: 7, marginMultiplier: 1 });
    const idx = Array.from(r.indices);
    expect(idx[0]).toBe(5);
    expect([3, 4]).toContain(idx[1]);
    expect([0, 1, 2, 6]).toContain(idx[2]);
    // round 2: c1's other row, then c0; then c0 alone
    expect([3, 4]).toContain(idx[3]);
    expect(new Set(idx)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    expect(Array.from(r.clusters)).toEqual([2, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(r.clusterCounts)).toEqual([1, 2, 4, 2, 4, 4, 4]);
    r.margins.forEach((m, t) => expect(m).toBeCloseTo(margins[idx[t]], 12));
  });
  test('k_m limits the pool to the lowest margins', () => {
    // size 2, multiplier 1.5 → k_m = 3: rows 2 (0.05), 0 (0.1), 6 (0.12), all cluster 0
    const r = clusterMargin(P, clusters, { size: 2, marginMultiplier: 1.5, seed: 3 });
    expect(Array.from(r.indices).every((i) => [0, 2, 6].includes(i))).toBe(true);
    expect(new Set(r.indices).size).toBe(2);
  });
  test('seeded: same seed same order; candidates; unclustered rows excluded', () => {
    const a = clusterMargin(P, clusters, { size: 7, marginMultiplier: 1, seed: 11 });
    const b = clusterMargin(P, clusters, { size: 7, marginMultiplier: 1, seed: 11 });
    expect(a.indices).toEqual(b.indices);
    const seen = new Set<string>();
    for (let s = 0; s < 20; s++) seen.add(Array.from(clusterMargin(P, clusters, { size: 7, marginMultiplier: 1, seed: s }).indices).join());
    expect(seen.size).toBeGreaterThan(1);
    const c = clusterMargin(P, clusters, { size: 3, candidates: [3, 4, 7] });
    expect(new Set(c.indices)).toEqual(new Set([3, 4, 7]));
    const unclustered = clusters.map((v, i) => (i === 5 ? -1 : v));
    expect(Array.from(clusterMargin(P, unclustered, { size: 7, marginMultiplier: 1 }).indices)).not.toContain(5);
    expect(() => clusterMargin(P, unclustered, { size: 1, candidates: [5] })).toThrow('clusterMargin: options.candidates row 5 has no cluster');
  });
  test('errors name the function and the argument', () => {
    expect(() => clusterMargin(P, [0, 1], { size: 1 })).toThrow('clusterMargin: clusterLabels has length 2, expected 8');
    expect(() => clusterMargin(P, clusters.map(() => 0.5), { size: 1 })).toThrow('clusterMargin: clusterLabels entry 0 is 0.5');
    expect(() => clusterMargin([[0.5, 0.6]], [0], { size: 1 })).toThrow('clusterMargin: predProbs row 0 does not sum to 1');
    expect(() => clusterMargin(P, clusters, { size: 1, marginMultiplier: 0.5 })).toThrow('clusterMargin: options.marginMultiplier must be a number ≥ 1');
  });
});
