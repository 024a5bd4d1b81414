import { activeLabScores } from '../../src/quality';
import { CREATE_KEY, CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * nextBatch(strategy: RELABEL_OR_NEW) offers unlabeled items and labeled items worth another vote on one scale
 * (ActiveLab: lower score = a label is worth more), with the reason saying which kind each pick is.
 */
describe('nextBatch RELABEL_OR_NEW', () => {
  let t: TestApp;
  let tool: string;
  const NEXT = `query($p: ID!, $size: Int!, $a: String!, $s: SamplingStrategy) { nextBatch(projectId: $p, size: $size, annotator: $a, strategy: $s) {
    strategy fallback poolSize excluded { annotatedByYou leasedToOthers }
    items { totalScore reason scores { name value } item { externalId } } } }`;
  const PREDICT = `mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "ext", predictions: $pr) { id } }`;
  type Batch = {
    strategy: string;
    fallback: string | null;
    poolSize: number;
    excluded: { annotatedByYou: number; leasedToOthers: number };
    items: Array<{ totalScore: number; reason: string; scores: Array<{ name: string; value: number }>; item: { externalId: string } }>;
  };
  const next = async (p: string, a: string, size: number, s = 'RELABEL_OR_NEW'): Promise<Batch> => {
    const r = await t.gql<{ nextBatch: Batch }>(NEXT, { p, size, a, s }, tool);
    expect(r.errors).toBeUndefined();
    return r.data!.nextBatch;
  };

  // Model probabilities of class "a" per item; the labeled ones get one vote each.
  const PA: Record<string, number> = { 'l-wrong': 0.1, 'l-sure': 0.99, 'l-gold': 0.1, 'l-review': 0.1, 'u-unsure': 0.55, 'u-sure': 0.995 };
  const VOTES: Record<string, string> = { 'l-wrong': 'a', 'l-sure': 'a', 'l-gold': 'a', 'l-review': 'a' };
  let p: string;

  beforeAll(async () => {
    t = await startTestApp();
    tool = (await t.gql(CREATE_KEY, { input: { name: 'tool', role: 'LABELING_TOOL' } })).data.createApiKey.key;
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'relabel', classes: ['a', 'b'], settings: { goldRate: 0, exposeScoresToTools: true } } })).data.createProject.id;
    await t.gql(IMPORT_ITEMS, { p, items: Object.keys(PA).map((externalId) => ({ externalId })) });
    const sub = await t.gql(SUBMIT, { p, a: Object.entries(VOTES).map(([externalId, label]) => ({ externalId, annotator: 'first', label })) }, tool);
    expect(sub.errors).toBeUndefined();
    expect((await t.gql(`mutation($p: ID!) { addGoldItems(projectId: $p, items: [{ externalId: "l-gold", label: "b" }]) { added } }`, { p })).errors).toBeUndefined();
    expect((await t.gql(SUBMIT, { p, a: [{ externalId: 'l-review', annotator: 'qa', label: 'b', kind: 'REVIEW' }] })).errors).toBeUndefined();
    const pr = await t.gql(PREDICT, { p, pr: Object.entries(PA).map(([externalId, a]) => ({ externalId, probs: [a, 1 - a] })) });
    expect(pr.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('labeled and unlabeled items on one ActiveLab scale; reviewed and gold items are not offered again', async () => {
    const b = await next(p, 'second', 10);
    expect(b.strategy).toBe('RELABEL_OR_NEW');
    expect(b.fallback).toBeNull();
    const picked = b.items.map((i) => i.item.externalId);
    // The pool: two labeled items worth a vote and two unlabeled ones; l-gold and l-review stay out.
    expect(b.poolSize).toBe(4);
    expect(new Set(picked)).toEqual(new Set(['l-wrong', 'l-sure', 'u-unsure', 'u-sure']));

    // The scores are ActiveLab's, computed here from the same votes and probabilities.
    const ref = activeLabScores([[0], [0]], [[0.1, 0.9], [0.99, 0.01]], [[0.55, 0.45], [0.995, 0.005]]);
    const want: Record<string, number> = { 'l-wrong': ref.scores[0], 'l-sure': ref.scores[1], 'u-unsure': ref.scoresUnlabeled[0], 'u-sure': ref.scoresUnlabeled[1] };
    for (const it of b.items) {
      expect(it.totalScore).toBeCloseTo(1 - want[it.item.externalId], 5);
      expect(it.scores.find((s) => s.name === 'activeLab')?.value).toBeCloseTo(want[it.item.externalId], 5);
    }
    // Pick order follows the score (lowest ActiveLab score first), and the reason says relabel or new.
    const order = Object.keys(want).sort((x, y) => want[x] - want[y]);
    expect(picked).toEqual(order);
    expect(picked[0]).toBe('l-wrong'); // one vote the model strongly disputes: another vote is worth most
    const reason = (e: string) => b.items.find((i) => i.item.externalId === e)!.reason;
    expect(reason('l-wrong')).toMatch(/1 annotation so far/);
    expect(reason('u-unsure')).toMatch(/unlabeled/);
  });

  test('the annotator who voted is not offered its item again, and a relabel lease goes to one annotator at a time', async () => {
    const b = await next(p, 'first', 10);
    const picked = b.items.map((i) => i.item.externalId);
    expect(picked).not.toContain('l-wrong');
    expect(picked).not.toContain('l-sure');
    expect(b.excluded.annotatedByYou).toBeGreaterThanOrEqual(2);
    // 'second' holds leases on everything from the previous test: a third annotator gets none of the labeled ones.
    const c = await next(p, 'third', 10);
    expect(c.items.map((i) => i.item.externalId).filter((e) => e.startsWith('l-'))).toEqual([]);
    expect(c.excluded.leasedToOthers).toBeGreaterThanOrEqual(2);
  });

  test('other strategies still leave labeled items out', async () => {
    const b = await next(p, 'fourth', 10, 'MARGIN');
    expect(b.items.map((i) => i.item.externalId).filter((e) => e.startsWith('l-'))).toEqual([]);
  });
});
