/**
 * ActiveLab (activeLabScores) against cleanlab 2.9 `get_active_learning_scores`
 * (test/fixtures/multiannotator_*.json, see test/fixtures/README.md §2).
 */
import { activeLabScores } from '../../src/quality/active-lab';
import { createRng } from '../../src/quality/rng';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface MaFixture {
  inputs: { K: number; labels_multiannotator: Array<Array<number | null>>; pred_probs: number[][]; pred_probs_unlabeled: number[][] };
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: { active_learning_scores: number[]; active_learning_scores_unlabeled: number[] } }>;
}
/** findCalls with the fixture's result type kept. */
function callsOf(fx: MaFixture, fn: string, match: Record<string, unknown> = {}): MaFixture['calls'] {
  return findCalls(fx, fn, match) as MaFixture['calls'];
}
const FN = 'cleanlab.multiannotator.get_active_learning_scores';

describe.each(['multiannotator_k3_n300_m5.json', 'multiannotator_k4_n800_m8.json'])('activeLabScores vs cleanlab: %s', (file) => {
  const fx = loadFixture<MaFixture>(file);
  const { labels_multiannotator: L, pred_probs: pp, pred_probs_unlabeled: ppu } = fx.inputs;

  test('labeled + unlabeled (several annotators: temperature scaling + CROWDLAB weights)', () => {
    const [call] = callsOf(fx, FN, { labels_multiannotator: '<inputs.labels_multiannotator>' });
    const res = activeLabScores(L, pp, ppu);
    expect(res.scores).toHaveLength(L.length);
    expectClose(res.scores, call.result.active_learning_scores, 1e-6);
    expectClose(res.scoresUnlabeled, call.result.active_learning_scores_unlabeled, 1e-6);
    // cleanlab's calibration target drives the search to the top of its grid (see ActiveLabOptions)
    expect(res.temperature).toBe(7.25);
  });

  test("calibrationTarget 'vote_share' calibrates to the actual vote shares (a sharper temperature)", () => {
    const res = activeLabScores(L, pp, ppu, { calibrationTarget: 'vote_share' });
    expect(res.temperature).toBeGreaterThanOrEqual(1);
    expect(res.temperature).toBeLessThanOrEqual(3);
    const ref = activeLabScores(L, pp, ppu);
    let diff = 0;
    for (let i = 0; i < res.scores.length; i++) diff = Math.max(diff, Math.abs(res.scores[i] - ref.scores[i]));
    expect(diff).toBeGreaterThan(1e-3);
    for (const v of [...res.scores, ...res.scoresUnlabeled]) { expect(v).toBeGreaterThan(0); expect(v).toBeLessThanOrEqual(1); }
  });

  test('unlabeled only', () => {
    const call = callsOf(fx, FN).find((c) => !('labels_multiannotator' in c.kwargs))!;
    const res = activeLabScores(null, null, ppu);
    expect(res.scores).toHaveLength(0);
    expectClose(res.scoresUnlabeled, call.result.active_learning_scores_unlabeled, 1e-6);
  });

  test('single annotator (column a0, its labeled rows): N × 1 matrix and flat vector', () => {
    const call = callsOf(fx, FN).find((c) => String(c.kwargs.labels_multiannotator).startsWith('<single'))!;
    const rows = L.map((r, i) => i).filter((i) => L[i][0] !== null);
    const single = rows.map((i) => [L[i][0]]);
    const res = activeLabScores(single, rows.map((i) => pp[i]), ppu);
    expectClose(res.scores, call.result.active_learning_scores, 1e-6);
    expectClose(res.scoresUnlabeled, call.result.active_learning_scores_unlabeled, 1e-6);
    const flat = activeLabScores(Int32Array.from(rows.map((i) => L[i][0] as number)), rows.map((i) => pp[i]));
    expectClose(flat.scores, call.result.active_learning_scores, 1e-6);
    expect(flat.scoresUnlabeled).toHaveLength(0);
  });

  test('inputs are not modified; permuting items permutes scores', () => {
    const Lc = JSON.parse(JSON.stringify(L));
    const ppc = JSON.parse(JSON.stringify(pp));
    const ppuc = JSON.parse(JSON.stringify(ppu));
    const base = activeLabScores(Lc, ppc, ppuc);
    expect(Lc).toEqual(L);
    expect(ppc).toEqual(pp);
    expect(ppuc).toEqual(ppu);
    const rng = createRng(3);
    const perm = Array.from({ length: L.length }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) { const j = rng.int(i + 1); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    const uperm = Array.from({ length: ppu.length }, (_, i) => ppu.length - 1 - i);
    const res = activeLabScores(perm.map((i) => L[i]), perm.map((i) => pp[i]), uperm.map((i) => ppu[i]));
    expectClose(res.scores, perm.map((i) => base.scores[i]), 1e-12);
    expectClose(res.scoresUnlabeled, uperm.map((i) => base.scoresUnlabeled[i]), 1e-12);
  });
});

describe('activeLabScores properties and edge cases', () => {
  test('one scale: more agreeing labels → higher score; unlabeled uncertain items score lowest', () => {
    const L = [[0, 0, 0], [0, null, null], [1, 1, null], [1, 0, null], [0, 1, 1], [1, 1, 1], [0, 0, null], [1, 1, 1]];
    const pp = [[0.6, 0.4], [0.6, 0.4], [0.2, 0.8], [0.5, 0.5], [0.3, 0.7], [0.1, 0.9], [0.8, 0.2], [0.3, 0.7]];
    const res = activeLabScores(L, pp, [[0.5, 0.5], [0.95, 0.05]]);
    expect(res.scores[0]).toBeGreaterThan(res.scores[1]); // 3 agreeing labels vs 1
    expect(res.scores[5]).toBeGreaterThan(res.scores[3]); // unanimous vs split
    expect(res.scoresUnlabeled[0]).toBeLessThan(res.scoresUnlabeled[1]);
    expect(res.scoresUnlabeled[0]).toBeLessThan(Math.min(...res.scores));
    for (const v of [...res.scores, ...res.scoresUnlabeled]) { expect(v).toBeGreaterThan(0); expect(v).toBeLessThanOrEqual(1); }
  });

  test('unlabeled only equals (max p + 1/K)/2', () => {
    const res = activeLabScores(null, null, [[0.2, 0.3, 0.5], [1, 0, 0]]);
    expectClose(res.scoresUnlabeled, [(0.5 + 1 / 3) / 2, (1 + 1 / 3) / 2], 1e-12);
  });

  test('clear errors naming the function and argument', () => {
    const L = [[0, 1], [1, 1]];
    const pp = [[0.5, 0.5], [0.2, 0.8]];
    expect(() => activeLabScores(null, null)).toThrow(/activeLabScores: predProbs and predProbsUnlabeled cannot both be null/);
    expect(() => activeLabScores(null, pp)).toThrow(/activeLabScores: labelsMulti is required when predProbs is given/);
    expect(() => activeLabScores(L, null, pp)).toThrow(/activeLabScores: predProbs is required when labelsMulti is given/);
    expect(() => activeLabScores(L, [[NaN, 1], [0.2, 0.8]])).toThrow(/activeLabScores: predProbs row 0 column 0 is not a finite number/);
    expect(() => activeLabScores(L, pp, [[0.7, 0.7]])).toThrow(/activeLabScores: predProbsUnlabeled row 0 does not sum to 1/);
    expect(() => activeLabScores([[0, 2], [1, 1]], pp)).toThrow(/activeLabScores: labelsMulti row 0 column 1 is 2, not a class index in 0\.\.1/);
    expect(() => activeLabScores([[0, 1], [1]], pp)).toThrow(/activeLabScores: labelsMulti is ragged/);
    expect(() => activeLabScores([[0, null], [null, null]], pp)).toThrow(/activeLabScores: labelsMulti row 1 has no labels/);
    expect(() => activeLabScores(L, pp, [[0.2, 0.3, 0.5]])).toThrow(/activeLabScores: predProbsUnlabeled has 3 columns but predProbs has 2/);
    expect(() => activeLabScores(L, pp, null, { calibrationTarget: 'x' as never })).toThrow(/activeLabScores: calibrationTarget 'x' is not one of/);
  });
});
