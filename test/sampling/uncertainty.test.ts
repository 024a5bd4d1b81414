/**
 * Uncertainty scores: hand-checked rows, and a cross-check against cleanlab 2.9 (test/fixtures/README.md §1):
 * where the given label is the predicted class, cleanlab's `self_confidence` is p(1) and its `normalized_margin`
 * is (p(1) − p(2) + 1) / 2, so both pin down our leastConfidence and margin exactly.
 */
import { entropy, leastConfidence, margin } from '../../src/sampling';
import { createRng } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

const P = [
  [0.7, 0.2, 0.1],
  [0.4, 0.35, 0.25],
  [1 / 3, 1 / 3, 1 / 3],
  [0, 1, 0],
];

describe('hand-checked rows', () => {
  test('leastConfidence = 1 − max p (higher = more uncertain)', () => {
    expectClose(leastConfidence(P), [0.3, 0.6, 2 / 3, 0], 1e-12);
  });
  test('margin = p(1) − p(2) (lower = more uncertain)', () => {
    expectClose(margin(P), [0.5, 0.05, 0, 1], 1e-12);
  });
  test('entropy in nats, and in base K (normalised to [0, 1])', () => {
    const h1 = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
    const h2 = -(0.4 * Math.log(0.4) + 0.35 * Math.log(0.35) + 0.25 * Math.log(0.25));
    expectClose(entropy(P), [h1, h2, Math.log(3), 0], 1e-12);
    expectClose(entropy(P, { base: 3 }), [h1 / Math.log(3), h2 / Math.log(3), 1, 0], 1e-12);
    expectClose(entropy([[0.5, 0.5]], { base: 2 }), [1], 1e-12);
  });
  test('one class: margin 1, nothing uncertain', () => {
    expectClose(margin([[1], [1]]), [1, 1], 0);
    expectClose(leastConfidence([[1]]), [0], 0);
    expectClose(entropy([[1]]), [0], 0);
  });
  test('typed Float32Array input gives the same ranking', () => {
    const data = new Float32Array(P.flat());
    const m32 = margin({ rows: 4, cols: 3, data });
    expectClose(m32, [0.5, 0.05, 0, 1], 1e-6);
  });
});

describe('against cleanlab 2.9 get_label_quality_scores (rows whose label is the argmax)', () => {
  interface Fx { inputs: { K: number; labels: number[]; pred_probs: number[][] }; calls: Array<{ function: string; kwargs: Record<string, unknown>; result: number[] }> }
  test.each(['cleanlab_k3_n500_rare_class.json', 'cleanlab_k10_digits_n1797.json', 'cleanlab_k2_n50_blobs.json'])('%s', (file) => {
    const fx = loadFixture<Fx>(file);
    const { pred_probs: pp, labels } = fx.inputs;
    const fnName = 'cleanlab.rank.get_label_quality_scores';
    const sc = (findCalls(fx, fnName, { method: 'self_confidence', adjust_pred_probs: false }) as Fx['calls'])[0].result;
    const nm = (findCalls(fx, fnName, { method: 'normalized_margin', adjust_pred_probs: false }) as Fx['calls'])[0].result;
    const lc = leastConfidence(pp);
    const mg = margin(pp);
    let checked = 0;
    for (let i = 0; i < pp.length; i++) {
      const row = pp[i];
      const top = row.indexOf(Math.max(...row));
      if (labels[i] !== top) continue;
      checked++;
      expectClose(lc[i], 1 - sc[i], 1e-12, 0, `leastConfidence[${i}]`);
      expectClose(mg[i], 2 * nm[i] - 1, 1e-12, 0, `margin[${i}]`);
    }
    expect(checked).toBeGreaterThan(pp.length / 2);
  });
});

describe('properties', () => {
  const rng = createRng(3);
  const n = 40;
  const k = 4;
  const rand: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = Array.from({ length: k }, () => rng.next() + 1e-3);
    const s = r.reduce((a, b) => a + b, 0);
    rand.push(r.map((v) => v / s));
  }
  test('inputs are not modified', () => {
    const copy = JSON.stringify(rand);
    const data = new Float64Array(rand.flat());
    const dcopy = data.slice();
    for (const f of [leastConfidence, margin, entropy]) { f(rand); f({ rows: n, cols: k, data }); }
    expect(JSON.stringify(rand)).toBe(copy);
    expect(data).toEqual(dcopy);
  });
  test('permuting rows permutes the scores', () => {
    const perm = Array.from({ length: n }, (_, i) => (i * 17) % n);
    const permuted = perm.map((i) => rand[i]);
    for (const f of [leastConfidence, margin, entropy]) {
      const a = f(rand);
      const b = f(permuted);
      perm.forEach((i, t) => expect(b[t]).toBe(a[i]));
    }
  });
  test('uniform rows are the most uncertain under every measure', () => {
    const u = [...rand, [0.25, 0.25, 0.25, 0.25]];
    const last = n;
    expect(Math.max(...leastConfidence(u))).toBe(leastConfidence(u)[last]);
    expect(Math.min(...margin(u))).toBe(margin(u)[last]);
    expect(Math.max(...entropy(u))).toBeCloseTo(entropy(u)[last], 12);
  });
});

describe('errors name the function and the argument', () => {
  test('NaN', () => {
    expect(() => margin([[0.5, NaN]])).toThrow('margin: predProbs row 0 column 1 is not a finite number');
  });
  test('row not summing to 1', () => {
    expect(() => leastConfidence([[0.5, 0.5], [0.6, 0.6]])).toThrow('leastConfidence: predProbs row 1 does not sum to 1');
  });
  test('ragged', () => {
    expect(() => entropy([[0.5, 0.5], [1]])).toThrow('entropy: predProbs is ragged: row 1');
  });
  test('negative', () => {
    expect(() => entropy([[1.5, -0.5]])).toThrow('entropy: predProbs row 0 column 1 is negative');
  });
  test('bad base', () => {
    expect(() => entropy([[1]], { base: 1 })).toThrow('entropy: options.base');
  });
});
