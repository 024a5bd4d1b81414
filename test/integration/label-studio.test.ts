import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CREATE_KEY, CREATE_PROJECT, expectError, startTestApp, TestApp } from '../helpers/app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/label-studio', name), 'utf8'));

const CREATE = `mutation($p: ID!) { createLabelStudioConnector(projectId: $p) { id projectId url createdAt revokedAt } }`;
const REVOKE = `mutation($id: ID!) { revokeLabelStudioConnector(id: $id) { id url revokedAt } }`;
const LIST = `query($p: ID!) { labelStudioConnectors(projectId: $p) { id url fromName toName dataKey revokedAt } }`;

/** Label Studio connectors: created and listed over GraphQL, the URL Label Studio calls as its ML backend. */
describe('Label Studio connectors', () => {
  let t: TestApp;
  let p: string;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    for (const role of ['ML_ENGINEER', 'QA_LEAD', 'LABELING_TOOL']) keys[role] = (await t.gql(CREATE_KEY, { input: { name: role, role } })).data.createApiKey.key;
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'ls-connectors', classes: ['Positive', 'Negative'] } })).data.createProject.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('an ML engineer creates a connector: an absolute URL with a 256-bit secret, shown once and stored hashed', async () => {
    const r = await t.gql(CREATE, { p }, keys.ML_ENGINEER);
    expect(r.errors).toBeUndefined();
    const c = r.data.createLabelStudioConnector;
    expect(c.url).toMatch(new RegExp(`^${t.baseUrl}/label-studio/[A-Za-z0-9_-]{43}$`));
    const secret = c.url.split('/').pop();
    const [row] = await t.sql(`SELECT secret_hash, api_key_id FROM label_studio_connector WHERE id = $1`, [c.id]);
    expect(row.secret_hash).not.toContain(secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    // It acts as a key of its own, scoped to the project and never listed among the API keys.
    const [key] = await t.sql(`SELECT role, project_ids FROM api_key WHERE id = $1`, [row.api_key_id]);
    expect(key.role).toBe('LABELING_TOOL');
    expect(key.project_ids).toEqual([p]);
    const listed = await t.gql(`{ apiKeys { id } }`);
    expect(listed.data.apiKeys.map((k: { id: string }) => k.id)).not.toContain(row.api_key_id);
    // The secret is not a bearer key.
    expect((await t.gql(`{ projects { id } }`, {}, secret)).status).toBe(401);

    const list = await t.gql(LIST, { p }, keys.ML_ENGINEER);
    expect(list.data.labelStudioConnectors).toEqual([{ id: c.id, url: null, fromName: null, toName: null, dataKey: null, revokedAt: null }]);
  });

  test('other roles may neither create nor list; revoking keeps the row', async () => {
    expectError(await t.gql(CREATE, { p }, keys.QA_LEAD), 'FORBIDDEN');
    expectError(await t.gql(CREATE, { p }, keys.LABELING_TOOL), 'FORBIDDEN');
    expectError(await t.gql(LIST, { p }, keys.QA_LEAD), 'FORBIDDEN');
    expectError(await t.gql(CREATE, { p: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
    const c = (await t.gql(CREATE, { p })).data.createLabelStudioConnector;
    expectError(await t.gql(REVOKE, { id: c.id }, keys.QA_LEAD), 'FORBIDDEN');
    const r = await t.gql(REVOKE, { id: c.id });
    expect(r.errors).toBeUndefined();
    expect(r.data.revokeLabelStudioConnector.url).toBeNull();
    expect(r.data.revokeLabelStudioConnector.revokedAt).not.toBeNull();
    expectError(await t.gql(REVOKE, { id: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
  });
});

/**
 * Label Studio's ML-backend protocol over real HTTP, with request bodies shaped as Label Studio sends them
 * (test/fixtures/label-studio): health → setup → predict on new tasks → predictions for them → predict again.
 */
describe('Label Studio ML-backend protocol', () => {
  let t: TestApp;
  let p: string;
  let url: string;
  const setupBody = fixture('setup-text.json');
  const predictBody = fixture('predict-text.json');

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (path: string, body?: unknown, opts: { base?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${opts.base ?? url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const classes = async () => (await t.sql<{ classes: string[] }>(`SELECT classes FROM project WHERE id = $1`, [p]))[0].classes;
  const itemCount = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE project_id = $1`, [p]))[0].n;
  const connectorConfig = async () => (await t.sql<{ config: unknown }>(`SELECT config FROM label_studio_connector WHERE project_id = $1`, [p]))[0].config;
  const setupWith = (schema: string) => call('/setup', { ...setupBody, schema });

  beforeAll(async () => {
    t = await startTestApp();
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'ls-protocol', classes: ['Positive', 'Negative'] } })).data.createProject.id;
    url = (await t.gql(CREATE, { p })).data.createLabelStudioConnector.url;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('GET /health and GET / answer UP', async () => {
    expect(await call('/health')).toEqual({ status: 200, body: { status: 'UP', model_class: 'Loupe' } });
    expect(await call('')).toEqual({ status: 200, body: { status: 'UP', model_class: 'Loupe' } });
    expect(await call('/')).toEqual({ status: 200, body: { status: 'UP', model_class: 'Loupe' } });
  });

  test('a wrong or malformed secret is 401 in Label Studio\'s error shape, saying nothing of projects', async () => {
    const wrong = `${t.baseUrl}/label-studio/${'A'.repeat(43)}`;
    for (const base of [wrong, `${t.baseUrl}/label-studio/nope`]) {
      const r = await call('/health', undefined, { base });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ status: 401, detail: expect.stringMatching(/unknown or revoked Loupe connector URL/) });
      expect(r.body.detail).not.toMatch(/project/);
      expect((await call('/setup', setupBody, { base })).status).toBe(401);
    }
    expect(await classes()).toEqual(['Positive', 'Negative']);
  });

  test('bad label configs are 400 with a clear detail, and nothing is written', async () => {
    const malformed = await setupWith('<View><Text name="text" value="$text"><Choices name="s" toName="text"></View>');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ status: 400, detail: expect.stringMatching(/^schema: malformed XML at line 1/) });

    const noChoices = await setupWith('<View><Text name="text" value="$text"/><Labels name="l" toName="text"><Label value="PER"/></Labels></View>');
    expect(noChoices.status).toBe(400);
    expect(noChoices.body.detail).toMatch(/no single-choice <Choices>/);

    const multiple = await setupWith('<View><Text name="text" value="$text"/><Choices name="s" toName="text" choice="multiple"><Choice value="Positive"/></Choices></View>');
    expect(multiple.status).toBe(400);
    expect(multiple.body.detail).toMatch(/no single-choice <Choices>/);

    const conflicting = await setupWith('<View><Text name="text" value="$text"/><Choices name="s" toName="text"><Choice value="Positive"/><Choice value="Other"/></Choices></View>');
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.detail).toMatch(/lack the project's classes Negative/);

    const notJson = await call('/setup', '{"schema": ');
    expect(notJson).toEqual({ status: 400, body: { status: 400, detail: 'request body is not valid JSON' } });

    expect(await classes()).toEqual(['Positive', 'Negative']);
    expect(await connectorConfig()).toBeNull();
  });

  test('POST /setup appends the new choices to the classes and remembers the names; no model yet → "none"', async () => {
    expect(await call('/setup', setupBody)).toEqual({ status: 200, body: { model_version: 'none' } });
    expect(await classes()).toEqual(['Positive', 'Negative', 'Neutral']);
    expect(await connectorConfig()).toEqual({ fromName: 'sentiment', toName: 'text', dataKey: 'text', objectTag: 'Text' });
    const list = await t.gql(LIST, { p });
    expect(list.data.labelStudioConnectors[0]).toMatchObject({ fromName: 'sentiment', toName: 'text', dataKey: 'text' });
    // Sending the same config again changes nothing.
    expect((await call('/setup', setupBody)).status).toBe(200);
    expect(await classes()).toEqual(['Positive', 'Negative', 'Neutral']);
  });

  test('POST /predict imports new tasks and, with no model, answers an empty result per task in order', async () => {
    const r = await call('/predict', predictBody);
    expect(r).toEqual({ status: 200, body: { results: [{ result: [] }, { result: [] }] } });
    const items = await t.sql<{ external_id: string; text: string }>(`SELECT external_id, text FROM item WHERE project_id = $1 ORDER BY external_id`, [p]);
    expect(items).toEqual([
      { external_id: 'ls-101', text: predictBody.tasks[0].data.text },
      { external_id: 'ls-102', text: predictBody.tasks[1].data.text },
    ]);
    // A re-sent task is not imported again.
    expect((await call('/predict', predictBody)).status).toBe(200);
    expect(await itemCount()).toBe(2);
  });

  test('a task without the data key is 400 naming it, and nothing is imported', async () => {
    const r = await call('/predict', { ...predictBody, tasks: [{ id: 200, data: { text: 'fine' } }, { id: 201, data: { body: 'no text key' } }] });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/^tasks\[1\]\.data\.text: must be a string/);
    expect(await itemCount()).toBe(2);
  });

  test('after submitPredictions, /predict returns each task\'s label, score and model version, in task order', async () => {
    const sub = await t.gql(
      `mutation($p: ID!, $preds: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "sentiment-bert", predictions: $preds) { version } }`,
      {
        p,
        preds: [
          { externalId: 'ls-101', probs: [0.8, 0.15, 0.05] },
          { externalId: 'ls-102', probs: [0.1, 0.2, 0.7] },
        ],
      },
    );
    expect(sub.errors).toBeUndefined();
    const version = sub.data.submitPredictions.version;
    const tasks = [predictBody.tasks[1], { id: 103, data: { text: 'Not sure what to think.' } }, predictBody.tasks[0]];
    const r = await call('/predict', { ...predictBody, tasks });
    expect(r.status).toBe(200);
    const [second, fresh, first] = r.body.results;
    expect(second).toEqual({
      result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Neutral'] } }],
      score: expect.closeTo(0.7, 6),
      model_version: version,
    });
    expect(first).toEqual({
      result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Positive'] } }],
      score: expect.closeTo(0.8, 6),
      model_version: version,
    });
    // A task the model has not predicted: imported, an empty result.
    expect(fresh).toEqual({ result: [], model_version: version });
    expect(await itemCount()).toBe(3);

    expect(await call('/versions')).toEqual({ status: 200, body: { versions: [version] } });
    expect((await call('/setup', setupBody)).body).toEqual({ model_version: version });
  });

  test('HTTP Basic auth with a Loupe API key of the project as password is accepted; another password is 401', async () => {
    const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`label-studio:${pw}`).toString('base64')}` });
    expect((await call('/health', undefined, { headers: basic(t.adminKey) })).status).toBe(200);
    const r = await call('/health', undefined, { headers: basic('lp_not_a_key') });
    expect(r).toEqual({ status: 401, body: { status: 401, detail: expect.stringMatching(/Basic auth password/) } });
  });

  test('/train, /validate, /job_status, /duplicate_model, /delete and unknown paths are 404 with a JSON body', async () => {
    for (const path of ['/train', '/validate', '/job_status', '/duplicate_model', '/delete', '/nothing-here']) {
      const r = await call(path, {});
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ status: 404, detail: expect.any(String) });
    }
  });

  test('a revoked connector\'s URL is 401', async () => {
    const c = (await t.gql(CREATE, { p })).data.createLabelStudioConnector;
    expect((await call('/health', undefined, { base: c.url })).status).toBe(200);
    await t.gql(REVOKE, { id: c.id });
    expect((await call('/health', undefined, { base: c.url })).status).toBe(401);
  });
});

describe('Label Studio connector secrets and limits', () => {
  let t: TestApp;
  let p: string;
  let url: string;
  const written: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    t = await startTestApp({ LOG_LEVEL: 'debug', LOUPE_BODY_LIMIT: '4kb' });
    p = (await t.gql(CREATE_PROJECT, { input: { name: 'ls-limits', classes: ['Positive', 'Negative', 'Neutral'] } })).data.createProject.id;
    url = (await t.gql(CREATE, { p })).data.createLabelStudioConnector.url;
  });
  afterAll(async () => {
    await t?.close();
    spy?.mockRestore();
  });

  test("a connector's principal has exactly its rights, in its one project", async () => {
    const caller = (await t.app.services.labelStudioConnectors.authenticate(url.split('/').pop()!))!;
    const other = (await t.gql(CREATE_PROJECT, { input: { name: 'ls-other', classes: ['a', 'b'] } })).data.createProject.id;
    const s = t.app.services;
    await expect(s.models.submitPredictions(caller.principal, p, 'm', [{ externalId: 'x', probs: [1, 0, 0] }])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(s.auth.createKey(caller.principal, { name: 'x', role: 'ADMIN', projectIds: [p] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(s.items.importItems(caller.principal, other, [{ externalId: 'x' }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s.labelStudioConnectors.create(caller.principal, p, 'http://x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await s.items.importItems(caller.principal, p, [{ externalId: 'ls-own', text: 'mine' }])).inserted).toBe(1);
    await t.sql(`DELETE FROM item WHERE project_id = $1`, [p]);
  });

  test('an oversize body is 413 in Label Studio\'s shape, nothing imported; the secret never reaches the log', async () => {
    const tasks = Array.from({ length: 200 }, (_, i) => ({ id: i, data: { text: `task number ${i} with some words` } }));
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tasks }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ status: 413, detail: expect.stringMatching(/exceeds the limit of 4096 bytes/) });
    expect((await t.sql(`SELECT 1 FROM item WHERE project_id = $1`, [p])).length).toBe(0);

    const setup = fixture('setup-text.json');
    expect((await fetch(`${url}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(setup) })).status).toBe(200);
    const c = (await t.gql(LIST, { p })).data.labelStudioConnectors[0];
    await t.gql(REVOKE, { id: c.id });
    const secret = url.split('/').pop()!;
    expect(written.join('').length).toBeGreaterThan(0);
    expect(written.join('')).not.toContain(secret);
    expect(written.join('')).toContain(c.id);
  });
});
