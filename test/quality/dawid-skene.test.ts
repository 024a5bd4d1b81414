/**
 * dawidSkene: properties and edge cases. The comparison with the reference EM (Zheng et al.'s schedule, 20
 * iterations, test/fixtures/crowd_truth_inference.json) on the real duck / dog / product data is in crowd.test.ts.
 */
import { dawidSkene } from '../../src/quality/dawid-skene';
import { majorityVote } from '../../src/quality/majority-vote';
import { createRng, Rng } from '../../src/quality/rng';
import { expectClose } from '../helpers/fixtures';

/** Synthetic crowd: n items, K classes with priors, annotators with accuracies (wrong answers uniform), coverage. */
function simulate(rng: Rng, n: number, k: number, acc: number[], cover: number[], priors?: number[]) {
  const truth = new Int32Array(n);
  const L: Array<Array<number | null>> = [];
  for (let i = 0; i < n; i++) {
    let t = k - 1;
    if (priors) {
      let u = rng.next();
      for (let q = 0; q < k; q++) { u -= priors[q]; if (u < 0) { t = q; break; } }
    } else t = rng.int(k);
    truth[i] = t;
    const row: Array<number | null> = acc.map((a, j): number | null => {
      if (rng.next() >= cover[j]) return null;
      if (rng.next() < a) return t;
      const w = rng.int(k - 1);
      return w >= t ? w + 1 : w;
    });
    if (!row.some((v) => v !== null)) row[0] = t;
    L.push(row);
  }
  return { truth, L };
}

function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / truth.length;
}

function expectNoNaN(res: ReturnType<typeof dawidSkene>): void {
  for (const row of res.posteriors) for (const v of row) expect(Number.isFinite(v)).toBe(true);
  for (const cm of res.confusion) for (const row of cm) {
    for (const v of row) expect(Number.isFinite(v)).toBe(true);
    expectClose(row.reduce((a, b) => a + b, 0), 1, 1e-12);
  }
  for (const v of res.classPriors) expect(Number.isFinite(v)).toBe(true);
}

