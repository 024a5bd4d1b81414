/**
 * agreementSummary on the published examples of test/fixtures/agreement.json: scikit-learn's cohen_kappa_score,
 * statsmodels' fleiss_kappa (Fleiss 1971, as on Wikipedia) and fast-krippendorff's alpha (its docs example).
 */
import { agreementSummary } from '../../src/quality/agreement-summary';
import type { LabelTable } from '../../src/quality/item-consensus';
import { expectClose, findCalls, loadFixture } from '../helpers/fixtures';

interface Call { function: string; kwargs: Record<string, unknown>; result: number }
const fx = loadFixture<{
  cohen_kappa: Array<{ name: string; y1: number[]; y2: number[]; calls: Call[] }>;
  fleiss_kappa: Array<{ name: string; table_subjects_x_categories: number[][]; calls: Call[] }>;
  krippendorff_alpha: Array<{ name: string; reliability_data_coders_x_units: Array<Array<number | null>>; calls: Call[] }>;
}>('agreement.json');

/** A label table from items × annotators rows (null = no label). */
function table(rows: Array<Array<number | null>>): LabelTable {
  const m = rows[0]?.length ?? 0;
  return {
    itemIds: rows.map((_, i) => `i${i}`),
    annotatorIds: Array.from({ length: m }, (_, j) => `a${j}`),
    data: Float64Array.from(rows.flat().map((v) => (v === null ? NaN : v))),
  };
}

test("Cohen's kappa of two annotators = scikit-learn's cohen_kappa_score (binary example)", () => {
  const c = fx.cohen_kappa.find((x) => x.name === 'binary')!;
  const ref = (findCalls(c, 'sklearn.metrics.cohen_kappa_score', { weights: null })[0] as Call).result;
  const s = agreementSummary(table(c.y1.map((v, i) => [v, c.y2[i]])), 2);
  expect(s).toMatchObject({ items: c.y1.length, annotators: 2, annotations: 2 * c.y1.length, cohenPairs: 1, pairableItems: c.y1.length, fleissRaters: 2 });
  expectClose(s.cohenKappaMean, ref, 1e-12);
});

test("Fleiss' kappa = statsmodels' fleiss_kappa on Fleiss (1971): 10 subjects × 14 raters", () => {
  const c = fx.fleiss_kappa.find((x) => x.name === 'fleiss1971_wikipedia')!;
  const ref = (findCalls(c, 'statsmodels.stats.inter_rater.fleiss_kappa', { method: 'fleiss' })[0] as Call).result;
  // Rater j of a subject gives the j-th category in the subject's counts.
  const rows = c.table_subjects_x_categories.map((counts) => counts.flatMap((n, cat) => new Array<number>(n).fill(cat)));
  const s = agreementSummary(table(rows), 5);
  expect(s).toMatchObject({ items: 10, annotators: 14, fleissRaters: 14, fleissItems: 10, pairableItems: 10 });
  expectClose(s.fleissKappa, ref, 1e-12);
});

test("Krippendorff's alpha (nominal) = fast-krippendorff on its docs example; Fleiss on the modal rater count", () => {
  const c = fx.krippendorff_alpha.find((x) => x.name === 'krippendorff_docs_example')!;
  const ref = (findCalls(c, 'krippendorff.alpha (fast-krippendorff)', { level_of_measurement: 'nominal' })[0] as Call).result;
  const coders = c.reliability_data_coders_x_units;
  // Units × coders, values 1..4 as classes 0..3 (nominal alpha does not depend on the values' names).
  const rows = coders[0].map((_, u) => coders.map((cd) => (cd[u] === null ? null : cd[u]! - 1)));
  const s = agreementSummary(table(rows), 4);
  expectClose(s.krippendorffAlpha, ref, 1e-9);
  const raters = rows.map((r) => r.filter((v) => v !== null).length);
  const two = raters.filter((r) => r === 2).length;
  const three = raters.filter((r) => r === 3).length;
  expect(s.pairableItems).toBe(two + three);
  expect(s).toMatchObject({ fleissRaters: two > three ? 2 : 3, fleissItems: Math.max(two, three) });
});

test('no labels: counts zero, every coefficient null; one label per item: nothing pairable', () => {
  expect(agreementSummary({ itemIds: [], annotatorIds: [], data: new Float64Array(0) }, 2)).toEqual({
    annotations: 0, items: 0, annotators: 0, cohenKappaMean: null, cohenPairs: 0, fleissKappa: null, fleissRaters: null, fleissItems: 0, krippendorffAlpha: null, pairableItems: 0,
  });
  expect(agreementSummary(table([[0, null], [null, 1]]), 2)).toMatchObject({ annotations: 2, cohenPairs: 0, cohenKappaMean: null, fleissKappa: null, pairableItems: 0 });
});
