import { AGGREGATE_COSTS } from '../../src/schema/costs';
import { CREATE_KEY, CREATE_PROJECT, expectError, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Query costs of the project-wide aggregates, and the per-project read cache behind them, over real HTTP on PGlite
 * or PostgreSQL (DATABASE_URL): many aliased aggregates are refused by the cost limit before anything runs, a few
 * are answered; a repeated read is served from the cache until a write changes the project's data version, on this
 * replica and on another one on the same database; and every write path bumps that version.
 *
 * The operation-shape limits (aliases, root fields) are raised here so that the cost limit is what a large
 * operation meets.
 */
const SHAPE_LIMITS = { LOUPE_MAX_TOKENS: '1000000', LOUPE_MAX_ALIASES: '100000', LOUPE_MAX_ROOT_FIELDS: '100000', LOUPE_MAX_FIELDS: '1000000' };
const STATS = `query($p: ID!) { annotatorStats(projectId: $p) { annotators { name annotations last24h } } }`;
const MAX = 50_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ok = (r: GqlResponse<any>): any => {
  expect(r.errors).toBeUndefined();
  return r.data;
};

const aliased = (field: string, n: number, selection: string) =>
  `query($p: ID!) { ${Array.from({ length: n }, (_, i) => `a${i}: ${field}(projectId: $p) ${selection}`).join(' ')} }`;

describe('query costs and the read cache', () => {
  let t: TestApp;
  let p: string;
  let itemIds: string[];
  let manager: string;
  beforeAll(async () => {
    t = await startTestApp(SHAPE_LIMITS);
    p = ok(await t.gql(CREATE_PROJECT, { input: { name: 'costs', classes: ['a', 'b'] } })).createProject.id;
    itemIds = ok(await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: 6 }, (_, i) => ({ externalId: `x${i}` })) })).importItems.ids;
    ok(await t.gql(SUBMIT, { p, a: itemIds.slice(0, 3).map((itemId) => ({ itemId, annotator: 'ann-1', label: 'a' })) }));
    manager = ok(await t.gql(CREATE_KEY, { input: { name: 'manager', role: 'MANAGER' } })).createApiKey.key;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const version = () => t.app.services.readCache.version(p);

  test('1,000 aliased annotatorStats from a MANAGER key: refused with BAD_USER_INPUT naming the cost limit, nothing computed', async () => {
    const before = t.app.services.readCache.size;
    let slowest = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const t0 = performance.now();
        await fetch(`${t.baseUrl}/healthz`);
        slowest = Math.max(slowest, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const res = await t.gql(aliased('annotatorStats', 1000, '{ meanKappa }'), { p }, manager);
    polling = false;
    await poll;
    expect(res.status).toBe(400);
    const e = expectError(res, 'BAD_USER_INPUT', `exceeds the limit of ${MAX}`);
    // 1,000 × (base + meanKappa).
    expect(e.message).toContain(`query cost ${1000 * (AGGREGATE_COSTS.annotatorStats + 1)}`);
    expect(t.app.services.readCache.size).toBe(before);
    expect(slowest).toBeLessThan(2000);
  });

  test('the limit falls between 25 and 100 aliases of one aggregate', async () => {
    const fits = Math.floor(MAX / (AGGREGATE_COSTS.annotatorStats + 1));
    expect(fits).toBeGreaterThanOrEqual(20);
    expect(fits).toBeLessThan(100);
    expectError(await t.gql(aliased('annotatorStats', fits + 1, '{ meanKappa }'), { p }, manager), 'BAD_USER_INPUT', 'query cost');
    const d = ok(await t.gql(aliased('annotatorStats', fits, '{ meanKappa }'), { p }, manager));
    expect(Object.keys(d)).toHaveLength(fits);
  });

  test('a handful of different aggregates in one query is answered', async () => {
    const d = ok(
      await t.gql(
        `query($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
          annotatorStats(projectId: $p) { annotators { name } }
          agreement(projectId: $p, from: $from, to: $to) { annotations }
          labelHealth(projectId: $p) { labeledCount }
          projectStats(projectId: $p) { items annotations }
          consensus(projectId: $p) { method }
          driftReports(projectId: $p) { kind }
          driftStatus(projectId: $p) { __typename }
          lfSummary(projectId: $p) { items }
          routeCounts(projectId: $p) { __typename }
          items(projectId: $p, first: 10) { edges { node { id } } }
        }`,
        { p, from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
        manager,
      ),
    );
    expect(d.projectStats).toEqual({ items: 6, annotations: 3 });
    expect(d.agreement.annotations).toBe(3);
  });

  test('a repeated read comes from the cache; a write that changes it is seen at once', async () => {
    const first = ok(await t.gql(STATS, { p }, manager)).annotatorStats;
    expect(first.annotators).toEqual([{ name: 'ann-1', annotations: 3, last24h: 3 }]);
    // A change made behind the service's back, with the version trigger off: the cache still answers the old value...
    const v = await version();
    await t.sql(`ALTER TABLE annotator DISABLE TRIGGER annotator_data_version_upd`);
    try {
      await t.sql(`UPDATE annotator SET name = 'renamed' WHERE project_id = $1 AND name = 'ann-1'`, [p]);
    } finally {
      await t.sql(`ALTER TABLE annotator ENABLE TRIGGER annotator_data_version_upd`);
    }
    expect(await version()).toBe(v);
    expect(ok(await t.gql(STATS, { p }, manager)).annotatorStats).toEqual(first);
    // ...until a submitted annotation bumps the version: the next read recomputes and sees both changes.
    ok(await t.gql(SUBMIT, { p, a: [{ itemId: itemIds[3], annotator: 'ann-2', label: 'b' }] }));
    expect(BigInt(await version())).toBeGreaterThan(BigInt(v));
    const after = ok(await t.gql(STATS, { p }, manager)).annotatorStats;
    expect(after.annotators).toEqual([
      { name: 'ann-2', annotations: 1, last24h: 1 },
      { name: 'renamed', annotations: 3, last24h: 3 },
    ]);
  });

  test('aliases of one read answer alike', async () => {
    ok(await t.gql(SUBMIT, { p, a: [{ itemId: itemIds[4], annotator: 'ann-2', label: 'a' }] }));
    const d = ok(await t.gql(aliased('projectStats', 10, '{ annotations }'), { p }, manager));
    expect(new Set(Object.values(d).map((x) => JSON.stringify(x)))).toEqual(new Set([JSON.stringify({ annotations: 5 })]));
  });

  test('an argument is part of the key: agreement over two windows', async () => {
    const q = `query($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { agreement(projectId: $p, from: $from, to: $to) { annotations } }`;
    const all = ok(await t.gql(q, { p, from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }, manager)).agreement;
    const none = ok(await t.gql(q, { p, from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' }, manager)).agreement;
    expect(all.annotations).toBe(5);
    expect(none.annotations).toBe(0);
  });

  test('a role without access is refused even when the result is cached', async () => {
    ok(await t.gql(STATS, { p }, manager));
    const tool = ok(await t.gql(CREATE_KEY, { input: { name: 'tool', role: 'LABELING_TOOL' } })).createApiKey.key;
    expectError(await t.gql(STATS, { p }, tool), 'FORBIDDEN');
  });

  describe('every write path bumps the data version', () => {
    const bumps = async (write: () => Promise<unknown>) => {
      const v = BigInt(await version());
      await write();
      return BigInt(await version()) > v;
    };
    const RUN_JOB = `mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id status } }`;

    test('importItems (new and updated items)', async () => {
      expect(await bumps(async () => ok(await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'new-1' }] })))).toBe(true);
      expect(await bumps(async () => ok(await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'new-1', text: 'changed' }] })))).toBe(true);
    });
    test('submitAnnotations and retractAnnotations', async () => {
      let id = '';
      expect(
        await bumps(async () => {
          id = ok(await t.gql(SUBMIT, { p, a: [{ itemId: itemIds[5], annotator: 'ann-3', label: 'a' }] })).submitAnnotations.results[0].annotation.id;
        }),
      ).toBe(true);
      expect(await bumps(async () => ok(await t.gql(`mutation($p: ID!, $ids: [ID!]!) { retractAnnotations(projectId: $p, ids: $ids) { retracted } }`, { p, ids: [id] })))).toBe(true);
    });
    test('addGoldItems', async () => {
      const q = `mutation($p: ID!, $items: [GoldItemInput!]!) { addGoldItems(projectId: $p, items: $items) { added } }`;
      expect(await bumps(async () => ok(await t.gql(q, { p, items: [{ itemId: itemIds[0], label: 'a' }] })))).toBe(true);
    });
    test('registerLabelingFunction and submitWeakLabels', async () => {
      expect(await bumps(async () => ok(await t.gql(`mutation($p: ID!) { registerLabelingFunction(projectId: $p, name: "lf-1") { id } }`, { p })))).toBe(true);
      const q = `mutation($p: ID!, $votes: [WeakVoteInput!]!) { submitWeakLabels(projectId: $p, lf: "lf-1", votes: $votes) { votes } }`;
      expect(await bumps(async () => ok(await t.gql(q, { p, votes: [{ itemId: itemIds[1], label: 'b' }] })))).toBe(true);
    });
    test('submitPredictions', async () => {
      const q = `mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "ext", predictions: $pr) { id } }`;
      expect(await bumps(async () => ok(await t.gql(q, { p, pr: itemIds.map((itemId) => ({ itemId, probs: [0.3, 0.7] })) })))).toBe(true);
    });
    test('updateProject', async () => {
      expect(await bumps(async () => ok(await t.gql(`mutation($id: ID!) { updateProject(id: $id, input: { guidelineVersion: "2" }) { id } }`, { id: p })))).toBe(true);
    });
    test('resolveLabelIssue', async () => {
      const [{ id }] = await t.sql<{ id: string }>(
        `INSERT INTO label_issue (project_id, item_id, given_label, suggested_label, score, method, score_method) VALUES ($1, $2, 0, 1, 0.1, 'test', 'test') RETURNING id`,
        [p, itemIds[2]],
      );
      const q = `mutation($id: ID!) { resolveLabelIssue(id: $id, decision: ACCEPT_SUGGESTION) { status } }`;
      expect(await bumps(async () => ok(await t.gql(q, { id })))).toBe(true);
    });
    test('job results (the consensus job)', async () => {
      const v = BigInt(await version());
      const run = ok(await t.gql(RUN_JOB, { p, n: 'consensus' })).runJob;
      for (let i = 0; i < 300; i++) {
        const [r] = await t.sql<{ status: string }>(`SELECT status FROM job_run WHERE id = $1`, [run.id]);
        if (r.status !== 'RUNNING' && r.status !== 'QUEUED') {
          expect(r.status).toBe('SUCCEEDED');
          break;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(BigInt(await version())).toBeGreaterThan(v);
    });
    test('deleteItems', async () => {
      const [{ id }] = await t.sql<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 AND external_id = 'new-1'`, [p]);
      expect(await bumps(async () => ok(await t.gql(`mutation($p: ID!, $ids: [ID!]!) { deleteItems(projectId: $p, ids: $ids) { deleted } }`, { p, ids: [id] })))).toBe(true);
    });
    test('reads and leases do not bump it', async () => {
      expect(await bumps(async () => ok(await t.gql(STATS, { p }, manager)))).toBe(false);
      const tool = ok(await t.gql(CREATE_KEY, { input: { name: 'tool-2', role: 'LABELING_TOOL' } })).createApiKey.key;
      expect(await bumps(async () => ok(await t.gql(`query($p: ID!) { nextBatch(projectId: $p, size: 2, annotator: "t") { items { item { id } } } }`, { p }, tool)))).toBe(false);
    });
  });
});

describe('two replicas on one PostgreSQL database', () => {
  const onPg = !!process.env.DATABASE_URL;
  // PGlite is one process's embedded database: a second replica cannot open it.
  (onPg ? test : test.skip)('a write through one replica is seen by the other at once (PostgreSQL only: a PGlite database belongs to one process)', async () => {
    const a = await startTestApp();
    // b installs its own admin key on the shared database (an existing database keeps its keys and gains this one).
    const b = await startTestApp({ DATABASE_URL: a.app.config.databaseUrl! });
    try {
      const p = ok(await a.gql(CREATE_PROJECT, { input: { name: 'replicas', classes: ['a', 'b'] } })).createProject.id;
      const ids: string[] = ok(await a.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'x' }, { externalId: 'y' }] })).importItems.ids;
      ok(await a.gql(SUBMIT, { p, a: [{ itemId: ids[0], annotator: 'ann-1', label: 'a' }] }));
      const q = `query($p: ID!) { projectStats(projectId: $p) { annotations labeledItems } }`;
      for (const r of [a, b]) expect(ok(await r.gql(q, { p })).projectStats).toEqual({ annotations: 1, labeledItems: 1 });
      // Both replicas hold the result now; a write through b is seen by a.
      ok(await b.gql(SUBMIT, { p, a: [{ itemId: ids[1], annotator: 'ann-1', label: 'b' }] }));
      for (const r of [a, b]) expect(ok(await r.gql(q, { p })).projectStats).toEqual({ annotations: 2, labeledItems: 2 });
    } finally {
      await b.close();
      await a.close();
    }
  }, 60_000);
});
