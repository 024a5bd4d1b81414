import { CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, TestApp } from '../helpers/app';

/** addGoldItems is idempotent: a re-send writes nothing, the same item twice in a call writes once, another answer needs replace. */
describe('addGoldItems idempotency', () => {
  let t: TestApp;
  let p: string;
  let ids: string[];
  const ADD = `mutation($p: ID!, $items: [GoldItemInput!]!, $replace: Boolean) { addGoldItems(projectId: $p, items: $items, replace: $replace) { added unchanged itemIds } }`;
  const goldRows = () => t.sql<{ external_id: string; label: number }>(
    `SELECT i.external_id, a.label FROM annotation a JOIN item i ON i.id = a.item_id WHERE a.project_id = $1 AND a.kind = 'GOLD' ORDER BY a.created_at, a.id`,
    [p],
  );

  beforeAll(async () => {
    t = await startTestApp();
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'gold', classes: ['ham', 'spam'] } })).data.createProject.id;
    ids = (await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'mail-0012' }, { externalId: 'mail-0002' }, { externalId: 'mail-0003' }] })).data.importItems.ids;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the same call sent twice writes once', async () => {
    const items = [{ externalId: 'mail-0012', label: 'spam' }, { externalId: 'mail-0002', label: 'ham' }];
    const first = await t.gql(ADD, { p, items });
    expect(first.errors).toBeUndefined();
    expect(first.data.addGoldItems).toEqual({ added: 2, unchanged: 0, itemIds: [ids[0], ids[1]] });
    const again = await t.gql(ADD, { p, items });
    expect(again.data.addGoldItems).toEqual({ added: 0, unchanged: 2, itemIds: [ids[0], ids[1]] });
    expect(await goldRows()).toHaveLength(2);
  });

  test('one item named by id and by externalId in one call writes one annotation; with two answers it is refused', async () => {
    const r = await t.gql(ADD, { p, items: [{ itemId: ids[2], label: 'ham' }, { externalId: 'mail-0003', label: 'ham' }] });
    expect(r.errors).toBeUndefined();
    expect(r.data.addGoldItems).toEqual({ added: 1, unchanged: 1, itemIds: [ids[2], ids[2]] });
    expect(await goldRows()).toHaveLength(3);
    const e = expectError(await t.gql(ADD, { p, items: [{ itemId: ids[1], label: 'ham' }, { externalId: 'mail-0002', label: 'spam' }] }), 'BAD_USER_INPUT');
    expect(e.extensions?.field).toBe('items[1].label');
  });

  test('another answer for a gold item is a CONFLICT (nothing written) unless replace is true', async () => {
    const before = await goldRows();
    const e = expectError(await t.gql(ADD, { p, items: [{ externalId: 'mail-0003', label: 'spam' }, { externalId: 'mail-0012', label: 'ham' }] }), 'CONFLICT');
    expect(e.extensions?.field).toBe('items[0].label');
    expect(e.message).toMatch(/already gold with answer "ham"; send replace: true/);
    expect(await goldRows()).toEqual(before);

    const r = await t.gql(ADD, { p, items: [{ externalId: 'mail-0012', label: 'ham' }], replace: true });
    expect(r.data.addGoldItems).toMatchObject({ added: 1, unchanged: 0 });
    const after = await goldRows();
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1]).toEqual({ external_id: 'mail-0012', label: 0 });
    // The new answer is now the one a re-send compares against.
    expect((await t.gql(ADD, { p, items: [{ externalId: 'mail-0012', label: 'ham' }] })).data.addGoldItems).toMatchObject({ added: 0, unchanged: 1 });
  });
});
