import { CREATE_PROJECT, expectError, GqlResponse, startTestApp, TestApp } from '../helpers/app';

/**
 * Project settings over the API: every key validated on createProject and updateProject (BAD_USER_INPUT naming the
 * key path, nothing written), updateProject as a JSON merge patch, project.settings as the effective settings, and
 * the size and depth bounds.
 */
describe('project settings', () => {
  let t: TestApp;
  const UPDATE = `mutation($id: ID!, $s: JSONObject!) { updateProject(id: $id, input: { settings: $s }) { id settings } }`;
  const stored = async (id: string) => (await t.sql<{ settings: Record<string, unknown> }>(`SELECT settings FROM project WHERE id = $1`, [id]))[0].settings;
  const create = async (name: string, settings?: Record<string, unknown>) => {
    const r = await t.gql(CREATE_PROJECT, { input: { name, classes: ['a', 'b'], settings } });
    expect(r.errors).toBeUndefined();
    return r.data.createProject.id as string;
  };
  const projectCount = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM project`))[0].n;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('bad values are refused with the key path and the allowed values; nothing is written', async () => {
    const before = await projectCount();
    const c1 = await t.gql(CREATE_PROJECT, { input: { name: 'bad-drift', classes: ['a', 'b'], settings: { drift: { split: 'bogus' }, routing: { autoAccept: 7 } } } });
    const e1 = expectError(c1, 'BAD_USER_INPUT', 'input.settings.');
    expect(e1.message).toMatch(/input\.settings\.(drift\.split: must be one of "time", "halves"|routing\.autoAccept: must be a number in \[0, 1\])/);
    expectError(await t.gql(CREATE_PROJECT, { input: { name: 'bad-lease', classes: ['a', 'b'], settings: { leaseSeconds: 'abc' } } }), 'BAD_USER_INPUT', 'input.settings.leaseSeconds: must be a number in (0, 604800]');
    expect(await projectCount()).toBe(before);

    const id = await create('good', { goldRate: 0.1 });
    const at = (await t.sql<{ updated_at: Date }>(`SELECT updated_at FROM project WHERE id = $1`, [id]))[0].updated_at;
    expectError(await t.gql(UPDATE, { id, s: { drift: { split: 'bogus' } } }), 'BAD_USER_INPUT', 'input.settings.drift.split: must be one of "time", "halves", got "bogus"');
    expectError(await t.gql(UPDATE, { id, s: { routing: { autoAccept: 7 } } }), 'BAD_USER_INPUT', 'input.settings.routing.autoAccept: must be a number in [0, 1], got 7');
    expectError(await t.gql(UPDATE, { id, s: { leaseSeconds: 'abc' } }), 'BAD_USER_INPUT', 'input.settings.leaseSeconds');
    // A bad value next to a good one writes neither.
    expectError(await t.gql(`mutation($id: ID!, $s: JSONObject!) { updateProject(id: $id, input: { name: "renamed", settings: $s }) { id } }`, { id, s: { goldRate: 0.2, skipCooldownSeconds: -1 } }), 'BAD_USER_INPUT', 'input.settings.skipCooldownSeconds');
    const [row] = await t.sql<{ name: string; settings: Record<string, unknown>; updated_at: Date }>(`SELECT name, settings, updated_at FROM project WHERE id = $1`, [id]);
    expect(row).toEqual({ name: 'good', settings: { goldRate: 0.1 }, updated_at: at });
  });

  test('schedules: unknown job names and invalid cron expressions are refused', async () => {
    const id = await create('sched');
    expectError(await t.gql(UPDATE, { id, s: { schedules: { nightly: '0 3 * * *' } } }), 'BAD_USER_INPUT', 'input.settings.schedules.nightly: unknown job; jobs: train,');
    expectError(await t.gql(UPDATE, { id, s: { schedules: { train: 'not a cron' } } }), 'BAD_USER_INPUT', 'input.settings.schedules.train: must be a cron expression');
    expect(await stored(id)).toEqual({});
  });

  test('updateProject merges (RFC 7386): setting schedules keeps drift.split; null removes a key', async () => {
    const id = await create('merge', { drift: { split: 'halves', seed: 3 }, demo: true });
    const u = await t.gql(UPDATE, { id, s: { schedules: { train: '30 2 * * *' } } });
    expect(u.errors).toBeUndefined();
    expect(await stored(id)).toEqual({ drift: { split: 'halves', seed: 3 }, demo: true, schedules: { train: '30 2 * * *' } });
    expect(u.data.updateProject.settings.drift.split).toBe('halves');

    expect((await t.gql(UPDATE, { id, s: { drift: { seed: null, windowDays: 3 }, demo: null } })).errors).toBeUndefined();
    expect(await stored(id)).toEqual({ drift: { split: 'halves', windowDays: 3 }, schedules: { train: '30 2 * * *' } });
    // Validation runs on the merged result: a patch that leaves an inconsistent whole is refused.
    expect((await t.gql(UPDATE, { id, s: { routing: { autoAccept: 0.8 } } })).errors).toBeUndefined();
    expectError(await t.gql(UPDATE, { id, s: { routing: { singleReview: 0.9 } } }), 'BAD_USER_INPUT', 'input.settings.routing.singleReview');
  });

  test('project.settings shows the effective settings: defaults filled in, optional windows absent, free keys kept', async () => {
    const id = await create('effective', { routing: { consensusVotes: 5 }, source: 'somewhere' });
    const r = await t.gql(`query($id: ID!) { project(id: $id) { settings } }`, { id });
    const s = r.data.project.settings;
    expect(s).toMatchObject({ leaseSeconds: 600, skipCooldownSeconds: 86400, goldRate: 0.05, requireEmbedding: false, sharedAnnotators: false, source: 'somewhere', schedules: {} });
    expect(s.routing).toEqual({ autoAccept: 0.95, singleReview: 0.7, spotCheckRate: 0.05, minAgreement: 0.6, consensusVotes: 5, seed: 0 });
    expect(s.drift).toEqual({
      split: 'time', windowDays: 7, referenceDays: 30, sampleSize: 2000, permutations: 100, seed: 0, minAnnotations: 5,
      thresholds: { pvalueWarn: 0.05, pvalueDrift: 0.01, psiWarn: 0.1, psiDrift: 0.25, jsWarn: 0.1, jsDrift: 0.2 },
    });
    expect(s.labelIssues).toEqual({ filterBy: 'prune_by_noise_rate', rankBy: 'self_confidence' });
    // What is stored stays the patch-able object.
    expect(await stored(id)).toEqual({ routing: { consensusVotes: 5 }, source: 'somewhere' });
  });

  test('settings over 64 kB are refused on input.settings', async () => {
    const id = await create('big');
    expectError(await t.gql(UPDATE, { id, s: { notes: 'x'.repeat(70_000) } }), 'BAD_USER_INPUT', 'input.settings: is 700');
    expectError(await t.gql(CREATE_PROJECT, { input: { name: 'big2', classes: ['a', 'b'], settings: { notes: 'x'.repeat(65_537) } } }), 'BAD_USER_INPUT', 'at most 65536');
    // Two patches under the bound each, over it together.
    expect((await t.gql(UPDATE, { id, s: { a: 'x'.repeat(40_000) } })).errors).toBeUndefined();
    expectError(await t.gql(UPDATE, { id, s: { b: 'x'.repeat(40_000) } }), 'BAD_USER_INPUT', 'input.settings: is 800');
    expect(Object.keys(await stored(id))).toEqual(['a']);
  });

  test('deeply nested settings are refused cleanly', async () => {
    const id = await create('deep');
    // Built as text: the variables nest 10,000 objects deep.
    const n = 10_000;
    const body = `{"query": ${JSON.stringify(UPDATE)}, "variables": {"id": "${id}", "s": {"free": ${'{"a": '.repeat(n)}1${'}'.repeat(n)}}}}`;
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}` }, body });
    expectError((await res.json()) as GqlResponse<unknown>, 'BAD_USER_INPUT', 'input.settings: nests deeper than 32 levels');
    // Just over the bound is refused too; at the bound is accepted.
    const nest = (k: number): Record<string, unknown> => (k === 0 ? {} : { a: nest(k - 1) });
    expectError(await t.gql(UPDATE, { id, s: nest(32) }), 'BAD_USER_INPUT', 'input.settings: nests deeper than 32 levels');
    expect((await t.gql(UPDATE, { id, s: { free: nest(30) } })).errors).toBeUndefined();
    expect((await t.gql(UPDATE, { id, s: { free: null } })).errors).toBeUndefined();
    // Written inline in the operation instead of as a variable: refused the same way; far deeper, the parser refuses it.
    const inline = (k: number) => `mutation { updateProject(id: "${id}", input: { settings: { free: ${'{a: '.repeat(k)}1${'}'.repeat(k)} } }) { id } }`;
    expectError(await t.gql(inline(40)), 'BAD_USER_INPUT', 'input.settings: nests deeper than 32 levels');
    const parsed = await t.gql(inline(5000));
    expect(parsed.status).toBe(400);
    expectError(parsed, 'GRAPHQL_PARSE_FAILED');
    expect(await stored(id)).toEqual({});
    // The server is still well.
    expect((await t.gql(`query($id: ID!) { project(id: $id) { id } }`, { id })).data.project.id).toBe(id);
  });

  test('stored settings that no longer validate fail their readers with the key named, not a stack trace', async () => {
    const id = await create('legacy');
    await t.sql(`UPDATE project SET settings = '{"leaseSeconds": "abc"}'::jsonb WHERE id = $1`, [id]);
    const r = await t.gql(`query($p: ID!) { nextBatch(projectId: $p, size: 1, annotator: "x") { items { item { id } } } }`, { p: id });
    expectError(r, 'BAD_USER_INPUT', 'settings.leaseSeconds');
    // The project still reads (shown as stored), and a patch that fixes the key is accepted.
    expect((await t.gql(`query($id: ID!) { project(id: $id) { settings } }`, { id })).data.project.settings).toEqual({ leaseSeconds: 'abc' });
    expect((await t.gql(UPDATE, { id, s: { leaseSeconds: null } })).errors).toBeUndefined();
    expect(await stored(id)).toEqual({});
  });
});
