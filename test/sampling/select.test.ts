/**
 * selectBatch: every strategy on a small hand-checked pool, agreement with the strategy functions it
 * dispatches to, fallbacks, reasons, determinism, purity and errors.
 */
import {
  SAMPLING_STRATEGIES,
  SamplingStrategy,
  clusterMargin,
  createDistanceCache,
  hybridSelect,
  kCenterGreedy,
  margin,
  randomSelect,
  selectBatch,
} from '../../src/sampling';
import { createRng } from '../../src/quality/rng';

// Pool of 6 items, classes [spam, ham]. Row 0 is labeled.
//              margin: 0.9   0.03          0.4         0.1          0.5          0.02 (row 5 is close to row 1)
const P = [[0.95, 0.05], [0.515, 0.485], [0.3, 0.7], [0.55, 0.45], [0.25, 0.75], [0.49, 0.51]];
const X = [[0, 0], [10, 0], [0, 10], [5, 5], [-10, 0], [10, 0.5]];
const classNames = ['spam', 'ham'];
const base = { predProbs: P, features: X, labeled: [0], classNames };

function randomPool(n: number, d: number, k: number, seed: number) {
  const rng = createRng(seed);
  const features = { rows: n, cols: d, data: new Float32Array(n * d) };
  for (let t = 0; t < n * d; t++) features.data[t] = rng.normal();
  const mk = () => {
    const data = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) { data[i * k + j] = rng.next() ** 3; s += data[i * k + j]; }
      for (let j = 0; j < k; j++) data[i * k + j] /= s;
    }
    return { rows: n, cols: k, data };
  };
  return { features, predProbs: mk(), committee: [mk(), mk(), mk()] };
}

