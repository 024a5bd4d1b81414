import { CREATE_KEY, CREATE_PROJECT, expectError, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Queries built to freeze the service, over real HTTP: each is refused before graphql-js validates it (without a key
 * before it is even parsed), and GET /healthz, polled every 50 ms while the attack is repeated, keeps answering.
 */

/** `{ projects { ...F<n> } }` where F0 = { id name } and each F<k> spreads F<k-1> twice: 2^(n+1) + 1 fields, ~1 KB of text. */
function fanOut(n: number, tag = ''): string {
  const frags = ['fragment F0 on Project { id name }'];
  for (let k = 1; k <= n; k++) frags.push(`fragment F${k} on Project { ...F${k - 1} ...F${k - 1} }`);
  return `{ projects { ...F${n} } } ${frags.join(' ')} # ${tag}`;
}
const CYCLE = `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`;
const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** Polls GET /healthz every 50 ms while `attack` runs; returns the slowest answer (ms) and how many polls there were. */
async function whilePolling(baseUrl: string, attack: () => Promise<void>): Promise<{ maxMs: number; polls: number }> {
  let done = false;
  let maxMs = 0;
  let polls = 0;
  const poller = (async () => {
    while (!done) {
      const t0 = performance.now();
      const r = await fetch(`${baseUrl}/healthz`);
      await r.text();
      maxMs = Math.max(maxMs, performance.now() - t0);
      polls++;
      await new Promise((ok) => setTimeout(ok, 50));
    }
  })();
  try {
    await attack();
  } finally {
    done = true;
    await poller;
  }
  return { maxMs, polls };
}

async function post(url: string, query: string, key: string | null, variables?: Record<string, unknown>): Promise<GqlResponse<any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await res.json()) as GqlResponse<unknown>), status: res.status };
}

