import { randomUUID } from 'node:crypto';
import { CREATE_KEY, CREATE_PROJECT, expectError, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Text and JSON that the database would reject or mangle (U+0000, lone surrogates, deep or huge JSON, cursors out of
 * range) and argument-validation failures: each is refused as BAD_USER_INPUT naming the field and the rule, with
 * nothing written, no 500, and no echo of the input beyond a short prefix.
 */
describe('input safety', () => {
  let t: TestApp;
  let P: string; // classes cat, dog, bird
  let itemA: string;
  let n = 0;
  const uniq = (p: string) => `${p}-${++n}`;
  const MB = 'x'.repeat(1_000_000);
  const UPDATE = `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id } }`;

  const fingerprint = async () =>
    (
      await t.sql(`SELECT
        (SELECT count(*)::int FROM project) AS projects,
        (SELECT max(updated_at)::text FROM project) AS project_updated,
        (SELECT count(*)::int FROM item) AS items,
        (SELECT max(updated_at)::text FROM item) AS item_updated,
        (SELECT count(*)::int FROM annotation) AS annotations,
        (SELECT count(*)::int FROM annotator) AS annotators,
        (SELECT count(*)::int FROM api_key) AS keys`)
    )[0];

  /** Runs `send`; asserts BAD_USER_INPUT (or `code`) on `field`, the message, a short body, and nothing written. */
  async function refused(send: () => Promise<GqlResponse<unknown>>, field: string, message?: string | RegExp, code = 'BAD_USER_INPUT') {
    const before = await fingerprint();
    const res = await send();
    const e = expectError(res, code);
    expect(e.extensions?.field).toBe(field);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    if (typeof message === 'string') expect(e.message).toBe(`${field}: ${message}`);
    else if (message) expect(e.message).toMatch(message);
    expect(Object.keys(e.extensions ?? {}).sort()).toEqual(['code', 'field']);
    const body = JSON.stringify(res);
    expect(body.length).toBeLessThan(4000);
    expect(body).not.toMatch(/Internal server error|stacktrace|validationErrors/);
    expect(await fingerprint()).toEqual(before);
    return e;
  }

  const importRow = (bad: Record<string, unknown>) => () =>
    t.gql(IMPORT_ITEMS, { p: P, items: [{ externalId: uniq('ok') }, { externalId: 'a', text: 'changed' }, bad] });
  const submitRow = (bad: Record<string, unknown>) => () =>
    t.gql(SUBMIT, { p: P, a: [{ externalId: 'a', annotator: 'ann', label: 'cat' }, { itemId: itemA, annotator: uniq('ann'), label: 'dog' }, bad] });
  const createProject = (input: Record<string, unknown>) => () => t.gql(CREATE_PROJECT, { input: { name: uniq('p'), classes: ['cat', 'dog'], ...input } });

  beforeAll(async () => {
    t = await startTestApp();
    P = (await t.gql(CREATE_PROJECT, { input: { name: 'safety', classes: ['cat', 'dog', 'bird'] } })).data.createProject.id;
    itemA = (await t.gql(IMPORT_ITEMS, { p: P, items: [{ externalId: 'a', text: 'a' }] })).data.importItems.ids[0];
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('text: U+0000 and lone surrogates', () => {
    test('U+0000 inside a JSON array in item data, after a number', async () => {
      await refused(importRow({ externalId: uniq('x'), data: { arr: [1, 'x\u0000'] } }), 'items[2].data.arr[1]', 'must not contain the character U+0000 (at character 1)');
    });

    test('U+0000 inside a JSON array in settings, on create and on update', async () => {
      await refused(createProject({ settings: { tags: [1, 2, 'a\u0000'] } }), 'input.settings.tags[2]', /U\+0000/);
      await refused(() => t.gql(UPDATE, { id: P, input: { settings: { tags: [0.5, 'a\u0000'] } } }), 'input.settings.tags[1]', /U\+0000/);
    });

    test('a lone surrogate in externalId, annotator, clientMutationId, text, data (value and key), settings, projectId', async () => {
      const msg = (i: number) => `must be valid Unicode (a lone surrogate at character ${i})`;
      await refused(importRow({ externalId: 'abcd\ud800' }), 'items[2].externalId', msg(4));
      await refused(importRow({ externalId: uniq('x'), text: 'a\udc00b' }), 'items[2].text', msg(1));
      await refused(importRow({ externalId: uniq('x'), data: { list: ['ok', { k: '\ud83d' }] } }), 'items[2].data.list[1].k', msg(0));
      await refused(importRow({ externalId: uniq('x'), data: { ['ke\udfffy']: 1 } }), 'items[2].data["ke\\udfffy"]', /lone surrogate at character 2 of the key/);
      await refused(submitRow({ externalId: 'a', annotator: 'ann\ud800x', label: 'cat' }), 'annotations[2].annotator', msg(3));
      await refused(submitRow({ externalId: 'a\ud800', annotator: 'ann', label: 'cat' }), 'annotations[2].externalId', msg(1));
      await refused(submitRow({ externalId: 'a', annotator: 'ann', label: 'cat', clientMutationId: 'cm-\udbff' }), 'annotations[2].clientMutationId', msg(3));
      await refused(createProject({ settings: { note: '\ud800' } }), 'input.settings.note', msg(0));
      await refused(() => t.gql(IMPORT_ITEMS, { p: `${P}\ud800`, items: [{ externalId: uniq('x') }] }), 'projectId', msg(36));
      // Surrogate pairs (emoji) are fine, and stored as sent.
      const ok = await t.gql(IMPORT_ITEMS, { p: P, items: [{ externalId: 'emoji-😀', text: 'a 😀 b', data: { '😀': ['😀'] } }] });
      expect(ok.errors).toBeUndefined();
      const [row] = await t.sql<{ text: string }>(`SELECT text FROM item WHERE external_id = $1`, ['emoji-😀']);
      expect(row.text).toBe('a 😀 b');
      expect((await t.sql(`SELECT 1 FROM item WHERE text LIKE '%' || chr(65533) || '%'`)).length).toBe(0);
    });

    test('every retry of a clientMutationId with a lone surrogate answers the same BAD_USER_INPUT', async () => {
      for (let i = 0; i < 2; i++) {
        await refused(
          () => t.gql(SUBMIT, { p: P, a: [{ externalId: 'a', annotator: 'ann', label: 'cat', clientMutationId: 'retry-\ud800' }] }),
          'annotations[0].clientMutationId',
          /lone surrogate/,
        );
      }
    });
  });

  describe('JSON depth and size', () => {
    const nest = (levels: number, leaf: unknown = 1) => {
      let v: unknown = leaf;
      for (let i = 0; i < levels; i++) v = { a: v };
      return v as Record<string, unknown>;
    };

    /** POSTs `query` with variables whose `$deep` placeholder is `levels` nested objects, written as text (too deep for JSON.stringify). */
    const deepCall = (query: string, variables: Record<string, unknown>, levels: number) => async (): Promise<GqlResponse<unknown>> => {
      const deep = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
      const body = JSON.stringify({ query, variables }).replace('"$deep"', deep);
      const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` }, body });
      return { ...((await res.json()) as GqlResponse<unknown>), status: res.status };
    };

    test('settings nested 5,000 levels: refused, no stack overflow', async () => {
      await refused(deepCall(CREATE_PROJECT, { input: { name: uniq('p'), classes: ['cat', 'dog'], settings: '$deep' } }, 5000), 'input.settings', 'nests deeper than 32 levels');
      await refused(deepCall(UPDATE, { id: P, input: { settings: '$deep' } }, 5000), 'input.settings', 'nests deeper than 32 levels');
    });

    test('item data: 32 levels accepted, 33 and 5,000 refused', async () => {
      const ok = await t.gql(IMPORT_ITEMS, { p: P, items: [{ externalId: uniq('deep'), data: nest(32) }] });
      expect(ok.errors).toBeUndefined();
      await refused(importRow({ externalId: uniq('x'), data: nest(33) }), 'items[2].data', 'nests deeper than 32 levels');
      await refused(
        deepCall(IMPORT_ITEMS, { p: P, items: [{ externalId: uniq('ok') }, { externalId: 'a', text: 'changed' }, { externalId: uniq('x'), data: '$deep' }] }, 5000),
        'items[2].data',
        'nests deeper than 32 levels',
      );
    });

    test('item data over 1 MiB as JSON is refused', async () => {
      await refused(importRow({ externalId: uniq('x'), data: { blob: 'y'.repeat(1_048_576) } }), 'items[2].data', /^items\[2\]\.data: is 1048587 bytes as JSON; at most 1048576$/);
    });
  });

  describe('cursors', () => {
    const q = `query($p: ID!, $after: String) { items(projectId: $p, after: $after) { totalCount } }`;
    const cursor = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
    test.each([
      ['a number beyond bigint', `99999999999999999999999|${randomUUID()}`],
      ['the largest bigint', `9223372036854775807|${randomUUID()}`],
      ['a negative number', `-5|${randomUUID()}`],
      ['a lone surrogate', `1\ud800|${randomUUID()}`],
      ['not base64url at all', null],
    ])('%s → BAD_USER_INPUT after', async (_label, c) => {
      const after = c === null ? '!!!' : cursor(c);
      await refused(() => t.gql(q, { p: P, after }), 'after', 'is not a cursor returned by this API');
    });

    test('a real cursor still pages', async () => {
      const first = await t.gql(`query($p: ID!) { items(projectId: $p, first: 1) { pageInfo { endCursor } } }`, { p: P });
      const next = await t.gql(q, { p: P, after: first.data.items.pageInfo.endCursor });
      expect(next.errors).toBeUndefined();
    });
  });

  describe('argument validation names the field and the rule', () => {
    test.each([
      ['no classes', []],
      ['one class', ['only']],
      ['1,001 classes', Array.from({ length: 1001 }, (_, i) => `c${i}`)],
    ])('createProject with %s', async (_label, classes) => {
      await refused(createProject({ classes }), 'input.classes', 'must have 2–1,000 entries');
    });

    test('updateProject with 1,001 classes', async () => {
      await refused(() => t.gql(UPDATE, { id: P, input: { classes: ['cat', 'dog', 'bird', ...Array.from({ length: 998 }, (_, i) => `c${i}`)] } }), 'input.classes', 'must have 2–1,000 entries');
    });

    test.each([0, -1, 65537])('embeddingDim %p', async (embeddingDim) => {
      await refused(createProject({ embeddingDim }), 'input.embeddingDim', 'must be an integer in 1–65,536');
      await refused(() => t.gql(UPDATE, { id: P, input: { embeddingDim } }), 'input.embeddingDim', 'must be an integer in 1–65,536');
    });

    test('an empty or 1 MB project name', async () => {
      await refused(createProject({ name: '' }), 'input.name', 'must have 1–200 characters');
      await refused(createProject({ name: MB }), 'input.name', 'must have 1–200 characters');
      await refused(() => t.gql(UPDATE, { id: P, input: { name: MB } }), 'input.name', 'must have 1–200 characters');
    });

    test('a 1 MB class name, and one of 201 characters', async () => {
      await refused(createProject({ classes: ['cat', MB] }), 'input.classes[1]', 'must have 1–200 characters');
      await refused(createProject({ classes: ['y'.repeat(201), 'cat'] }), 'input.classes[0]', 'must have 1–200 characters');
      await refused(() => t.gql(UPDATE, { id: P, input: { classes: ['cat', 'dog', 'bird', MB] } }), 'input.classes[3]', 'must have 1–200 characters');
    });

    test('guideline versions of more than 200 characters, on a project and on an annotation', async () => {
      const long = 'v'.repeat(201);
      await refused(createProject({ guidelineVersion: long }), 'input.guidelineVersion', 'must have 1–200 characters');
      await refused(() => t.gql(UPDATE, { id: P, input: { guidelineVersion: MB } }), 'input.guidelineVersion', 'must have 1–200 characters');
      await refused(submitRow({ externalId: 'a', annotator: 'ann', label: 'cat', guidelineVersion: MB }), 'annotations[2].guidelineVersion', 'must have 1–200 characters');
      const ok = await createProject({ guidelineVersion: 'v'.repeat(200) })();
      expect(ok.errors).toBeUndefined();
    });

    test('createApiKey: projectIds [] and a 1 MB or empty name', async () => {
      await refused(() => t.gql(CREATE_KEY, { input: { name: uniq('k'), role: 'MANAGER', projectIds: [] } }), 'input.projectIds', 'must have at least 1 entry (omit it for every project)');
      await refused(() => t.gql(CREATE_KEY, { input: { name: MB, role: 'MANAGER' } }), 'input.name', 'must have 1–200 characters');
      await refused(() => t.gql(CREATE_KEY, { input: { name: '', role: 'MANAGER' } }), 'input.name', 'must have 1–200 characters');
    });
  });

  describe('no error echoes an input beyond 80 characters', () => {
    const clipped = (s: string) => `${s.slice(0, 80)}…`;

    test('a 1 MB wrong label: the label is cut, the class list bounded', async () => {
      const e = await refused(submitRow({ externalId: 'a', annotator: 'ann', label: MB }), 'annotations[2].label');
      expect(e.message).toBe(`annotations[2].label: "${clipped(MB)}" is not one of the project's classes (cat, dog, bird)`);
    });

    test("a wrong label in a project of 1,000 long class names: the class list is cut", async () => {
      const classes = Array.from({ length: 1000 }, (_, i) => `${i}-${'c'.repeat(190)}`);
      const big = (await t.gql(CREATE_PROJECT, { input: { name: uniq('big'), classes } })).data.createProject.id;
      await t.gql(IMPORT_ITEMS, { p: big, items: [{ externalId: 'a' }] });
      const before = await fingerprint();
      const res = await t.gql(SUBMIT, { p: big, a: [{ externalId: 'a', annotator: 'ann', label: 'nope' }] });
      const e = expectError(res, 'BAD_USER_INPUT', 'annotations[0].label');
      expect(JSON.stringify(res).length).toBeLessThan(1000);
      expect(e.message).toMatch(/^annotations\[0\]\.label: "nope" is not one of the project's classes \(0-c+….*; 1000 classes\)$/);
      expect(await fingerprint()).toEqual(before);
    });

    test('a 1 MB itemId, externalId, filter label, annotator filter', async () => {
      const e1 = await refused(submitRow({ itemId: MB, annotator: 'ann', label: 'cat' }), 'annotations[2].itemId', undefined, 'NOT_FOUND');
      expect(e1.message).toBe(`annotations[2].itemId: item ${clipped(MB)} not found`);
      await refused(submitRow({ externalId: MB, annotator: 'ann', label: 'cat' }), 'annotations[2].externalId', undefined, 'NOT_FOUND');
      const q = `query($p: ID!, $f: ItemFilter) { items(projectId: $p, filter: $f) { totalCount } }`;
      await refused(() => t.gql(q, { p: P, f: { label: MB } }), 'filter.label');
      await refused(() => t.gql(q, { p: P, f: { annotator: MB } }), 'filter.annotator', undefined, 'NOT_FOUND');
      await refused(() => t.gql(`query($p: ID!) { project(id: $p) { id } }`, { p: MB }), 'id', undefined, 'NOT_FOUND');
    });

    test("GraphQL's own coercion errors do not echo a 1 MB value either", async () => {
      const res = await t.gql(`query($p: ID!, $first: Int) { items(projectId: $p, first: $first) { totalCount } }`, { p: P, first: MB });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res).length).toBeLessThan(4000);
    });
  });
});
