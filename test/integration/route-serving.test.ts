import { CREATE_KEY, CREATE_PROJECT, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp, expectError } from '../helpers/app';

/**
 * nextBatch serves by route: labeling tools get spot checks of AUTO_ACCEPT, SINGLE_REVIEW items and
 * CONSENSUS items (each annotator once, several at a time); QA_LEAD keys get EXPERT items; DONE is never served.
 * Labeling tools work blind: they read only leased items, without current labels, and never gold.
 */
describe('serving by route', () => {
  let t: TestApp;
  let p: string;
  let ids: Record<string, string>;
  let tool: string;
  let qa: string;
  const NEXT = `query($p: ID!, $size: Int!, $a: String!) { nextBatch(projectId: $p, size: $size, annotator: $a, strategy: RANDOM) {
    items { item { id externalId currentLabel { label } annotations { kind annotator { name } } } } } }`;
  const ext = (r: GqlResponse<{ nextBatch: { items: Array<{ item: { externalId: string } }> } }>) => r.data!.nextBatch.items.map((x) => x.item.externalId).sort();

  beforeAll(async () => {
    t = await startTestApp();
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'routes', classes: ['a', 'b'], settings: { routing: { consensusVotes: 2 }, goldRate: 0 } } })).data.createProject.id;
    const names = ['auto', 'spot', 'single', 'single-done', 'cons', 'expert', 'done', 'fresh', 'gold'];
    const imp = await t.gql(IMPORT_ITEMS, { p, items: names.map((externalId) => ({ externalId })) });
    ids = Object.fromEntries(names.map((nm, i) => [nm, imp.data.importItems.ids[i]]));
    await t.gql(SUBMIT, {
      p,
      a: [
        { externalId: 'single-done', annotator: 'x', label: 'a' },
        { externalId: 'done', annotator: 'x', label: 'a' },
        { externalId: 'done', annotator: 'y', label: 'a' },
        { externalId: 'gold', annotator: 'gold', label: 'b', kind: 'GOLD' },
      ],
    });
    // Routes as the route job writes them (its own test checks how it computes them).
    const [run] = await t.sql<{ id: string }>(`SELECT gen_random_uuid() AS id`);
    const route = (name: string, r: string, spot = false) =>
      t.sql(`INSERT INTO item_route (item_id, project_id, route, spot_check, run_id) VALUES ($1, $2, $3, $4, $5)`, [ids[name], p, r, spot, run.id]);
    await route('auto', 'AUTO_ACCEPT');
    await route('spot', 'AUTO_ACCEPT', true);
    await route('single', 'SINGLE_REVIEW');
    await route('single-done', 'SINGLE_REVIEW');
    await route('cons', 'CONSENSUS');
    await route('expert', 'EXPERT');
    await route('done', 'DONE');
    await route('gold', 'DONE');
    const key = async (role: string) => (await t.gql(CREATE_KEY, { input: { name: `k-${role}`, role } })).data.createApiKey.key as string;
    tool = await key('LABELING_TOOL');
    qa = await key('QA_LEAD');
  });
  afterAll(async () => {
    await t?.close();
  });

  test('a labeling tool gets spot checks, unlabeled SINGLE_REVIEW, CONSENSUS and unrouted new items; CONSENSUS goes to two annotators at once', async () => {
    const first = await t.gql(NEXT, { p, size: 10, a: 'ann' }, tool);
    expect(first.errors).toBeUndefined();
    expect(ext(first)).toEqual(['cons', 'fresh', 'single', 'spot']);
    // Everything leased to ann except the CONSENSUS item, which a second annotator may take too.
    const second = await t.gql(NEXT, { p, size: 10, a: 'bob' }, tool);
    expect(ext(second)).toEqual(['cons']);
    // Once it has its votes (consensusVotes = 2), it leaves the pool.
    await t.gql(SUBMIT, { p, a: [{ externalId: 'cons', annotator: 'ann', label: 'a' }, { externalId: 'cons', annotator: 'bob', label: 'b' }] }, tool);
    const third = await t.gql(NEXT, { p, size: 10, a: 'cy' }, tool);
    expect(ext(third)).toEqual([]);
  });

  test('a QA lead gets the EXPERT items only', async () => {
    const r = await t.gql(NEXT, { p, size: 10, a: 'expert-1' }, qa);
    expect(r.errors).toBeUndefined();
    expect(ext(r)).toEqual(['expert']);
  });

  test('labeling tools read only leased items, with no current label, only their own annotations and never gold', async () => {
    const q = `query($p: ID!) { items(projectId: $p, first: 100) { totalCount edges { node { externalId currentLabel { label } annotations { kind annotator { name } } } } } }`;
    const r = await t.gql(q, { p }, tool);
    expect(r.errors).toBeUndefined();
    const nodes = r.data.items.edges.map((e: { node: { externalId: string; currentLabel: unknown; annotations: Array<{ annotator: { name: string } }> } }) => e.node);
    expect(nodes.map((n: { externalId: string }) => n.externalId).sort()).toEqual(['expert', 'fresh', 'single', 'spot']);
    for (const n of nodes) expect(n.currentLabel).toBeNull();
    // The admin sees labels and gold; the tool cannot read the gold item at all (never leased to it).
    const admin = await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { currentLabel { label } annotations { kind } } }`, { p, id: ids.gold });
    expect(admin.data.item).toEqual({ currentLabel: { label: 'b' }, annotations: [{ kind: 'GOLD' }] });
    expectError(await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { id } }`, { p, id: ids.gold }, tool), 'NOT_FOUND');
    // The CONSENSUS item it annotated: lease ended, so it is no longer readable by the tool either.
    expectError(await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { id } }`, { p, id: ids.cons }, tool), 'NOT_FOUND');
    for (const f of [{ labeled: true }, { label: 'b' }, { annotator: 'gold' }]) {
      expectError(await t.gql(`query($p: ID!, $f: ItemFilter) { items(projectId: $p, filter: $f) { totalCount } }`, { p, f }, tool), 'FORBIDDEN', 'filter.');
    }
  });
});
