/**
 * lfReport on Snorkel 0.10's recorded LFAnalysis.lf_summary (test/fixtures/snorkel.json): the reference labels are
 * the gold label where there is one, else the item's current label, so splitting Y between the two gives Snorkel's
 * summary with Y.
 */
import type { LabelTable } from '../../src/quality/item-consensus';
import { fitLabelModel } from '../../src/quality/label-model';
import { lfReport } from '../../src/quality/lf-report';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface SnorkelCase {
  name: string;
  inputs: { L: number[][]; Y: number[]; K: number; lf_names: string[] };
  calls: Array<{ function: string; kwargs: Record<string, unknown>; result: unknown }>;
}
interface SummaryFrame { column_order: string[]; columns: Record<string, unknown[]> }

const fixture = loadFixture<{ cases: SnorkelCase[] }>('snorkel.json');

describe.each(fixture.cases.map((c) => [c.name, c] as const))('lfReport vs Snorkel lf_summary: %s', (_name, c) => {
  const { L, Y, K, lf_names: names } = c.inputs;
  const n = L.length;
  const m = L[0].length;
  const table: LabelTable = { itemIds: L.map((_, i) => `i${i}`), annotatorIds: names.map((x) => `id-${x}`), data: Float64Array.from(L.flat()) };
  const classes = Array.from({ length: K }, (_, q) => `c${q}`);
  const withGold = ((findCalls(c, 'snorkel.labeling.LFAnalysis(L).lf_summary', { Y: '<inputs.Y>' })[0] as SnorkelCase['calls'][number]).result as SummaryFrame).columns;

  test('gold on even items, the current label on odd ones: Snorkel with Y; votes; the label model beside it', () => {
    const gold = new Map(table.itemIds.filter((_, i) => i % 2 === 0).map((id) => [id, Y[Number(id.slice(1))]]));
    const current = new Map(table.itemIds.map((id, i) => [id, i % 2 === 1 ? Y[i] : null]));
    const r = lfReport(table, names, classes, gold, current);
    expect(r).toMatchObject({ items: n, referenceItems: n, goldItems: gold.size });
    const lm = fitLabelModel({ rows: n, cols: m, data: table.data }, K, { seed: 0 }).lfAccuracies;
    r.lfs.forEach((x, j) => {
      expect(x).toMatchObject({
        id: `id-${names[j]}`,
        name: names[j],
        polarity: (withGold.Polarity[j] as number[]).map((q) => `c${q}`),
        coverage: withGold.Coverage[j],
        overlaps: withGold.Overlaps[j],
        conflicts: withGold.Conflicts[j],
        correct: withGold.Correct[j],
        incorrect: withGold.Incorrect[j],
      });
      // correct / (correct + incorrect), Snorkel's to rounding (its float operations differ).
      expectClose(x.empiricalAccuracy, withGold['Emp. Acc.'][j], 1e-15);
      expect(x.votes).toBe(L.filter((row) => row[j] !== -1).length);
      expect(x.labelModelAccuracy).toBe(Number.isFinite(lm[j]) ? lm[j] : null);
    });
  });

  test('without reference labels: no correct / incorrect, accuracy null; a current label outside the classes is none', () => {
    const r = lfReport(table, names, classes, new Map(), new Map([['i0', K]]));
    expect(r).toMatchObject({ items: n, referenceItems: 0, goldItems: 0 });
    for (const x of r.lfs) expect(x).toMatchObject({ correct: 0, incorrect: 0, empiricalAccuracy: null });
  });
});

test('no labeling function: an empty report; LFs without votes: zero rows, no label model', () => {
  expect(lfReport({ itemIds: [], annotatorIds: [], data: new Float64Array(0) }, [], ['a'], new Map(), new Map())).toEqual({ items: 0, referenceItems: 0, goldItems: 0, lfs: [] });
  const r = lfReport({ itemIds: [], annotatorIds: ['x'], data: new Float64Array(0) }, ['lf'], ['a', 'b'], new Map(), new Map());
  expect(r.lfs).toEqual([{ id: 'x', name: 'lf', polarity: [], votes: 0, coverage: 0, overlaps: 0, conflicts: 0, correct: 0, incorrect: 0, empiricalAccuracy: null, labelModelAccuracy: null }]);
});
