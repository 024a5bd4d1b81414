import { CREATE_KEY, CREATE_PROJECT, expectError, startTestApp, TestApp } from '../helpers/app';

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
