import { CREATE_KEY, CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * The lease rule: an item's votes already cast + its active leases ≤ the votes it needs (routing.consensusVotes for a
 * CONSENSUS item, 1 for any other), however many callers ask at once; skips that stick (releaseItems' reason);
 * and the pool accounting nextBatch reports (poolSize, excluded, labeledCount).
 */
describe('the lease rule and sticky skips', () => {
  let t: TestApp;
  let tool: string;
  const NEXT = `query($p: ID!, $size: Int!, $a: String!, $s: SamplingStrategy) { nextBatch(projectId: $p, size: $size, annotator: $a, strategy: $s) {
    labeledCount candidateCount poolSize excluded { notServable annotatedByYou skipped leasedToOthers noEmbedding unpredicted }
    items { reason item { id externalId } } } }`;
  const RELEASE = `mutation($p: ID!, $a: String!, $ids: [ID!]!, $r: ReleaseReason) { releaseItems(projectId: $p, annotator: $a, itemIds: $ids, reason: $r) }`;
  type Batch = {
    labeledCount: number;
    candidateCount: number;
    poolSize: number;
    excluded: Record<string, number>;
    items: Array<{ reason: string; item: { id: string; externalId: string } }>;
  };
  const next = async (p: string, a: string, size = 5, s = 'RANDOM'): Promise<Batch> => {
    const r = await t.gql<{ nextBatch: Batch }>(NEXT, { p, size, a, s }, tool);
    expect(r.errors).toBeUndefined();
    return r.data!.nextBatch;
  };
  const route = async (p: string, itemId: string, r: string) => {
    const [run] = await t.sql<{ id: string }>(`SELECT gen_random_uuid() AS id`);
    await t.sql(`INSERT INTO item_route (item_id, project_id, route, spot_check, run_id) VALUES ($1, $2, $3, false, $4)`, [itemId, p, r, run.id]);
  };

  beforeAll(async () => {
    t = await startTestApp();
    tool = (await t.gql(CREATE_KEY, { input: { name: 'tool', role: 'LABELING_TOOL' } })).data.createApiKey.key;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('8 concurrent callers: votes cast + active leases never exceed the votes an item needs', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'overlap', classes: ['a', 'b'], settings: { routing: { consensusVotes: 3 }, goldRate: 0 } } })).data.createProject.id;
    const names = Array.from({ length: 12 }, (_, i) => `it-${String(i).padStart(2, '0')}`);
    const ids: string[] = (await t.gql(IMPORT_ITEMS, { p, items: names.map((externalId) => ({ externalId })) })).data.importItems.ids;
    // Six CONSENSUS items (one already has a vote), six unrouted ones.
    for (let i = 0; i < 6; i++) await route(p, ids[i], 'CONSENSUS');
    expect((await t.gql(SUBMIT, { p, a: [{ externalId: 'it-00', annotator: 'early', label: 'a' }] })).errors).toBeUndefined();

    const batches = await Promise.all(Array.from({ length: 8 }, (_, c) => next(p, `y${c + 1}`)));
    const served = new Map<string, number>();
    for (const b of batches) for (const it of b.items) served.set(it.item.externalId, (served.get(it.item.externalId) ?? 0) + 1);

    const rows = await t.sql<{ external_id: string; votes: number; leases: number; route: string | null }>(
      `SELECT i.external_id, i.label_votes AS votes, r.route,
              (SELECT count(*)::int FROM lease l WHERE l.item_id = i.id AND l.expires_at > now()) AS leases
       FROM item i LEFT JOIN item_route r ON r.item_id = i.id WHERE i.project_id = $1 ORDER BY i.external_id`,
      [p],
    );
    for (const r of rows) {
      const needed = r.route === 'CONSENSUS' ? 3 : 1;
      expect({ item: r.external_id, ok: r.votes + r.leases <= needed }).toEqual({ item: r.external_id, ok: true });
      // What the callers were handed is what the lease table holds.
      expect(served.get(r.external_id) ?? 0).toBe(r.leases);
    }
    // Capacity: 5 CONSENSUS items × 3 + 1 × 2 + 6 single items = 23 leases; 8 callers × 5 asked for 40.
    expect([...served.values()].reduce((s, v) => s + v, 0)).toBe(23);
    expect(rows.find((r) => r.external_id === 'it-00')!.leases).toBe(2);
    // A ninth caller finds every item taken, and is told why.
    const ninth = await next(p, 'y9');
    expect(ninth.items).toEqual([]);
    expect(ninth.poolSize).toBe(0);
    expect(ninth.excluded.leasedToOthers).toBe(12);
  });

  test('LATER keeps an item from that annotator for skipCooldownSeconds; SKIP until someone else labels it', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'skips', classes: ['a', 'b'], settings: { routing: { consensusVotes: 2 }, goldRate: 0, skipCooldownSeconds: 2 } } }))
      .data.createProject.id;
    const ids: string[] = (await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'later' }, { externalId: 'skip' }] })).data.importItems.ids;
    await route(p, ids[1], 'CONSENSUS');
    const first = await next(p, 'ann');
    expect(first.items.map((i) => i.item.externalId).sort()).toEqual(['later', 'skip']);

    const later = await t.gql(RELEASE, { p, a: 'ann', ids: [ids[0]] }, tool); // reason defaults to LATER
    expect(later.errors).toBeUndefined();
    expect(later.data.releaseItems).toBe(1);
    expect((await t.gql(RELEASE, { p, a: 'ann', ids: [ids[1]], r: 'SKIP' }, tool)).data.releaseItems).toBe(1);

    const again = await next(p, 'ann');
    expect(again.items).toEqual([]);
    expect(again.excluded.skipped).toBe(2);
    // Another annotator still gets both.
    expect((await next(p, 'bob')).items.map((i) => i.item.externalId).sort()).toEqual(['later', 'skip']);
    await t.gql(RELEASE, { p, a: 'bob', ids }, tool);

    // The cooldown ends: LATER comes back; SKIP stays away.
    await new Promise((r) => setTimeout(r, 2200));
    expect((await next(p, 'ann')).items.map((i) => i.item.externalId)).toEqual(['later']);
    // Once someone else has labeled the skipped item (it still needs a vote), ann gets it again.
    expect((await t.gql(SUBMIT, { p, a: [{ externalId: 'skip', annotator: 'cy', label: 'a' }] }, tool)).errors).toBeUndefined();
    expect((await next(p, 'ann')).items.map((i) => i.item.externalId).sort()).toEqual(['later', 'skip']);
  });

  test('releaseItems refuses an unknown reason, naming the argument', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'bad-reason', classes: ['a', 'b'] } })).data.createProject.id;
    const r = await t.gql(`mutation($p: ID!) { releaseItems(projectId: $p, annotator: "a", itemIds: ["00000000-0000-4000-8000-000000000000"], reason: NEVER) }`, { p }, tool);
    expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0].message).toMatch(/ReleaseReason/);
  });

  test('poolSize + excluded + items with their votes = the project, and labeledCount is the count the reasons quote', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'accounting', classes: ['a', 'b'], embeddingDim: 2, settings: { goldRate: 0, exposeScoresToTools: true } } })).data.createProject.id;
    const items = Array.from({ length: 20 }, (_, i) => ({ externalId: `e${String(i).padStart(2, '0')}`, ...(i < 17 ? { embedding: [Math.cos(i), Math.sin(i)] } : {}) }));
    const ids: string[] = (await t.gql(IMPORT_ITEMS, { p, items })).data.importItems.ids;
    // e00–e03 labeled by others (done), e04 by dana herself, e05 leased to someone else, e06 routed AUTO_ACCEPT without a spot check,
    // e17–e19 have no embedding.
    expect((await t.gql(SUBMIT, { p, a: [0, 1, 2, 3].map((i) => ({ externalId: `e0${i}`, annotator: 'x', label: i % 2 ? 'a' : 'b' })) })).errors).toBeUndefined();
    await t.gql(SUBMIT, { p, a: [{ externalId: 'e04', annotator: 'dana', label: 'a', kind: 'REVIEW' }] });
    await route(p, ids[6], 'AUTO_ACCEPT');
    await t.sql(`INSERT INTO lease (item_id, annotator, project_id, expires_at) VALUES ($1, 'other', $2, now() + interval '1 hour')`, [ids[5], p]);

    const b = await next(p, 'dana', 3, 'KCENTER');
    expect(b.excluded).toEqual({ notServable: 1, annotatedByYou: 1, skipped: 0, leasedToOthers: 1, noEmbedding: 3, unpredicted: 0 });
    const excludedTotal = Object.values(b.excluded).reduce((s, v) => s + v, 0);
    expect(b.poolSize).toBe(20 - 4 - excludedTotal); // 4 items have the votes they need
    expect(b.candidateCount).toBe(b.poolSize);
    // Labeled: the four done items and dana's own reviewed one.
    expect(b.labeledCount).toBe(5);
    for (const it of b.items) {
      const m = /(\d+) labeled items/.exec(it.reason);
      if (m) expect(Number(m[1])).toBe(b.labeledCount);
    }
    expect(b.items.some((it) => /5 labeled items/.test(it.reason))).toBe(true);
  });
});
