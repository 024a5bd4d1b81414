import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchPgDatabase } from '../../src/db/scratch-database';
import { CREATE_KEY, CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';
import { TEMPLATE_ENV } from '../setup/templates';

/**
 * Outbound webhooks against a real HTTP receiver on loopback (allow-listed): events written to the outbox in the
 * change's transaction, sent signed after commit, retried on failure; nothing for a rolled-back change; loopback
 * refused without the allow-list, at create time and at send time.
 */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const CREATE = `mutation($p: ID!, $input: CreateWebhookInput!) { createWebhook(projectId: $p, input: $input) { id url events active createdAt secret } }`;
const DELIVERIES = `query($w: ID!) { webhookDeliveries(webhookId: $w, first: 10) { totalCount edges { node { id eventId type status attempts responseCode latencyMs nextAttemptAt } } } }`;

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function verify(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex');
  return expected === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
}

describe('webhooks', () => {
  let t: TestApp;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  /** Responses to give per path, in order; 200 once they run out. */
  const script = new Map<string, number[]>();

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url!, headers: req.headers, body });
        const code = script.get(req.url!)?.shift() ?? 200;
        res.writeHead(code).end(code === 200 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    t = await startTestApp({ LOUPE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOUPE_WEBHOOK_POLL_MS: '50', LOUPE_WEBHOOK_BACKOFF_MS: '50' });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  const project = async (name: string) => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name, classes: ['cat', 'dog'] } })).data.createProject.id as string;
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'x' }, { externalId: 'y' }] });
    return p;
  };
  const at = (path: string) => received.filter((r) => r.path === path);

  test('annotation.created arrives once, signed with the secret shown once at create time', async () => {
    const p = await project('signed');
    const created = await t.gql(CREATE, { p, input: { url: `${base}/signed`, events: ['annotation.created'] } });
    expect(created.errors).toBeUndefined();
    const w = created.data.createWebhook;
    expect(w).toMatchObject({ url: `${base}/signed`, events: ['annotation.created'], active: true });
    expect(w.secret).toMatch(/^whsec_/);
    const listed = await t.gql(`query($p: ID!) { webhooks(projectId: $p) { id secret } }`, { p });
    expect(listed.data.webhooks).toEqual([{ id: w.id, secret: null }]);

    const sub = await t.gql(SUBMIT, { p, a: [{ externalId: 'x', annotator: 'ann', label: 'cat' }, { externalId: 'y', annotator: 'ann', label: 'dog' }] });
    expect(sub.errors).toBeUndefined();
    const [got] = await until('the delivery', async () => at('/signed').length > 0 && at('/signed'));
    expect(got.headers['x-loupe-event']).toBe('annotation.created');
    expect(verify(w.secret, got.headers['x-loupe-signature'] as string, got.body)).toBe(true);
    expect(verify('not the secret', got.headers['x-loupe-signature'] as string, got.body)).toBe(false);
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({ type: 'annotation.created', projectId: p });
    expect(body.data.annotations.map((a: { label: string }) => a.label)).toEqual(['cat', 'dog']);
    expect(body.data.annotations.map((a: { id: string }) => a.id)).toEqual(sub.data.submitAnnotations.results.map((r: { annotation: { id: string } }) => r.annotation.id));

    const d = await until('SENT', async () => {
      const r = (await t.gql(DELIVERIES, { w: w.id })).data.webhookDeliveries;
      return r.edges[0]?.node.status === 'SENT' && r;
    });
    expect(d.totalCount).toBe(1);
    expect(d.edges[0].node).toMatchObject({ id: got.headers['x-loupe-delivery'], eventId: body.id, attempts: 1, responseCode: 200, nextAttemptAt: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(at('/signed')).toHaveLength(1);
  });

  test('a receiver that fails twice gets the event on the third attempt', async () => {
    const p = await project('retry');
    script.set('/retry', [500, 503]);
    const secret = 'a-secret-of-sixteen-or-more';
    const w = (await t.gql(CREATE, { p, input: { url: `${base}/retry`, events: ['item.created'], secret } })).data.createWebhook;
    expect(w.secret).toBeNull();
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'new-1' }, { externalId: 'x' }] });
    const d = await until('SENT after retries', async () => {
      const r = (await t.gql(DELIVERIES, { w: w.id })).data.webhookDeliveries;
      return r.edges[0]?.node.status === 'SENT' && r.edges[0].node;
    });
    expect(d).toMatchObject({ attempts: 3, responseCode: 200, type: 'item.created' });
    const got = at('/retry');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    for (const g of got) expect(verify(secret, g.headers['x-loupe-signature'] as string, g.body)).toBe(true);
    expect(JSON.parse(got[2].body).data.items.map((i: { externalId: string }) => i.externalId)).toEqual(['new-1']);
  });

  test('a rolled-back submitAnnotations sends nothing', async () => {
    const p = await project('rollback');
    const w = (await t.gql(CREATE, { p, input: { url: `${base}/rollback`, events: ['annotation.created'] } })).data.createWebhook;
    const bad = await t.gql(SUBMIT, { p, a: [{ externalId: 'x', annotator: 'ann', label: 'cat' }, { externalId: 'y', annotator: 'ann', label: 'not-a-class' }] });
    expectError(bad, 'BAD_USER_INPUT');
    expect(await t.sql(`SELECT id FROM webhook_delivery WHERE webhook_id = $1`, [w.id])).toHaveLength(0);
    // A later good call is delivered, alone: the rolled-back one left nothing behind it.
    await t.gql(SUBMIT, { p, a: [{ externalId: 'y', annotator: 'ann', label: 'dog' }] });
    await until('the good delivery', async () => at('/rollback').length > 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(at('/rollback')).toHaveLength(1);
    expect(JSON.parse(at('/rollback')[0].body).data.annotations.map((a: { label: string }) => a.label)).toEqual(['dog']);
  });

  test('no event is written for a project without a subscribed webhook', async () => {
    const p = await project('quiet');
    await t.gql(CREATE, { p, input: { url: `${base}/quiet`, events: ['model_version.created'] } });
    await t.gql(SUBMIT, { p, a: [{ externalId: 'x', annotator: 'ann', label: 'cat' }] });
    expect(await t.sql(`SELECT id FROM webhook_delivery WHERE project_id = $1`, [p])).toHaveLength(0);
  });

  test('an unknown event is BAD_USER_INPUT naming the known ones; a non-http URL is refused', async () => {
    const p = await project('unknown');
    const r = await t.gql(CREATE, { p, input: { url: `${base}/u`, events: ['annotation.created', 'item.exploded'] } });
    expectError(r, 'BAD_USER_INPUT', 'item.exploded');
    expect(r.errors![0].message).toContain('annotation.created, item.completed');
    expect(r.errors![0].extensions?.field).toBe('input.events[1]');
    expectError(await t.gql(CREATE, { p, input: { url: 'file:///etc/passwd', events: ['item.created'] } }), 'BAD_USER_INPUT', 'http');
    expectError(await t.gql(CREATE, { p, input: { url: 'http://10.0.0.1/', events: ['item.created'] } }), 'BAD_USER_INPUT', 'LOUPE_WEBHOOK_ALLOWED_HOSTS');
  });

  test('model_version.created (submitPredictions) and job.finished (runJob) arrive, signed', async () => {
    const p = await project('models');
    const secret = 'model-secret-sixteen+';
    await t.gql(CREATE, { p, input: { url: `${base}/models`, events: ['model_version.created', 'job.finished'], secret } });
    const ids = (await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'x' }, { externalId: 'y' }] })).data.importItems.ids;
    const v = await t.gql(`mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "team", predictions: $pr) { id version } }`, {
      p,
      pr: ids.map((itemId: string) => ({ itemId, probs: [0.7, 0.3] })),
    });
    expect(v.errors).toBeUndefined();
    const run = await t.gql(`mutation($p: ID!) { runJob(projectId: $p, name: metrics) { id } }`, { p });
    expect(run.errors).toBeUndefined();
    const got = await until('both events', async () => at('/models').length >= 2 && at('/models'));
    const byType = new Map(got.map((g) => [JSON.parse(g.body).type, JSON.parse(g.body)]));
    expect(byType.get('model_version.created').data.modelVersion).toMatchObject({ id: v.data.submitPredictions.id, version: v.data.submitPredictions.version, kind: 'EXTERNAL' });
    expect(byType.get('job.finished').data.jobRun).toMatchObject({ id: run.data.runJob.id, job: 'metrics', status: 'SUCCEEDED' });
    for (const g of got) expect(verify(secret, g.headers['x-loupe-signature'] as string, g.body)).toBe(true);
  });

  test('label_issue.created (the labelIssues job) and label_issue.resolved (resolveLabelIssue) arrive', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'issues', classes: ['cat', 'dog'] } })).data.createProject.id;
    await t.gql(CREATE, { p, input: { url: `${base}/issues`, events: ['label_issue.created', 'label_issue.resolved'] } });
    const n = 20;
    const ids = (await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: n }, (_, i) => ({ externalId: `i${i}` })) })).data.importItems.ids as string[];
    // Half labeled cat, half dog; the model agrees with every label but one, which it contradicts confidently.
    await t.gql(SUBMIT, { p, a: ids.map((itemId, i) => ({ itemId, annotator: 'ann', label: i < n / 2 ? 'cat' : 'dog' })) });
    const pr = ids.map((itemId, i) => ({ itemId, probs: (i < n / 2) !== (i === 0) ? [0.9, 0.1] : [0.1, 0.9] }));
    expect((await t.gql(`mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "m", predictions: $pr) { id } }`, { p, pr })).errors).toBeUndefined();
    await t.gql(`mutation($p: ID!) { runJob(projectId: $p, name: labelIssues) { id } }`, { p });
    const [created] = await until('label_issue.created', async () => at('/issues').length > 0 && at('/issues'));
    const cb = JSON.parse(created.body);
    expect(cb.type).toBe('label_issue.created');
    expect(cb.data.labelIssues).toEqual([expect.objectContaining({ itemId: ids[0], givenLabel: 'cat', suggestedLabel: 'dog', reopened: false })]);
    const r = await t.gql(`mutation($id: ID!) { resolveLabelIssue(id: $id, decision: ACCEPT_SUGGESTION) { id status } }`, { id: cb.data.labelIssues[0].id });
    expect(r.errors).toBeUndefined();
    await until('label_issue.resolved', async () => at('/issues').length > 1);
    expect(JSON.parse(at('/issues')[1].body)).toMatchObject({
      type: 'label_issue.resolved',
      data: { labelIssue: { id: cb.data.labelIssues[0].id, decision: 'ACCEPT_SUGGESTION', resolvedLabel: 'dog', externalId: 'i0' } },
    });
  });

  test('ADMIN and ML_ENGINEER manage webhooks; other roles are FORBIDDEN', async () => {
    const p = await project('roles');
    const key = async (role: string) => (await t.gql(CREATE_KEY, { input: { name: `hooks-${role}`, role } })).data.createApiKey.key as string;
    const input = { url: `${base}/roles`, events: ['item.created'] };
    const w = await t.gql(CREATE, { p, input }, await key('ML_ENGINEER'));
    expect(w.errors).toBeUndefined();
    for (const role of ['QA_LEAD', 'MANAGER', 'LABELING_TOOL']) {
      const k = await key(role);
      expectError(await t.gql(CREATE, { p, input }, k), 'FORBIDDEN');
      expectError(await t.gql(`query($p: ID!) { webhooks(projectId: $p) { id } }`, { p }, k), 'FORBIDDEN');
      expectError(await t.gql(DELIVERIES, { w: w.data.createWebhook.id }, k), 'FORBIDDEN');
    }
  });

  test('updateWebhook deactivates, deleteWebhook removes', async () => {
    const p = await project('manage');
    const w = (await t.gql(CREATE, { p, input: { url: `${base}/manage`, events: ['annotation.created'] } })).data.createWebhook;
    const up = await t.gql(`mutation($id: ID!) { updateWebhook(id: $id, input: {active: false, events: ["item.created", "annotation.created"]}) { active events secret } }`, { id: w.id });
    expect(up.data.updateWebhook).toEqual({ active: false, events: ['item.created', 'annotation.created'], secret: null });
    await t.gql(SUBMIT, { p, a: [{ externalId: 'x', annotator: 'ann', label: 'cat' }] });
    expect(await t.sql(`SELECT id FROM webhook_delivery WHERE project_id = $1`, [p])).toHaveLength(0);
    const del = await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) { id } }`, { id: w.id });
    expect(del.data.deleteWebhook.id).toBe(w.id);
    expectError(await t.gql(DELIVERIES, { w: w.id }), 'NOT_FOUND');
  });
});

describe('webhooks without an allow-list', () => {
  let t: TestApp;
  let receiver: Server;
  let hits = 0;
  beforeAll(async () => {
    receiver = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    t = await startTestApp({ LOUPE_WEBHOOK_POLL_MS: '50' });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  test('loopback, private, link-local and metadata URLs are refused at create time', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'safe', classes: ['cat', 'dog'] } })).data.createProject.id;
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data', 'http://192.168.1.1/', 'http://[::ffff:127.0.0.1]/']) {
      expectError(await t.gql(CREATE, { p, input: { url, events: ['item.created'] } }), 'BAD_USER_INPUT', 'input.url');
    }
  });

  test('and at send time: a stored loopback webhook is never contacted', async () => {
    const p = (await t.gql(CREATE_PROJECT, { input: { name: 'send-time', classes: ['cat', 'dog'] } })).data.createProject.id;
    const port = (receiver.address() as AddressInfo).port;
    await t.sql(`INSERT INTO webhook (project_id, url, events, secret) VALUES ($1, $2, ARRAY['item.created'], 'sixteen-characters!')`, [p, `http://127.0.0.1:${port}/`]);
    await t.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'x' }] });
    const [d] = await until('FAILED', async () => {
      const rows = await t.sql(`SELECT status, last_error FROM webhook_delivery WHERE project_id = $1`, [p]);
      return rows[0]?.status === 'FAILED' && rows;
    });
    expect(d.last_error).toContain('not a public address');
    expect(hits).toBe(0);
  });
});

