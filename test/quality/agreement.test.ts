/**
 * Cohen's kappa, Fleiss' kappa, annotator agreement and gold accuracy.
 * Reference values: test/fixtures/agreement.json (scikit-learn 1.2.1 `cohen_kappa_score`, statsmodels 0.13.5
 * `fleiss_kappa`, seed 31) and multiannotator_*.json (cleanlab 2.9.0 `annotator_stats`); see test/fixtures/README.md.
 * Wilson intervals: R. G. Newcombe (1998), Stat. Med. 17:857–872, Table II, method 3 (4 decimals).
 */
import { cohenKappa } from '../../src/quality/cohen-kappa';
import { fleissKappa } from '../../src/quality/fleiss-kappa';
import { annotatorAgreement, goldAccuracy, WILSON_Z_95 } from '../../src/quality/annotator-agreement';
import { createRng, shuffleInPlace } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface ResultCall { function: string; kwargs: Record<string, unknown>; result: number }
/** findCalls, typed with the numeric `result` these fixtures store. */
const callsOf = (c: { calls: ResultCall[] }, fn: string, match: Record<string, unknown>): ResultCall[] => findCalls(c, fn, match) as ResultCall[];

interface KappaCase { name: string; y1: number[]; y2: number[]; calls: ResultCall[] }
interface FleissCase { name: string; raw_ratings_subjects_x_raters: number[][] | null; table_subjects_x_categories: number[][]; calls: ResultCall[] }
interface AgreementFixture { cohen_kappa: KappaCase[]; fleiss_kappa: FleissCase[] }

const fx = loadFixture<AgreementFixture>('agreement.json');
const WEIGHTS = ['none', 'linear', 'quadratic'] as const;
const SK_WEIGHTS: Record<(typeof WEIGHTS)[number], string | null> = { none: null, linear: 'linear', quadratic: 'quadratic' };

function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffleInPlace(p, createRng(seed));
}

/** Straightforward O(N + C²) weighted kappa from the confusion matrix over the sorted present labels. */
function bruteKappa(a: number[], b: number[], weights: 'none' | 'linear' | 'quadratic'): number {
  const classes = Array.from(new Set([...a, ...b])).sort((x, y) => x - y);
  const idx = new Map(classes.map((c, i) => [c, i]));
  const c = classes.length;
  const o = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < a.length; i++) o[idx.get(a[i])!][idx.get(b[i])!] += 1;
  const r = o.map((row) => row.reduce((s, v) => s + v, 0));
  const col = o[0].map((_, j) => o.reduce((s, row) => s + row[j], 0));
  const n = a.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      const w = weights === 'none' ? (i === j ? 0 : 1) : weights === 'linear' ? Math.abs(i - j) : (i - j) ** 2;
      num += w * o[i][j];
      den += (w * r[i] * col[j]) / n;
    }
  }
  return 1 - num / den;
}

