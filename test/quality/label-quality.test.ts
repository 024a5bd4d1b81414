/**
 * Label quality scores against cleanlab 2.9.0 (`cleanlab.rank.get_label_quality_scores`, every recorded call in
 * test/fixtures/cleanlab_*.json; README §1), to 1e-6, plus properties.
 */
import { getLabelQualityScores, LabelQualityMethod, normalizedMarginScores, selfConfidenceScores } from '../../src/quality/label-quality';
import { createRng } from '../../src/quality/rng';
import { expectClose } from '../helpers/fixtures';
import { CLEANLAB_CASES, callRows, cleanlabFixture } from './cl-helpers';

const METHODS: LabelQualityMethod[] = ['self_confidence', 'normalized_margin', 'confidence_weighted_entropy'];

describe.each(CLEANLAB_CASES)('cleanlab fixture %s', (file) => {
  const fx = cleanlabFixture(file);
  const { labels, pred_probs: predProbs } = fx.inputs;

  test.each(callRows(fx, ['cleanlab.rank.get_label_quality_scores']))('%s', (_title, call) => {
    const opts = { method: call.kwargs.method as LabelQualityMethod, adjustPredProbs: call.kwargs.adjust_pred_probs as boolean };
    const res = call.result as number[] | { error: string };
    if (!Array.isArray(res)) {
      expect(res.error).toMatch(/adjust_pred_probs is not currently supported for confidence_weighted_entropy/);
      expect(() => getLabelQualityScores(labels, predProbs, opts)).toThrow(/getLabelQualityScores: options\.adjustPredProbs/);
      return;
    }
    const s = getLabelQualityScores(labels, predProbs, opts);
    expect(s).toBeInstanceOf(Float64Array);
    expectClose(s, res, 1e-6);
  });

  test('typed inputs (Float64Array, Float32Array, Int32Array) give the same scores', () => {
    const n = predProbs.length, k = predProbs[0].length;
    const f64 = { rows: n, cols: k, data: Float64Array.from(predProbs.flat()) };
    const f32 = { rows: n, cols: k, data: Float32Array.from(predProbs.flat()) };
    const lab = Int32Array.from(labels);
    for (const method of METHODS) {
      const ref = getLabelQualityScores(labels, predProbs, { method });
      expect(Array.from(getLabelQualityScores(lab, f64, { method }))).toEqual(Array.from(ref));
      // float32 rounding of the inputs (~6e-8 relative) moves the entropy-based score by up to a few 1e-6
      expectClose(getLabelQualityScores(lab, f32, { method }), ref, 1e-5);
    }
  });
});

function randomProbs(n: number, k: number, seed: number): { labels: number[]; probs: number[][] } {
  const rng = createRng(seed);
  const probs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.int(k);
    const logits = Array.from({ length: k }, (_, j) => rng.normal() + (j === y ? 2 : 0));
    const m = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - m));
    const s = e.reduce((a, b) => a + b, 0);
    probs.push(e.map((v) => v / s));
    labels.push(rng.next() < 0.15 ? rng.int(k) : y);
  }
  // every class given at least once
  for (let c = 0; c < k; c++) labels[c] = c;
  return { labels, probs };
}