describe('dawidSkene', () => {
  const rng = createRng(5);
  const acc = [0.9, 0.8, 0.7, 0.6, 0.55, 0.4];
  const { truth, L } = simulate(rng, 600, 3, acc, [0.6, 0.7, 0.8, 0.8, 0.7, 0.9], [0.5, 0.3, 0.2]);

  test('recovers annotator accuracies and class priors; beats majority vote', () => {
    const res = dawidSkene(L);
    expect(res.iterations).toBeLessThan(100); // converged under tol = 1e-6
    expectNoNaN(res);
    for (let j = 0; j < acc.length; j++) {
      const diag = (res.confusion[j][0][0] + res.confusion[j][1][1] + res.confusion[j][2][2]) / 3;
      expect(Math.abs(diag - acc[j])).toBeLessThan(0.08);
    }
    expectClose(res.classPriors, [0.5, 0.3, 0.2], 0.06);
    const dsAcc = accuracy(res.labels, truth);
    expect(dsAcc).toBeGreaterThanOrEqual(accuracy(majorityVote(L).labels, truth));
    expect(dsAcc).toBeGreaterThan(0.9);
    // labels are the argmax of the posteriors, posteriors sum to 1
    res.posteriors.forEach((p, i) => {
      expectClose(p.reduce((a, b) => a + b, 0), 1, 1e-12);
      expect(p[res.labels[i]]).toBe(Math.max(...p));
    });
  });

  test('tol 0 runs exactly maxIter iterations; iterations are counted', () => {
    expect(dawidSkene(L, { maxIter: 7, tol: 0 }).iterations).toBe(7);
    expect(dawidSkene(L, { maxIter: 1 }).iterations).toBe(1);
    const loose = dawidSkene(L, { tol: 0.1 });
    const tight = dawidSkene(L, { tol: 1e-10, maxIter: 500 });
    expect(loose.iterations).toBeLessThan(tight.iterations);
  });

  test('inputs are not modified (number[][] and typed)', () => {
    const Lc = JSON.parse(JSON.stringify(L));
    dawidSkene(Lc);
    expect(Lc).toEqual(L);
    const m = acc.length;
    const data = new Float32Array(L.length * m);
    L.forEach((r, i) => r.forEach((v, j) => { data[i * m + j] = v === null ? NaN : v; }));
    const data0 = data.slice();
    const typed = dawidSkene({ rows: L.length, cols: m, data });
    expect(Array.from(data)).toEqual(Array.from(data0));
    expectClose(typed.posteriors, dawidSkene(L).posteriors, 1e-12);
  });

  test('permuting items permutes posteriors; permuting annotators permutes confusion matrices', () => {
    const base = dawidSkene(L, { maxIter: 30, tol: 0 });
    const prng = createRng(9);
    const perm = Array.from({ length: L.length }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) { const j = prng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    const res = dawidSkene(perm.map((i) => L[i]), { maxIter: 30, tol: 0 });
    expectClose(res.posteriors, perm.map((i) => base.posteriors[i]), 1e-9);
    expect(Array.from(res.labels)).toEqual(perm.map((i) => base.labels[i]));
    const colPerm = [5, 3, 1, 0, 2, 4];
    const resC = dawidSkene(L.map((r) => colPerm.map((j) => r[j])), { maxIter: 30, tol: 0 });
    expectClose(resC.confusion, colPerm.map((j) => base.confusion[j]), 1e-9);
    expectClose(resC.posteriors, base.posteriors, 1e-9);
  });

  test('perfect annotators: labels = truth, confusion = identity', () => {
    const t = [0, 1, 1, 0, 1, 0, 0, 1];
    const res = dawidSkene(t.map((v) => [v, v, v]));
    expect(Array.from(res.labels)).toEqual(t);
    for (const cm of res.confusion) expectClose(cm, [[1, 0], [0, 1]], 1e-9);
    expectClose(res.classPriors, [0.5, 0.5], 1e-12);
  });

  test('one annotator: its labels are returned', () => {
    const col = [2, 0, 1, 1, 2, 0, 2];
    const res = dawidSkene(col.map((v) => [v]));
    expectNoNaN(res);
    expect(Array.from(res.labels)).toEqual(col);
  });

  test('a class whose posterior mass vanishes for an annotator: its confusion row is reset, not 0/0', () => {
    // three perfect annotators; annotator 3 only labels class-0 items, so its class-1 and class-2 rows lose all mass
    const t = [0, 1, 2, 0, 1, 2, 0, 0, 1, 2];
    const res = dawidSkene(t.map((v) => [v, v, v, v === 0 ? 0 : null]), { maxIter: 100, tol: 0 });
    expectNoNaN(res);
    expect(Array.from(res.labels)).toEqual(t);
    expectClose(res.confusion[3], [[1, 0, 0], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]], 1e-12);
  });

  test('classes nobody answered, an annotator with no answers, an item with no answers: no NaN', () => {
    // classes 0 and 2 only (numClasses 4: classes 1 and 3 never answered); annotator 3 never answers; item 5 unlabeled
    const Lz = [[0, 0, 2, null], [2, 2, 2, null], [0, 2, 0, null], [2, 2, null, null], [0, 0, 0, null], [null, null, null, null]];
    const res = dawidSkene(Lz, { numClasses: 4 });
    expectNoNaN(res);
    expect(res.confusion).toHaveLength(4);
    expect(res.confusion[0]).toHaveLength(4);
    expectClose(res.classPriors.reduce((a, b) => a + b, 0), 1, 1e-12);
    // nobody answers 1 or 3: those columns are 0 for every annotator that answered
    for (let w = 0; w < 3; w++) for (let q = 0; q < 4; q++) { expect(res.confusion[w][q][1]).toBe(0); expect(res.confusion[w][q][3]).toBe(0); }
    // the annotator without answers keeps the initial confusion matrix (0.7 diagonal, 0.3/3 off)
    expectClose(res.confusion[3], [0, 1, 2, 3].map((q) => [0, 1, 2, 3].map((l) => (q === l ? 0.7 : 0.1))), 1e-15);
    // unanimous items get their class
    expect([res.labels[1], res.labels[4]]).toEqual([2, 0]);
    // the unlabeled item's posterior is the class prior (of the last E-step)
    expectClose(res.posteriors[5], res.classPriors, 1e-6);
    // K inferred from the answers when numClasses is not given
    expect(dawidSkene(Lz).classPriors).toHaveLength(3);
  });

  test('K = 2 with adversarial annotators: no NaN, converges', () => {
    const r2 = createRng(2);
    const { L: L2 } = simulate(r2, 200, 2, [0.95, 0.1, 0.5, 0.5], [1, 1, 1, 1]);
    const res = dawidSkene(L2);
    expectNoNaN(res);
    expect(res.confusion[1][0][1]).toBeGreaterThan(0.7); // the flipping annotator is recognised
  });

  test('clear errors naming the function and argument', () => {
    expect(() => dawidSkene([[0, 1], [1]])).toThrow(/dawidSkene: labelsMulti is ragged: row 1/);
    expect(() => dawidSkene([[0, 1.5], [1, 0]])).toThrow(/dawidSkene: labelsMulti row 0 column 1 is 1.5, not a class index/);
    expect(() => dawidSkene([[0, -2], [1, 0]])).toThrow(/dawidSkene: labelsMulti row 0 column 1 is -2, not a class index/);
    expect(() => dawidSkene([[0, 3], [1, 0]], { numClasses: 3 })).toThrow(/dawidSkene: labelsMulti row 0 column 1 is 3, not a class index in 0\.\.2/);
    expect(() => dawidSkene([[null, NaN]])).toThrow(/dawidSkene: labelsMulti has no labels at all/);
    expect(() => dawidSkene([[0, 1]], { maxIter: 0 })).toThrow(/dawidSkene: maxIter must be a positive integer/);
    expect(() => dawidSkene([[0, 1]], { tol: -1 })).toThrow(/dawidSkene: tol must be ≥ 0/);
    expect(() => dawidSkene([[0, 1]], { initDiagonal: 1.5 })).toThrow(/dawidSkene: initDiagonal must be in \(0, 1\]/);
    expect(() => dawidSkene([[0, 1]], { numClasses: 0 })).toThrow(/dawidSkene: numClasses must be a positive integer/);
    expect(() => dawidSkene({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(/dawidSkene: labelsMulti data length 3 is not rows\*cols = 4/);
  });
});
