import { migrations } from '../../migrations';
import { ModelVersionNames1764900000000 } from '../../migrations/1764900000000-model-version-names';
import { createRng } from '../../src/quality/rng';
import { CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Model version names over real HTTP, on PGlite or PostgreSQL (DATABASE_URL): v1, v2, … per project in creation
 * order (built-in and external alike), the same name as the `version` label of the model metrics, labelHealth under
 * the version the current label issues came from, and the migration that numbers the versions already stored.
 */
const CLASSES = ['a', 'b', 'c'];
const DIM = 4;
const VERSIONS = `query($p: ID!) { modelVersions(projectId: $p) { id version name kind labelCounts warning } }`;
const TRAIN = `mutation($p: ID!) { trainModel(projectId: $p) { id } }`;
const RUN = `mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id } }`;
const SUBMIT_PREDICTIONS = `mutation($p: ID!, $m: String!, $pr: [PredictionInput!]!) {
  submitPredictions(projectId: $p, modelName: $m, predictions: $pr) { id version } }`;
const HEALTH = `query($p: ID!, $v: ID) { labelHealth(projectId: $p, modelVersionId: $v) { modelVersionId labeledCount openIssues classes { label labelIssues } } }`;
const ISSUES = `query($p: ID!) { labelIssues(projectId: $p, first: 1000) { modelVersionId totalCount edges { node { modelVersionId } } } }`;

type Version = { id: string; version: string; name: string; kind: string; labelCounts: Record<string, number>; warning: string | null };

/** Three separated blobs in DIM dimensions, every tenth label flipped (so label issues exist). */
function blobs(n: number, seed: number) {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    return { c, given: i % 10 === 9 ? (c + 1) % 3 : c, x: Array.from({ length: DIM }, (_, d) => (d === c ? 5 : 0) + rng.normal()) };
  });
}

