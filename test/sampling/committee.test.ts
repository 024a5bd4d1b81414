/**
 * Committee disagreement: hand-checked rows, and mean KL to the consensus of two members against scipy 1.10's
 * `jensenshannon` (test/fixtures/drift.json, README §4): with two members it is the Jensen–Shannon divergence,
 * the square of scipy's JS distance (natural log).
 */
import { klToConsensus, voteEntropy } from '../../src/sampling';
import { createRng } from '../../src/quality/rng';
import { expectClose, loadFixture } from '../helpers/fixtures';

const A = [[0.9, 0.1, 0], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]];
const B = [[0.8, 0.2, 0], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]];
const Cm = [[0.7, 0.3, 0], [0.1, 0.2, 0.7], [0.3, 0.1, 0.6]];

describe('voteEntropy', () => {
  test('hand-checked: unanimous 0; 3 different votes ln 3; 2-1 split', () => {
    // row 0 votes 0,0,0; row 1 votes 0,1,2; row 2 votes 2,2,2
    expectClose(voteEntropy([A, B, Cm]), [0, Math.log(3), 0], 1e-12);
    const D = [[0.1, 0.9, 0], [0.6, 0.2, 0.2], [0.2, 0.2, 0.6]];
    // row 0 votes 0,0,0,1 → (3/4, 1/4)
    const h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    expectClose(voteEntropy([A, B, Cm, D])[0], h, 1e-12);
  });
  test('argmax ties go to the lowest class (numpy)', () => {
    expectClose(voteEntropy([[[0.5, 0.5]], [[0.4, 0.6]]]), [Math.log(2)], 1e-12);
    expectClose(voteEntropy([[[0.5, 0.5]], [[0.6, 0.4]]]), [0], 1e-12);
  });
});

describe('klToConsensus', () => {
  test('hand-checked two members', () => {
    const p = [0.9, 0.1];
    const q = [0.5, 0.5];
    const m = [0.7, 0.3];
    const kl = (a: number[]) => a.reduce((s, v, j) => s + (v > 0 ? v * Math.log(v / m[j]) : 0), 0);
    expectClose(klToConsensus([[p], [q]]), [(kl(p) + kl(q)) / 2], 1e-12);
  });
  test('identical members → 0', () => {
    expectClose(klToConsensus([A, A, A]), [0, 0, 0], 1e-15);
  });
  test('against scipy.spatial.distance.jensenshannon (base e), squared', () => {
    interface Js { name: string; p: number[]; q: number[]; calls: Array<{ kwargs: { base: number | null }; result: number }> }
    const cases = loadFixture<{ jensenshannon: Js[] }>('drift.json').jensenshannon;
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const c of cases) {
      const norm = (v: number[]) => { const s = v.reduce((a, b) => a + b, 0); return v.map((x) => x / s); };
      const ref = c.calls.find((x) => x.kwargs.base === null)!.result;
      expectClose(klToConsensus([[norm(c.p)], [norm(c.q)]])[0], ref * ref, 1e-12, 0, c.name);
    }
  });
});

describe('properties and errors', () => {
  const rng = createRng(5);
  const mk = () => Array.from({ length: 30 }, () => { const r = [rng.next(), rng.next(), rng.next()]; const s = r[0] + r[1] + r[2]; return r.map((v) => v / s); });
  const com = [mk(), mk(), mk(), mk(), mk()];
  test('inputs not modified; members can be typed matrices', () => {
    const before = JSON.stringify(com);
    const typed = com.map((m) => ({ rows: 30, cols: 3, data: new Float64Array(m.flat()) }));
    const t0 = typed.map((m) => m.data.slice());
    expectClose(voteEntropy(typed), voteEntropy(com), 0);
    expectClose(klToConsensus(typed), klToConsensus(com), 1e-15);
    expect(JSON.stringify(com)).toBe(before);
    typed.forEach((m, c) => expect(m.data).toEqual(t0[c]));
  });
  test('permuting rows permutes the scores; permuting members changes nothing', () => {
    const perm = Array.from({ length: 30 }, (_, i) => (i * 7) % 30);
    const ve = voteEntropy(com);
    const kl = klToConsensus(com);
    const pve = voteEntropy(com.map((m) => perm.map((i) => m[i])));
    const pkl = klToConsensus(com.map((m) => perm.map((i) => m[i])));
    perm.forEach((i, t) => { expect(pve[t]).toBe(ve[i]); expect(pkl[t]).toBeCloseTo(kl[i], 14); });
    expectClose(klToConsensus([...com].reverse()), kl, 1e-14);
    expectClose(voteEntropy([...com].reverse()), ve, 1e-14);
    for (const v of kl) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(Math.log(5) + 1e-12); }
  });
  test('errors', () => {
    expect(() => voteEntropy([])).toThrow('voteEntropy: committee must be a non-empty array');
    expect(() => klToConsensus([A, [[0.5, 0.5, 0]]])).toThrow('klToConsensus: committee[1] is 1 × 3, but committee[0] is 3 × 3');
    expect(() => klToConsensus([A, [[0.5, 0.6, 0], [1, 0, 0], [1, 0, 0]]])).toThrow('klToConsensus: committee[1] row 0 does not sum to 1');
    expect(() => voteEntropy([A, [[NaN, 1, 0], [1, 0, 0], [1, 0, 0]]])).toThrow('voteEntropy: committee[1] row 0 column 0 is not a finite number');
    expect(() => voteEntropy([[[0.5, 0.5], [1]]])).toThrow('voteEntropy: committee[0] is ragged');
  });
});