describe('each strategy on a hand-checked pool', () => {
  test('MARGIN: smallest margins first, score 1 − margin, readable reason', () => {
    const r = selectBatch('MARGIN', base, { size: 3 });
    expect(r.strategy).toBe('MARGIN');
    expect(r.fallback).toBeUndefined();
    expect(r.items.map((x) => x.index)).toEqual([5, 1, 3]);
    expect(r.items[1].score).toBeCloseTo(0.97, 12);
    expect(r.items[1].scores.margin).toBeCloseTo(0.03, 12);
    expect(r.items[1].reason).toMatch(/^margin 0\.03 between spam and ham; /);
    expect(r.items[0].reason).toMatch(/^margin 0\.02 between ham and spam; /);
    expect(r.items[1].scores.distanceToLabeled).toBeCloseTo(10, 6);
    expect(r.labeledCount).toBe(1);
    expect(r.candidateCount).toBe(5);
  });
  test('LEAST_CONFIDENCE and ENTROPY (K = 2: same order as margin)', () => {
    const lc = selectBatch('LEAST_CONFIDENCE', base, { size: 2 });
    expect(lc.items.map((x) => x.index)).toEqual([5, 1]);
    expect(lc.items[0].score).toBeCloseTo(0.49, 12);
    expect(lc.items[0].reason).toMatch(/^top class ham at only 0\.51 probability/);
    const en = selectBatch('ENTROPY', base, { size: 2 });
    expect(en.items.map((x) => x.index)).toEqual([5, 1]);
    const h = -(0.49 * Math.log2(0.49) + 0.51 * Math.log2(0.51));
    expect(en.items[0].score).toBeCloseTo(h, 12);
    expect(en.items[0].reason).toMatch(/^entropy 1\.00 of the maximum over 2 classes \(ham 0\.51, spam 0\.49\)/);
  });
  test('KCENTER: farthest from the labeled set first, equal to kCenterGreedy', () => {
    const r = selectBatch('KCENTER', base, { size: 3 });
    const ref = kCenterGreedy(X, { size: 3, labeled: [0] });
    expect(r.items.map((x) => x.index)).toEqual(Array.from(ref.indices));
    expect(r.items[0].score).toBeCloseTo(Math.sqrt(ref.sqDistances[0]), 12);
    expect(r.items[0].reason).toMatch(/far from the 1 labeled item \(nearest at/);
  });
  test('HYBRID: the near-duplicate of an uncertain pick is skipped', () => {
    // top-4 uncertain = rows 5, 1, 3, 2; k-center among them: row 2 (far from 0), then row 5 or 1, never both
    const r = selectBatch('HYBRID', base, { size: 3, topM: 4 });
    const idx = r.items.map((x) => x.index);
    const ref = hybridSelect(X, Array.from(margin(P), (m) => 1 - m), { size: 3, topM: 4, labeled: [0] });
    expect(idx).toEqual(Array.from(ref.indices));
    expect(idx.filter((i) => i === 1 || i === 5)).toHaveLength(1);
    const item = r.items.find((x) => x.index === 1 || x.index === 5)!;
    // without a cache there is no pool median to compare with: the reason gives the distance itself
    expect(item.reason).toMatch(/^margin 0\.0\d between (spam and ham|ham and spam); 10\.\d\d from the labeled item/);
    const cached = selectBatch('HYBRID', { ...base, labeled: undefined, distanceCache: createDistanceCache(X, [0]) }, { size: 3, topM: 4 });
    expect(cached.items.map((x) => x.index)).toEqual(idx);
    expect(cached.items.find((x) => x.index === item.index)!.reason).toMatch(/^margin 0\.0\d between (spam and ham|ham and spam); far from the 1 labeled item \(nearest at 10\.\d\d, median 10\.\d\d\)/);
    expect(r.items[0].score).toBeCloseTo(r.items[0].scores.distanceAtPick, 12);
  });
  test('VOTE_ENTROPY and KL_CONSENSUS over a committee', () => {
    const A = P;
    const B = P.map(([a, b]) => [b, a]); // disagrees everywhere
    const committee = [A, A, B];
    const ve = selectBatch('VOTE_ENTROPY', { ...base, committee }, { size: 5 });
    // every row has a 2–1 split except row 1 ... all rows split 2-1 (A, A vs B): equal vote entropy → lowest rows
    expect(ve.items.map((x) => x.index)).toEqual([1, 2, 3, 4, 5]);
    expect(ve.items[0].reason).toMatch(/^the 3 committee models split their votes: 2 spam, 1 ham/);
    const h = -((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3));
    expect(ve.items[0].scores.voteEntropy).toBeCloseTo(h, 12);
    expect(ve.items[0].score).toBeCloseTo(h / Math.log(2), 12);
    const kl = selectBatch('KL_CONSENSUS', { ...base, committee }, { size: 2 });
    // the most confident rows disagree most when one member flips them: row 4 (0.25/0.75) then row 2 (0.3/0.7)
    expect(kl.items.map((x) => x.index)).toEqual([4, 2]);
    expect(kl.items[0].reason).toMatch(/^the 3 committee models disagree with their consensus \(mean KL/);
  });
  test('CLUSTER_MARGIN with a pool clustering equals clusterMargin; without one it clusters on the fly', () => {
    const clusterLabels = [0, 1, 2, 1, 3, 1];
    const r = selectBatch('CLUSTER_MARGIN', { ...base, clusterLabels }, { size: 3, seed: 2 });
    const ref = clusterMargin(P, clusterLabels, { size: 3, seed: 2, candidates: [1, 2, 3, 4, 5] });
    expect(r.items.map((x) => x.index)).toEqual(Array.from(ref.indices));
    expect(r.items[0].reason).toMatch(/; cluster \d \(\d of the low-margin items\)/);
    const f = selectBatch('CLUSTER_MARGIN', base, { size: 2, seed: 2, marginMultiplier: 1.5 });
    // k_m = 3 lowest margins: 5, 1, 3 → two clusters: {1, 5} and {3} → row 3 plus one of 1/5
    const idx = f.items.map((x) => x.index);
    expect(idx).toContain(3);
    expect(idx.filter((i) => i === 1 || i === 5)).toHaveLength(1);
  });
  test('RANDOM equals randomSelect on the same candidates', () => {
    const r = selectBatch('RANDOM', base, { size: 3, seed: 7 });
    expect(r.items.map((x) => x.index)).toEqual(Array.from(randomSelect(6, { size: 3, seed: 7, candidates: [1, 2, 3, 4, 5] })));
    expect(r.items[0].reason).toMatch(/^random pick \(baseline\)/);
  });
  test('RELABEL_OR_NEW: annotated rows compete with new ones on the ActiveLab scale', () => {
    const activeLabScores = [0.2, 0.5, 0.6, 0.3, 0.9, 0.25];
    const r = selectBatch('RELABEL_OR_NEW', { ...base, activeLabScores, annotationCounts: [2, 0, 0, 0, 0, 0] }, { size: 3 });
    expect(r.items.map((x) => x.index)).toEqual([0, 5, 3]);
    expect(r.items[0].score).toBeCloseTo(0.8, 12);
    expect(r.items[0].reason).toMatch(/^ActiveLab score 0\.20: the 2 annotations so far leave its label in doubt/);
    expect(r.items[1].reason).toMatch(/^ActiveLab score 0\.25: unlabeled item/);
  });
});

describe('fallbacks', () => {
  test('no model: diversity sampling (KCENTER) for every model strategy', () => {
    for (const s of ['LEAST_CONFIDENCE', 'MARGIN', 'ENTROPY', 'HYBRID', 'CLUSTER_MARGIN', 'VOTE_ENTROPY', 'KL_CONSENSUS'] as SamplingStrategy[]) {
      const r = selectBatch(s, { features: X, labeled: [0] }, { size: 2 });
      expect(r.requested).toBe(s);
      expect(r.strategy).toBe('KCENTER');
      expect(r.fallback).toBe('no model: diversity sampling');
      expect(r.items.map((x) => x.index)).toEqual(Array.from(kCenterGreedy(X, { size: 2, labeled: [0] }).indices));
    }
  });
  test('no model and no features: random; no committee: entropy; no features: margin; no scores: diversity', () => {
    const r = selectBatch('MARGIN', { n: 6, labeled: [0] }, { size: 2, seed: 1 });
    expect(r.strategy).toBe('RANDOM');
    expect(r.fallback).toBe('no model and no features: random sampling');
    expect(r.items.every((x) => x.index !== 0)).toBe(true);
    const v = selectBatch('VOTE_ENTROPY', base, { size: 1 });
    expect([v.strategy, v.fallback]).toEqual(['ENTROPY', 'no committee: entropy of the single model']);
    const h = selectBatch('HYBRID', { predProbs: P }, { size: 1 });
    expect([h.strategy, h.fallback]).toEqual(['MARGIN', 'no features: margin sampling without diversity']);
    const k = selectBatch('KCENTER', { predProbs: P }, { size: 1 });
    expect([k.strategy, k.fallback]).toEqual(['RANDOM', 'no features: random sampling']);
    const a = selectBatch('RELABEL_OR_NEW', base, { size: 1 });
    expect([a.strategy, a.fallback]).toEqual(['KCENTER', 'no ActiveLab scores: diversity sampling']);
  });
  test('no labeled item at all: KCENTER makes a seeded first pick and says so', () => {
    const r = selectBatch('KCENTER', { features: X }, { size: 2, seed: 3 });
    expect(r.items[0].reason).toBe('nothing labeled yet: seeded random first pick');
    expect(r.items[0].score).toBe(0);
    expect(r.items[1].reason).toMatch(/^nothing labeled yet; [\d.]+ from the nearest selected item/);
    expect(selectBatch('KCENTER', { features: X }, { size: 2, seed: 3 })).toEqual(r);
    const h = selectBatch('HYBRID', { features: X, predProbs: P, classNames }, { size: 2 });
    expect(h.items[0].index).toBe(5);
    expect(h.items[0].reason).toBe('margin 0.02 between ham and spam; nothing labeled yet: the most uncertain item starts the batch');
  });
});

describe('candidates, leases and labeled rows', () => {
  test('labeled and alreadySelected rows are never picked; candidates are respected', () => {
    for (const s of SAMPLING_STRATEGIES) {
      const r = selectBatch(s, { ...base, alreadySelected: [5], committee: [P, P], activeLabScores: [0.1, 0.2, 0.3, 0.4, 0.5, 0.05] }, { size: 6 });
      const idx = r.items.map((x) => x.index);
      expect(idx).not.toContain(5);
      if (s !== 'RELABEL_OR_NEW') expect(idx).not.toContain(0);
      expect(new Set(idx).size).toBe(idx.length);
      const c = selectBatch(s, { ...base, candidates: [2, 4], committee: [P, P], activeLabScores: [0.1, 0.2, 0.3, 0.4, 0.5, 0.05] }, { size: 6 });
      expect(c.items.map((x) => x.index).sort()).toEqual([2, 4]);
    }
  });
  test('alreadySelected rows count as covered: KCENTER moves away from a leased far row', () => {
    const free = selectBatch('KCENTER', base, { size: 1 }).items[0].index;
    const leased = selectBatch('KCENTER', { ...base, alreadySelected: [free] }, { size: 1 }).items[0].index;
    expect(leased).not.toBe(free);
  });
  test('a distance cache gives the same batch as the labeled list', () => {
    const pool = randomPool(300, 8, 4, 4);
    const labeled = [1, 5, 9, 30, 31];
    const cache = createDistanceCache(pool.features, labeled);
    for (const s of ['KCENTER', 'HYBRID'] as SamplingStrategy[]) {
      const a = selectBatch(s, { ...pool, labeled }, { size: 10 });
      const b = selectBatch(s, { ...pool, distanceCache: cache }, { size: 10 });
      expect(b.items.map((x) => x.index)).toEqual(a.items.map((x) => x.index));
      b.items.forEach((x, t) => expect(x.scores.distanceToLabeled).toBeCloseTo(a.items[t].scores.distanceToLabeled, 9));
    }
  });
});

describe('determinism and purity', () => {
  const pool = randomPool(200, 6, 5, 8);
  const inputs = { ...pool, labeled: [0, 1, 2], clusterLabels: Array.from({ length: 200 }, (_, i) => i % 7), activeLabScores: Array.from({ length: 200 }, (_, i) => ((i * 37) % 101) / 101) };
  test('same seed → same batch, for every strategy', () => {
    for (const s of SAMPLING_STRATEGIES) {
      expect(selectBatch(s, inputs, { size: 12, seed: 5 })).toEqual(selectBatch(s, inputs, { size: 12, seed: 5 }));
    }
    expect(selectBatch('RANDOM', inputs, { size: 12, seed: 5 }).items).not.toEqual(selectBatch('RANDOM', inputs, { size: 12, seed: 6 }).items);
  });
  test('inputs are not modified', () => {
    const snap = [pool.features.data.slice(), pool.predProbs.data.slice(), ...pool.committee.map((m) => m.data.slice())];
    const labels = inputs.clusterLabels.slice();
    for (const s of SAMPLING_STRATEGIES) selectBatch(s, inputs, { size: 12, seed: 5 });
    expect(pool.features.data).toEqual(snap[0]);
    expect(pool.predProbs.data).toEqual(snap[1]);
    pool.committee.forEach((m, c) => expect(m.data).toEqual(snap[2 + c]));
    expect(inputs.clusterLabels).toEqual(labels);
    expect(inputs.labeled).toEqual([0, 1, 2]);
  });
  test('permuting the pool permutes the picks (deterministic strategies)', () => {
    const n = 200;
    const perm = Array.from({ length: n }, (_, t) => (t * 73) % n); // new row t = old row perm[t]
    const inv = new Array<number>(n);
    perm.forEach((old, t) => { inv[old] = t; });
    const permRows = (m: { rows: number; cols: number; data: Float32Array | Float64Array }) => {
      const data = new (m.data.constructor as Float64ArrayConstructor)(m.data.length);
      perm.forEach((old, t) => data.set(m.data.subarray(old * m.cols, (old + 1) * m.cols), t * m.cols));
      return { rows: m.rows, cols: m.cols, data };
    };
    const pInputs = {
      features: permRows(pool.features),
      predProbs: permRows(pool.predProbs),
      committee: pool.committee.map(permRows),
      labeled: [inv[0], inv[1], inv[2]],
      activeLabScores: perm.map((old) => inputs.activeLabScores[old]),
    };
    for (const s of ['LEAST_CONFIDENCE', 'MARGIN', 'ENTROPY', 'KL_CONSENSUS', 'KCENTER', 'HYBRID', 'RELABEL_OR_NEW'] as SamplingStrategy[]) {
      const a = selectBatch(s, { ...inputs, clusterLabels: undefined }, { size: 10 }).items.map((x) => inv[x.index]);
      const b = selectBatch(s, pInputs, { size: 10 }).items.map((x) => x.index);
      expect(b).toEqual(a);
    }
    // vote entropy has many ties, broken by row index: the multiset of scores must match
    const va = selectBatch('VOTE_ENTROPY', { ...inputs, clusterLabels: undefined }, { size: 10 }).items.map((x) => x.score);
    const vb = selectBatch('VOTE_ENTROPY', pInputs, { size: 10 }).items.map((x) => x.score);
    expect(vb).toEqual(va);
  });
});

describe('errors name the function and the argument', () => {
  test('strategy, size, shapes', () => {
    expect(() => selectBatch('BEST' as SamplingStrategy, base, { size: 1 })).toThrow('selectBatch: strategy is BEST, expected one of RANDOM, LEAST_CONFIDENCE');
    expect(() => selectBatch('MARGIN', base, { size: 0 })).toThrow('selectBatch: options.size must be a positive integer');
    expect(() => selectBatch('MARGIN', { ...base, features: X.slice(0, 5) }, { size: 1 })).toThrow('selectBatch: inputs.features has 5 rows, but inputs.predProbs has 6');
    expect(() => selectBatch('MARGIN', {}, { size: 1 })).toThrow('selectBatch: inputs give at least one of');
    expect(() => selectBatch('MARGIN', { ...base, classNames: ['a'] }, { size: 1 })).toThrow('selectBatch: inputs.classNames must be an array of 2 names');
    expect(() => selectBatch('MARGIN', { ...base, committee: [[[1, 0, 0]]] }, { size: 1 })).toThrow('selectBatch: inputs.committee[0] has 1 rows, but inputs.predProbs has 6');
  });
  test('NaN, rows not summing to 1, out-of-range indices, ragged', () => {
    const bad = P.map((r) => r.slice());
    bad[3] = [0.5, 0.6];
    expect(() => selectBatch('MARGIN', { ...base, predProbs: bad }, { size: 1 })).toThrow('selectBatch: inputs.predProbs row 3 does not sum to 1');
    const nan = X.map((r) => r.slice());
    nan[2][1] = NaN;
    expect(() => selectBatch('KCENTER', { ...base, features: nan }, { size: 1 })).toThrow('selectBatch: inputs.features row 2 column 1 is not a finite number');
    expect(() => selectBatch('MARGIN', { ...base, labeled: [6] }, { size: 1 })).toThrow('selectBatch: inputs.labeled index 0 is 6, not a row index in 0..5');
    expect(() => selectBatch('MARGIN', { ...base, alreadySelected: [-2] }, { size: 1 })).toThrow('selectBatch: inputs.alreadySelected index 0 is -2');
    expect(() => selectBatch('MARGIN', { ...base, features: [[0, 0], [1]] }, { size: 1 })).toThrow('selectBatch: inputs.features is ragged: row 1');
    expect(() => selectBatch('HYBRID', base, { size: 2, topM: 1 })).toThrow('selectBatch: options.topM is 1, smaller than options.size 2');
    expect(() => selectBatch('KCENTER', { features: X, distanceCache: createDistanceCache([[0]], []) }, { size: 1 })).toThrow('selectBatch: inputs.distanceCache has 1 rows, but inputs.features has 6');
  });
});
