import { readCsv } from '../helpers/csv';
/**
 * Truth inference on real crowdsourcing data (duck, dog, product) from the benchmark of Zheng et al., PVLDB 2017
 * (test/fixtures/crowd/README.md). Reference outputs: test/fixtures/crowd_truth_inference.json (the benchmark's own
 * Dawid–Skene schedule, numpy, = the repo's c_EM to ≤ 1.4e-14; see test/fixtures/README.md §6).
 */
import { dawidSkene } from '../../src/quality/dawid-skene';
import { majorityVote } from '../../src/quality/majority-vote';
import { Matrix } from '../../src/quality/matrix';
import { expectClose, fixturePath, loadFixture } from '../helpers/fixtures';

interface CrowdCase {
  name: string;
  labels: string[];
  n_items: number;
  n_workers: number;
  n_answers: number;
  items: string[];
  majority_vote: { vote_counts: number[][]; n_tied_items: number; accuracy_expected_uniform_tiebreak: number };
  dawid_skene: {
    q0: number;
    iterations: number;
    posterior: number[][];
    class_prior: number[];
    workers: string[];
    confusion_matrices_true_x_answer: number[][][];
    pred: string[];
    accuracy: number;
  };
}

const fixture = loadFixture<{ datasets: CrowdCase[] }>('crowd_truth_inference.json');


/** Items in the fixture's (sorted) order × workers in the fixture's order, NaN = no answer. */
function loadCrowd(c: CrowdCase): { matrix: Matrix; truth: Int32Array; answers: number } {
  const itemIndex = new Map(c.items.map((it, i) => [it, i]));
  const workerIndex = new Map(c.dawid_skene.workers.map((w, j) => [w, j]));
  const labelIndex = new Map(c.labels.map((l, q) => [l, q]));
  const n = c.items.length;
  const m = c.dawid_skene.workers.length;
  const data = new Float64Array(n * m).fill(NaN);
  let answers = 0;
  for (const [item, worker, label] of readCsv(fixturePath('crowd', `${c.name}_answers.csv`)).rows) {
    const i = itemIndex.get(item);
    const j = workerIndex.get(worker);
    const q = labelIndex.get(label);
    if (i === undefined || j === undefined || q === undefined) throw new Error(`unknown id in ${c.name}: ${item},${worker},${label}`);
    if (!Number.isNaN(data[i * m + j])) throw new Error(`duplicate answer ${item},${worker}`);
    data[i * m + j] = q;
    answers++;
  }
  const truth = new Int32Array(n).fill(-1);
  for (const [item, t] of readCsv(fixturePath('crowd', `${c.name}_truth.csv`)).rows) {
    const i = itemIndex.get(item);
    const q = labelIndex.get(t);
    if (i !== undefined && q !== undefined) truth[i] = q;
  }
  return { matrix: { rows: n, cols: m, data }, truth, answers };
}

function accuracy(pred: Int32Array, truth: Int32Array): number {
  let ok = 0;
  let cnt = 0;
  for (let i = 0; i < pred.length; i++) {
    if (truth[i] < 0) continue;
    cnt++;
    if (pred[i] === truth[i]) ok++;
  }
  return ok / cnt;
}

describe.each(fixture.datasets.map((c) => [c.name, c] as const))('crowd data: %s', (_name, c) => {
  const { matrix, truth, answers } = loadCrowd(c);

  test('input matches the fixture (sizes, sorted ids, vote counts)', () => {
    expect(answers).toBe(c.n_answers);
    expect(matrix.rows).toBe(c.n_items);
    expect(matrix.cols).toBe(c.n_workers);
    expect([...c.items].sort()).toEqual(c.items);
    const k = c.labels.length;
    for (let i = 0; i < matrix.rows; i++) {
      const counts = new Array(k).fill(0);
      for (let j = 0; j < matrix.cols; j++) {
        const v = matrix.data[i * matrix.cols + j];
        if (!Number.isNaN(v)) counts[v]++;
      }
      expect(counts).toEqual(c.majority_vote.vote_counts[i]);
    }
  });

  test('majorityVote accuracy ≥ the benchmark MV figure − 0.01', () => {
    const mv = majorityVote(matrix);
    const acc = accuracy(mv.labels, truth);
    expect(acc).toBeGreaterThanOrEqual(c.majority_vote.accuracy_expected_uniform_tiebreak - 0.01);
    // untied items are the plain argmax of the vote counts
    for (let i = 0; i < matrix.rows; i++) {
      const counts = c.majority_vote.vote_counts[i];
      const mx = Math.max(...counts);
      if (counts.filter((v) => v === mx).length === 1) expect(mv.labels[i]).toBe(counts.indexOf(mx));
      expectClose(mv.voteShare[i], counts[mv.labels[i]] / counts.reduce((a, b) => a + b, 0), 1e-12);
    }
  });

  test('dawidSkene (defaults) accuracy ≥ the benchmark D&S figure − 0.01', () => {
    const ds = dawidSkene(matrix);
    expect(ds.iterations).toBeGreaterThan(1);
    expect(ds.iterations).toBeLessThanOrEqual(100);
    const acc = accuracy(ds.labels, truth);
    expect(acc).toBeGreaterThanOrEqual(c.dawid_skene.accuracy - 0.01);
  });

  test('dawidSkene with 20 iterations, tol 0 reproduces the reference posterior, confusion, prior to 1e-6', () => {
    const ds = dawidSkene(matrix, { maxIter: 20, tol: 0, initDiagonal: c.dawid_skene.q0 });
    expect(ds.iterations).toBe(20);
    expectClose(ds.classPriors, c.dawid_skene.class_prior, 1e-6);
    expectClose(ds.posteriors, c.dawid_skene.posterior, 1e-6);
    expectClose(ds.confusion, c.dawid_skene.confusion_matrices_true_x_answer, 1e-6);
    const expectedPred = c.dawid_skene.pred.map((l) => c.labels.indexOf(l));
    // predictions equal wherever the reference posterior has a clear winner
    for (let i = 0; i < matrix.rows; i++) {
      const p = c.dawid_skene.posterior[i];
      const sorted = [...p].sort((a, b) => b - a);
      if (sorted[0] - sorted[1] > 1e-9) expect(ds.labels[i]).toBe(expectedPred[i]);
    }
    expectClose(accuracy(ds.labels, truth), c.dawid_skene.accuracy, 1e-12);
  });
});