describe('cohenKappa', () => {
  it.each(fx.cohen_kappa.map((c) => [c.name, c] as const))('matches scikit-learn cohen_kappa_score on %s', (_name, kc) => {
    for (const w of WEIGHTS) {
      const [call] = callsOf(kc, 'sklearn.metrics.cohen_kappa_score', { weights: SK_WEIGHTS[w] });
      expect(call).toBeDefined();
      expectClose(cohenKappa(kc.y1, kc.y2, { weights: w }), call.result, 1e-6);
      expectClose(cohenKappa(Int32Array.from(kc.y1), Int32Array.from(kc.y2), { weights: w }), call.result, 1e-6);
    }
    // weights: null is scikit-learn's None
    const [none] = callsOf(kc, 'sklearn.metrics.cohen_kappa_score', { weights: null });
    expectClose(cohenKappa(kc.y1, kc.y2, { weights: null }), none.result, 1e-6);
    expectClose(cohenKappa(kc.y1, kc.y2), none.result, 1e-6);
  });

  it('is invariant to permuting the pairs and symmetric in the raters', () => {
    const kc = fx.cohen_kappa.find((c) => c.name === 'ordinal_k5')!;
    const p = permutation(kc.y1.length, 3);
    const a = Array.from(p, (i) => kc.y1[i]);
    const b = Array.from(p, (i) => kc.y2[i]);
    for (const w of WEIGHTS) {
      const ref = cohenKappa(kc.y1, kc.y2, { weights: w });
      expectClose(cohenKappa(a, b, { weights: w }), ref, 1e-12);
      expectClose(cohenKappa(kc.y2, kc.y1, { weights: w }), ref, 1e-12);
    }
  });

  it('never modifies its inputs', () => {
    const kc = fx.cohen_kappa[1];
    const a = kc.y1.slice();
    const b = Int32Array.from(kc.y2);
    const bCopy = Int32Array.from(b);
    cohenKappa(a, b, { weights: 'quadratic' });
    expect(a).toEqual(kc.y1);
    expect(b).toEqual(bCopy);
  });

  it('uses distances between the ranks of present classes (a class with no examples does not count)', () => {
    const kc = fx.cohen_kappa.find((c) => c.name === 'k3_low_agreement')!;
    const gap = (v: number) => [0, 2, 7][v]; // classes 1, 3..6 have no examples
    for (const w of WEIGHTS) {
      const ref = cohenKappa(kc.y1, kc.y2, { weights: w });
      expectClose(cohenKappa(kc.y1.map(gap), kc.y2.map(gap), { weights: w }), ref, 1e-12);
    }
    // only one rater uses class 2: it still is a class (union of both raters' labels)
    const a = [0, 0, 1, 1, 2];
    const b = [0, 0, 1, 1, 1];
    for (const w of WEIGHTS) expectClose(cohenKappa(a, b, { weights: w }), bruteKappa(a, b, w), 1e-12);
  });

  it('re-codes very large label values and agrees with the dense path', () => {
    const kc = fx.cohen_kappa.find((c) => c.name === 'k4_imbalanced')!;
    const big = (v: number) => 5_000_000 + 1000 * v;
    for (const w of WEIGHTS) {
      const [call] = callsOf(kc, 'sklearn.metrics.cohen_kappa_score', { weights: SK_WEIGHTS[w] });
      expectClose(cohenKappa(kc.y1.map(big), kc.y2.map(big), { weights: w }), call.result, 1e-6);
    }
  });

  it('sums chance disagreement in closed form exactly as the C × C matrix does (many classes, with gaps)', () => {
    const rng = createRng(7);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = rng.int(40) * 2; // even values only: gaps everywhere
      a.push(x);
      b.push(rng.next() < 0.6 ? x : rng.int(40) * 2 + (rng.next() < 0.1 ? 1 : 0));
    }
    for (const w of WEIGHTS) expectClose(cohenKappa(a, b, { weights: w }), bruteKappa(a, b, w), 1e-10);
  });

  it('gives 1 for perfect agreement, about 0 for independent raters, NaN when undefined', () => {
    expect(cohenKappa([0, 1, 1, 0, 2], [0, 1, 1, 0, 2])).toBe(1);
    expect(cohenKappa([0, 1, 1, 0, 2], [0, 1, 1, 0, 2], { weights: 'quadratic' })).toBe(1);
    const rng = createRng(11);
    const n = 20000;
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    for (let i = 0; i < n; i++) { a[i] = rng.int(3); b[i] = rng.int(3); }
    expect(Math.abs(cohenKappa(a, b))).toBeLessThan(0.03);
    // complete disagreement on a binary task
    expect(cohenKappa([0, 1, 0, 1], [1, 0, 1, 0])).toBe(-1);
    // both raters constant on the same class: 0/0, as scikit-learn
    expect(cohenKappa([2, 2, 2], [2, 2, 2])).toBeNaN();
    expect(cohenKappa([], [])).toBeNaN();
  });

  it('rejects bad input naming the function and the argument', () => {
    expect(() => cohenKappa([0, NaN, 1], [0, 1, 1])).toThrow('cohenKappa: a index 1 is NaN');
    expect(() => cohenKappa([0, 1, 1], [0, 1.5, 1])).toThrow('cohenKappa: b index 1 is 1.5');
    expect(() => cohenKappa([0, -1, 1], [0, 1, 1])).toThrow('cohenKappa: a index 1 is -1');
    expect(() => cohenKappa(Int32Array.from([0, 1]), Int32Array.from([0, -3]))).toThrow('cohenKappa: b index 1 is -3');
    expect(() => cohenKappa([0, 1, 1], [0, 1])).toThrow('cohenKappa: b has length 2, expected 3');
    // @ts-expect-error invalid weights on purpose
    expect(() => cohenKappa([0, 1], [0, 1], { weights: 'cubic' })).toThrow('cohenKappa: options.weights');
  });
});

