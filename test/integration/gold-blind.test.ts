import { CREATE_KEY, CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Labeling tools cannot tell gold items from the pool. A project whose model is sure about its gold items (as a model
 * trained on them is) and unsure about the pool serves many batches to labeling tools; detectors built on every
 * field a tool receives — scores, criteria, reason, timestamps, the shape of the answer, the position in the batch —
 * must find gold at no better than the served gold rate + 3σ. Tools see no scores at all unless the project sets
 * settings.exposeScoresToTools, and even then a gold item shows the scores of the pick whose place it took.
 */
describe('gold items are indistinguishable to labeling tools', () => {
  let t: TestApp;
  let p: string;
  const tools: string[] = [];
  const gold = new Set<string>();
  const RATE = 0.25;
  const NEXT = `query($p: ID!, $a: String!) { nextBatch(projectId: $p, size: 10, annotator: $a, strategy: MARGIN) {
    candidateCount poolSize items { item { id externalId text data createdAt updatedAt currentLabel { label } annotations { id } }
      totalScore scores { name value } reason leaseExpiresAt } } }`;
  type Served = {
    item: { id: string; createdAt: string; updatedAt: string } & Record<string, unknown>;
    totalScore: number | null;
    scores: Array<{ name: string; value: number }> | null;
    reason: string | null;
  };
  type Batch = { candidateCount: number; poolSize: number; items: Served[] };

  beforeAll(async () => {
    t = await startTestApp();
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'blind', classes: ['a', 'b'], settings: { goldRate: RATE } } })).data.createProject.id;
    const ids: string[] = (await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: 400 }, (_, i) => ({ externalId: `x${i}`, text: `text ${i}` })) })).data.importItems.ids;
    ids.forEach((id, i) => i % 5 === 0 && gold.add(id));
    const added = await t.gql(`mutation($p: ID!, $items: [GoldItemInput!]!) { addGoldItems(projectId: $p, items: $items) { added } }`, {
      p,
      items: [...gold].map((itemId, i) => ({ itemId, label: i % 2 ? 'a' : 'b' })),
    });
    expect(added.errors).toBeUndefined();
    // The model is sure about gold (margin ≈ 0.5) and unsure about the pool (margin ≤ 0.02).
    const pr = ids.map((itemId, i) => {
      const m = gold.has(itemId) ? 0.5 + (i % 7) * 0.01 : (i % 11) * 0.002;
      return { itemId, probs: [(1 + m) / 2, (1 - m) / 2] };
    });
    const sub = await t.gql(`mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "m", predictions: $pr) { id } }`, { p, pr });
    expect(sub.errors).toBeUndefined();
    for (const name of ['tool-a', 'tool-b']) tools.push((await t.gql(CREATE_KEY, { input: { name, role: 'LABELING_TOOL' } })).data.createApiKey.key);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Serves `rounds` batches to each tool key, answering each batch so that the next one moves on. */
  async function serve(rounds: number, annotatorPrefix: string): Promise<Batch[]> {
    const out: Batch[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [k, key] of tools.entries()) {
        const a = `${annotatorPrefix}-${k}`;
        const res = await t.gql<{ nextBatch: Batch }>(NEXT, { p, a }, key);
        expect(res.errors).toBeUndefined();
        const b = res.data!.nextBatch;
        out.push(b);
        if (b.items.length === 0) continue;
        const sent = await t.gql(SUBMIT, { p, a: b.items.map((x) => ({ itemId: x.item.id, annotator: a, label: 'a' })) }, key);
        expect(sent.errors).toBeUndefined();
      }
    }
    return out;
  }

  /** Share of gold among the items a detector flags is within the served gold rate + 3σ (σ of a share of |flagged|). */
  function expectBlind(name: string, batches: Batch[], flag: (x: Served, j: number, batch: Served[]) => boolean) {
    const all = batches.flatMap((b) => b.items);
    const rate = all.filter((x) => gold.has(x.item.id)).length / all.length;
    const flagged = batches.flatMap((b) => b.items.filter((x, j) => flag(x, j, b.items)));
    if (flagged.length === 0) return;
    const share = flagged.filter((x) => gold.has(x.item.id)).length / flagged.length;
    const bound = rate + 3 * Math.sqrt((rate * (1 - rate)) / flagged.length);
    expect({ detector: name, share: share <= bound ? 'within' : share }).toEqual({ detector: name, share: 'within' });
  }

  const median = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const margin = (x: Served) => x.scores?.find((s) => s.name === 'margin')?.value ?? NaN;
  const shape = (x: Served) => JSON.stringify(x, (_k, v) => (v === null ? 'null' : typeof v === 'object' ? v : typeof v));
  const detectors: Array<[string, (x: Served, j: number, batch: Served[]) => boolean]> = [
    ['margin over 10× the batch median', (x, _j, b) => margin(x) > 10 * median(b.map(margin))],
    ['lowest totalScore of the batch', (x, _j, b) => x.totalScore !== null && x.totalScore === Math.min(...b.map((y) => y.totalScore ?? Infinity))],
    ['updatedAt differs from createdAt', (x) => x.item.updatedAt !== x.item.createdAt],
    ['answer shape differs from the first item', (x, _j, b) => shape(x) !== shape(b[0])],
    ['first in the batch', (_x, j) => j === 0],
    ['last in the batch', (_x, j, b) => j === b.length - 1],
  ];

  test('by default a tool sees no scores, gold is served at the gold rate, and no field tells it apart', async () => {
    const batches = await serve(6, 'w');
    const all = batches.flatMap((b) => b.items);
    const served = all.filter((x) => gold.has(x.item.id)).length;
    // Gold is really served (≈ RATE of the slots), so the detectors below have something to find.
    expect(served).toBeGreaterThan(0);
    expect(Math.abs(served / all.length - RATE)).toBeLessThan(3 * Math.sqrt((RATE * (1 - RATE)) / all.length));
    for (const x of all) expect({ totalScore: x.totalScore, scores: x.scores, reason: x.reason, label: x.item.currentLabel }).toEqual({ totalScore: null, scores: null, reason: null, label: null });
    for (const b of batches) expect(b.candidateCount).toBe(b.poolSize);
    for (const [name, d] of detectors) expectBlind(name, batches, d);
  });

  test('with settings.exposeScoresToTools a tool sees scores, still ordered, and gold shows the scores of the slot it took', async () => {
    const on = await t.gql(`mutation($id: ID!) { updateProject(id: $id, input: { settings: { exposeScoresToTools: true } }) { settings } }`, { id: p });
    expect(on.errors).toBeUndefined();
    const batches = await serve(6, 'v');
    const all = batches.flatMap((b) => b.items);
    expect(all.filter((x) => gold.has(x.item.id)).length).toBeGreaterThan(0);
    for (const b of batches) {
      const scores = b.items.map((x) => x.totalScore!);
      expect(scores.every((s) => typeof s === 'number')).toBe(true);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      for (const x of b.items) expect(x.reason).toMatch(/^margin [0-9.]+ between [ab] and [ab]$/);
    }
    for (const [name, d] of detectors) expectBlind(name, batches, d);
  });

  test('a gold item is not served again to a key that annotated it, under any annotator name', async () => {
    const answered = new Set(
      (await t.sql<{ item_id: string }>(`SELECT DISTINCT item_id FROM annotation WHERE project_id = $1 AND kind = 'HUMAN'`, [p])).map((r) => r.item_id),
    );
    const goldAnswered = [...gold].filter((id) => answered.has(id));
    expect(goldAnswered.length).toBeGreaterThan(0);
    // New annotator names under the same keys: no gold item either key already answered comes back to that key.
    for (const [k, key] of tools.entries()) {
      const mine = new Set(
        (
          await t.sql<{ item_id: string }>(
            `SELECT DISTINCT a.item_id FROM annotation a JOIN api_key k ON k.id = a.api_key_id WHERE a.project_id = $1 AND k.name = $2`,
            [p, `tool-${String.fromCharCode(97 + k)}`],
          )
        ).map((r) => r.item_id),
      );
      expect(mine.size).toBeGreaterThan(0);
      for (let r = 0; r < 4; r++) {
        const res = await t.gql<{ nextBatch: Batch }>(NEXT, { p, a: `fresh-${k}-${r}` }, key);
        expect(res.errors).toBeUndefined();
        for (const x of res.data!.nextBatch.items) if (gold.has(x.item.id)) expect(mine.has(x.item.id)).toBe(false);
      }
    }
  });
});
