/**
 * annotatorStatistics on the duck crowd data (test/fixtures/crowd, every third item with a truth as gold), against
 * the quality library's annotatorAgreement, goldAccuracy and majorityVote on the same matrix; labelDrift against
 * scipy's jensenshannon (base 2) on test/fixtures/drift.json.
 */
import { readFileSync } from 'node:fs';
import { annotatorAgreement, goldAccuracy } from '../../src/quality/annotator-agreement';
import { annotatorStatistics, labelDrift, noDrift } from '../../src/quality/annotator-statistics';
import { tableMatrix } from '../../src/quality/item-consensus';
import { buildLabelTable } from '../../src/quality/label-table';
import { majorityVote } from '../../src/quality/majority-vote';
import { expectClose, fixturePath, loadFixture } from '../helpers/fixtures';

function readCsv(name: string): string[][] {
  const lines = readFileSync(fixturePath('crowd', name), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  return lines.slice(1).map((l) => l.split(','));
}

describe('annotatorStatistics on duck', () => {
  const human = buildLabelTable(readCsv('duck_answers.csv').map(([item, worker, label]) => ({ item_id: item, annotator_id: worker, label: Number(label) })));
  const truth = new Map(readCsv('duck_truth.csv').map(([item, t]) => [item, Number(t)]));
  const gold = new Map(human.itemIds.filter((id) => truth.has(id)).filter((_, i) => i % 3 === 0).map((id) => [id, truth.get(id)!]));
  const L = tableMatrix(human);
  const m = human.annotatorIds.length;
  const n = human.itemIds.length;

  test('without the job: agreement with the majority vote, gold accuracy with its Wilson interval, items labeled', () => {
    const s = annotatorStatistics(human, new Map(), gold);
    expect(s.consensusSource).toBe('MAJORITY_VOTE');
    const agr = annotatorAgreement(L, { consensusLabel: Array.from(majorityVote(L).labels) }).agreementWithConsensus;
    const ga = goldAccuracy(L, human.itemIds.map((id) => gold.get(id) ?? null));
    human.annotatorIds.forEach((id, j) => {
      const a = s.byAnnotator.get(id)!;
      let labeled = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(human.data[i * m + j])) labeled++;
      expect(a.itemsLabeled).toBe(labeled);
      expectClose(a.agreementWithConsensus, Number.isFinite(agr[j]) ? agr[j] : null, 1e-12);
      expect(a.goldN).toBe(ga[j].n);
      if (ga[j].n > 0) expect(a).toMatchObject({ goldAccuracy: ga[j].accuracy, goldLower: ga[j].lower, goldUpper: ga[j].upper });
      else expect(a).toMatchObject({ goldAccuracy: null, goldLower: null, goldUpper: null });
    });
  });

  test("with the job's labels: agreement with them; kappa of every pair sharing items, its mean over defined ones", () => {
    const job = new Map(human.itemIds.map((id) => [id, truth.get(id) ?? 0]));
    const s = annotatorStatistics(human, job, gold);
    expect(s.consensusSource).toBe('ITEM_CONSENSUS');
    const aa = annotatorAgreement(L, { consensusLabel: human.itemIds.map((id) => job.get(id)!) });
    human.annotatorIds.forEach((id, j) => expectClose(s.byAnnotator.get(id)!.agreementWithConsensus, Number.isFinite(aa.agreementWithConsensus[j]) ? aa.agreementWithConsensus[j] : null, 1e-12));
    const expected: Array<{ a: string; b: string; sharedItems: number; kappa: number | null }> = [];
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
      let shared = 0;
      for (let i = 0; i < n; i++) if (!Number.isNaN(human.data[i * m + a]) && !Number.isNaN(human.data[i * m + b])) shared++;
      const k = aa.pairwiseKappa[a][b];
      if (shared > 0) expected.push({ a: human.annotatorIds[a], b: human.annotatorIds[b], sharedItems: shared, kappa: Number.isFinite(k) ? k : null });
    }
    expect(s.kappa).toEqual(expected);
    const defined = expected.filter((x) => x.kappa !== null).map((x) => x.kappa!);
    expectClose(s.meanKappa, defined.reduce((x, y) => x + y, 0) / defined.length, 1e-12);
  });

  test('an empty table: no annotators, no pairs', () => {
    expect(annotatorStatistics({ itemIds: [], annotatorIds: [], data: new Float64Array(0) }, new Map(), new Map())).toEqual({
      byAnnotator: new Map(), kappa: [], meanKappa: null, consensusSource: 'MAJORITY_VOTE',
    });
  });
});

describe('labelDrift', () => {
  const js = loadFixture<{ jensenshannon: Array<{ name: string; p: number[]; q: number[]; calls: Array<{ kwargs: { base: number | null }; result: number }> }> }>('drift.json').jensenshannon;

  test('Jensen–Shannon distance (base 2) of recent vs earlier label counts = scipy on unnormalised counts', () => {
    const c = js.find((x) => x.name === 'k10_counts_unnormalized')!;
    const classes = c.p.map((_, i) => `c${i}`);
    const mix = [
      ...c.p.map((n, label) => ({ annotator_id: 'a', label, recent: true, n })),
      ...c.q.map((n, label) => ({ annotator_id: 'a', label, recent: false, n })),
    ].filter((r) => r.n > 0);
    const d = labelDrift(mix, classes).get('a')!;
    const recent = c.p.reduce((s, x) => s + x, 0);
    expect(d.recent).toBe(recent);
    expect(d.before).toBe(c.q.reduce((s, x) => s + x, 0));
    expectClose(d.jsDistance, c.calls.find((x) => x.kwargs.base === 2)!.result, 1e-12);
    expect(d.recentShares.map((x) => x.label)).toEqual(classes);
    expectClose(d.recentShares.map((x) => x.share), c.p.map((x) => x / recent), 1e-12);
  });

  test('only recent labels: no distance; labels outside the classes ignored; no labels: the empty drift', () => {
    const d = labelDrift([{ annotator_id: 'a', label: 0, recent: true, n: 3 }, { annotator_id: 'a', label: 5, recent: false, n: 2 }], ['x', 'y']);
    expect(d.get('a')).toEqual({ jsDistance: null, recent: 3, before: 0, recentShares: [{ label: 'x', share: 1 }, { label: 'y', share: 0 }] });
    expect(labelDrift([], ['x']).size).toBe(0);
    expect(noDrift()).toEqual({ jsDistance: null, recent: 0, before: 0, recentShares: [] });
  });
});