describe('fleissKappa', () => {
  it.each(fx.fleiss_kappa.map((c) => [c.name, c] as const))('matches statsmodels fleiss_kappa on %s', (_name, fc) => {
    for (const method of ['fleiss', 'randolph'] as const) {
      const [call] = callsOf(fc, 'statsmodels.stats.inter_rater.fleiss_kappa', { method });
      expect(call).toBeDefined();
      expectClose(fleissKappa(fc.table_subjects_x_categories, { method }), call.result, 1e-6);
      const t = fc.table_subjects_x_categories;
      const typed = { rows: t.length, cols: t[0].length, data: Float64Array.from(t.flat()) };
      expectClose(fleissKappa(typed, { method }), call.result, 1e-6);
    }
    expectClose(fleissKappa(fc.table_subjects_x_categories), callsOf(fc, 'statsmodels.stats.inter_rater.fleiss_kappa', { method: 'fleiss' })[0].result, 1e-6);
  });

  it('the stored tables are the counts of the raw ratings (so the tests feed what statsmodels saw)', () => {
    for (const fc of fx.fleiss_kappa) {
      if (!fc.raw_ratings_subjects_x_raters) continue;
      const k = fc.table_subjects_x_categories[0].length;
      const counts = fc.raw_ratings_subjects_x_raters.map((row) => {
        const c = new Array<number>(k).fill(0);
        for (const v of row) c[v]++;
        return c;
      });
      expect(counts).toEqual(fc.table_subjects_x_categories);
    }
  });

  it('is invariant to permuting subjects and categories; never modifies its input', () => {
    const fc = fx.fleiss_kappa.find((c) => c.name === 'random_N103_raters5_K4')!;
    const t = fc.table_subjects_x_categories;
    const copy = t.map((r) => r.slice());
    const p = permutation(t.length, 5);
    const permuted = Array.from(p, (i) => t[i]);
    const catPerm = [2, 0, 3, 1];
    const swapped = t.map((row) => catPerm.map((j) => row[j]));
    for (const method of ['fleiss', 'randolph'] as const) {
      const ref = fleissKappa(t, { method });
      expectClose(fleissKappa(permuted, { method }), ref, 1e-12);
      expectClose(fleissKappa(swapped, { method }), ref, 1e-12);
    }
    expect(t).toEqual(copy);
  });

  it('edge cases: perfect agreement, K = 2, everything in one category', () => {
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]])).toBeCloseTo(1, 12);
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]], { method: 'randolph' })).toBeCloseTo(1, 12);
    // total disagreement possible with 2 raters, 2 categories, balanced: P̄ = 0, P_e = 0.5 → -1
    expect(fleissKappa([[1, 1], [1, 1]])).toBeCloseTo(-1, 12);
    // all ratings in one category: chance agreement 1 → undefined (fleiss); free-marginal still 1
    expect(fleissKappa([[4, 0, 0], [4, 0, 0]])).toBeNaN();
    expect(fleissKappa([[4, 0, 0], [4, 0, 0]], { method: 'randolph' })).toBeCloseTo(1, 12);
    // a category nobody used only matters for randolph's 1/K
    const base = fleissKappa([[2, 1], [0, 3], [3, 0]]);
    expectClose(fleissKappa([[2, 1, 0], [0, 3, 0], [3, 0, 0]]), base, 1e-12);
  });

  it('rejects bad input naming the function and the argument', () => {
    expect(() => fleissKappa([[1, 2], [3]])).toThrow('fleissKappa: counts is ragged: row 1');
    expect(() => fleissKappa([[1, NaN], [1, 2]])).toThrow('fleissKappa: counts row 0 column 1 is not a finite number');
    expect(() => fleissKappa([[1, 2], [4, -1]])).toThrow('fleissKappa: counts row 1 column 1 is negative');
    expect(() => fleissKappa([[1, 2], [2, 2]])).toThrow('fleissKappa: counts row 1 sums to 4, expected 3');
    expect(() => fleissKappa([[1, 0], [0, 1]])).toThrow('fleissKappa: counts row 0 sums to 1');
    expect(() => fleissKappa([])).toThrow('fleissKappa: counts is empty');
    // @ts-expect-error invalid method on purpose
    expect(() => fleissKappa([[1, 1]], { method: 'cohen' })).toThrow('fleissKappa: options.method');
  });
});