/** The value of loupe_requests_refused_total{reason} on GET /metrics (0 when absent). */
async function refused(baseUrl: string, reason: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = new RegExp(`^loupe_requests_refused_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('query limits against real attacks', () => {
  let t: TestApp;
  let projectId: string;
  const keys: Record<'MANAGER' | 'LABELING_TOOL', string> = { MANAGER: '', LABELING_TOOL: '' };
  const leases = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM lease`))[0].n;

  beforeAll(async () => {
    t = await startTestApp();
    projectId = (await t.gql(CREATE_PROJECT, { input: { name: 'attacks', classes: ['a', 'b'] } })).data.createProject.id;
    expect((await t.gql(IMPORT_ITEMS, { p: projectId, items: Array.from({ length: 20 }, (_, i) => ({ externalId: `x${i}`, text: `item ${i}` })) })).errors).toBeUndefined();
    expect((await t.gql(SUBMIT, { p: projectId, a: [{ externalId: 'x0', annotator: 'ann', label: 'a' }] })).errors).toBeUndefined();
    for (const role of ['MANAGER', 'LABELING_TOOL'] as const) {
      const r = await t.gql(CREATE_KEY, { input: { name: `attack-${role}`, role, projectIds: [projectId] } });
      expect(r.errors).toBeUndefined();
      keys[role] = r.data.createApiKey.key;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the 2^26 fragment fan-out without a key: 401 UNAUTHENTICATED, unparsed; /healthz keeps answering', async () => {
    const before = await refused(t.baseUrl, 'unauthenticated');
    const poll = await whilePolling(t.baseUrl, async () => {
      for (let i = 0; i < 10; i++) {
        const r = await post(t.url, fanOut(26, `no-key-${i}`), null);
        expect(r.status).toBe(401);
        expect(expectError(r, 'UNAUTHENTICATED').message).toMatch(/API key/);
      }
    });
    expect(poll.maxMs).toBeLessThan(2000);
    expect(await refused(t.baseUrl, 'unauthenticated')).toBe(before + 10);
  });

  test('the same fan-out with an ADMIN key: 400 GRAPHQL_VALIDATION_FAILED naming LOUPE_MAX_FIELDS', async () => {
    const before = await refused(t.baseUrl, 'too_many_fields');
    const poll = await whilePolling(t.baseUrl, async () => {
      for (let i = 0; i < 10; i++) {
        const r = await post(t.url, fanOut(26, `admin-${i}`), t.adminKey);
        expect(r.status).toBe(400);
        expectError(r, 'GRAPHQL_VALIDATION_FAILED', `the query has ${2 ** 27 + 1} fields after expanding fragments; the limit is 5000 (LOUPE_MAX_FIELDS)`);
        expect(r.data ?? null).toBeNull();
      }
    });
    expect(poll.maxMs).toBeLessThan(2000);
    expect(await refused(t.baseUrl, 'too_many_fields')).toBe(before + 10);
    // A small fan-out is an ordinary query.
    const small = await post(t.url, fanOut(3), t.adminKey);
    expect(small.errors).toBeUndefined();
    expect(small.data.projects).toHaveLength(1);
  });

  test('a fragment cycle: 400 GRAPHQL_VALIDATION_FAILED, not a 500', async () => {
    const before = await refused(t.baseUrl, 'fragment_cycle');
    const poll = await whilePolling(t.baseUrl, async () => {
      const r = await post(t.url, CYCLE, t.adminKey);
      expect(r.status).toBe(400);
      expectError(r, 'GRAPHQL_VALIDATION_FAILED', 'fragment cycle: A → B → A');
    });
    expect(poll.maxMs).toBeLessThan(2000);
    expect(await refused(t.baseUrl, 'fragment_cycle')).toBe(before + 1);
  });

  test('1,000 aliased annotatorStats from a MANAGER key: refused by the token limit; 60 by the alias limit', async () => {
    const stats = (n: number) => 'query($p: ID!) ' + aliases(n, `annotatorStats(projectId: $p) { annotators { name } meanKappa }`);
    const tokens = await refused(t.baseUrl, 'too_many_tokens');
    const aliased = await refused(t.baseUrl, 'too_many_aliases');
    const poll = await whilePolling(t.baseUrl, async () => {
      const r = await post(t.url, stats(1000), keys.MANAGER, { p: projectId });
      expect(r.status).toBe(400);
      expectError(r, 'GRAPHQL_VALIDATION_FAILED', 'query has more than 10000 tokens; the limit is 10000 (LOUPE_MAX_TOKENS)');
      const r60 = await post(t.url, stats(60), keys.MANAGER, { p: projectId });
      expect(r60.status).toBe(400);
      expectError(r60, 'GRAPHQL_VALIDATION_FAILED', 'the query has 60 aliased fields after expanding fragments; the limit is 50 (LOUPE_MAX_ALIASES)');
    });
    expect(poll.maxMs).toBeLessThan(2000);
    expect(await refused(t.baseUrl, 'too_many_tokens')).toBe(tokens + 1);
    expect(await refused(t.baseUrl, 'too_many_aliases')).toBe(aliased + 1);
    // One is fine.
    const one = await post(t.url, `query($p: ID!) { annotatorStats(projectId: $p) { annotators { name } } }`, keys.MANAGER, { p: projectId });
    expect(one.errors).toBeUndefined();
  });

  test('300 aliased nextBatch(size: 1) from a LABELING_TOOL key: refused, no lease written; two in one operation are refused too', async () => {
    expect(await leases()).toBe(0);
    const nb = `nextBatch(projectId: "${projectId}", size: 1, annotator: "bot") { items { item { id } } }`;
    const poll = await whilePolling(t.baseUrl, async () => {
      const r = await post(t.url, aliases(300, nb), keys.LABELING_TOOL);
      expect(r.status).toBe(400);
      expectError(r, 'GRAPHQL_VALIDATION_FAILED', /300 aliased fields .* \(LOUPE_MAX_ALIASES\)/);
    });
    expect(poll.maxMs).toBeLessThan(2000);
    const two = await post(t.url, aliases(2, nb), keys.LABELING_TOOL);
    expect(two.status).toBe(400);
    expectError(two, 'GRAPHQL_VALIDATION_FAILED', 'the query asks for nextBatch ×2: an operation may hold at most one of nextBatch, trainModel, runJob');
    expect(await leases()).toBe(0);
    // One nextBatch is served, and leases its item.
    const one = await post(t.url, `{ ${nb} }`, keys.LABELING_TOOL);
    expect(one.errors).toBeUndefined();
    expect(one.data.nextBatch.items).toHaveLength(1);
    expect(await leases()).toBe(1);
  });

  test('introspection: refused without a key (401, before parsing), answered with one', async () => {
    const q = `{ __schema { queryType { name } } }`;
    const anon = await post(t.url, q, null);
    expect(anon.status).toBe(401);
    expectError(anon, 'UNAUTHENTICATED', /API key/);
    const withKey = await post(t.url, q, keys.LABELING_TOOL);
    expect(withKey.errors).toBeUndefined();
    expect(withKey.data.__schema.queryType.name).toBe('Query');
  });

  test('GET queries go through the same gate; the GraphiQL page and CORS preflight need no key', async () => {
    const get = (query: string, key: string | null) =>
      fetch(`${t.url}?query=${encodeURIComponent(query)}`, { headers: { 'apollo-require-preflight': 'true', ...(key ? { authorization: `Bearer ${key}` } : {}) } });
    const anon = await get('{ projects { id } }', null);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    const big = await get(fanOut(26, 'get'), t.adminKey);
    expect(big.status).toBe(400);
    expect(JSON.stringify(await big.json())).toMatch(/LOUPE_MAX_FIELDS/);
    const ok = await get('{ projects { id } }', t.adminKey);
    expect(ok.status).toBe(200);
    const page = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const preflight = await fetch(t.url, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBeLessThan(500);
    expect(preflight.status).not.toBe(401);
  });

  test('a batch (array body) still needs a key, and is refused as before with one (batching is off)', async () => {
    const send = (key: string | null) =>
      fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify([{ query: '{ projects { id } }' }, { query: fanOut(26) }]),
      });
    expect((await send(null)).status).toBe(401);
    const big = await send(t.adminKey);
    expect(big.status).toBe(400);
    expect(await big.text()).toMatch(/LOUPE_MAX_FIELDS/);
    const small = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` },
      body: JSON.stringify([{ query: '{ projects { id } }' }]),
    });
    expect(small.status).toBe(400);
    expect(await small.text()).toMatch(/batching/i);
  });
});

describe('query text and token limits (LOUPE_MAX_QUERY_BYTES=2kb, LOUPE_MAX_TOKENS=200, LOUPE_MAX_ROOT_FIELDS=3, LOUPE_MAX_QUERY_DEPTH=3)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOUPE_MAX_QUERY_BYTES: '2kb', LOUPE_MAX_TOKENS: '200', LOUPE_MAX_ROOT_FIELDS: '3', LOUPE_MAX_QUERY_DEPTH: '3' });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('each limit is a 400 naming its variable, counted by reason', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['query_too_large', `{ projects { id } } # ${'x'.repeat(3000)}`, /query text is \d+ bytes; the limit is 2048 \(LOUPE_MAX_QUERY_BYTES\)/],
      ['too_many_tokens', `{ ${Array.from({ length: 120 }, (_, i) => `a${i}: projects { id }`).slice(0, 60).join(' ')} }`, /more than 200 tokens; the limit is 200 \(LOUPE_MAX_TOKENS\)/],
      ['too_many_root_fields', `{ a: projects { id } b: projects { id } c: projects { id } d: projects { id } }`, /4 root fields .* the limit is 3 \(LOUPE_MAX_ROOT_FIELDS\)/],
      ['too_deep', `{ projects { items { edges { node { id } } } } }`, /depth 4, which exceeds maximum operation depth of 3 \(LOUPE_MAX_QUERY_DEPTH\)/],
    ];
    for (const [reason, query, message] of cases) {
      const before = await refused(t.baseUrl, reason);
      const r = await post(t.url, query, t.adminKey);
      expect(r.status).toBe(400);
      expectError(r, 'GRAPHQL_VALIDATION_FAILED', message);
      expect(await refused(t.baseUrl, reason)).toBe(before + 1);
    }
    // A syntax error is still Apollo's GRAPHQL_PARSE_FAILED.
    expectError(await post(t.url, `{ projects { id }`, t.adminKey), 'GRAPHQL_PARSE_FAILED');
  });
});