describe('webhooks across a restart', () => {
  let receiver: Server;
  const bodies: string[] = [];
  let db: { env: Record<string, string>; drop: () => Promise<void> };
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    // One database both servers open: a scratch PostgreSQL database, or a PGlite folder.
    if (process.env.DATABASE_URL) {
      const pg = await createScratchPgDatabase(process.env.DATABASE_URL, 'loupe_test', { template: process.env[TEMPLATE_ENV.empty] });
      db = { env: { DATABASE_URL: pg.url }, drop: pg.drop };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'loupe-hooks-'));
      db = { env: { LOUPE_DATA_DIR: join(dir, 'db') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    }
  });
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await db?.drop();
  });

  test('an event committed by a server that stopped before sending it is sent by the next one', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/restart`;
    // The first server never polls: what it commits stays in the outbox.
    const first = await startTestApp({ ...db.env, LOUPE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOUPE_WEBHOOK_POLL_MS: '3600000' });
    let p: string;
    try {
      p = (await first.gql(CREATE_PROJECT, { input: { name: 'restart', classes: ['cat', 'dog'] } })).data.createProject.id;
      await first.gql(CREATE, { p, input: { url, events: ['item.created'] } });
      await first.gql(IMPORT_ITEMS, { p, items: [{ externalId: 'kept' }] });
      expect(await first.sql(`SELECT status FROM webhook_delivery WHERE project_id = $1`, [p])).toEqual([{ status: 'PENDING' }]);
    } finally {
      await first.close();
    }
    expect(bodies).toHaveLength(0);
    const second = await startTestApp({ ...db.env, LOUPE_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOUPE_WEBHOOK_POLL_MS: '50' });
    try {
      await until('the delivery after restart', async () => bodies.length > 0);
      expect(JSON.parse(bodies[0])).toMatchObject({ type: 'item.created', projectId: p!, data: { items: [{ externalId: 'kept' }] } });
    } finally {
      await second.close();
    }
  });
});