interface MultiFixture {
  inputs: { K: number; N: number; M: number; annotator_ids: string[]; labels_multiannotator: (number | null)[][] };
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('annotatorAgreement', () => {
  it('pairwiseKappa equals scikit-learn cohen_kappa_score over the items both annotators labeled', () => {
    for (const kc of fx.cohen_kappa) {
      const [call] = callsOf(kc, 'sklearn.metrics.cohen_kappa_score', { weights: null });
      // the shared items, then items only one of the two labeled (and one nobody labeled): same kappa
      const rows: (number | null)[][] = kc.y1.map((v, i) => [v, kc.y2[i]]);
      rows.push([0, null], [null, 1], [1, null], [null, null]);
      const res = annotatorAgreement(rows);
      expectClose(res.pairwiseKappa[0][1], call.result, 1e-6);
      expectClose(res.pairwiseKappa[1][0], call.result, 1e-6);
      expect(res.pairwiseKappa[0][0]).toBe(1);
      expect(res.pairwiseKappa[1][1]).toBe(1);
    }
  });

  it.each(['multiannotator_k3_n300_m5.json', 'multiannotator_k4_n800_m8.json'])(
    'agreementWithConsensus matches cleanlab annotator_stats on %s', (file) => {
      const f = loadFixture<MultiFixture>(file);
      const L = f.inputs.labels_multiannotator;
      const ids = f.inputs.annotator_ids;
      const [mvCall] = f.calls.filter((c) => c.function === 'cleanlab.multiannotator.get_label_quality_multiannotator' && c.kwargs.consensus_method === 'majority_vote');
      const consensus: number[] = mvCall.result.label_quality.columns.consensus_label;
      const stats = mvCall.result.annotator_stats;
      const res = annotatorAgreement(L, { consensusLabel: consensus });
      stats.index.forEach((id: string, r: number) => {
        expectClose(res.agreementWithConsensus[ids.indexOf(id)], stats.columns.agreement_with_consensus[r], 1e-6);
      });
      // default consensus = majority vote without model probabilities (cleanlab get_majority_vote_label)
      const [mv] = f.calls.filter((c) => c.function === 'cleanlab.multiannotator.get_majority_vote_label' && c.kwargs.pred_probs === undefined);
      const mvLabels: number[] = mv.result;
      const def = annotatorAgreement(L);
      for (let j = 0; j < ids.length; j++) {
        let seen = 0;
        let agree = 0;
        L.forEach((row, i) => { if (row[j] !== null) { seen++; if (row[j] === mvLabels[i]) agree++; } });
        expectClose(def.agreementWithConsensus[j], agree / seen, 1e-12);
      }
    });

  it('is equivariant to permuting annotators, invariant to permuting items, and leaves its input alone', () => {
    const f = loadFixture<MultiFixture>('multiannotator_k3_n300_m5.json');
    const L = f.inputs.labels_multiannotator;
    const copy = JSON.parse(JSON.stringify(L));
    const ref = annotatorAgreement(L);
    expect(L).toEqual(copy);
    const p = permutation(L.length, 9);
    const byItem = annotatorAgreement(Array.from(p, (i) => L[i]));
    expectClose(byItem.pairwiseKappa, ref.pairwiseKappa, 1e-12);
    expectClose(byItem.agreementWithConsensus, ref.agreementWithConsensus, 1e-12);
    const q = [3, 0, 4, 1, 2];
    const byAnn = annotatorAgreement(L.map((row) => q.map((j) => row[j])));
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) expectClose(byAnn.pairwiseKappa[a][b], ref.pairwiseKappa[q[a]][q[b]], 1e-12);
      expectClose(byAnn.agreementWithConsensus[a], ref.agreementWithConsensus[q[a]], 1e-12);
    }
    // typed input (NaN = missing) gives the same
    const typed = { rows: L.length, cols: 5, data: Float64Array.from(L.flat(), (v) => (v === null ? NaN : v)) };
    expectClose(annotatorAgreement(typed).pairwiseKappa, ref.pairwiseKappa, 0);
  });

  it('NaN where two annotators never overlap; one annotator; an annotator with no labels', () => {
    const res = annotatorAgreement([
      [0, null, 1],
      [1, null, 1],
      [null, 1, 0],
      [null, 0, 0],
    ]);
    expect(res.pairwiseKappa[0][1]).toBeNaN();
    expect(res.pairwiseKappa[1][0]).toBeNaN();
    expect(res.pairwiseKappa[0][2]).toBe(0); // one agreement, one disagreement on [0,1] vs [1,1]: kappa 0
    expect(Number.isFinite(res.pairwiseKappa[1][2])).toBe(true);

    const one = annotatorAgreement([[0], [1], [1]]);
    expect(one.pairwiseKappa).toEqual([[1]]);
    expect(Array.from(one.agreementWithConsensus)).toEqual([1]);

    const idle = annotatorAgreement([[0, null], [1, null]]);
    expect(idle.pairwiseKappa[1][1]).toBeNaN();
    expect(idle.pairwiseKappa[0][1]).toBeNaN();
    expect(idle.agreementWithConsensus[0]).toBe(1);
    expect(idle.agreementWithConsensus[1]).toBeNaN();
  });

