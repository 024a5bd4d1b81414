import { CREATE_KEY, CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * A clientMutationId belongs to the API key that wrote it: another key re-sending it, with the right label or a wrong
 * one, gets the same answer as for any new id (a new annotation under its own annotator) and learns nothing about the
 * stored row; only the writing key gets `duplicate` or CONFLICT. A revoked key's annotators pass to the key that
 * replaces it, whose retries of the old ids are new annotations that replace the old votes (one vote per annotator).
 */
describe('idempotency keys per API key', () => {
  let t: TestApp;
  const keys: Record<string, { key: string; id: string }> = {};
  type Result = { inserted: number; duplicates: number; results: Array<{ duplicate: boolean; annotation: { id: string; label: string; apiKeyId: string } }> };
  const send = (p: string, key: string, a: Record<string, unknown>) => t.gql<{ submitAnnotations: Result }>(SUBMIT, { p, a: [a] }, key);
  let p: string;

  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['toolA', 'toolB', 'toolC', 'guess0', 'guess1', 'guess2']) {
      const r = (await t.gql(CREATE_KEY, { input: { name, role: 'LABELING_TOOL' } })).data.createApiKey;
      keys[name] = { key: r.key, id: r.apiKey.id };
    }
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'idem', classes: ['cat', 'dog', 'bird'], guidelineVersion: 'g1' } })).data.createProject.id;
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'x' }, { externalId: 'y' }] });
  });
  afterAll(async () => {
    await t?.close();
  });

  test("another key's guesses at a stored id answer alike whether right or wrong, and leave the stored row alone", async () => {
    const first = await send(p, keys.toolA.key, { externalId: 'x', annotator: 'a-ann', label: 'dog', clientMutationId: 'shared-1' });
    expect(first.errors).toBeUndefined();
    const stored = first.data!.submitAnnotations.results[0].annotation;

    // Other keys guess the label under their own annotator names: right (dog) and wrong (cat, bird) look the same.
    const answers = [];
    for (const [k, label] of (['dog', 'cat', 'bird'] as const).entries()) {
      const r = await send(p, keys[`guess${k}`].key, { externalId: 'x', annotator: `guess-ann-${k}`, label, clientMutationId: 'shared-1' });
      expect(r.errors).toBeUndefined();
      const s = r.data!.submitAnnotations;
      answers.push({ inserted: s.inserted, duplicates: s.duplicates, duplicate: s.results[0].duplicate, own: s.results[0].annotation.apiKeyId === keys[`guess${k}`].id });
      expect(s.results[0].annotation.id).not.toBe(stored.id);
    }
    expect(answers).toEqual(Array(3).fill({ inserted: 1, duplicates: 0, duplicate: false, own: true }));
    // And toolB guessing under toolA's annotator is refused for ownership, the same whatever the label.
    const refusals = [];
    for (const label of ['dog', 'cat']) {
      const e = expectError(await send(p, keys.toolB.key, { externalId: 'x', annotator: 'a-ann', label, clientMutationId: 'shared-1' }), 'FORBIDDEN');
      refusals.push(e.message);
    }
    expect(refusals[0]).toBe(refusals[1]);
    expect(refusals[0]).not.toMatch(/shared-1|dog|cat|differs/);

    const rows = await t.sql<{ label: number; api_key_id: string }>(`SELECT label, api_key_id FROM annotation WHERE project_id = $1 AND client_mutation_id = 'shared-1' ORDER BY id`, [p]);
    expect(rows.map((r) => r.api_key_id)).toEqual([keys.toolA.id, keys.guess0.id, keys.guess1.id, keys.guess2.id]);
    expect(rows[0].label).toBe(1);

    // The writing key still gets idempotency: the same content is a duplicate, another label a CONFLICT naming it.
    const again = await send(p, keys.toolA.key, { externalId: 'x', annotator: 'a-ann', label: 'dog', clientMutationId: 'shared-1' });
    expect(again.data!.submitAnnotations).toMatchObject({ inserted: 0, duplicates: 1, results: [{ duplicate: true, annotation: { id: stored.id } }] });
    const wrong = expectError(await send(p, keys.toolA.key, { externalId: 'x', annotator: 'a-ann', label: 'cat', clientMutationId: 'shared-1' }), 'CONFLICT');
    expect(wrong.message).toMatch(/differs in label/);
  });

  test('the same id with another guidelineVersion is a CONFLICT; a re-send naming none matches what was stored', async () => {
    const a = { externalId: 'y', annotator: 'a-ann', label: 'cat', clientMutationId: 'gv-1', guidelineVersion: 'g2' };
    expect((await send(p, keys.toolA.key, a)).data!.submitAnnotations.inserted).toBe(1);
    const e = expectError(await send(p, keys.toolA.key, { ...a, guidelineVersion: 'g3' }), 'CONFLICT');
    expect(e.message).toMatch(/differs in guidelineVersion/);
    const { guidelineVersion: _omitted, ...withoutVersion } = a;
    expect((await send(p, keys.toolA.key, withoutVersion)).data!.submitAnnotations.duplicates).toBe(1);
  });

  test("key rotation: after toolA is revoked, toolC takes over its annotators; its retries of toolA's ids are new annotations that replace the old votes", async () => {
    const revoke = await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: keys.toolA.id });
    expect(revoke.errors).toBeUndefined();
    const before = await t.sql<{ label_votes: number }>(`SELECT label_votes FROM item WHERE project_id = $1 AND external_id = 'x'`, [p]);
    const r = await send(p, keys.toolC.key, { externalId: 'x', annotator: 'a-ann', label: 'dog', clientMutationId: 'shared-1' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.submitAnnotations).toMatchObject({ inserted: 1, duplicates: 0 });
    // One vote per annotator: a-ann's vote was replaced, not added.
    const after = await t.sql<{ label_votes: number }>(`SELECT label_votes FROM item WHERE project_id = $1 AND external_id = 'x'`, [p]);
    expect(after[0].label_votes).toBe(before[0].label_votes);
    const [owner] = await t.sql<{ api_key_id: string }>(`SELECT api_key_id FROM annotator WHERE project_id = $1 AND name = 'a-ann'`, [p]);
    expect(owner.api_key_id).toBe(keys.toolC.id);
    // Now owned by toolC, the annotator is refused to toolB as before.
    expectError(await send(p, keys.toolB.key, { externalId: 'y', annotator: 'a-ann', label: 'dog' }), 'FORBIDDEN');
  });
});
