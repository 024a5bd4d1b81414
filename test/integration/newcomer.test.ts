import { CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, TestApp } from '../helpers/app';

/**
 * What a new team meets first, through the real server: looking an item up by its externalId, a project that
 * expects embeddings, drift before its first run, and the bundled GraphiQL.
 */
const ITEM = `query($p: ID!, $id: ID, $e: String) { item(projectId: $p, id: $id, externalId: $e) { id externalId text } }`;
const IMPORT = `mutation($p: ID!, $items: [ItemInput!]!) { importItems(projectId: $p, items: $items) { inserted updated ids withoutEmbedding } }`;
const DRIFT_STATUS = `query($p: ID!) { driftStatus(projectId: $p) { reference { from to items } current { from to items } lastRunAt reason } driftReports(projectId: $p) { statistic } }`;

describe('a new project', () => {
  let t: TestApp;
  let p: string;
  let ids: string[];
  beforeAll(async () => {
    t = await startTestApp();
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'shapes', classes: ['round', 'square'], embeddingDim: 2 } })).data.createProject.id;
    ids = (await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'a-1', text: 'ball', embedding: [1, 0] }, { externalId: 'a-2', text: 'box', embedding: [0, 1] }] })).data.importItems.ids;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('item by id or by externalId, exactly one of the two', async () => {
    const byExt = await t.gql(ITEM, { p, e: 'a-2' });
    expect(byExt.errors).toBeUndefined();
    expect(byExt.data.item).toEqual({ id: ids[1], externalId: 'a-2', text: 'box' });
    expect((await t.gql(ITEM, { p, id: ids[0] })).data.item.externalId).toBe('a-1');
    expect(expectError(await t.gql(ITEM, { p, id: ids[0], e: 'a-1' }), 'BAD_USER_INPUT', 'exactly one').extensions?.field).toBe('externalId');
    expect(expectError(await t.gql(ITEM, { p }), 'BAD_USER_INPUT', 'exactly one').extensions?.field).toBe('id');
    expect(expectError(await t.gql(ITEM, { p, e: 'nope' }), 'NOT_FOUND', 'externalId "nope"').extensions?.field).toBe('externalId');
  });

  test('items filtered by externalId', async () => {
    const r = await t.gql(`query($p: ID!) { items(projectId: $p, filter: { externalId: "a-1" }) { totalCount edges { node { id } } } }`, { p });
    expect(r.errors).toBeUndefined();
    expect(r.data.items).toEqual({ totalCount: 1, edges: [{ node: { id: ids[0] } }] });
  });

  test('items without an embedding are counted, and refused under settings.requireEmbedding', async () => {
    const r = await t.gql(IMPORT, { p, items: [{ externalId: 'b-1', text: 'no vector' }, { externalId: 'a-1', text: 'ball again' }, { externalId: 'b-2', embedding: [0.5, 0.5] }] });
    expect(r.errors).toBeUndefined();
    // b-1 has none; a-1 keeps the embedding it was stored with; b-2 sent one.
    expect(r.data.importItems).toMatchObject({ inserted: 2, updated: 1, withoutEmbedding: 1 });

    const strict = (await t.gql(CREATE_PROJECT, { input: { name: 'strict', classes: ['x', 'y'], embeddingDim: 2, settings: { requireEmbedding: true } } })).data.createProject.id;
    const refused = await t.gql(IMPORT, { p: strict, items: [{ externalId: 'c-1', embedding: [1, 1] }, { externalId: 'c-2', text: 'none' }] });
    expect(expectError(refused, 'BAD_USER_INPUT', 'requireEmbedding').extensions?.field).toBe('items[1].embedding');
    expect(await t.sql(`SELECT 1 FROM item WHERE project_id = $1`, [strict])).toEqual([]);
  });

  test('driftStatus says why driftReports is empty, and what to change', async () => {
    const r = await t.gql(DRIFT_STATUS, { p });
    expect(r.errors).toBeUndefined();
    expect(r.data.driftReports).toEqual([]);
    const s = r.data.driftStatus;
    // The default time split: every item arrived within the current 7-day window, none in the 30 days before it.
    expect(s.current.items).toBe(4);
    expect(s.reference.items).toBe(0);
    expect(new Date(s.reference.to).getTime()).toBe(new Date(s.current.from).getTime());
    expect(s.lastRunAt).toBeNull();
    expect(s.reason).toMatch(/reference window .* holds no items/);
    expect(s.reason).toContain('settings.drift.split');

    const halves = (await t.gql(CREATE_PROJECT, { input: { name: 'halves', classes: ['x', 'y'], settings: { drift: { split: 'halves' } } } })).data.createProject.id;
    await t.gql(IMPORT_ITEMS, { p: halves, items: [1, 2, 3, 4, 5].map((i) => ({ externalId: `h-${i}`, text: `t${i}` })) });
    const h = (await t.gql(DRIFT_STATUS, { p: halves })).data.driftStatus;
    expect([h.reference.items, h.current.items]).toEqual([2, 3]);
    expect(h.reason).toMatch(/no drift run yet/);
  });
});

describe('GraphiQL on GET /graphql', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('a browser gets the IDE page; its scripts and styles come from this server', async () => {
    const page = await fetch(`${t.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs.length).toBe(4);
    for (const src of srcs) {
      expect(src.startsWith('/')).toBe(true);
      const r = await fetch(`${t.baseUrl}${src}`);
      expect(r.status).toBe(200);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect((await fetch(`${t.baseUrl}/graphiql/nothing.js`)).status).toBe(404);
  });

  test('GraphQL over GET and POST still answers, to a key', async () => {
    const url = `${t.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const headers = { accept: 'application/json', 'apollo-require-preflight': 'true' };
    const get = await fetch(url, { headers: { ...headers, authorization: `Bearer ${t.adminKey}` } });
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const post = await t.gql('{ __typename }');
    expect(post.data).toEqual({ __typename: 'Query' });
    // Without a key: 401 before the query is parsed.
    const anonymous = await fetch(url, { headers });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});
