import { CREATE_PROJECT, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp, expectError, float32Base64 } from '../helpers/app';

/** Every round trip of the foundation API over real HTTP, on PGlite or PostgreSQL (DATABASE_URL). */
describe('GraphQL round trips', () => {
  let t: TestApp;
  let projectId: string;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('health and readiness', async () => {
    const h = await fetch(`${t.baseUrl}/healthz`);
    expect(h.status).toBe(200);
    const r = await fetch(`${t.baseUrl}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ready', database: t.dbKind });
  });

  test('createProject, project, projects, updateProject', async () => {
    const c = await t.gql(CREATE_PROJECT, {
      input: { name: 'animals', classes: ['cat', 'dog', 'bird'], embeddingDim: 3, settings: { routing: { autoAccept: 0.9 } } },
    });
    expect(c.errors).toBeUndefined();
    projectId = c.data.createProject.id;
    expect(c.data.createProject).toMatchObject({ name: 'animals', classes: ['cat', 'dog', 'bird'], embeddingDim: 3, guidelineVersion: '1' });

    const one = await t.gql(`query($id: ID!) { project(id: $id) { id name taskType settings } }`, { id: projectId });
    expect(one.data.project).toMatchObject({ id: projectId, name: 'animals', taskType: 'MULTICLASS' });
    // The effective settings: the stored value, every other key at its default.
    expect(one.data.project.settings.routing).toEqual({ autoAccept: 0.9, singleReview: 0.7, spotCheckRate: 0.05, minAgreement: 0.6, consensusVotes: 3, seed: 0 });

    const all = await t.gql(`{ projects { id } }`);
    expect(all.data.projects.map((p: { id: string }) => p.id)).toContain(projectId);

    const u = await t.gql(`mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { classes guidelineVersion } }`, {
      id: projectId,
      i: { classes: ['cat', 'dog', 'bird', 'fish'], guidelineVersion: '2' },
    });
    expect(u.data.updateProject).toEqual({ classes: ['cat', 'dog', 'bird', 'fish'], guidelineVersion: '2' });

    const bad = await t.gql(`mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { classes } }`, {
      id: projectId,
      i: { classes: ['dog', 'cat', 'bird', 'fish'] },
    });
    expectError(bad, 'BAD_USER_INPUT', 'input.classes');
  });

  let ids: string[];
  test('importItems inserts, then upserts by externalId; embeddings as lists and base64', async () => {
    const r = await t.gql(IMPORT_ITEMS, {
      p: projectId,
      items: [
        { externalId: 'a', text: 'a cat', embedding: [1, 0, 0] },
        { externalId: 'b', text: 'a dog', embeddingBase64: float32Base64([0, 1, 0.5]) },
        { externalId: 'c', text: 'a bird', data: { url: 'https://example.org/c.jpg' } },
      ],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data.importItems).toMatchObject({ inserted: 3, updated: 0 });
    ids = r.data.importItems.ids;
    expect(new Set(ids).size).toBe(3);

    const again = await t.gql(IMPORT_ITEMS, {
      p: projectId,
      items: [
        { externalId: 'c', text: 'a small bird' },
        { externalId: 'd', text: 'a fish' },
      ],
    });
    expect(again.data.importItems).toMatchObject({ inserted: 1, updated: 1 });
    expect(again.data.importItems.ids[0]).toBe(ids[2]);
    ids.push(again.data.importItems.ids[1]);

    const item = await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { externalId text data embedding } }`, {
      p: projectId,
      id: ids[1],
    });
    expect(item.data.item).toEqual({ externalId: 'b', text: 'a dog', data: null, embedding: [0, 1, 0.5] });
    const c = await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { text data } }`, { p: projectId, id: ids[2] });
    expect(c.data.item).toEqual({ text: 'a small bird', data: { url: 'https://example.org/c.jpg' } });
  });

  test('submitAnnotations by id and externalId; annotators created on first use; the key is recorded', async () => {
    const r = await t.gql(SUBMIT, {
      p: projectId,
      a: [
        { itemId: ids[0], annotator: 'ann', label: 'cat', durationMs: 1200, clientMutationId: 'm1' },
        { externalId: 'a', annotator: 'ben', label: 'cat', clientMutationId: 'm2' },
        { externalId: 'a', annotator: 'cy', label: 'dog', clientMutationId: 'm3' },
        { externalId: 'b', annotator: 'ann', label: 'dog' },
        { externalId: 'b', annotator: 'ben', label: 'cat' },
        { externalId: 'c', annotator: 'resnet', label: 'bird', kind: 'MODEL', confidence: 0.9 },
        { externalId: 'c', annotator: 'lf_wings', label: 'bird', kind: 'WEAK' },
      ],
    });
    expect(r.errors).toBeUndefined();
    const s = r.data.submitAnnotations;
    expect(s).toMatchObject({ inserted: 7, duplicates: 0 });
    expect(s.results.map((x: { index: number }) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.results[0].annotation).toMatchObject({ itemId: ids[0], label: 'cat', kind: 'HUMAN', clientMutationId: 'm1', annotator: { name: 'ann', kind: 'HUMAN' } });
    expect(s.results[5].annotation.annotator).toEqual({ name: 'resnet', kind: 'MODEL' });
    expect(s.results[6].annotation.annotator).toEqual({ name: 'lf_wings', kind: 'LABELING_FUNCTION' });
    const [adminKeyRow] = await t.sql<{ id: string }>(`SELECT id FROM api_key WHERE name = 'bootstrap admin'`);
    for (const x of s.results) expect(x.annotation.apiKeyId).toBe(adminKeyRow.id);
    const stored = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE api_key_id = $1`, [adminKeyRow.id]);
    expect(stored[0].n).toBe(7);
  });

  test('currentLabel: majority of HUMAN/GOLD votes; MODEL and WEAK never label; REVIEW decides', async () => {
    const q = `query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { currentLabel { label voteShare votes source } annotations { label kind annotator { name } } } }`;
    const a = await t.gql(q, { p: projectId, id: ids[0] });
    expect(a.data.item.currentLabel).toEqual({ label: 'cat', voteShare: expect.closeTo(2 / 3, 6), votes: 3, source: 'MAJORITY_VOTE' });
    expect(a.data.item.annotations).toHaveLength(3);
    const b = await t.gql(q, { p: projectId, id: ids[1] });
    // 1–1 tie between dog (index 1) and cat (index 0): the lowest class index wins.
    expect(b.data.item.currentLabel).toMatchObject({ label: 'cat', voteShare: 0.5, votes: 2 });
    const c = await t.gql(q, { p: projectId, id: ids[2] });
    expect(c.data.item.currentLabel).toBeNull();
    expect(c.data.item.annotations.map((x: { kind: string }) => x.kind).sort()).toEqual(['MODEL', 'WEAK']);

    const rev = await t.gql(SUBMIT, { p: projectId, a: [{ itemId: ids[0], annotator: 'qa', label: 'dog', kind: 'REVIEW' }] });
    expect(rev.errors).toBeUndefined();
    const a2 = await t.gql(q, { p: projectId, id: ids[0] });
    expect(a2.data.item.currentLabel).toMatchObject({ label: 'dog', voteShare: 1, source: 'REVIEW' });
    const gold = await t.gql(SUBMIT, { p: projectId, a: [{ itemId: ids[3], annotator: 'qa', label: 'fish', kind: 'GOLD' }] });
    expect(gold.errors).toBeUndefined();
    const d = await t.gql(q, { p: projectId, id: ids[3] });
    expect(d.data.item.currentLabel).toMatchObject({ label: 'fish', votes: 1, source: 'MAJORITY_VOTE' });
  });

  test('items: Relay pagination and filters', async () => {
    const q = `query($p: ID!, $f: ItemFilter, $first: Int, $after: String) { items(projectId: $p, filter: $f, first: $first, after: $after) {
      totalCount edges { cursor node { externalId currentLabel { label } } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const r: GqlResponse<any> = await t.gql(q, { p: projectId, first: 1, after });
      expect(r.errors).toBeUndefined();
      expect(r.data.items.totalCount).toBe(4);
      seen.push(...r.data.items.edges.map((e: { node: { externalId: string } }) => e.node.externalId));
      after = r.data.items.pageInfo.endCursor;
      if (!r.data.items.pageInfo.hasNextPage) break;
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);

    const ext = async (f: Record<string, unknown>) =>
      ((await t.gql(q, { p: projectId, f, first: 100 })).data.items.edges as Array<{ node: { externalId: string } }>).map((e) => e.node.externalId).sort();
    expect(await ext({ labeled: true })).toEqual(['a', 'b', 'd']);
    expect(await ext({ labeled: false })).toEqual(['c']);
    expect(await ext({ label: 'dog' })).toEqual(['a']);
    expect(await ext({ label: 'cat' })).toEqual(['b']);
    expect(await ext({ annotator: 'ben' })).toEqual(['a', 'b']);
    expect(await ext({ annotator: 'resnet' })).toEqual(['c']);
    expect(await ext({ createdBefore: new Date(Date.now() + 60_000).toISOString(), createdAfter: '2000-01-01T00:00:00Z' })).toEqual(['a', 'b', 'c', 'd']);
    expect(await ext({ createdAfter: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    expectError(await t.gql(q, { p: projectId, f: { label: 'unicorn' } }), 'BAD_USER_INPUT', 'filter.label');
    expectError(await t.gql(q, { p: projectId, after: 'garbage' }), 'BAD_USER_INPUT', 'after');
  });

  test('projectStats', async () => {
    const r = await t.gql(
      `query($p: ID!) { projectStats(projectId: $p) { items labeledItems annotations perKind { kind annotations }
        perClass { label items annotations } perAnnotator { annotator kind annotations items meanDurationMs } perDay { day annotations } } }`,
      { p: projectId },
    );
    expect(r.errors).toBeUndefined();
    const s = r.data.projectStats;
    expect(s).toMatchObject({ items: 4, labeledItems: 3, annotations: 9 });
    expect(s.perKind).toEqual([
      { kind: 'GOLD', annotations: 1 },
      { kind: 'HUMAN', annotations: 5 },
      { kind: 'MODEL', annotations: 1 },
      { kind: 'REVIEW', annotations: 1 },
      { kind: 'WEAK', annotations: 1 },
    ]);
    expect(s.perClass).toEqual([
      { label: 'cat', items: 1, annotations: 3 },
      { label: 'dog', items: 1, annotations: 3 },
      { label: 'bird', items: 0, annotations: 0 },
      { label: 'fish', items: 1, annotations: 1 },
    ]);
    const ann = s.perAnnotator.find((a: { annotator: string }) => a.annotator === 'ann');
    expect(ann).toEqual({ annotator: 'ann', kind: 'HUMAN', annotations: 2, items: 2, meanDurationMs: 1200 });
    expect(s.perDay).toHaveLength(1);
    expect(s.perDay[0].annotations).toBe(9);
  });

  test('annotations are append-only in the database itself', async () => {
    await expect(t.sql(`UPDATE annotation SET label = 0`)).rejects.toThrow(/append-only/);
  });
});
