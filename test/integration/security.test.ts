import { createApp } from '../../src/app';
import { CREATE_PROJECT, expectError, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Transport-level protections over real HTTP: body limit, query depth and cost limits, Apollo's CSRF prevention,
 * CORS origins, introspection and landing page switches, masking of internal errors, graceful shutdown.
 * Two apps, one after the other (PGlite allows one open database per process).
 */

const STACK = /\n\s+at |\.ts:\d+|node_modules|stacktrace/;

async function rawPost(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
}

describe('limits, CSRF, CORS, error masking (LOUPE_BODY_LIMIT=1kb, small depth and cost limits)', () => {
  let t: TestApp;
  let projectId: string;
  const itemCount = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM item`))[0].n;

  beforeAll(async () => {
    t = await startTestApp({
      LOUPE_BODY_LIMIT: '1kb',
      LOUPE_MAX_QUERY_DEPTH: '4',
      LOUPE_MAX_QUERY_COMPLEXITY: '2000',
      LOUPE_CORS_ORIGINS: 'https://allowed.example',
    });
    projectId = (await t.gql(CREATE_PROJECT, { input: { name: 'sec', classes: ['a', 'b'] } })).data.createProject.id;
    const imp = await t.gql(IMPORT_ITEMS, { p: projectId, items: [{ externalId: 'x1' }, { externalId: 'x2' }] });
    expect(imp.errors).toBeUndefined();
    const sub = await t.gql(SUBMIT, { p: projectId, a: [{ externalId: 'x1', annotator: 'ann', label: 'a' }] });
    expect(sub.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = () => ({ 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` });

  test('a body over LOUPE_BODY_LIMIT → 413 with a JSON error, no stack, nothing written', async () => {
    const before = await itemCount();
    const body = JSON.stringify({ query: IMPORT_ITEMS, variables: { p: projectId, items: [{ externalId: 'big', text: 'x'.repeat(2000) }] } });
    expect(body.length).toBeGreaterThan(1024);
    const r = await rawPost(t.url, body, auth());
    expect(r.status).toBe(413);
    expect(r.contentType).toMatch(/application\/json/);
    const parsed = JSON.parse(r.text) as GqlResponse<unknown>;
    expect(parsed.errors?.[0].message).toMatch(/request body exceeds the limit of 1024 bytes/);
    expect(parsed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.text).not.toMatch(STACK);
    expect(await itemCount()).toBe(before);
    // Just under the limit still works.
    const small = await t.gql(IMPORT_ITEMS, { p: projectId, items: [{ externalId: 'small', text: 'x'.repeat(300) }] });
    expect(small.errors).toBeUndefined();
  });

  test('malformed JSON → 400 with a JSON error, no stack', async () => {
    const r = await rawPost(t.url, '{"query": "{ projects { id } }"', auth());
    expect(r.status).toBe(400);
    expect(r.contentType).toMatch(/application\/json/);
    expect(JSON.parse(r.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(r.text).not.toMatch(STACK);
  });

  test('query depth over LOUPE_MAX_QUERY_DEPTH → refused before it runs', async () => {
    const deep = `query($p: ID!) { items(projectId: $p) { edges { node { annotations { annotator { name } } } } } }`;
    const r = await t.gql(deep, { p: projectId });
    expect(r.status).toBe(400);
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0].message).toMatch(/exceeds maximum operation depth of 4/);
    expect(JSON.stringify(r)).not.toMatch(STACK);
    const shallow = await t.gql(`query($p: ID!) { items(projectId: $p) { edges { node { annotations { label } } } } }`, { p: projectId });
    expect(shallow.errors).toBeUndefined();
    // The limit counts inside fragments too.
    const viaFragment = await t.gql(
      `query($p: ID!) { items(projectId: $p) { ...E } } fragment E on ItemConnection { edges { node { annotations { annotator { name } } } } }`,
      { p: projectId },
    );
    expect(viaFragment.errors?.[0].message).toMatch(/exceeds maximum operation depth/);
  });

  test('query cost over LOUPE_MAX_QUERY_COMPLEXITY → BAD_USER_INPUT (400), whether first is inline or a variable', async () => {
    const costly = `query($p: ID!) { items(projectId: $p, first: 1000) { edges { cursor node { id externalId text data createdAt
      currentLabel { label voteShare } annotations { id label kind confidence } } } } }`;
    const a = await t.gql(costly, { p: projectId });
    expectError(a, 'BAD_USER_INPUT', /query cost \d+ exceeds the limit of 2000/);
    expect(a.status).toBe(400);
    expect(a.data ?? null).toBeNull();
    const byVariable = costly.replace('query($p: ID!)', 'query($p: ID!, $n: Int!)').replace('first: 1000', 'first: $n');
    expectError(await t.gql(byVariable, { p: projectId, n: 1000 }), 'BAD_USER_INPUT', /query cost/);
    // The same shape over a small page is cheap enough.
    const cheap = await t.gql(byVariable, { p: projectId, n: 2 });
    expect(cheap.errors).toBeUndefined();
    expect(cheap.data.items.edges).toHaveLength(2);
  });

  describe("Apollo's CSRF prevention", () => {
    const q = encodeURIComponent('{ projects { id } }');
    test('a GET query without a preflight header → 400', async () => {
      const r = await fetch(`${t.url}?query=${q}`, { headers: { authorization: `Bearer ${t.adminKey}` } });
      expect(r.status).toBe(400);
      const text = await r.text();
      expect(text).toMatch(/Cross-Site Request Forgery/);
      expect(text).not.toMatch(/"data"/);
    });

    test('the same GET with apollo-require-preflight is served (the header is what a form cannot send)', async () => {
      const r = await fetch(`${t.url}?query=${q}`, { headers: { authorization: `Bearer ${t.adminKey}`, 'apollo-require-preflight': 'true' } });
      expect(r.status).toBe(200);
      expect(((await r.json()) as GqlResponse<{ projects: unknown[] }>).data?.projects).toHaveLength(1);
    });

    test.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'a POST mutation with content-type %s and no preflight header → 400, nothing written',
      async (contentType) => {
        const before = await itemCount();
        const body = JSON.stringify({ query: IMPORT_ITEMS, variables: { p: projectId, items: [{ externalId: `csrf-${contentType}` }] } });
        const r = await rawPost(t.url, body, { 'content-type': contentType, authorization: `Bearer ${t.adminKey}` });
        expect(r.status).toBe(400);
        expect(r.text).toMatch(/Cross-Site Request Forgery/);
        expect(r.text).not.toMatch(STACK);
        expect(await itemCount()).toBe(before);
      },
    );

    test('a mutation over GET is refused even with the preflight header', async () => {
      const before = await itemCount();
      const m = encodeURIComponent(`mutation { importItems(projectId: "${projectId}", items: [{ externalId: "via-get" }]) { inserted } }`);
      const r = await fetch(`${t.url}?query=${m}`, { headers: { authorization: `Bearer ${t.adminKey}`, 'apollo-require-preflight': 'true' } });
      expect(r.status).toBe(405);
      expect(await itemCount()).toBe(before);
    });
  });

  describe('CORS (LOUPE_CORS_ORIGINS=https://allowed.example)', () => {
    const preflight = (origin: string) =>
      fetch(t.url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });

    test('a preflight from the allowed origin is answered with Access-Control-Allow-Origin', async () => {
      const r = await preflight('https://allowed.example');
      expect(r.status).toBeLessThan(300);
      expect(r.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
      expect(r.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect((r.headers.get('access-control-allow-headers') ?? '').toLowerCase()).toMatch(/authorization/);
    });

    test('a preflight from another origin gets no Access-Control-Allow-Origin', async () => {
      for (const origin of ['https://evil.example', 'https://allowed.example.evil.example', 'http://allowed.example']) {
        const r = await preflight(origin);
        expect(r.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    test('actual requests: the header only for the allowed origin', async () => {
      const post = (origin: string) =>
        fetch(t.url, { method: 'POST', headers: { ...auth(), origin }, body: JSON.stringify({ query: '{ projects { id } }' }) });
      expect((await post('https://allowed.example')).headers.get('access-control-allow-origin')).toBe('https://allowed.example');
      expect((await post('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  test('introspection is on by default', async () => {
    const r = await t.gql(`{ __schema { queryType { name } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.__schema.queryType.name).toBe('Query');
  });

  test('the landing page is served to browsers by default', async () => {
    const r = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
  });

  test('a database failure is masked as "Internal server error" (INTERNAL_SERVER_ERROR), nothing of it leaks', async () => {
    // An honest failure: the table the statistics read from is gone for a moment.
    await t.sql(`ALTER TABLE annotator RENAME TO annotator_hidden_by_test`);
    let r: GqlResponse<unknown>;
    try {
      r = await t.gql(`query($p: ID!) { projectStats(projectId: $p) { items perAnnotator { annotator } } }`, { p: projectId });
    } finally {
      await t.sql(`ALTER TABLE annotator_hidden_by_test RENAME TO annotator`);
    }
    const e = expectError(r, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    expect(e.message).toBe('Internal server error');
    expect(Object.keys(e.extensions ?? {})).toEqual(['code']);
    const body = JSON.stringify(r);
    expect(body).not.toMatch(/annotator_hidden|relation|does not exist|QueryFailedError|SELECT/);
    expect(body).not.toMatch(STACK);
    // The service carries on.
    const ok = await t.gql(`query($p: ID!) { projectStats(projectId: $p) { items } }`, { p: projectId });
    expect(ok.errors).toBeUndefined();
  });
});

describe('introspection and landing page off (LOUPE_INTROSPECTION=false), graceful shutdown', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOUPE_INTROSPECTION: 'false', LOUPE_LANDING_PAGE: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('__schema and __type queries fail', async () => {
    for (const q of [`{ __schema { queryType { name } } }`, `{ __type(name: "Project") { name fields { name } } }`]) {
      const r = await t.gql(q);
      expect(r.data ?? undefined).toBeUndefined();
      expect(r.errors?.[0].message).toMatch(/introspection/i);
      expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    // Ordinary queries still work (and __typename is not introspection).
    const ok = await t.gql(`{ __typename projects { id } }`);
    expect(ok.errors).toBeUndefined();
  });

  test('no landing page', async () => {
    const r = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(r.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  test('close() lets an in-flight request finish, stops taking new ones, then closes the database; a restart sees the data', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'drain', classes: ['a', 'b'] } })).data.createProject.id as string;
    expect((await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'before-close' }] })).errors).toBeUndefined();

    // Hold the import inside the server (after HTTP has accepted it, before its transaction) until close() has begun.
    const items = t.app.services.items;
    const importItems = items.importItems.bind(items);
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    items.importItems = async (...args: Parameters<typeof importItems>) => {
      entered();
      await gate;
      return importItems(...args);
    };
    const batch = Array.from({ length: 2000 }, (_, i) => ({ externalId: `in-flight-${i}`, text: `item ${i}` }));
    const pending = t.gql(IMPORT_ITEMS, { p, items: batch });
    await inFlight;

    const closing = t.app.close();
    const server = t.app.server.httpServer;
    for (let i = 0; i < 100 && server.listening; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.listening).toBe(false);
    // A new connection is refused; a kept-alive one (fetch reuses them) is answered 503 SHUTTING_DOWN.
    const late = await fetch(`${t.baseUrl}/healthz`).then(
      async (r) => ({ status: r.status, code: ((await r.json()) as GqlResponse<unknown>).errors?.[0].extensions?.code }),
      () => 'refused',
    );
    expect([{ status: 503, code: 'SHUTTING_DOWN' }, 'refused']).toContainEqual(late);
    expect(t.app.db.dataSource.isInitialized).toBe(true); // still open: the request has not finished

    release();
    const res = await pending;
    expect(res.errors).toBeUndefined();
    expect(res.data.importItems.inserted).toBe(2000);
    await closing;
    expect(t.app.db.dataSource.isInitialized).toBe(false);
    await expect(t.app.db.query('SELECT 1')).rejects.toThrow();

    // A fresh start on the same database (PGlite folder or PostgreSQL database) sees everything written before close.
    const again = await createApp({ ...t.app.config, port: 0 });
    try {
      const [{ n }] = await again.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE project_id = $1`, [p]);
      expect(n).toBe(2001);
      const r = await fetch(again.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
        body: JSON.stringify({ query: `query($p: ID!) { projectStats(projectId: $p) { items } }`, variables: { p } }),
      });
      expect(((await r.json()) as GqlResponse<{ projectStats: { items: number } }>).data?.projectStats.items).toBe(2001);
      const ready = await fetch(`${again.server.url.replace(/\/graphql$/, '')}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
