import { crossValPredictProba, stratifiedFolds } from '../../src/ml/cross-val';
import { fit } from '../../src/ml/classifier';
import { initBackend } from '../../src/ml/backend';
import { createRng } from '../../src/quality/rng';

beforeAll(async () => {
  await initBackend('auto', { log: () => undefined });
});

/**
 * A memorising setup: item i's only feature is its own indicator (X = identity), labels are random. A model that
 * saw item i's label predicts it with near certainty (in-sample); a model that did not has never seen feature i
 * and can only answer from the bias (the class prior) and feature i's untouched initial weights.
 */
function memorising(n: number, k: number, seed: number) {
  const rng = createRng(seed);
  const X = new Float32Array(n * n);
  for (let i = 0; i < n; i++) X[i * n + i] = 1;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % k; // balanced…
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); const t = y[i]; y[i] = y[j]; y[j] = t; } // …in random order
  return { X: { rows: n, cols: n, data: X }, y };
}

const fitOpts = { validationSplit: 0, classWeight: null, epochs: 150, minSteps: 0, learningRate: 0.05, l2: 0 } as const;

describe('crossValPredictProba', () => {
  it('never predicts an item with a model that saw its label', async () => {
    const n = 60;
    const k = 3;
    const { X, y } = memorising(n, k, 1);
    // in-sample: the memorising model is (near) certain of every label it saw
    const inSample = await fit(X, y, { ...fitOpts, seed: 0 });
    const pin = inSample.predictProba(X);
    for (let i = 0; i < n; i++) expect(pin[i * k + y[i]]).toBeGreaterThan(0.9);
    // out-of-sample: no item gets that certainty, and accuracy is at chance level
    const cv = await crossValPredictProba(X, y, { ...fitOpts, folds: 5, seed: 0 });
    let correct = 0;
    for (let i = 0; i < n; i++) {
      expect(cv.oof[i * k + y[i]]).toBeLessThan(0.8);
      let arg = 0;
      for (let c = 1; c < k; c++) if (cv.oof[i * k + c] > cv.oof[i * k + arg]) arg = c;
      if (arg === y[i]) correct++;
    }
    expect(correct / n).toBeLessThan(0.6);
    // and by bookkeeping: fold model f saw exactly the labels of the items outside fold f
    for (let f = 0; f < 5; f++) {
      const outside = Array.from(cv.foldOf).filter((g) => g !== f).length;
      const seen = cv.foldModels[f].metrics.labelCounts.reduce((a, b) => a + b, 0);
      expect(seen).toBe(outside);
      // each fold model on its own held-out items reproduces the oof rows exactly
      const rows = Array.from(cv.foldOf.keys()).filter((i) => cv.foldOf[i] === f);
      const sub = new Float32Array(rows.length * n);
      rows.forEach((i, t) => sub.set(X.data.subarray(i * n, i * n + n), t * n));
      const p = cv.foldModels[f].predictProba({ rows: rows.length, cols: n, data: sub });
      rows.forEach((i, t) => {
        for (let c = 0; c < k; c++) expect(p[t * k + c]).toBe(cv.oof[i * k + c]);
      });
      // and on items it trained on, it is certain: the contrast the first assertions rely on
      const trained = Array.from(cv.foldOf.keys()).filter((i) => cv.foldOf[i] !== f).slice(0, 5);
      const sub2 = new Float32Array(trained.length * n);
      trained.forEach((i, t) => sub2.set(X.data.subarray(i * n, i * n + n), t * n));
      const p2 = cv.foldModels[f].predictProba({ rows: trained.length, cols: n, data: sub2 });
      trained.forEach((i, t) => expect(p2[t * k + y[i]]).toBeGreaterThan(0.9));
    }
  });

  it('is seeded, stratified, and scores the pool with every fold model', async () => {
    const rng = createRng(4);
    const n = 90;
    const d = 3;
    const X = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i < 60 ? 0 : i < 80 ? 1 : 2;
      for (let j = 0; j < d; j++) X[i * d + j] = (j === y[i] ? 3 : 0) + rng.normal();
    }
    const pool = { rows: 7, cols: d, data: new Float32Array(21).map((_, t) => Math.sin(t)) };
    const Xin = { rows: n, cols: d, data: X };
    const opts = { folds: 4, seed: 3, epochs: 20, minSteps: 100, learningRate: 0.05, pool };
    const a = await crossValPredictProba(Xin, y, opts);
    const b = await crossValPredictProba(Xin, y, opts);
    expect(Array.from(a.oof)).toEqual(Array.from(b.oof));
    expect(Array.from(a.foldOf)).toEqual(Array.from(b.foldOf));
    const c = await crossValPredictProba(Xin, y, { ...opts, seed: 4 });
    expect(Array.from(c.foldOf)).not.toEqual(Array.from(a.foldOf));
    // stratified: per class, fold sizes differ by at most one
    for (const cls of [0, 1, 2]) {
      const sizes = [0, 1, 2, 3].map((f) => Array.from(a.foldOf.keys()).filter((i) => y[i] === cls && a.foldOf[i] === f).length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(a.foldModels).toHaveLength(4);
    expect(a.poolProbs).toHaveLength(4);
    for (let f = 0; f < 4; f++) expect(Array.from(a.poolProbs![f])).toEqual(Array.from(a.foldModels[f].predictProba(pool)));
    // metrics agree with a direct computation from oof
    let correct = 0;
    let ll = 0;
    const hits = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const row = Array.from(a.oof.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      const arg = row.indexOf(Math.max(...row));
      if (arg === y[i]) { correct++; hits[y[i]]++; }
      ll -= Math.log(row[y[i]]);
    }
    expect(a.metrics.accuracy).toBeCloseTo(correct / n, 12);
    expect(a.metrics.logLoss).toBeCloseTo(ll / n, 9);
    expect(Array.from(a.metrics.perClassRecall)).toEqual([hits[0] / 60, hits[1] / 20, hits[2] / 10]);
    expect(a.metrics.labelCounts).toEqual([60, 20, 10]);
    expect(a.metrics.accuracy).toBeGreaterThan(0.85); // well-separated blobs
    // inputs untouched
    expect(Xin.data).toBe(X);
    expect(Array.from(y.slice(0, 3))).toEqual([0, 0, 0]);
  });

  it('stratifiedFolds deals every class evenly over the folds, fold sizes within one of each other', () => {
    const y = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 1, 0];
    const folds = stratifiedFolds(y, 3, { seed: 1 });
    expect(folds).toHaveLength(y.length);
    const size = (f: number, c?: number) => y.filter((v, i) => folds[i] === f && (c === undefined || v === c)).length;
    for (const c of [0, 1, 2]) {
      const s = [0, 1, 2].map((f) => size(f, c));
      expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
    }
    const total = [0, 1, 2].map((f) => size(f));
    expect(Math.max(...total) - Math.min(...total)).toBeLessThanOrEqual(1);
    expect(Array.from(stratifiedFolds(y, 3, { seed: 1 }))).toEqual(Array.from(folds));
  });

  it('validates its inputs with errors naming the function and argument', async () => {
    const X = [[0, 1], [1, 0], [1, 1], [0, 0], [2, 2], [3, 1]];
    await expect(crossValPredictProba(X, [0, 1, 0, 1, 0])).rejects.toThrow('crossValPredictProba: y has length 5, X has 6 rows');
    await expect(crossValPredictProba(X, [0, 1, 0, 1, 0, 1], { folds: 1 })).rejects.toThrow(/crossValPredictProba: opts.folds must be an integer ≥ 2/);
    await expect(crossValPredictProba(X, [0, 1, 0, 1, 0, 1], { folds: 7 })).rejects.toThrow('crossValPredictProba: X has 6 rows, fewer than 7 folds');
    await expect(crossValPredictProba(X, [0, 1, 0, 1, 0, 5], { numClasses: 2 })).rejects.toThrow('crossValPredictProba: y index 5 is 5, not a class index in 0..1');
    await expect(crossValPredictProba([[0, NaN], ...X.slice(1)], [0, 1, 0, 1, 0, 1])).rejects.toThrow('crossValPredictProba: X row 0 column 1 is not a finite number');
    await expect(crossValPredictProba(X, [0, 1, 0, 1, 0, 1], { pool: [[1, 2, 3]] })).rejects.toThrow('crossValPredictProba: opts.pool has 3 columns, X has 2');
    expect(() => stratifiedFolds([0, 1], 1)).toThrow(/stratifiedFolds: folds must be an integer ≥ 2/);
  });
});
