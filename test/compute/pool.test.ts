import { ComputeError, ComputePool } from '../../src/compute/pool';
import { findLabelIssues, getLabelQualityScores, mmd2 } from '../../src/quality';
import { computeConsensus } from '../../src/quality/item-consensus';
import { createRng } from '../../src/quality/rng';

/**
 * The compute threads: a task's output crosses back intact, progress and errors cross back, an aborted task stops
 * (its thread is terminated) and the pool keeps working afterwards. The tasks run from the TypeScript sources here
 * (src/compute/ts-entry.cjs), the same worker module the built service loads.
 */
describe('ComputePool', () => {
  const pool = new ComputePool({ threads: 1 });
  afterAll(() => pool.close());

  /** Seeded blobs: n points in d dims around k centres; labels with a few flips. */
  function blobs(n: number, d: number, k: number, seed: number): { X: Float32Array; y: Int32Array } {
    const rng = createRng(seed);
    const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 3 * rng.normal()));
    const X = new Float32Array(n * d);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % k;
      y[i] = rng.next() < 0.05 ? (c + 1) % k : c;
      for (let j = 0; j < d; j++) X[i * d + j] = centres[c][j] + rng.normal();
    }
    return { X, y };
  }

  test('labelIssues on a compute thread equals the library called here', async () => {
    const rng = createRng(3);
    const n = 400;
    const k = 3;
    const probs = new Float64Array(n * k);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += probs[i * k + j] = rng.next() + (j === i % k ? 2 : 0);
      for (let j = 0; j < k; j++) probs[i * k + j] /= s;
      labels[i] = rng.next() < 0.1 ? (i + 1) % k : i % k;
    }
    const out = await pool.run('labelIssues', { labels, probs, numClasses: k, filterBy: 'prune_by_noise_rate', rankBy: 'self_confidence' });
    const m = { rows: n, cols: k, data: probs };
    const direct = findLabelIssues(labels, m, { filterBy: 'prune_by_noise_rate', rankBy: 'self_confidence' });
    expect(Array.from(out.mask, Boolean)).toEqual(direct.mask);
    expect(direct.mask.filter(Boolean).length).toBeGreaterThan(10);
    expect(Array.from(out.scores)).toEqual(Array.from(getLabelQualityScores(labels, m, { method: 'self_confidence' })));
  });

  test('mmd2 on a compute thread equals the library called here (shifted samples: small p-value)', async () => {
    const a = blobs(120, 4, 1, 5);
    const b = blobs(100, 4, 1, 5);
    const X = { rows: 120, cols: 4, data: Float64Array.from(a.X) };
    const Y = { rows: 100, cols: 4, data: Float64Array.from(b.X, (v, i) => v + (i % 4 === 0 ? 1 : 0)) };
    const out = await pool.run('mmd2', { X, Y, options: { permutations: 50, seed: 7 } });
    expect(out).toEqual(mmd2(X, Y, { permutations: 50, seed: 7 }));
    expect(out.pvalue).toBeLessThan(0.05);
  });

  test('consensus on a compute thread equals the computation called here (Maps and typed arrays cross intact)', async () => {
    const rng = createRng(11);
    const n = 60;
    const m = 4;
    const data = new Float64Array(n * m).fill(NaN);
    const truth = Array.from({ length: n }, (_, i) => i % 3);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) if (rng.next() < 0.7) data[i * m + j] = rng.next() < 0.15 * (j + 1) ? (truth[i] + 1) % 3 : truth[i];
    const human = { itemIds: truth.map((_, i) => `item-${i}`), annotatorIds: ['a', 'b', 'c', 'd'], data };
    const weak = { itemIds: [], annotatorIds: [], data: new Float64Array(0) };
    const gold = new Map(human.itemIds.slice(0, 15).map((id, i) => [id, truth[i]]));
    const input = { k: 3, human, weak, gold, review: new Map([['item-20', 2]]), predProbs: null };
    const out = await pool.run('consensus', input);
    expect(out).toEqual(computeConsensus(input));
    expect(out.items.find((x) => x.itemId === 'item-20')).toMatchObject({ label: 2, method: 'REVIEW' });
    expect(out.methods.map((x) => x.method)).toEqual(expect.arrayContaining(['MAJORITY_VOTE', 'DAWID_SKENE']));
  });

  test('train reports progress per fold and returns out-of-sample probabilities, the pool mean and the committee', async () => {
    const { X, y } = blobs(300, 8, 3, 1);
    const pool2 = blobs(40, 8, 3, 1);
    const steps: [number, string][] = [];
    const out = await pool.run(
      'train',
      { tfBackend: 'auto', numClasses: 3, folds: 3, seed: 0, labels: y, embeddings: { dim: 8, labeled: X, pool: pool2.X } },
      { progress: (f, s) => steps.push([f, s]) },
    );
    expect(out.oof).toHaveLength(300 * 3);
    expect(out.poolProbs).toHaveLength(40 * 3);
    expect(out.committee).toHaveLength(40 * 3 * 3);
    for (let i = 0; i < 300; i++) expect(out.oof[i * 3] + out.oof[i * 3 + 1] + out.oof[i * 3 + 2]).toBeCloseTo(1, 4);
    // Well-separated blobs with 5 % flipped labels: the out-of-sample model is right about most given labels.
    expect(out.accuracy).toBeGreaterThan(0.85);
    // The pool probabilities are the mean of the committee's votes.
    for (let j = 0; j < 3; j++) expect(out.poolProbs[j]).toBeCloseTo((out.committee![j] + out.committee![3 + j] + out.committee![6 + j]) / 3, 5);
    expect(steps.map((s) => s[1])).toEqual(expect.arrayContaining(['training fold 2 of 3', 'training fold 3 of 3', 'saving']));
    const fractions = steps.map((s) => s[0]);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(JSON.parse(out.weights).foldModels).toHaveLength(3);
  });

  test('an error in the task comes back with its message; the pool keeps working', async () => {
    const err = await pool
      .run('train', { tfBackend: 'auto', numClasses: 3, folds: 3, seed: 0, labels: new Int32Array([0, 1, 2]), embeddings: { dim: 2, labeled: new Float32Array(4), pool: new Float32Array(0) } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComputeError);
    // The training task validates its input first in selectL2 (the L2 search runs before the cross-validation).
    expect((err as ComputeError).message).toMatch(/^selectL2: X data length 4 is not rows\*cols = 6/);
    const ok = await pool.run('labelIssues', { labels: new Int32Array([0, 1]), probs: new Float64Array([0.9, 0.1, 0.2, 0.8]), numClasses: 2, filterBy: 'both', rankBy: 'self_confidence' });
    expect(Array.from(ok.mask)).toEqual([0, 0]);
  });

  test('aborting stops a running task at once, and the next task runs on a fresh thread', async () => {
    const { X, y } = blobs(4000, 64, 4, 2);
    const ac = new AbortController();
    let progressed = false;
    const running = pool.run(
      'train',
      { tfBackend: 'auto', numClasses: 4, folds: 5, seed: 0, labels: y, embeddings: { dim: 64, labeled: X, pool: new Float32Array(0) } },
      {
        signal: ac.signal,
        progress: () => {
          progressed = true;
          ac.abort(new Error('stopped by the test'));
        },
      },
    );
    const t0 = Date.now();
    await expect(running).rejects.toThrow('stopped by the test');
    expect(progressed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const ok = await pool.run('labelIssues', { labels: new Int32Array([1, 0]), probs: new Float64Array([0.9, 0.1, 0.2, 0.8]), numClasses: 2, filterBy: 'both', rankBy: 'self_confidence' });
    expect(ok.scores[0]).toBeCloseTo(0.1, 12);
  });

  test('a closed pool refuses tasks', async () => {
    const p = new ComputePool({ threads: 1 });
    await p.close();
    await expect(p.run('backend', { tfBackend: 'cpu' })).rejects.toThrow(/pool is closed/);
  });
});