describe('model version names', () => {
  let t: TestApp;
  let pid: string;
  let ids: string[];
  const data = blobs(120, 4);

  const versions = async (p = pid): Promise<Version[]> => {
    const r = await t.gql(VERSIONS, { p });
    expect(r.errors).toBeUndefined();
    return r.data.modelVersions;
  };
  const train = async () => {
    const r = await t.gql(TRAIN, { p: pid });
    expect(r.errors).toBeUndefined();
    await t.app.services.jobs.idle();
  };
  const label = async (from: number, to: number) => {
    const a = data.slice(from, to).map((d, i) => ({ itemId: ids[from + i], annotator: 'ann', label: CLASSES[d.given] }));
    expect((await t.gql(SUBMIT, { p: pid, a })).errors).toBeUndefined();
  };

  beforeAll(async () => {
    t = await startTestApp();
    const c = await t.gql(CREATE_PROJECT, { input: { name: 'versions', classes: CLASSES, embeddingDim: DIM } });
    pid = c.data.createProject.id;
    ids = (await t.gql(IMPORT_ITEMS, { p: pid, items: data.map((d, i) => ({ externalId: `m${i}`, embedding: d.x })) })).data.importItems.ids;
  });
  afterAll(async () => {
    await t?.close();
  });

  test('versions are v1, v2, … in creation order, unique per project, built-in and external alike', async () => {
    await label(0, 60);
    await train();
    const ext = await t.gql(SUBMIT_PREDICTIONS, { p: pid, m: 'team-model', pr: ids.slice(0, 5).map((itemId) => ({ itemId, probs: [0.8, 0.1, 0.1] })) });
    expect(ext.errors).toBeUndefined();
    expect(ext.data.submitPredictions.version).toBe('v2');
    const vs = await versions();
    expect(vs.map((v) => [v.version, v.kind])).toEqual([
      ['v2', 'EXTERNAL'],
      ['v1', 'BUILTIN'],
    ]);
    // Another project numbers from v1.
    const o = await t.gql(CREATE_PROJECT, { input: { name: 'other', classes: ['x', 'y'] } });
    const oid = o.data.createProject.id as string;
    const oi = (await t.gql(IMPORT_ITEMS, { p: oid, items: [{ externalId: 'o1' }] })).data.importItems.ids;
    const r = await t.gql(SUBMIT_PREDICTIONS, { p: oid, m: 'm', pr: [{ itemId: oi[0], probs: [0.5, 0.5] }] });
    expect(r.data.submitPredictions.version).toBe('v1');
    // The database refuses a second v2 in a project.
    await expect(
      t.sql(`INSERT INTO model_version (project_id, seq, version, name, kind, classes) VALUES ($1, 2, 'v2', 'dup', 'EXTERNAL', '{a,b,c}')`, [pid]),
    ).rejects.toThrow();
  });

  test('concurrent submitPredictions get distinct consecutive numbers', async () => {
    const before = (await versions()).length;
    const calls = Array.from({ length: 4 }, (_, j) =>
      t.gql(SUBMIT_PREDICTIONS, { p: pid, m: `parallel-${j}`, pr: ids.slice(0, 3).map((itemId) => ({ itemId, probs: [0.2, 0.3, 0.5] })) }),
    );
    const got = await Promise.all(calls);
    for (const g of got) expect(g.errors).toBeUndefined();
    const names = got.map((g) => g.data.submitPredictions.version as string).sort();
    expect(names).toEqual(Array.from({ length: 4 }, (_, j) => `v${before + 1 + j}`).sort());
  });

  test('labelHealth answers for the version the label issues came from, also after another trainModel', async () => {
    await train();
    const [issueVersion] = await versions();
    expect(issueVersion.kind).toBe('BUILTIN');
    const r = await t.gql(RUN, { p: pid, n: 'labelIssues' });
    expect(r.errors).toBeUndefined();
    await t.app.services.jobs.idle();
    const issues = (await t.gql(ISSUES, { p: pid })).data.labelIssues;
    expect(issues.totalCount).toBeGreaterThan(0);
    const h0 = (await t.gql(HEALTH, { p: pid })).data.labelHealth;
    expect(h0).toMatchObject({ modelVersionId: issueVersion.id, labeledCount: 60, openIssues: issues.totalCount });
    expect(issues.modelVersionId).toBe(issueVersion.id);
    for (const e of issues.edges) expect(e.node.modelVersionId).toBe(issueVersion.id);

    // More labels, a newer model: the issue set (and labelHealth by default) stays with the version that made it.
    await label(60, 120);
    await train();
    const [newest] = await versions();
    expect(newest.id).not.toBe(issueVersion.id);
    const h = (await t.gql(HEALTH, { p: pid })).data.labelHealth;
    expect(h.modelVersionId).toBe(issueVersion.id);
    // Labeled items that version predicted: its 60 training items (out-of-fold) and the 60 pool items labeled since.
    const [{ n }] = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM prediction pr JOIN item i ON i.id = pr.item_id WHERE pr.model_version_id = $1 AND i.current_label IS NOT NULL`,
      [issueVersion.id],
    );
    expect(h.labeledCount).toBe(n);
    expect(h).toEqual((await t.gql(HEALTH, { p: pid, v: issueVersion.id })).data.labelHealth);
    expect(h.openIssues).toBe(issues.totalCount);
    expect((await t.gql(ISSUES, { p: pid })).data.labelIssues.modelVersionId).toBe(issueVersion.id);
    // Asked for the newer version by id, it answers for that one.
    const hn = (await t.gql(HEALTH, { p: pid, v: newest.id })).data.labelHealth;
    expect(hn.modelVersionId).toBe(newest.id);
    expect(hn.labeledCount).toBe(120);
    // A version of another project, or no version at all, is NOT_FOUND.
    const bad = await t.gql(HEALTH, { p: pid, v: '00000000-0000-4000-8000-000000000000' });
    expect(bad.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  test('the metrics label the latest model version with the same name as GraphQL', async () => {
    const [newest] = await versions();
    t.app.metrics.invalidate();
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith('loupe_model_cross_val_accuracy_ratio{') && l.includes('project="versions"'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`version="${newest.version}"`);
    expect(newest.version).toMatch(/^v\d+$/);
  });
});

describe('model-version-names migration on a database with model versions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('down drops the names; up numbers each project by created_at, ties by id', async () => {
    const p1 = (await t.gql(CREATE_PROJECT, { input: { name: 'm1', classes: ['a', 'b'] } })).data.createProject.id as string;
    const p2 = (await t.gql(CREATE_PROJECT, { input: { name: 'm2', classes: ['a', 'b'] } })).data.createProject.id as string;
    const ds = t.app.db.dataSource;
    // Undo back to before this migration (and any migration after it).
    const at = migrations.indexOf(ModelVersionNames1764900000000);
    const undone = migrations.slice(at).map((M) => new M().name);
    for (let k = 0; k < undone.length; k++) await ds.undoLastMigration({ transaction: 'each' });
    const cols = await t.sql(`SELECT column_name FROM information_schema.columns WHERE table_name = 'model_version' AND column_name IN ('seq', 'version', 'warning')`);
    expect(cols).toEqual([]);

    const ins = (id: string, project: string, at: string) =>
      t.sql(`INSERT INTO model_version (id, project_id, name, kind, classes, created_at) VALUES ($1, $2, 'm', 'EXTERNAL', '{a,b}', $3)`, [id, project, at]);
    // Inserted out of order: the later one first, then two with the same created_at (id decides).
    await ins('00000000-0000-4000-8000-00000000000c', p1, '2026-01-03T00:00:00Z');
    await ins('00000000-0000-4000-8000-00000000000b', p1, '2026-01-01T00:00:00Z');
    await ins('00000000-0000-4000-8000-00000000000a', p1, '2026-01-01T00:00:00Z');
    await ins('00000000-0000-4000-8000-000000000001', p2, '2026-01-02T00:00:00Z');

    const ran = await ds.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(undone);
    const rows = await t.sql<{ id: string; project_id: string; version: string }>(`SELECT id, project_id, version FROM model_version ORDER BY project_id = $1 DESC, seq`, [p1]);
    expect(rows.map((r) => [r.id.slice(-2), r.project_id === p1 ? 'p1' : 'p2', r.version])).toEqual([
      ['0a', 'p1', 'v1'],
      ['0b', 'p1', 'v2'],
      ['0c', 'p1', 'v3'],
      ['01', 'p2', 'v1'],
    ]);
    // New versions continue the numbering.
    const item = (await t.gql(IMPORT_ITEMS, { p: p1, items: [{ externalId: 'i' }] })).data.importItems.ids[0];
    const r = await t.gql(SUBMIT_PREDICTIONS, { p: p1, m: 'next', pr: [{ itemId: item, probs: [0.5, 0.5] }] });
    expect(r.errors).toBeUndefined();
    expect(r.data.submitPredictions.version).toBe('v4');
  });
});

describe('a model worse than the label prior', () => {
  let t: TestApp;
  let pid: string;
  let ids: string[];
  const NEXT = `query($p: ID!) { nextBatch(projectId: $p, size: 3, annotator: "probe") { strategy fallback modelVersionId items { item { id } } } }`;
  beforeAll(async () => {
    t = await startTestApp();
    const c = await t.gql(CREATE_PROJECT, { input: { name: 'noise', classes: ['a', 'b'], embeddingDim: DIM } });
    pid = c.data.createProject.id;
    // Features that say nothing about the labels; labels 70 % a, 30 % b at random.
    const rng = createRng(9);
    const items = Array.from({ length: 100 }, (_, i) => ({ externalId: `n${i}`, embedding: Array.from({ length: DIM }, () => 100 + 30 * rng.normal()) }));
    ids = (await t.gql(IMPORT_ITEMS, { p: pid, items })).data.importItems.ids;
    const a = ids.slice(0, 80).map((itemId) => ({ itemId, annotator: 'ann', label: rng.next() < 0.7 ? 'a' : 'b' }));
    expect((await t.gql(SUBMIT, { p: pid, a })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('trainModel stores a warning with both numbers; nextBatch and label issues do not use the version', async () => {
    expect((await t.gql(TRAIN, { p: pid })).errors).toBeUndefined();
    await t.app.services.jobs.idle();
    const r = await t.gql(`query($p: ID!) { modelVersions(projectId: $p) { id version kind warning metrics } }`, { p: pid });
    const [v] = r.data.modelVersions as Array<{ id: string; version: string; kind: string; warning: string | null; metrics: Record<string, number> }>;
    expect(v.kind).toBe('BUILTIN');
    expect(v.metrics.crossValLogLoss).toBeGreaterThan(v.metrics.priorEntropy);
    expect(v.warning).toContain(v.metrics.crossValLogLoss.toFixed(4));
    expect(v.warning).toContain(v.metrics.priorEntropy.toFixed(4));
    expect(v.warning).toMatch(/worse than the label prior's entropy/);
    expect([1e-4, 1e-3, 1e-2, 1e-1]).toContain(v.metrics.l2);
    expect((await t.sql(`SELECT warning FROM model_version WHERE id = $1`, [v.id]))[0].warning).toBe(v.warning);

    const b = (await t.gql(NEXT, { p: pid })).data.nextBatch;
    expect(b.modelVersionId).toBeNull();
    expect(b.strategy).toBe('KCENTER');
    expect(b.fallback).toContain(`model version ${v.version}`);
    expect(b.fallback).toContain(v.warning);
    expect(b.items).toHaveLength(3);

    expect((await t.gql(RUN, { p: pid, n: 'labelIssues' })).errors).toBeUndefined();
    await t.app.services.jobs.idle();
    const issues = (await t.gql(ISSUES, { p: pid })).data.labelIssues;
    expect(issues).toMatchObject({ modelVersionId: null, totalCount: 0 });
  });

  test('an external model worse than the prior on the labels gets the warning but is used as sent', async () => {
    // Confidently wrong on every labeled item it predicts; the pool items get an honest 50/50.
    const labels = await t.sql<{ id: string; current_label: number | null }>(`SELECT id, current_label FROM item WHERE project_id = $1`, [pid]);
    const byId = new Map(labels.map((l) => [l.id, l.current_label]));
    const pr = ids.map((itemId) => {
      const l = byId.get(itemId);
      return { itemId, probs: l === null || l === undefined ? [0.5, 0.5] : l === 0 ? [0.05, 0.95] : [0.95, 0.05] };
    });
    const s = await t.gql(`mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "bad", predictions: $pr) { id version warning } }`, { p: pid, pr });
    expect(s.errors).toBeUndefined();
    const v = s.data.submitPredictions;
    expect(v.warning).toMatch(/^log loss on the 80 labeled items it predicted .* is worse than the label prior's entropy .*used as sent/);
    const b = (await t.gql(NEXT, { p: pid })).data.nextBatch;
    expect(b.modelVersionId).toBe(v.id);
    expect(b.fallback).toBeNull();
    // A good external model gets none.
    const good = ids.map((itemId) => {
      const l = byId.get(itemId);
      return { itemId, probs: l === null || l === undefined ? [0.5, 0.5] : l === 0 ? [0.9, 0.1] : [0.1, 0.9] };
    });
    const g = await t.gql(`mutation($p: ID!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: "good", predictions: $pr) { warning } }`, { p: pid, pr: good });
    expect(g.data.submitPredictions.warning).toBeNull();
  });
});
