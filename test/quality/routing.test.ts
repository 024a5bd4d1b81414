/**
 * routeItems: confidence thresholds, agreement → EXPERT, seeded spot checks. No external reference library:
 * the contract is the routing rules, checked case by case and by properties.
 */
import { routeItems } from '../../src/quality/routing';
import { createRng, shuffleInPlace } from '../../src/quality/rng';

/** Binary probability rows whose max is each given value. */
const rows = (maxes: number[]) => maxes.map((q) => [q, 1 - q]);

function randomProbs(n: number, k: number, seed: number): { rows: number; cols: number; data: Float64Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    // peaked rows: a wide spread of max probabilities
    const sharp = 1 + rng.int(12);
    let s = 0;
    for (let j = 0; j < k; j++) { const v = Math.pow(rng.next(), sharp) + 1e-12; data[i * k + j] = v; s += v; }
    for (let j = 0; j < k; j++) data[i * k + j] /= s;
  }
  return { rows: n, cols: k, data };
}

describe('routeItems', () => {
  it('routes by max probability with the default thresholds (0.95, 0.7), boundaries inclusive', () => {
    const { route, spotCheck } = routeItems(rows([0.99, 0.95, 0.9499, 0.7, 0.6999, 0.5]), { spotCheckRate: 0 });
    expect(route).toEqual(['AUTO_ACCEPT', 'AUTO_ACCEPT', 'SINGLE_REVIEW', 'SINGLE_REVIEW', 'CONSENSUS', 'CONSENSUS']);
    expect(spotCheck).toEqual([false, false, false, false, false, false]);
    // K = 3, max anywhere in the row
    expect(routeItems([[0.02, 0.03, 0.95], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]).route).toEqual(['AUTO_ACCEPT', 'SINGLE_REVIEW', 'CONSENSUS']);
  });

  it('honours custom thresholds; singleReview = autoAccept leaves no SINGLE_REVIEW', () => {
    expect(routeItems(rows([0.85, 0.8, 0.55]), { autoAccept: 0.8, singleReview: 0.6 }).route).toEqual(['AUTO_ACCEPT', 'AUTO_ACCEPT', 'CONSENSUS']);
    expect(routeItems(rows([0.9, 0.89, 0.5]), { autoAccept: 0.9, singleReview: 0.9 }).route).toEqual(['AUTO_ACCEPT', 'CONSENSUS', 'CONSENSUS']);
    // autoAccept 1: only certain items are accepted
    expect(routeItems(rows([1, 0.999]), { autoAccept: 1 }).route).toEqual(['AUTO_ACCEPT', 'SINGLE_REVIEW']);
  });

  it('sends known disagreement below minAgreement (default 0.6) to EXPERT, overriding confidence; unknown is ignored', () => {
    const pp = rows([0.99, 0.99, 0.8, 0.5, 0.99, 0.5]);
    const { route, spotCheck } = routeItems(pp, { agreement: [0.59, 0.6, 0.2, null, NaN, 1], spotCheckRate: 1 });
    expect(route).toEqual(['EXPERT', 'AUTO_ACCEPT', 'EXPERT', 'CONSENSUS', 'AUTO_ACCEPT', 'CONSENSUS']);
    expect(spotCheck).toEqual([false, true, false, false, true, false]);
    expect(routeItems(pp, { agreement: Float64Array.from([0.59, 0.6, 0.2, NaN, NaN, 1]), minAgreement: 0.1 }).route)
      .toEqual(['AUTO_ACCEPT', 'AUTO_ACCEPT', 'SINGLE_REVIEW', 'CONSENSUS', 'AUTO_ACCEPT', 'CONSENSUS']);
  });

  it('spot-checks exactly round(rate × #AUTO_ACCEPT) of the AUTO_ACCEPT items, reproducibly per seed', () => {
    const pp = randomProbs(10000, 4, 1);
    const a = routeItems(pp, { seed: 7 });
    const auto = a.route.filter((r) => r === 'AUTO_ACCEPT').length;
    expect(auto).toBeGreaterThan(500);
    const checked = a.spotCheck.filter(Boolean).length;
    expect(checked).toBe(Math.round(0.05 * auto));
    expect(a.spotCheck.filter((s, i) => s && a.route[i] !== 'AUTO_ACCEPT')).toEqual([]);
    // every route present on this data
    for (const r of ['SINGLE_REVIEW', 'CONSENSUS'] as const) expect(a.route).toContain(r);
    // same seed, same draw; another seed, another draw (same count)
    expect(routeItems(pp, { seed: 7 })).toEqual(a);
    const b = routeItems(pp, { seed: 8 });
    expect(b.route).toEqual(a.route);
    expect(b.spotCheck.filter(Boolean).length).toBe(checked);
    expect(b.spotCheck).not.toEqual(a.spotCheck);
    // rate 0 → none, rate 1 → every AUTO_ACCEPT item
    expect(routeItems(pp, { spotCheckRate: 0 }).spotCheck.some(Boolean)).toBe(false);
    const all = routeItems(pp, { spotCheckRate: 1 });
    expect(all.spotCheck).toEqual(all.route.map((r) => r === 'AUTO_ACCEPT'));
  });

  it('routes are equivariant to permuting items; inputs are never modified', () => {
    const pp = randomProbs(500, 3, 2);
    const ppCopy = Float64Array.from(pp.data);
    const rng = createRng(3);
    const agreement = Array.from({ length: 500 }, () => (rng.next() < 0.2 ? null : rng.next()));
    const agreementCopy = agreement.slice();
    const ref = routeItems(pp, { agreement, seed: 1 });
    expect(pp.data).toEqual(ppCopy);
    expect(agreement).toEqual(agreementCopy);
    const p = shuffleInPlace(Int32Array.from({ length: 500 }, (_, i) => i), createRng(4));
    const permuted = { rows: 500, cols: 3, data: new Float64Array(1500) };
    p.forEach((src, dst) => permuted.data.set(pp.data.subarray(src * 3, src * 3 + 3), dst * 3));
    const res = routeItems(permuted, { agreement: Array.from(p, (i) => agreement[i]), seed: 1 });
    expect(res.route).toEqual(Array.from(p, (i) => ref.route[i]));
    expect(res.spotCheck.filter(Boolean).length).toBe(ref.spotCheck.filter(Boolean).length);
    // number[][] input routes alike; an empty batch is fine
    const nested = Array.from({ length: 500 }, (_, i) => Array.from(pp.data.subarray(i * 3, i * 3 + 3)));
    expect(routeItems(nested, { agreement, seed: 1 })).toEqual(ref);
    expect(routeItems({ rows: 0, cols: 3, data: new Float64Array(0) })).toEqual({ route: [], spotCheck: [] });
  });

  it('rejects bad input naming the function and the argument', () => {
    expect(() => routeItems([[0.5, 0.4]])).toThrow('routeItems: predProbs row 0 does not sum to 1');
    expect(() => routeItems([[NaN, 1]])).toThrow('routeItems: predProbs row 0 column 0 is not a finite number');
    expect(() => routeItems([[0.5, 0.5], [1]])).toThrow('routeItems: predProbs is ragged: row 1');
    expect(() => routeItems([[1.5, -0.5]])).toThrow('routeItems: predProbs row 0 column 1 is negative');
    expect(() => routeItems(rows([0.9]), { singleReview: 0.96 })).toThrow('routeItems: options.singleReview (0.96) must not exceed options.autoAccept (0.95)');
    expect(() => routeItems(rows([0.9]), { autoAccept: 1.1 })).toThrow('routeItems: options.autoAccept must be a number in [0, 1]');
    expect(() => routeItems(rows([0.9]), { singleReview: -0.1 })).toThrow('routeItems: options.singleReview must be a number in [0, 1]');
    expect(() => routeItems(rows([0.9]), { spotCheckRate: 2 })).toThrow('routeItems: options.spotCheckRate must be a number in [0, 1]');
    expect(() => routeItems(rows([0.9]), { spotCheckRate: NaN })).toThrow('routeItems: options.spotCheckRate');
    expect(() => routeItems(rows([0.9]), { minAgreement: NaN })).toThrow('routeItems: options.minAgreement');
    expect(() => routeItems(rows([0.9]), { seed: Infinity })).toThrow('routeItems: options.seed');
    expect(() => routeItems(rows([0.9, 0.8]), { agreement: [0.5] })).toThrow('routeItems: options.agreement has length 1, expected 2');
    expect(() => routeItems(rows([0.9]), { agreement: [Infinity] })).toThrow('routeItems: options.agreement index 0 is Infinity');
  });
});
