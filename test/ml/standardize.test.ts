import { readNumericCsv } from '../helpers/csv';
import { TASKS, TrainInput } from '../../src/compute/tasks';
import { initBackend } from '../../src/ml/backend';
import { Classifier, fit, fitStandardScaler } from '../../src/ml/classifier';
import { crossValPredictProba, L2_GRID, selectL2 } from '../../src/ml/cross-val';
import { createRng, shuffleInPlace } from '../../src/quality/rng';
import { fixturePath } from '../helpers/fixtures';

beforeAll(async () => {
  await initBackend('auto', { log: () => undefined });
});

/** A seeded subset of digits (test/fixtures/data/digits.csv, pixel counts 0–16), pixels divided by `scale`. */
function digits(n: number, scale: number, seed = 1): { X: Float32Array; y: Int32Array } {
  const csv = readNumericCsv(fixturePath('data', 'digits.csv'));
  const idx = shuffleInPlace(Int32Array.from({ length: csv.rows }, (_, i) => i), createRng(seed)).slice(0, n);
  const X = new Float32Array(n * 64);
  const y = new Int32Array(n);
  idx.forEach((r, i) => {
    for (let j = 0; j < 64; j++) X[i * 64 + j] = csv.data[r * csv.cols + j] / scale;
    y[i] = csv.data[r * csv.cols + 64];
  });
  return { X, y };
}

const trainInput = ({ X, y }: { X: Float32Array; y: Int32Array }): TrainInput => ({
  tfBackend: 'auto',
  numClasses: 10,
  folds: 5,
  seed: 0,
  labels: y,
  embeddings: { dim: 64, labeled: X, pool: new Float32Array(0) },
});

describe('standardised embeddings', () => {
  it('the training task on raw digit pixels does as well as on pixels ÷ 16, and beats the uniform log loss', async () => {
    // 300 digits, seed 1: without standardisation the raw pixels gave accuracy 0.727 and log loss 2.29 (≈ ln 10).
    const raw = await TASKS.train(trainInput(digits(300, 1)), () => undefined);
    const scaled = await TASKS.train(trainInput(digits(300, 16)), () => undefined);
    expect(raw.standardized).toBe(true);
    expect(raw.accuracy).toBeGreaterThanOrEqual(0.9 * scaled.accuracy);
    expect(raw.logLoss).toBeLessThan(Math.log(10));
    expect(L2_GRID).toContain(raw.l2);
    expect(raw.l2LogLoss).toHaveLength(raw.l2Grid.length);
  }, 60_000);

  it('each fold model standardises with its own training fold only', async () => {
    const rng = createRng(3);
    const n = 90;
    const d = 4;
    const X = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 3;
      X[i * d] = 1000 + 50 * rng.normal() + 100 * y[i];
      X[i * d + 1] = 0.001 * rng.normal();
      X[i * d + 2] = 7; // constant: scale 1
      X[i * d + 3] = rng.normal() + y[i];
    }
    const opts = { folds: 3, numClasses: 3, seed: 2, standardize: true, epochs: 5, minSteps: 0 } as const;
    const cv = await crossValPredictProba({ rows: n, cols: d, data: X }, y, opts);
    for (let f = 0; f < 3; f++) {
      const train = Array.from({ length: n }, (_, i) => i).filter((i) => cv.foldOf[i] !== f);
      const expected = fitStandardScaler({ rows: n, cols: d, data: X }, train);
      const got = cv.foldModels[f].scaler!;
      expect(Array.from(got.mean)).toEqual(Array.from(expected.mean));
      expect(Array.from(got.scale)).toEqual(Array.from(expected.scale));
      expect(got.scale[2]).toBe(1);
    }
    // Changing the held-out rows of fold 0 leaves fold 0's statistics unchanged (and every other fold's change).
    const X2 = X.slice();
    for (let i = 0; i < n; i++) if (cv.foldOf[i] === 0) for (let j = 0; j < d; j++) X2[i * d + j] = 1e6 * (j + 1);
    const cv2 = await crossValPredictProba({ rows: n, cols: d, data: X2 }, y, opts);
    expect(Array.from(cv2.foldModels[0].scaler!.mean)).toEqual(Array.from(cv.foldModels[0].scaler!.mean));
    expect(Array.from(cv2.foldModels[1].scaler!.mean)).not.toEqual(Array.from(cv.foldModels[1].scaler!.mean));
  });

  it('the statistics travel with the stored model; a stored model without them reads features as they are', async () => {
    const { X, y } = digits(120, 1, 4);
    const m = { rows: 120, cols: 64, data: X };
    const st = await fit(m, y, { numClasses: 10, standardize: true, epochs: 5, minSteps: 0 });
    const back = Classifier.fromJSON(JSON.stringify(st.toJSON()));
    expect(Array.from(back.predictProba(m))).toEqual(Array.from(st.predictProba(m)));
    const plain = await fit(m, y, { numClasses: 10, epochs: 5, minSteps: 0 });
    const old = plain.toJSON();
    delete old.scaler; // as stored before standardisation existed
    const oldBack = Classifier.fromJSON(old);
    expect(oldBack.scaler).toBeNull();
    expect(Array.from(oldBack.predictProba(m))).toEqual(Array.from(plain.predictProba(m)));
  });
});

describe('selectL2', () => {
  it('picks a value of the grid, by the lowest inner log loss, on at most maxRows rows', async () => {
    const { X, y } = digits(240, 1, 5);
    const grid = [10, 1e-3];
    const r = await selectL2({ rows: 240, cols: 64, data: X }, y, { numClasses: 10, grid, maxRows: 150, standardize: true, seed: 1 });
    expect(grid).toContain(r.l2);
    expect(r.rows).toBe(150);
    expect(r.logLoss).toHaveLength(2);
    expect(r.l2).toBe(grid[r.logLoss.indexOf(Math.min(...r.logLoss))]);
    // λ = 10 shrinks every weight towards 0: near-uniform predictions, clearly worse on digits.
    expect(r.l2).toBe(1e-3);
    const d = await selectL2({ rows: 240, cols: 64, data: X }, y, { numClasses: 10, standardize: true });
    expect(L2_GRID).toContain(d.l2);
    expect(d.grid).toEqual([...L2_GRID]);
    expect(L2_GRID.length).toBeLessThanOrEqual(4);
  }, 60_000);
});
