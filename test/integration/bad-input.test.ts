import { randomUUID } from 'node:crypto';
import { CREATE_KEY, CREATE_PROJECT, expectError, float32Base64, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Every bad input of the section 5, over real HTTP: the error code, a message naming the field and the
 * index, no stack trace, and nothing of the call written. The bad row is always the LAST of a batch whose earlier
 * rows are valid (one new row and one that would update or annotate an existing item), so a partial write shows.
 */
describe('bad input', () => {
  let t: TestApp;
  let P: string; // classes cat, dog, bird; embeddingDim 3
  let Q: string; // no embeddingDim
  let R: string; // another project, with its own item and annotator
  const item: Record<string, string> = {};
  let rItem: string;
  let n = 0;
  const uniq = (p: string) => `${p}-${++n}`;

  /** Everything a refused call must leave as it was. */
  const fingerprint = async () =>
    (
      await t.sql(`SELECT
        (SELECT count(*)::int FROM project) AS projects,
        (SELECT max(updated_at)::text FROM project) AS project_updated,
        (SELECT count(*)::int FROM item) AS items,
        (SELECT max(updated_at)::text FROM item) AS item_updated,
        (SELECT string_agg(external_id || ':' || coalesce(text, ''), ',' ORDER BY id) FROM item) AS item_texts,
        (SELECT count(*)::int FROM annotation) AS annotations,
        (SELECT count(*)::int FROM annotator) AS annotators,
        (SELECT count(*)::int FROM api_key) AS keys`)
    )[0];

  /** Runs `send`, asserts the error and that nothing was written. */
  async function rejected(send: () => Promise<GqlResponse<unknown>>, code: string, field: string | RegExp) {
    const before = await fingerprint();
    const res = await send();
    const e = expectError(res, code, field);
    if (typeof field === 'string' && e.extensions?.field !== undefined) expect(e.extensions.field).toBe(field);
    const body = JSON.stringify(res);
    expect(body).not.toMatch(/stacktrace|\.ts:\d+|node_modules|QueryFailedError/);
    expect(Object.keys(e.extensions ?? {}).sort()).toEqual(expect.not.arrayContaining(['exception', 'stacktrace']));
    expect(await fingerprint()).toEqual(before);
    return e;
  }

  /** Two valid item rows (one new, one updating item "a"), then `bad`. */
  const itemsWith = (bad: Record<string, unknown>) => [{ externalId: uniq('new'), text: 'fresh' }, { externalId: 'a', text: 'changed' }, bad];
  /** Two valid annotation rows (one by a new annotator, one by an existing one), then `bad`. */
  const annotationsWith = (bad: Record<string, unknown>) => [
    { externalId: 'a', annotator: uniq('newcomer'), label: 'cat', clientMutationId: uniq('cm') },
    { itemId: item.b, annotator: 'ann', label: 'dog' },
    bad,
  ];
  const importP = (bad: Record<string, unknown>, project = P, key?: string | null) => () => t.gql(IMPORT_ITEMS, { p: project, items: itemsWith(bad) }, key);
  const submitP = (bad: Record<string, unknown>, key?: string | null) => () => t.gql(SUBMIT, { p: P, a: annotationsWith(bad) }, key);
  const ok = { annotator: 'ann', label: 'cat' };

  /** POSTs a raw JSON body (for what JSON.stringify cannot write, such as 1e999). */
  async function raw(body: string): Promise<GqlResponse<unknown>> {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` }, body });
    return { ...((await res.json()) as GqlResponse<unknown>), status: res.status };
  }

  beforeAll(async () => {
    t = await startTestApp();
    const mk = async (name: string, embeddingDim?: number) =>
      (await t.gql(CREATE_PROJECT, { input: { name, classes: ['cat', 'dog', 'bird'], embeddingDim } })).data.createProject.id as string;
    P = await mk('with-embeddings', 3);
    Q = await mk('without-embeddings');
    R = await mk('other');
    const imp = await t.gql(IMPORT_ITEMS, {
      p: P,
      items: [
        { externalId: 'a', text: 'a', embedding: [1, 0, 0] },
        { externalId: 'b', text: 'b' },
        { externalId: 'c', text: 'c' },
      ],
    });
    [item.a, item.b, item.c] = imp.data.importItems.ids;
    await t.gql(IMPORT_ITEMS, { p: Q, items: [{ externalId: 'a', text: 'q' }] });
    rItem = (await t.gql(IMPORT_ITEMS, { p: R, items: [{ externalId: 'r1', text: 'r' }] })).data.importItems.ids[0];
    const seed = await t.gql(SUBMIT, {
      p: P,
      a: [
        { externalId: 'a', annotator: 'ann', label: 'cat', clientMutationId: 'seed-1', confidence: 0.75, durationMs: 900 },
        { externalId: 'b', annotator: 'ann', label: 'dog', clientMutationId: 'seed-2' },
      ],
    });
    expect(seed.errors).toBeUndefined();
    expect((await t.gql(SUBMIT, { p: R, a: [{ itemId: rItem, annotator: 'only-in-r', label: 'cat' }] })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the valid rows used around each bad one are accepted on their own', async () => {
    const i = await t.gql(IMPORT_ITEMS, { p: P, items: itemsWith({ externalId: uniq('fine') }) });
    expect(i.errors).toBeUndefined();
    expect(i.data.importItems).toMatchObject({ inserted: 2, updated: 1 });
    const s = await t.gql(SUBMIT, { p: P, a: annotationsWith({ itemId: item.c, ...ok }) });
    expect(s.errors).toBeUndefined();
    expect(s.data.submitAnnotations.inserted).toBe(3);
  });

  describe('unknown project, item, annotator', () => {
    const missing = randomUUID();
    test.each([
      ['a random id', missing],
      ['a string that is not an id', 'not-a-project'],
    ])('project: %s → NOT_FOUND on every operation', async (_label, id) => {
      const calls: Array<[string, () => Promise<GqlResponse<unknown>>]> = [
        ['projectId', () => t.gql(IMPORT_ITEMS, { p: id, items: [{ externalId: uniq('x') }] })],
        ['projectId', () => t.gql(SUBMIT, { p: id, a: [{ itemId: item.a, ...ok }] })],
        ['projectId', () => t.gql(`query($p: ID!) { items(projectId: $p) { totalCount } }`, { p: id })],
        ['projectId', () => t.gql(`query($p: ID!, $i: ID!) { item(projectId: $p, id: $i) { id } }`, { p: id, i: item.a })],
        ['projectId', () => t.gql(`query($p: ID!) { projectStats(projectId: $p) { items } }`, { p: id })],
        ['id', () => t.gql(`query($p: ID!) { project(id: $p) { id } }`, { p: id })],
        ['id', () => t.gql(`mutation($p: ID!) { updateProject(id: $p, input: { guidelineVersion: "9" }) { id } }`, { p: id })],
        ['input.projectIds[0]', () => t.gql(CREATE_KEY, { input: { name: uniq('k'), role: 'MANAGER', projectIds: [id] } })],
      ];
      for (const [field, send] of calls) {
        const e = await rejected(send, 'NOT_FOUND', field);
        expect(e.message).toBe(`${field}: project ${id} not found`);
      }
    });

    test('item by id: unknown, not an id, or an item of another project → NOT_FOUND annotations[2].itemId', async () => {
      for (const id of [randomUUID(), 'abc', rItem]) {
        const e = await rejected(submitP({ itemId: id, ...ok }), 'NOT_FOUND', 'annotations[2].itemId');
        expect(e.message).toBe(`annotations[2].itemId: item ${id} not found`);
      }
    });

    test('item by externalId: unknown, or one that exists only in another project → NOT_FOUND annotations[2].externalId', async () => {
      for (const ext of ['no-such-item', 'r1']) {
        await rejected(submitP({ externalId: ext, ...ok }), 'NOT_FOUND', 'annotations[2].externalId');
      }
    });

    test('item query: unknown id, not an id, an item of another project → NOT_FOUND id', async () => {
      const q = `query($p: ID!, $i: ID!) { item(projectId: $p, id: $i) { id } }`;
      for (const id of [randomUUID(), 'abc', rItem]) {
        const e = await rejected(() => t.gql(q, { p: P, i: id }), 'NOT_FOUND', 'id');
        expect(e.message).toBe(`id: item ${id} not found`);
      }
    });

    test('annotator filter: unknown here (even if known in another project) → NOT_FOUND filter.annotator', async () => {
      const q = `query($p: ID!, $f: ItemFilter) { items(projectId: $p, filter: $f) { totalCount } }`;
      for (const name of ['nobody', 'only-in-r']) {
        const e = await rejected(() => t.gql(q, { p: P, f: { annotator: name } }), 'NOT_FOUND', 'filter.annotator');
        expect(e.message).toContain(name);
      }
      const known = await t.gql(q, { p: P, f: { annotator: 'ann' } });
      expect(known.errors).toBeUndefined();
      expect(known.data.items.totalCount).toBeGreaterThan(0);
    });

    test('other filters and paging arguments → BAD_USER_INPUT naming them', async () => {
      const q = `query($p: ID!, $f: ItemFilter, $first: Int, $after: String) { items(projectId: $p, filter: $f, first: $first, after: $after) { totalCount } }`;
      await rejected(() => t.gql(q, { p: P, f: { label: 'unicorn' } }), 'BAD_USER_INPUT', 'filter.label');
      await rejected(() => t.gql(q, { p: P, first: 0 }), 'BAD_USER_INPUT', 'first');
      await rejected(() => t.gql(q, { p: P, first: 1001 }), 'BAD_USER_INPUT', 'first');
      await rejected(() => t.gql(q, { p: P, after: 'bm90IGEgY3Vyc29y' }), 'BAD_USER_INPUT', 'after');
    });
  });

  describe('importItems', () => {
    test('embedding of the wrong length, as a list and as base64', async () => {
      const e = await rejected(importP({ externalId: uniq('x'), embedding: [1, 2] }), 'BAD_USER_INPUT', 'items[2].embedding');
      expect(e.message).toMatch(/length 2.*embeddingDim is 3/);
      await rejected(importP({ externalId: uniq('x'), embedding: [1, 2, 3, 4] }), 'BAD_USER_INPUT', 'items[2].embedding');
      await rejected(importP({ externalId: uniq('x'), embeddingBase64: float32Base64([1, 2]) }), 'BAD_USER_INPUT', 'items[2].embeddingBase64');
    });

    test('base64 whose byte length is not 4 × embeddingDim', async () => {
      const e = await rejected(
        importP({ externalId: uniq('x'), embeddingBase64: Buffer.alloc(13).toString('base64') }),
        'BAD_USER_INPUT',
        'items[2].embeddingBase64',
      );
      expect(e.message).toMatch(/13 bytes, expected 12/);
    });

    test.each(['not base64!', 'AAAA====', 'AAA', 'AAAAAAAAAAAAAAA*', 'AAAA AAAA AAAA AAAA'])('malformed base64 %j', async (b64) => {
      await rejected(importP({ externalId: uniq('x'), embeddingBase64: b64 }), 'BAD_USER_INPUT', 'items[2].embeddingBase64');
    });

    test.each([
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ])('%s in a base64 embedding', async (_label, v) => {
      const e = await rejected(importP({ externalId: uniq('x'), embeddingBase64: float32Base64([0.5, v, 0]) }), 'BAD_USER_INPUT', 'items[2].embeddingBase64');
      expect(e.message).toMatch(/value 1 is not finite/);
    });

    test('Infinity in a list embedding written as a literal in the query (1e999)', async () => {
      const q = `mutation($p: ID!) { importItems(projectId: $p, items: [
        { externalId: "${uniq('lit')}", text: "ok" }, { externalId: "a", text: "changed" }, { externalId: "${uniq('lit')}", embedding: [0.5, 1e999, 0] }
      ]) { inserted } }`;
      const e = await rejected(() => t.gql(q, { p: P }), 'BAD_USER_INPUT', 'items[2].embedding');
      expect(e.message).toMatch(/not finite/);
    });

    test('Infinity in a list embedding sent as a JSON variable (1e999) is refused by Float coercion', async () => {
      const body = `{"query":${JSON.stringify(IMPORT_ITEMS)},"variables":{"p":"${P}","items":[
        {"externalId":"${uniq('js')}"},{"externalId":"a","text":"changed"},{"externalId":"${uniq('js')}","embedding":[0.5,1e999,0]}]}}`;
      const before = await fingerprint();
      const res = await raw(body);
      const e = expectError(res, 'BAD_USER_INPUT', 'items[2].embedding');
      expect(e.message).toMatch(/Float cannot represent/);
      expect(res.status).toBe(400);
      expect(await fingerprint()).toEqual(before);
    });

    test('an embedding on a project without embeddingDim', async () => {
      await rejected(importP({ externalId: uniq('x'), embedding: [1, 2, 3] }, Q), 'BAD_USER_INPUT', 'items[2].embedding');
      await rejected(importP({ externalId: uniq('x'), embeddingBase64: float32Base64([1, 2, 3]) }, Q), 'BAD_USER_INPUT', 'items[2].embeddingBase64');
    });

    test('both embedding and embeddingBase64', async () => {
      await rejected(importP({ externalId: uniq('x'), embedding: [1, 2, 3], embeddingBase64: float32Base64([1, 2, 3]) }), 'BAD_USER_INPUT', 'items[2].embedding');
    });

    test('duplicate externalId inside one call', async () => {
      const first = uniq('dup');
      const e = await rejected(
        () => t.gql(IMPORT_ITEMS, { p: P, items: [{ externalId: first }, { externalId: 'a', text: 'changed' }, { externalId: first, text: 'again' }] }),
        'BAD_USER_INPUT',
        'items[2].externalId',
      );
      expect(e.message).toContain('items[0]');
    });

    test('empty externalId', async () => {
      await rejected(importP({ externalId: '' }), 'BAD_USER_INPUT', 'items[2].externalId');
    });

    test('U+0000 in text, in data, in externalId (PostgreSQL cannot store it)', async () => {
      await rejected(importP({ externalId: uniq('x'), text: 'a\u0000b' }), 'BAD_USER_INPUT', 'items[2].text');
      await rejected(importP({ externalId: uniq('x'), data: { nested: { k: 'a\u0000b' } } }), 'BAD_USER_INPUT', 'items[2].data.nested.k');
      await rejected(importP({ externalId: 'x\u0000' }), 'BAD_USER_INPUT', 'items[2].externalId');
    });

    test('empty batch', async () => {
      const e = await rejected(() => t.gql(IMPORT_ITEMS, { p: P, items: [] }), 'BAD_USER_INPUT', 'items');
      expect(e.message).toMatch(/^items: /);
    });

    test('oversize batch: 10,001 items', async () => {
      const items = Array.from({ length: 10_001 }, (_, i) => ({ externalId: `big-${i}` }));
      const e = await rejected(() => t.gql(IMPORT_ITEMS, { p: P, items }), 'BAD_USER_INPUT', 'items');
      expect(e.message).toMatch(/^items: at most 10000 .*10001/);
    });

    test('a field of the wrong type is refused by GraphQL coercion, naming the path', async () => {
      const e = await rejected(
        () => t.gql(IMPORT_ITEMS, { p: P, items: [{ externalId: uniq('x') }, { externalId: 'a', text: 'changed' }, { externalId: uniq('x'), embedding: ['one', 2, 3] }] }),
        'BAD_USER_INPUT',
        'items[2].embedding',
      );
      expect(e.message).toMatch(/Float cannot represent/);
    });
  });

  describe('submitAnnotations', () => {
    test('label outside the project classes', async () => {
      const e = await rejected(submitP({ itemId: item.c, annotator: 'ann', label: 'unicorn' }), 'BAD_USER_INPUT', 'annotations[2].label');
      expect(e.message).toContain('cat, dog, bird');
    });

    test('duplicate clientMutationId inside one call', async () => {
      const cm = uniq('cm');
      const e = await rejected(
        () =>
          t.gql(SUBMIT, {
            p: P,
            a: [
              { itemId: item.a, ...ok, clientMutationId: cm },
              { itemId: item.b, ...ok },
              { itemId: item.c, ...ok, clientMutationId: cm },
            ],
          }),
        'BAD_USER_INPUT',
        'annotations[2].clientMutationId',
      );
      expect(e.message).toContain('annotations[0]');
    });

    test.each([1.5, -0.1, 1.0000001])('confidence %p out of [0, 1]', async (confidence) => {
      await rejected(submitP({ itemId: item.c, ...ok, confidence }), 'BAD_USER_INPUT', 'annotations[2].confidence');
    });

    test('negative durationMs', async () => {
      await rejected(submitP({ itemId: item.c, ...ok, durationMs: -1 }), 'BAD_USER_INPUT', 'annotations[2].durationMs');
    });

    test('both itemId and externalId, or neither', async () => {
      await rejected(submitP({ itemId: item.c, externalId: 'c', ...ok }), 'BAD_USER_INPUT', 'annotations[2].itemId');
      await rejected(submitP({ ...ok }), 'BAD_USER_INPUT', 'annotations[2].itemId');
    });

    test('empty annotator name, or one with U+0000', async () => {
      await rejected(submitP({ itemId: item.c, annotator: '', label: 'cat' }), 'BAD_USER_INPUT', 'annotations[2].annotator');
      await rejected(submitP({ itemId: item.c, annotator: '   ', label: 'cat' }), 'BAD_USER_INPUT', 'annotations[2].annotator');
      await rejected(submitP({ itemId: item.c, annotator: 'ann\u0000', label: 'cat' }), 'BAD_USER_INPUT', 'annotations[2].annotator');
      await rejected(submitP({ externalId: 'c\u0000', ...ok }), 'BAD_USER_INPUT', 'annotations[2].externalId');
    });

    test('a missing required field is refused by GraphQL coercion, naming the path', async () => {
      const q = SUBMIT.replace('$a: [AnnotationInput!]!', '$annotations: [AnnotationInput!]!').replace('annotations: $a', 'annotations: $annotations');
      const e = await rejected(
        () => t.gql(q, { p: P, annotations: [{ itemId: item.a, ...ok }, { itemId: item.b, ...ok }, { itemId: item.c, annotator: 'ann' }] }),
        'BAD_USER_INPUT',
        'annotations[2]',
      );
      expect(e.message).toContain('"label"');
      await rejected(
        () => t.gql(q, { p: P, annotations: [{ itemId: item.a, ...ok }, { itemId: item.b, ...ok }, { itemId: item.c, ...ok, durationMs: 1.5 }] }),
        'BAD_USER_INPUT',
        'annotations[2].durationMs',
      );
    });

    test('empty batch', async () => {
      await rejected(() => t.gql(SUBMIT, { p: P, a: [] }), 'BAD_USER_INPUT', 'annotations');
    });

    test('oversize batch: 10,001 annotations', async () => {
      const a = Array.from({ length: 10_001 }, (_, i) => ({ itemId: item.a, annotator: 'bulk', label: 'cat', clientMutationId: `bulk-${i}` }));
      const e = await rejected(() => t.gql(SUBMIT, { p: P, a }), 'BAD_USER_INPUT', 'annotations');
      expect(e.message).toMatch(/^annotations: at most 10000 .*10001/);
    });

    test('a confidence below the smallest float32 is stored as 0, not a database error', async () => {
      const cm = uniq('tiny');
      const r = await t.gql(SUBMIT, { p: P, a: [{ itemId: item.c, annotator: 'model-x', label: 'cat', kind: 'MODEL', confidence: 1e-50, clientMutationId: cm }] });
      expect(r.errors).toBeUndefined();
      expect(r.data.submitAnnotations.results[0].annotation).toMatchObject({ clientMutationId: cm });
      const [row] = await t.sql<{ confidence: number }>(`SELECT confidence FROM annotation WHERE client_mutation_id = $1`, [cm]);
      expect(Number(row.confidence)).toBe(0);
      const again = await t.gql(SUBMIT, { p: P, a: [{ itemId: item.c, annotator: 'model-x', label: 'cat', kind: 'MODEL', confidence: 1e-50, clientMutationId: cm }] });
      expect(again.data.submitAnnotations).toMatchObject({ inserted: 0, duplicates: 1 });
    });
  });

  describe('auth', () => {
    let manager: string;
    let ml: string;
    let tool: string;
    beforeAll(async () => {
      const mk = async (role: string) => (await t.gql(CREATE_KEY, { input: { name: uniq(role), role } })).data.createApiKey.key as string;
      manager = await mk('MANAGER');
      ml = await mk('ML_ENGINEER');
      tool = await mk('LABELING_TOOL');
    });

    test('missing auth → UNAUTHENTICATED', async () => {
      await rejected(importP({ externalId: uniq('x') }, P, null), 'UNAUTHENTICATED', /API key/);
      await rejected(submitP({ itemId: item.c, ...ok }, null), 'UNAUTHENTICATED', /API key/);
    });

    test('wrong role → FORBIDDEN', async () => {
      await rejected(importP({ externalId: uniq('x') }, P, manager), 'FORBIDDEN', /MANAGER/);
      await rejected(() => t.gql(SUBMIT, { p: P, a: [{ itemId: item.c, ...ok }] }, manager), 'FORBIDDEN', 'annotations[0].kind');
      // The refused kind is named by the first row that has it.
      const e = await rejected(
        () =>
          t.gql(
            SUBMIT,
            {
              p: P,
              a: [
                { itemId: item.a, annotator: 'm', label: 'cat', kind: 'MODEL' },
                { itemId: item.b, annotator: 'm', label: 'dog', kind: 'WEAK' },
                { itemId: item.c, annotator: 'h', label: 'cat', kind: 'HUMAN' },
              ],
            },
            ml,
          ),
        'FORBIDDEN',
        'annotations[2].kind',
      );
      expect(e.message).toContain('HUMAN');
      await rejected(
        () => t.gql(SUBMIT, { p: P, a: [{ itemId: item.a, ...ok }, { itemId: item.b, ...ok }, { itemId: item.c, ...ok, kind: 'GOLD' }] }, tool),
        'FORBIDDEN',
        'annotations[2].kind',
      );
    });
  });

  describe('idempotency', () => {
    test('the same clientMutationId with a different label → CONFLICT, nothing of the batch written', async () => {
      const e = await rejected(
        submitP({ externalId: 'a', annotator: 'ann', label: 'dog', clientMutationId: 'seed-1', confidence: 0.75, durationMs: 900 }),
        'CONFLICT',
        'annotations[2].clientMutationId',
      );
      expect(e.message).toMatch(/seed-1.*label/);
    });

    test.each([
      ['annotator', { annotator: 'ben' }],
      ['item', { externalId: 'b' }],
      ['kind', { kind: 'GOLD' }],
      ['confidence', { confidence: 0.5 }],
      ['durationMs', { durationMs: 901 }],
    ])('the same clientMutationId with a different %s → CONFLICT', async (what, change) => {
      const e = await rejected(
        submitP({ externalId: 'a', annotator: 'ann', label: 'cat', clientMutationId: 'seed-1', confidence: 0.75, durationMs: 900, ...change }),
        'CONFLICT',
        'annotations[2].clientMutationId',
      );
      expect(e.message).toContain(what);
    });

    test('an identical re-send: duplicates, the stored ids, nothing written', async () => {
      const batch = [
        { externalId: 'b', annotator: 'resend-1', label: 'dog', clientMutationId: uniq('rs'), confidence: 0.3 },
        { itemId: item.c, annotator: 'resend-2', label: 'bird', clientMutationId: uniq('rs'), durationMs: 10, kind: 'GOLD' },
        { externalId: 'a', annotator: 'resend-1', label: 'cat', clientMutationId: uniq('rs') },
      ];
      const first = await t.gql(SUBMIT, { p: P, a: batch });
      expect(first.errors).toBeUndefined();
      expect(first.data.submitAnnotations).toMatchObject({ inserted: 3, duplicates: 0 });
      const ids = first.data.submitAnnotations.results.map((r: { annotation: { id: string } }) => r.annotation.id);

      const before = await fingerprint();
      const again = await t.gql(SUBMIT, { p: P, a: batch });
      expect(again.errors).toBeUndefined();
      expect(again.data.submitAnnotations).toMatchObject({ inserted: 0, duplicates: 3 });
      expect(again.data.submitAnnotations.results.map((r: { duplicate: boolean }) => r.duplicate)).toEqual([true, true, true]);
      expect(again.data.submitAnnotations.results.map((r: { annotation: { id: string } }) => r.annotation.id)).toEqual(ids);
      expect(again.data.submitAnnotations.results[1].annotation).toMatchObject({ itemId: item.c, label: 'bird', kind: 'GOLD' });
      expect(await fingerprint()).toEqual(before);

      // A re-send mixed with a new row: only the new row is written.
      const mixed = await t.gql(SUBMIT, { p: P, a: [batch[0], { externalId: 'c', annotator: 'resend-1', label: 'cat', clientMutationId: uniq('rs') }] });
      expect(mixed.data.submitAnnotations).toMatchObject({ inserted: 1, duplicates: 1 });
      expect(mixed.data.submitAnnotations.results[0].annotation.id).toBe(ids[0]);
      expect((await fingerprint()).annotations).toBe(before.annotations + 1);
    });
  });
});