describe('getLabelQualityScores properties', () => {
  const { labels, probs } = randomProbs(400, 5, 7);

  test.each(METHODS)('%s: scores in [0, 1], lower for flipped labels on average', (method) => {
    const s = getLabelQualityScores(labels, probs, { method });
    for (const v of s) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
    // the argmax label scores at least as high as any other label for the same row (self-confidence & margin)
    if (method !== 'confidence_weighted_entropy') {
      const argmaxLabels = probs.map((p) => p.indexOf(Math.max(...p)));
      const sBest = getLabelQualityScores(argmaxLabels, probs, { method });
      for (let i = 0; i < s.length; i++) expect(sBest[i]).toBeGreaterThanOrEqual(s[i]);
    }
  });

  test('self_confidence and normalized_margin formulas on a hand example', () => {
    const p = [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]];
    const l = [0, 2, 0];
    expectClose(getLabelQualityScores(l, p), [0.7, 0.3, 0.1], 1e-15);
    expectClose(getLabelQualityScores(l, p, { method: 'normalized_margin' }), [(0.7 - 0.2 + 1) / 2, (0.3 - 0.5 + 1) / 2, (0.1 - 0.8 + 1) / 2], 1e-15);
    expectClose(selfConfidenceScores(l, p), [0.7, 0.3, 0.1], 1e-15);
    expectClose(normalizedMarginScores(l, p), [0.75, 0.4, 0.15], 1e-15);
    // confidence weighted entropy: r = H(p)/ln3 / p_l, score = ln(1 + r) / r
    const h = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)) / Math.log(3);
    const r = h / 0.7;
    expectClose(getLabelQualityScores(l, p, { method: 'confidence_weighted_entropy' })[0], Math.log(1 + r) / r, 1e-15);
  });

  test('adjustPredProbs subtracts class thresholds and renormalises', () => {
    const p = [[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.2, 0.8]];
    const l = [0, 0, 1, 1];
    const t = [(0.9 + 0.6) / 2, (0.7 + 0.8) / 2];
    const tMax = Math.max(...t);
    const adj = p.map((row) => { const a = row.map((v, j) => v - t[j] + tMax); const s = a[0] + a[1]; return a.map((v) => v / s); });
    expectClose(getLabelQualityScores(l, p, { adjustPredProbs: true }), adj.map((row, i) => row[l[i]]), 1e-15);
  });

  test('inputs are not modified', () => {
    const p = probs.map((r) => [...r]);
    const l = [...labels];
    const typed = { rows: 400, cols: 5, data: Float64Array.from(probs.flat()) };
    const typedCopy = Float64Array.from(typed.data);
    const lt = Int32Array.from(labels);
    for (const method of METHODS) {
      getLabelQualityScores(l, p, { method });
      getLabelQualityScores(lt, typed, { method, adjustPredProbs: method !== 'confidence_weighted_entropy' });
    }
    expect(p).toEqual(probs);
    expect(l).toEqual(labels);
    expect(typed.data).toEqual(typedCopy);
    expect(Array.from(lt)).toEqual(labels);
  });

  test.each(METHODS)('%s: permuting examples permutes the scores', (method) => {
    const perm = Array.from({ length: labels.length }, (_, i) => i);
    const rng = createRng(3);
    for (let i = perm.length - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    const s = getLabelQualityScores(labels, probs, { method, adjustPredProbs: method !== 'confidence_weighted_entropy' });
    const sp = getLabelQualityScores(perm.map((i) => labels[i]), perm.map((i) => probs[i]), { method, adjustPredProbs: method !== 'confidence_weighted_entropy' });
    expectClose(sp, perm.map((i) => s[i]), 1e-12);
  });

  test('perfect one-hot predictions score 1 (self_confidence, normalized_margin)', () => {
    const l = [0, 1, 2, 1, 0];
    const p = l.map((y) => [0, 1, 2].map((j) => (j === y ? 1 : 0)));
    expectClose(getLabelQualityScores(l, p), [1, 1, 1, 1, 1], 1e-12);
    expectClose(getLabelQualityScores(l, p, { method: 'normalized_margin' }), [1, 1, 1, 1, 1], 1e-12);
    // cleanlab quirk kept for parity: entropy 0 gives ratio 0, and ln(1 + 0) / max(0, 1e-6) = 0
    expectClose(getLabelQualityScores(l, p, { method: 'confidence_weighted_entropy' }), [0, 0, 0, 0, 0], 0);
  });

  test('a class with no examples is fine', () => {
    const p = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.5, 0.4, 0.1]];
    const l = [0, 1, 1];
    const s = getLabelQualityScores(l, p, { adjustPredProbs: true });
    for (const v of s) expect(Number.isFinite(v)).toBe(true);
  });

  test('clear errors naming function and argument', () => {
    const p = [[0.5, 0.5], [0.2, 0.8]];
    expect(() => getLabelQualityScores([0, 1], [[0.5, NaN], [0.2, 0.8]])).toThrow(/^getLabelQualityScores: predProbs row 0 column 1 is not a finite number/);
    expect(() => getLabelQualityScores([0, 1], [[0.5, 0.6], [0.2, 0.8]])).toThrow(/^getLabelQualityScores: predProbs row 0 does not sum to 1/);
    expect(() => getLabelQualityScores([0, 2], p)).toThrow(/^getLabelQualityScores: labels index 1 is 2, not a class index in 0\.\.1/);
    expect(() => getLabelQualityScores([0, -1], p)).toThrow(/^getLabelQualityScores: labels index 1/);
    expect(() => getLabelQualityScores([0, 0.5], p)).toThrow(/^getLabelQualityScores: labels index 1/);
    expect(() => getLabelQualityScores([0, 1], [[0.5, 0.5], [1]])).toThrow(/^getLabelQualityScores: predProbs is ragged: row 1/);
    expect(() => getLabelQualityScores([0], p)).toThrow(/^getLabelQualityScores: labels has length 1 but predProbs has 2 rows/);
    expect(() => getLabelQualityScores([0, 1], p, { method: 'entropy' as LabelQualityMethod })).toThrow(/^getLabelQualityScores: options\.method/);
    expect(() => getLabelQualityScores([0, 1], p, { method: 'confidence_weighted_entropy', adjustPredProbs: true })).toThrow(/^getLabelQualityScores: options\.adjustPredProbs/);
    expect(() => getLabelQualityScores([0, 1], [[1], [1]])).toThrow(/^getLabelQualityScores: predProbs must have at least 2 columns/);
    expect(() => getLabelQualityScores([], [])).toThrow(/^getLabelQualityScores: predProbs must have at least one row/);
  });
});
