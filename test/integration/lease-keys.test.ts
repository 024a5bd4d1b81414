import { CREATE_KEY, CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, TestApp } from '../helpers/app';

/**
 * Leases belong to API keys: one key holds at most settings.maxLeasesPerKey active leases in a project whatever
 * annotator names it makes up, extendLease is bounded by settings.maxLeaseSeconds, and only the key that took a
 * lease (or an ADMIN key) extends or releases it.
 */
describe('leases belong to keys', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  let p: string;
  const NEXT = `query($p: ID!, $size: Int!, $a: String!) { nextBatch(projectId: $p, size: $size, annotator: $a, strategy: RANDOM) { items { item { id } } } }`;
  const EXTEND = `mutation($p: ID!, $a: String!, $ids: [ID!]!, $s: Float!) { extendLease(projectId: $p, annotator: $a, itemIds: $ids, seconds: $s) { itemId expiresAt } }`;
  const RELEASE = `mutation($p: ID!, $a: String!, $ids: [ID!]!) { releaseItems(projectId: $p, annotator: $a, itemIds: $ids, reason: SKIP) }`;
  const next = (a: string, key: string, size = 5) => t.gql<{ nextBatch: { items: Array<{ item: { id: string } }> } }>(NEXT, { p, size, a }, key);
  const leasesOf = async (annotator?: string) =>
    (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM lease WHERE project_id = $1 AND expires_at > now() AND ($2::text IS NULL OR annotator = $2)`, [p, annotator ?? null]))[0].n;

  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['hoarder', 'other']) keys[name] = (await t.gql(CREATE_KEY, { input: { name, role: 'LABELING_TOOL' } })).data.createApiKey.key;
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'hoard', classes: ['a', 'b'], settings: { maxLeasesPerKey: 12, goldRate: 0 } } })).data.createProject.id;
    await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: 40 }, (_, i) => ({ externalId: `it-${i}` })) });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('one key leasing under made-up names stops at maxLeasesPerKey; another key still gets its share', async () => {
    const sizes: number[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await next(`fake-${k}`, keys.hoarder);
      expect(r.errors).toBeUndefined();
      sizes.push(r.data!.nextBatch.items.length);
    }
    // 5 + 5, then only the 2 leases left under the limit.
    expect(sizes).toEqual([5, 5, 2]);
    const refused = expectError(await next('fake-3', keys.hoarder), 'CONFLICT');
    expect(refused.message).toMatch(/maxLeasesPerKey is 12/);
    expect(await leasesOf()).toBe(12);

    const theirs = await next('honest', keys.other, 10);
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.nextBatch.items).toHaveLength(10);
  });

  test('extendLease is bounded by maxLeaseSeconds; another key can neither extend nor release a lease it did not take', async () => {
    const [lease] = await t.sql<{ item_id: string }>(`SELECT item_id FROM lease WHERE project_id = $1 AND annotator = 'fake-0' LIMIT 1`, [p]);
    const week = expectError(await t.gql(EXTEND, { p, a: 'fake-0', ids: [lease.item_id], s: 7 * 86400 }, keys.hoarder), 'BAD_USER_INPUT');
    expect(week.extensions?.field).toBe('seconds');
    expect(week.message).toMatch(/maxLeaseSeconds = 3600/);
    expect((await t.gql(EXTEND, { p, a: 'fake-0', ids: [lease.item_id], s: 3600 }, keys.hoarder)).errors).toBeUndefined();

    expectError(await t.gql(EXTEND, { p, a: 'fake-0', ids: [lease.item_id], s: 60 }, keys.other), 'NOT_FOUND');
    const released = await t.gql<{ releaseItems: number }>(RELEASE, { p, a: 'fake-0', ids: [lease.item_id] }, keys.other);
    expect(released.data?.releaseItems).toBe(0);
    expect(await leasesOf('fake-0')).toBe(5);
    // No skip was recorded for the name on an item another key holds under it.
    expect((await t.sql(`SELECT 1 FROM item_skip WHERE project_id = $1 AND annotator = 'fake-0'`, [p])).length).toBe(0);

    // The key that took it releases it; an ADMIN key may release any.
    expect((await t.gql<{ releaseItems: number }>(RELEASE, { p, a: 'fake-0', ids: [lease.item_id] }, keys.hoarder)).data?.releaseItems).toBe(1);
    const [another] = await t.sql<{ item_id: string }>(`SELECT item_id FROM lease WHERE project_id = $1 AND annotator = 'fake-1' LIMIT 1`, [p]);
    expect((await t.gql<{ releaseItems: number }>(RELEASE, { p, a: 'fake-1', ids: [another.item_id] })).data?.releaseItems).toBe(1);
  });

  test('a lease name held by another key is not taken over', async () => {
    // "honest" belongs to the other key's leases; the hoarder asking under the same name gets none of those items.
    const held = new Set((await t.sql<{ item_id: string }>(`SELECT item_id FROM lease WHERE project_id = $1 AND annotator = 'honest'`, [p])).map((r) => r.item_id));
    const r = await next('honest', keys.hoarder, 2);
    expect(r.errors).toBeUndefined();
    for (const it of r.data!.nextBatch.items) expect(held.has(it.item.id)).toBe(false);
    expect(await leasesOf('honest')).toBe(10 + r.data!.nextBatch.items.length);
  });
});