  it('rejects bad input naming the function and the argument', () => {
    expect(() => annotatorAgreement([[0, 1], [1]])).toThrow('annotatorAgreement: labelsMulti is ragged: row 1');
    expect(() => annotatorAgreement([[0, 1.5], [1, 1]])).toThrow('annotatorAgreement: labelsMulti row 0 column 1 is 1.5');
    expect(() => annotatorAgreement([[0, -2], [1, 1]])).toThrow('annotatorAgreement: labelsMulti row 0 column 1 is -2');
    expect(() => annotatorAgreement([[0, 1], [1, 1]], { consensusLabel: [0] })).toThrow('annotatorAgreement: options.consensusLabel has length 1, expected 2');
    expect(() => annotatorAgreement([[0, 1], [1, 1]], { consensusLabel: [0, 0.5] })).toThrow('annotatorAgreement: options.consensusLabel index 1 is 0.5');
  });
});

describe('goldAccuracy', () => {
  /** Annotator j labels `n[j]` gold items, the first `x[j]` correctly, the others wrongly. */
  function design(x: number[], n: number[]) {
    const rows = Math.max(...n);
    const L: (number | null)[][] = [];
    const gold: (number | null)[] = [];
    for (let i = 0; i < rows; i++) {
      const g = i % 3;
      gold.push(g);
      L.push(x.map((xj, j) => (i < n[j] ? (i < xj ? g : (g + 1) % 3) : null)));
    }
    return { L, gold };
  }

  it('Wilson 95 % intervals match Newcombe (1998) Table II', () => {
    const { L, gold } = design([81, 15, 0, 1], [263, 148, 20, 29]);
    const res = goldAccuracy(L, gold);
    const expected = [
      [0.2553, 0.3662],
      [0.0624, 0.1605],
      [0, 0.1611],
      [0.0061, 0.1718],
    ];
    res.forEach((r, j) => {
      expect(r.annotator).toBe(j);
      expectClose([r.lower, r.upper], expected[j], 5e-5);
    });
    expect(res.map((r) => r.n)).toEqual([263, 148, 20, 29]);
    expectClose(res.map((r) => r.accuracy), [81 / 263, 15 / 148, 0, 1 / 29], 1e-15);
  });

  it('all correct gives lower = n / (n + z²), upper 1; no gold item gives NaN with [0, 1]', () => {
    const { L, gold } = design([12, 0], [12, 0]);
    const res = goldAccuracy(L, gold);
    expect(res[0].accuracy).toBe(1);
    expect(res[0].upper).toBe(1);
    expectClose(res[0].lower, 12 / (12 + WILSON_Z_95 ** 2), 1e-12);
    expect(res[1]).toEqual({ annotator: 1, n: 0, accuracy: NaN, lower: 0, upper: 1 });
  });

  it('counts only gold items (null/NaN gold skipped), ignores item order, leaves inputs alone', () => {
    const L = [[0, 1], [1, 1], [2, null], [0, 0], [1, 2]];
    const gold = [0, null, 2, NaN, 1];
    const Lc = JSON.parse(JSON.stringify(L));
    const res = goldAccuracy(L, gold);
    expect(res.map((r) => [r.n, r.accuracy])).toEqual([[3, 1], [2, 0]]);
    expect(L).toEqual(Lc);
    expect(gold.slice(0, 3)).toEqual([0, null, 2]);
    const p = [4, 2, 0, 3, 1];
    const res2 = goldAccuracy(p.map((i) => L[i]), Float64Array.from(p, (i) => (gold[i] === null ? NaN : (gold[i] as number))));
    expect(res2).toEqual(res);
  });

  it('rejects bad input naming the function and the argument', () => {
    expect(() => goldAccuracy([[0], [1]], [0])).toThrow('goldAccuracy: gold has length 1, expected 2');
    expect(() => goldAccuracy([[0], [1]], [0, 1.5])).toThrow('goldAccuracy: gold index 1 is 1.5');
    expect(() => goldAccuracy([[0], [1]], [0, -1])).toThrow('goldAccuracy: gold index 1 is -1');
    expect(() => goldAccuracy([[0, 1], [1]], [0, 1])).toThrow('goldAccuracy: labelsMulti is ragged');
    expect(() => goldAccuracy([[0, 1], [1, -1]], [0, 1])).toThrow('goldAccuracy: labelsMulti row 1 column 1 is -1');
  });
});
