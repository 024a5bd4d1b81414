import * as tf from '@tensorflow/tfjs';
import { Classifier, fit } from '../../src/ml/classifier';
import { initBackend } from '../../src/ml/backend';
import { createRng } from '../../src/quality/rng';

/** k Gaussian blobs in d dims with centres `sep` apart on the axes: separable for large sep. Seeded. */
function blobs(n: number, d: number, k: number, sep: number, seed: number, counts?: number[]) {
  const rng = createRng(seed);
  const per = counts ?? Array.from({ length: k }, (_, c) => Math.floor(n / k) + (c < n % k ? 1 : 0));
  const total = per.reduce((a, b) => a + b, 0);
  const X = new Float32Array(total * d);
  const y = new Int32Array(total);
  let i = 0;
  for (let c = 0; c < k; c++) {
    for (let t = 0; t < per[c]; t++, i++) {
      y[i] = c;
      for (let j = 0; j < d; j++) X[i * d + j] = (j === c % d ? sep : 0) + rng.normal();
    }
  }
  return { X: { rows: total, cols: d, data: X }, y };
}

function accuracy(pred: Int32Array, y: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

beforeAll(async () => {
  await initBackend('auto', { log: () => undefined });
});

describe('fit', () => {
  const train = blobs(300, 5, 3, 6, 1);
  const test = blobs(300, 5, 3, 6, 2);

  it.each(['softmax', 'mlp'] as const)('%s learns a separable toy problem', async (kind) => {
    const m = await fit(train.X, train.y, { kind, seed: 3, epochs: 60, hiddenUnits: 16 });
    expect(accuracy(m.predict(test.X), test.y)).toBeGreaterThanOrEqual(0.99);
    const p = m.predictProba(test.X);
    expect(p).toBeInstanceOf(Float64Array);
    expect(p.length).toBe(300 * 3);
    for (let i = 0; i < 300; i++) expect(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2]).toBeCloseTo(1, 12);
    expect(m.metrics.labelCounts).toEqual([100, 100, 100]);
    expect(m.metrics.trainRows + m.metrics.validationRows).toBe(300);
    expect(m.metrics.validationRows).toBe(30); // stratified 10%
  });

  it('is seeded: same seed, same weights; another seed, other weights', async () => {
    const a = await fit(train.X, train.y, { kind: 'mlp', seed: 7, epochs: 5, minSteps: 0, hiddenUnits: 8 });
    const b = await fit(train.X, train.y, { kind: 'mlp', seed: 7, epochs: 5, minSteps: 0, hiddenUnits: 8 });
    const c = await fit(train.X, train.y, { kind: 'mlp', seed: 8, epochs: 5, minSteps: 0, hiddenUnits: 8 });
    expect(Array.from(a.weights.w1!)).toEqual(Array.from(b.weights.w1!));
    expect(Array.from(a.weights.w2)).toEqual(Array.from(b.weights.w2));
    expect(Array.from(a.predictProba(test.X))).toEqual(Array.from(b.predictProba(test.X)));
    expect(Array.from(a.weights.w2)).not.toEqual(Array.from(c.weights.w2));
  });

  it('never modifies its inputs', async () => {
    const X = { rows: 300, cols: 5, data: train.X.data.slice() };
    const y = train.y.slice();
    const m = await fit(X, y, { seed: 1, epochs: 3 });
    m.predictProba(X);
    expect(Array.from(X.data)).toEqual(Array.from(train.X.data));
    expect(Array.from(y)).toEqual(Array.from(train.y));
  });

  it('accepts number[][] and gives the same model as the typed input', async () => {
    const arr = Array.from({ length: 300 }, (_, i) => Array.from(train.X.data.subarray(i * 5, i * 5 + 5)));
    const a = await fit(arr, Array.from(train.y), { seed: 2, epochs: 4 });
    const b = await fit(train.X, train.y, { seed: 2, epochs: 4 });
    expect(Array.from(a.weights.w2)).toEqual(Array.from(b.weights.w2));
  });

  it('permuting the test rows permutes the predictions', async () => {
    const m = await fit(train.X, train.y, { seed: 4, epochs: 10 });
    const perm = Array.from({ length: 300 }, (_, i) => (i * 7) % 300); // 7 is coprime with 300
    const Xp = new Float32Array(300 * 5);
    perm.forEach((src, dst) => Xp.set(test.X.data.subarray(src * 5, src * 5 + 5), dst * 5));
    const p = m.predictProba(test.X);
    const pp = m.predictProba({ rows: 300, cols: 5, data: Xp });
    perm.forEach((src, dst) => {
      for (let c = 0; c < 3; c++) expect(pp[dst * 3 + c]).toBe(p[src * 3 + c]);
    });
  });

  it('stops early when the validation loss stops improving and keeps the best epoch', async () => {
    const m = await fit(train.X, train.y, { seed: 5, epochs: 500, patience: 2, learningRate: 0.1 });
    expect(m.metrics.epochsRun).toBeLessThan(500);
    expect(m.metrics.bestEpoch).toBeLessThanOrEqual(m.metrics.epochsRun);
    expect(m.metrics.epochsRun - m.metrics.bestEpoch).toBe(3); // patience 2: the third epoch without improvement stops
    expect(m.metrics.valLoss).not.toBeNull();
    // the step size was cut on the plateau: with patience 2 for ReduceLROnPlateau, once after 2 stale epochs
    expect(m.metrics.finalLearningRate).toBeCloseTo(0.1 * 0.3, 12);
    const fixed = await fit(train.X, train.y, { seed: 5, epochs: 500, patience: 2, learningRate: 0.1, reduceLrFactor: 1 });
    expect(fixed.metrics.finalLearningRate).toBe(0.1);
  });

  it('small training sets get enough epochs for minSteps Adam steps', async () => {
    // 300 rows, batch 512: one step per epoch, so 40 steps means 40 epochs
    const m = await fit(train.X, train.y, { seed: 5, epochs: 3, minSteps: 40, validationSplit: 0 });
    expect(m.metrics.epochsRun).toBe(40);
    const m2 = await fit(train.X, train.y, { seed: 5, epochs: 3, minSteps: 40, batchSize: 100, validationSplit: 0 });
    expect(m2.metrics.epochsRun).toBe(14); // ceil(40 / 3 steps per epoch)
  });

  it('trains all epochs without a validation split', async () => {
    const epochs: number[] = [];
    const m = await fit(train.X, train.y, { seed: 5, epochs: 7, minSteps: 0, validationSplit: 0, onEpoch: (e) => epochs.push(e.epoch) });
    expect(m.metrics.epochsRun).toBe(7);
    expect(m.metrics.bestEpoch).toBe(7);
    expect(m.metrics.valLoss).toBeNull();
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('balanced class weights raise the recall of a rare class', async () => {
    // overlapping blobs, 10:1 imbalance: unweighted loss favours the majority class
    const tr = blobs(0, 2, 2, 1.5, 11, [500, 50]);
    const te = blobs(0, 2, 2, 1.5, 12, [500, 500]);
    const recall1 = (m: Classifier) => {
      const p = m.predict(te.X);
      let hit = 0;
      for (let i = 500; i < 1000; i++) if (p[i] === 1) hit++;
      return hit / 500;
    };
    const plain = await fit(tr.X, tr.y, { seed: 1, classWeight: null, validationSplit: 0, epochs: 80, learningRate: 0.05 });
    const balanced = await fit(tr.X, tr.y, { seed: 1, classWeight: 'balanced', validationSplit: 0, epochs: 80, learningRate: 0.05 });
    const explicit = await fit(tr.X, tr.y, { seed: 1, classWeight: [1, 10], validationSplit: 0, epochs: 80, learningRate: 0.05 });
    expect(recall1(balanced)).toBeGreaterThan(recall1(plain) + 0.2);
    expect(recall1(explicit)).toBeGreaterThan(recall1(plain) + 0.2);
  });

  it('round-trips through JSON with identical predictions', async () => {
    for (const kind of ['softmax', 'mlp'] as const) {
      const m = await fit(train.X, train.y, { kind, seed: 9, epochs: 5, minSteps: 0, hiddenUnits: 12 });
      const json = JSON.stringify(m.toJSON());
      const back = Classifier.fromJSON(JSON.parse(json));
      expect(back.kind).toBe(kind);
      expect(back.numClasses).toBe(3);
      expect(back.hiddenUnits).toBe(kind === 'mlp' ? 12 : null);
      expect(back.metrics).toEqual(m.metrics);
      expect(Array.from(back.predictProba(test.X))).toEqual(Array.from(m.predictProba(test.X)));
      expect(Array.from(Classifier.fromJSON(json).weights.w2)).toEqual(Array.from(m.weights.w2));
    }
    const bad = (await fit(train.X, train.y, { seed: 9, epochs: 1 })).toJSON();
    expect(() => Classifier.fromJSON({ ...bad, numFeatures: 6 })).toThrow(/Classifier.fromJSON: json has weights whose sizes/);
    expect(() => Classifier.fromJSON({ ...bad, format: 'x' } as never)).toThrow(/Classifier.fromJSON: json is not/);
  });

  it('leaks no tensors', async () => {
    await fit(train.X, train.y, { kind: 'mlp', seed: 1, epochs: 2, hiddenUnits: 8 });
    const before = tf.memory().numTensors;
    for (const kind of ['softmax', 'mlp'] as const) {
      const m = await fit(train.X, train.y, { kind, seed: 1, epochs: 3, minSteps: 0, hiddenUnits: 8 });
      m.predictProba(test.X);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not block the event loop while training', async () => {
    const big = blobs(20000, 32, 4, 2, 3);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const m = await fit(big.X, big.y, { kind: 'mlp', seed: 1, epochs: 3, batchSize: 256, hiddenUnits: 32, validationSplit: 0, yieldEveryMs: 10 });
    clearInterval(timer);
    // the timer ran during training, roughly every 5–20 ms of it
    expect(ticks).toBeGreaterThan(Math.min(10, m.metrics.trainingMs / 50));
  });

  it('validates its inputs with errors naming the function and argument', async () => {
    const X = [[0, 1], [1, 0], [1, 1]];
    await expect(fit([[0, NaN], [1, 0], [1, 1]], [0, 1, 1])).rejects.toThrow('fit: X row 0 column 1 is not a finite number');
    await expect(fit([[0, 1], [1], [1, 1]], [0, 1, 1])).rejects.toThrow(/fit: X is ragged: row 1/);
    await expect(fit(X, [0, 1])).rejects.toThrow('fit: y has length 2, X has 3 rows');
    await expect(fit(X, [0, 1, 2], { numClasses: 2 })).rejects.toThrow('fit: y index 2 is 2, not a class index in 0..1');
    await expect(fit(X, [0, 1, -1], { numClasses: 2 })).rejects.toThrow(/fit: y index 2 is -1/);
    await expect(fit(X, [0, 0, 0])).rejects.toThrow(/fit: opts.numClasses must be an integer ≥ 2/);
    await expect(fit(X, [0, 1, 1], { epochs: 0 })).rejects.toThrow(/fit: opts.epochs must be a positive integer/);
    await expect(fit(X, [0, 1, 1], { validationSplit: 1 })).rejects.toThrow(/fit: opts.validationSplit must be in \[0, 1\)/);
    await expect(fit(X, [0, 1, 1], { classWeight: [1] })).rejects.toThrow('fit: opts.classWeight has 1 entries, expected 2');
    await expect(fit(X, [0, 1, 1], { kind: 'svm' as never })).rejects.toThrow(/fit: opts.kind must be/);
    const m = await fit(X, [0, 1, 1], { epochs: 1 });
    expect(() => m.predictProba([[1, 2, 3]])).toThrow('predictProba: X has 3 columns, the model was fitted on 2');
    expect(() => m.predictProba([[1, Infinity]])).toThrow('predictProba: X row 0 column 1 is not a finite number');
  });
});
