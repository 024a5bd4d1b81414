/**
 * computeConsensus on real crowdsourcing data (duck, dog from the truth-inference benchmark of Zheng et al., PVLDB
 * 2017; test/fixtures/crowd/README.md) with every third item that has a truth as gold, as the consensus job feeds it.
 * References: the benchmark's majority-vote counts and Dawid–Skene accuracy (test/fixtures/crowd_truth_inference.json),
 * the quality library's majorityVote, dawidSkene and goldAccuracy (each tested against its reference elsewhere).
 */
import { readFileSync } from 'node:fs';
import { goldAccuracy } from '../../src/quality/annotator-agreement';
import { dawidSkene } from '../../src/quality/dawid-skene';
import { computeConsensus, tableMatrix } from '../../src/quality/item-consensus';
import { buildLabelTable } from '../../src/quality/label-table';
import { majorityVote } from '../../src/quality/majority-vote';
import { expectClose, fixturePath, loadFixture } from '../helpers/fixtures';

interface CrowdCase {
  name: string;
  labels: string[];
  items: string[];
  majority_vote: { vote_counts: number[][]; accuracy_expected_uniform_tiebreak: number };
  dawid_skene: { accuracy: number };
}

const fixture = loadFixture<{ datasets: CrowdCase[] }>('crowd_truth_inference.json');

function readCsv(name: string): string[][] {
  const lines = readFileSync(fixturePath('crowd', name), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  return lines.slice(1).map((l) => l.split(','));
}

describe.each(fixture.datasets.filter((c) => c.name !== 'product').map((c) => [c.name, c] as const))('computeConsensus on crowd data: %s', (_name, c) => {
  const labelIndex = new Map(c.labels.map((l, q) => [l, q]));
  const rows = readCsv(`${c.name}_answers.csv`)
    .map(([item, worker, label]) => ({ item_id: item, annotator_id: worker, label: labelIndex.get(label)! }))
    .sort((a, b) => (a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : a.annotator_id < b.annotator_id ? -1 : a.annotator_id > b.annotator_id ? 1 : 0));
  const truth = new Map(readCsv(`${c.name}_truth.csv`).filter(([, t]) => labelIndex.has(t)).map(([item, t]) => [item, labelIndex.get(t)!]));
  const human = buildLabelTable(rows);
  const goldItems = human.itemIds.filter((id) => truth.has(id)).filter((_, i) => i % 3 === 0);
  const gold = new Map(goldItems.map((id) => [id, truth.get(id)!]));
  const k = c.labels.length;
  const empty = { itemIds: [], annotatorIds: [], data: new Float64Array(0) };
  const out = computeConsensus({ k, human, weak: empty, gold, review: new Map(), predProbs: null });
  const byItem = new Map(out.items.map((x) => [x.itemId, x]));
  const countsOf = new Map(c.items.map((id, i) => [id, c.majority_vote.vote_counts[i]]));
  const L = tableMatrix(human);
  const mv = majorityVote(L);

  test('every item gets a label; majorityLabel and numAnnotations are the benchmark vote counts (argmax where untied)', () => {
    expect(out.items).toHaveLength(c.items.length);
    for (const id of c.items) {
      const counts = countsOf.get(id)!;
      const x = byItem.get(id)!;
      expect(x.numAnnotations).toBe(counts.reduce((s, v) => s + v, 0));
      const mx = Math.max(...counts);
      if (counts.filter((v) => v === mx).length === 1) expect(x.majorityLabel).toBe(counts.indexOf(mx));
      else expect(counts[x.majorityLabel!]).toBe(mx);
    }
  });

  test('methods: majority vote and Dawid–Skene on the human votes, CROWDLAB noted without predictions; the used one is best on gold', () => {
    const human_ = out.methods.filter((m) => m.scope === 'HUMAN' && m.note === null);
    expect(human_.map((m) => m.method).sort()).toEqual(['DAWID_SKENE', 'MAJORITY_VOTE']);
    expect(out.methods.find((m) => m.method === 'CROWDLAB')!.note).toMatch(/no model predictions/);
    const mvReport = human_.find((m) => m.method === 'MAJORITY_VOTE')!;
    // Majority vote's accuracy on gold, from the library's majorityVote on the same matrix.
    let right = 0;
    human.itemIds.forEach((id, i) => { if (gold.has(id) && mv.labels[i] === gold.get(id)) right++; });
    expect(mvReport).toMatchObject({ items: c.items.length, goldN: goldItems.length, goldCorrect: right });
    expectClose(mvReport.goldAccuracy, right / goldItems.length, 1e-12);
    const used = human_.filter((m) => m.used);
    expect(used).toHaveLength(1);
    expect(used[0].method).toBe(out.method);
    for (const m of human_) expect(used[0].goldAccuracy!).toBeGreaterThanOrEqual(m.goldAccuracy!);
    expect(out.goldItems).toBe(goldItems.length);
    expect(out.weakMethod).toBeNull();
  });

  test('gold items keep their gold label; the others carry the used method, as accurate as the benchmark on held-out truth', () => {
    const ds = dawidSkene(L, { numClasses: k });
    let correct = 0;
    let total = 0;
    human.itemIds.forEach((id, i) => {
      const x = byItem.get(id)!;
      if (gold.has(id)) expect(x).toMatchObject({ method: 'GOLD', label: gold.get(id) });
      else {
        expect(x.method).toBe(out.method);
        expect(x.label).toBe(out.method === 'DAWID_SKENE' ? ds.labels[i] : mv.labels[i]);
      }
      if (truth.has(id)) { total++; if (x.label === truth.get(id)) correct++; }
    });
    const benchmark = out.method === 'DAWID_SKENE' ? c.dawid_skene.accuracy : c.majority_vote.accuracy_expected_uniform_tiebreak;
    expect(correct / total).toBeGreaterThanOrEqual(benchmark - 0.01);
  });

  test('annotators: items labeled and accuracy on gold with the Wilson interval of goldAccuracy', () => {
    const ref = goldAccuracy(L, human.itemIds.map((id) => gold.get(id) ?? null));
    expect(out.annotators).toHaveLength(human.annotatorIds.length);
    const byAnnotator = new Map(out.annotators.map((a) => [a.annotatorId, a]));
    human.annotatorIds.forEach((id, j) => {
      const a = byAnnotator.get(id)!;
      expect(a.numLabeled).toBe(rows.filter((r) => r.annotator_id === id).length);
      expect(a.goldN).toBe(ref[j].n);
      if (ref[j].n > 0) {
        expectClose(a.goldAccuracy, ref[j].accuracy, 1e-12);
        expectClose(a.goldLower, ref[j].lower, 1e-12);
        expectClose(a.goldUpper, ref[j].upper, 1e-12);
      }
    });
  });
});
