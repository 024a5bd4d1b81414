import { Classifier, ClassifierJSON, ensureBackend } from '../../src/ml';
import { CREATE_KEY, CREATE_PROJECT, expectError, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * The model in the loop over real HTTP, on PGlite or PostgreSQL (DATABASE_URL): an external model's predictions
 * (submitPredictions, modelVersions, item.prediction), nextBatch with its leases (concurrent callers disjoint,
 * annotation / releaseItems / expiry end a lease, extendLease renews it), the fallback without a model, and roles.
 */
const SUBMIT_PREDICTIONS = `mutation($p: ID!, $m: String!, $pr: [PredictionInput!]!) {
  submitPredictions(projectId: $p, modelName: $m, predictions: $pr) { id name kind classes predictionCount labelCounts createdAt } }`;
const NEXT_BATCH = `query($p: ID!, $size: Int!, $s: SamplingStrategy, $a: String!) {
  nextBatch(projectId: $p, size: $size, strategy: $s, annotator: $a) {
    requestedStrategy strategy fallback modelVersionId labeledCount candidateCount
    items { item { id externalId } totalScore scores { name value } reason leaseExpiresAt } } }`;
const RELEASE = `mutation($p: ID!, $a: String!, $ids: [ID!]!) { releaseItems(projectId: $p, annotator: $a, itemIds: $ids) }`;
const EXTEND = `mutation($p: ID!, $a: String!, $ids: [ID!]!, $s: Float!) {
  extendLease(projectId: $p, annotator: $a, itemIds: $ids, seconds: $s) { itemId annotator expiresAt } }`;

type Batch = {
  requestedStrategy: string;
  strategy: string;
  fallback: string | null;
  modelVersionId: string | null;
  labeledCount: number;
  candidateCount: number;
  items: Array<{ item: { id: string; externalId: string }; totalScore: number; scores: Array<{ name: string; value: number }>; reason: string; leaseExpiresAt: string }>;
};

describe('model in the loop', () => {
  let t: TestApp;
  /** Text project (no embeddings): 12 items t0..t11. */
  let textId: string;
  let textIds: string[];
  beforeAll(async () => {
    t = await startTestApp();
    const c = await t.gql(CREATE_PROJECT, { input: { name: 'spam-loop', classes: ['spam', 'ham'] } });
    textId = c.data.createProject.id;
    const items = Array.from({ length: 12 }, (_, i) => ({ externalId: `t${i}`, text: `message ${i}` }));
    const r = await t.gql(IMPORT_ITEMS, { p: textId, items });
    textIds = r.data.importItems.ids;
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (await t.sql<{ v: number; p: number }>(`SELECT (SELECT count(*)::int FROM model_version) AS v, (SELECT count(*)::int FROM prediction) AS p`))[0];
  const batch = async (p: string, size: number, a: string, s?: string, key?: string): Promise<Batch> => {
    const r = await t.gql(NEXT_BATCH, { p, size, s, a }, key);
    expect(r.errors).toBeUndefined();
    return r.data.nextBatch;
  };
  const leasesOf = async (a: string) =>
    (await t.sql<{ item_id: string }>(`SELECT item_id FROM lease WHERE annotator = $1 ORDER BY item_id`, [a])).map((r) => r.item_id);

  test('without a model: diversity fallback (RANDOM without embeddings), said in `fallback`', async () => {
    const b = await batch(textId, 3, 'probe');
    expect(b).toMatchObject({ requestedStrategy: 'CLUSTER_MARGIN', strategy: 'RANDOM', modelVersionId: null, candidateCount: 12 });
    expect(b.fallback).toMatch(/no model/);
    expect(b.items).toHaveLength(3);
    expect(b.items[0].reason).toMatch(/random/);
    expect(await t.gql(RELEASE, { p: textId, a: 'probe', ids: b.items.map((x) => x.item.id) })).toMatchObject({ data: { releaseItems: 3 } });
    expect(await leasesOf('probe')).toEqual([]);
  });

  // Margins: t0 0.00, t1 0.10, t2 0.20, ..., t9 0.90; t10 and t11 get no prediction (not selectable with a model).
  const probsOf = (i: number) => {
    const top = 0.5 + i * 0.05;
    return i % 2 === 0 ? [top, 1 - top] : [1 - top, top];
  };

  let versionId: string;
  test('submitPredictions: by itemId and externalId, one model version per call; modelVersions; item.prediction', async () => {
    const before = await counts();
    const pr = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? { itemId: textIds[i], probs: probsOf(i) } : { externalId: `t${i}`, probs: probsOf(i) }));
    const r = await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'team-bert', pr });
    expect(r.errors).toBeUndefined();
    const v = r.data.submitPredictions;
    versionId = v.id;
    expect(v).toMatchObject({ name: 'team-bert', kind: 'EXTERNAL', classes: ['spam', 'ham'], predictionCount: 10, labelCounts: { spam: 0, ham: 0 } });
    expect(await counts()).toEqual({ v: before.v + 1, p: before.p + 10 });

    const list = await t.gql(`query($p: ID!) { modelVersions(projectId: $p) { id name predictionCount } }`, { p: textId });
    expect(list.data.modelVersions).toEqual([{ id: versionId, name: 'team-bert', predictionCount: 10 }]);

    const q = `query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { prediction { modelVersionId modelName label probabilities { label probability } } } }`;
    const it = await t.gql(q, { p: textId, id: textIds[2] });
    expect(it.errors).toBeUndefined();
    expect(it.data.item.prediction).toEqual({
      modelVersionId: versionId,
      modelName: 'team-bert',
      label: 'spam',
      probabilities: [
        { label: 'spam', probability: expect.closeTo(0.6, 6) },
        { label: 'ham', probability: expect.closeTo(0.4, 6) },
      ],
    });
    const none = await t.gql(q, { p: textId, id: textIds[11] });
    expect(none.data.item.prediction).toBeNull();
  });

  test('submitPredictions refuses bad rows with index-named errors and writes nothing', async () => {
    const before = await counts();
    const ok = { itemId: textIds[0], probs: [0.5, 0.5] };
    const cases: Array<[unknown[], string, string, string?]> = [
      [[ok, { itemId: textIds[1], probs: [1] }], 'BAD_USER_INPUT', 'predictions[1].probs', 'has 1 probabilities'],
      [[ok, { itemId: textIds[1], probs: [1.2, -0.2] }], 'BAD_USER_INPUT', 'predictions[1].probs[1]', 'negative'],
      [[ok, ok, { itemId: textIds[2], probs: [0.5, 0.4] }], 'BAD_USER_INPUT', 'predictions[2].probs', 'sums to 0.9'],
      [[{ externalId: 'nope', probs: [0.5, 0.5] }], 'NOT_FOUND', 'predictions[0].externalId'],
      [[ok, { itemId: textIds[0], externalId: 't0', probs: [0.5, 0.5] }], 'BAD_USER_INPUT', 'predictions[1].itemId', 'exactly one'],
      [[ok, { externalId: 't0', probs: [0.5, 0.5] }], 'BAD_USER_INPUT', 'predictions[1]', 'same item as predictions[0]'],
      [[{ itemId: '00000000-0000-4000-8000-000000000000', probs: [0.5, 0.5] }], 'NOT_FOUND', 'predictions[0].itemId'],
      [[], 'BAD_USER_INPUT', 'predictions'],
    ];
    for (const [pr, code, field, msg] of cases) {
      const r = await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'bad', pr });
      const e = expectError(r, code, msg);
      expect(e.extensions?.field).toBe(field);
    }
    expectError(await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'builtin', pr: [ok] }), 'BAD_USER_INPUT', 'modelName');
    expectError(await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: ' ', pr: [ok] }), 'BAD_USER_INPUT', 'modelName');
    expect(await counts()).toEqual(before);
  });

  test("nextBatch MARGIN uses the external model: most uncertain first, scores and reasons; leases taken", async () => {
    const b = await batch(textId, 4, 'alice', 'MARGIN');
    expect(b).toMatchObject({ requestedStrategy: 'MARGIN', strategy: 'MARGIN', fallback: null, modelVersionId: versionId, labeledCount: 0, candidateCount: 10 });
    expect(b.items.map((x) => x.item.externalId)).toEqual(['t0', 't1', 't2', 't3']);
    const margin = (x: Batch['items'][number]) => x.scores.find((s) => s.name === 'margin')!.value;
    expect(b.items.map(margin)).toEqual([0, 0.1, 0.2, 0.3].map((m) => expect.closeTo(m, 5)));
    expect(b.items[1].totalScore).toBeCloseTo(0.9, 5);
    expect(b.items[1].reason).toMatch(/^margin 0\.10 between ham and spam/);
    expect(await leasesOf('alice')).toEqual(textIds.slice(0, 4).sort());
    const exp = new Date(b.items[0].leaseExpiresAt).getTime();
    expect(exp - Date.now()).toBeGreaterThan(500_000); // default 600 s
    // Another annotator gets the next most uncertain; the same annotator asking again gets its own items back.
    const bob = await batch(textId, 2, 'bob', 'MARGIN');
    expect(bob.items.map((x) => x.item.externalId)).toEqual(['t4', 't5']);
    const again = await batch(textId, 4, 'alice', 'MARGIN');
    expect(again.items.map((x) => x.item.externalId)).toEqual(['t0', 't1', 't2', 't3']);
    await t.gql(RELEASE, { p: textId, a: 'alice', ids: textIds });
    await t.gql(RELEASE, { p: textId, a: 'bob', ids: textIds });
  });

  test('two concurrent nextBatch calls by different annotators return disjoint items', async () => {
    const [a, b] = await Promise.all([batch(textId, 5, 'carol', 'MARGIN'), batch(textId, 5, 'dan', 'MARGIN')]);
    const ids = [...a.items, ...b.items].map((x) => x.item.id);
    expect(a.items).toHaveLength(5);
    expect(b.items).toHaveLength(5);
    expect(new Set(ids).size).toBe(10);
    const rows = await t.sql<{ n: number }>(`SELECT count(DISTINCT item_id)::int AS n FROM lease WHERE annotator IN ('carol', 'dan')`);
    expect(rows[0].n).toBe(10);
    // Every item the model predicted is leased: a third annotator gets the two it did not predict, and is told why.
    const c = await batch(textId, 5, 'erin', 'MARGIN');
    expect(c.items.map((x) => x.item.externalId).sort()).toEqual(['t10', 't11']);
    expect(c.fallback).toMatch(/has no predictions for the pool: random sampling/);
    expect(c.modelVersionId).toBeNull();
    await t.gql(RELEASE, { p: textId, a: 'erin', ids: textIds });
  });

  test('annotating ends the lease; releaseItems ends it and frees the item; extendLease renews', async () => {
    const carol = await leasesOf('carol');
    const dan = await leasesOf('dan');
    const s = await t.gql(SUBMIT, { p: textId, a: [{ itemId: carol[0], annotator: 'carol', label: 'spam' }] });
    expect(s.errors).toBeUndefined();
    expect(await leasesOf('carol')).toEqual(carol.slice(1));

    const rel = await t.gql(RELEASE, { p: textId, a: 'dan', ids: [dan[0], dan[1], carol[1]] });
    expect(rel.data.releaseItems).toBe(2); // carol's lease is not dan's to release
    expect(await leasesOf('dan')).toEqual(dan.slice(2));
    // Freed for the others (dan himself skipped them for later; erin released everything she held earlier).
    const fay = await batch(textId, 5, 'fay', 'MARGIN');
    expect(fay.items.map((x) => x.item.id).sort()).toEqual([dan[0], dan[1]].sort());
    expect(fay.labeledCount).toBe(1);

    const before = (await t.sql<{ e: Date }>(`SELECT expires_at AS e FROM lease WHERE annotator = 'dan' AND item_id = $1`, [dan[2]]))[0].e;
    const ext = await t.gql(EXTEND, { p: textId, a: 'dan', ids: [dan[2]], s: 3600 });
    expect(ext.errors).toBeUndefined();
    expect(ext.data.extendLease).toEqual([{ itemId: dan[2], annotator: 'dan', expiresAt: expect.any(String) }]);
    expect(new Date(ext.data.extendLease[0].expiresAt).getTime()).toBeGreaterThan(new Date(before).getTime() + 2_000_000);
    const e = expectError(await t.gql(EXTEND, { p: textId, a: 'dan', ids: [dan[3], dan[0]], s: 60 }), 'NOT_FOUND');
    expect(e.extensions?.field).toBe('itemIds[1]');
    expectError(await t.gql(EXTEND, { p: textId, a: 'dan', ids: [dan[3]], s: 0 }), 'BAD_USER_INPUT', 'seconds');
    for (const a of ['carol', 'dan', 'erin', 'fay']) await t.gql(RELEASE, { p: textId, a, ids: textIds });
  });

  test('leases expire after the project setting leaseSeconds', async () => {
    const u = await t.gql(`mutation($id: ID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { settings } }`, {
      id: textId,
      i: { settings: { leaseSeconds: 1 } },
    });
    expect(u.errors).toBeUndefined();
    const f = await batch(textId, 20, 'frank', 'MARGIN');
    expect(f.items.length).toBe(9); // 10 predicted items, one labeled
    expect((await batch(textId, 20, 'gina', 'MARGIN')).items.map((x) => x.item.externalId).sort()).toEqual(['t10', 't11']);
    await new Promise((r) => setTimeout(r, 1500));
    const g = await batch(textId, 20, 'gina', 'MARGIN');
    expect(g.items.map((x) => x.item.id).sort()).toEqual(f.items.map((x) => x.item.id).sort());
    await t.gql(RELEASE, { p: textId, a: 'gina', ids: textIds });
  });

  describe('embedding project', () => {
    let embId: string;
    let embIds: string[];
    beforeAll(async () => {
      const c = await t.gql(CREATE_PROJECT, { input: { name: 'points', classes: ['a', 'b', 'c'], embeddingDim: 2 } });
      embId = c.data.createProject.id;
      const pts = [[0, 0], [0.1, 0], [5, 5], [5.1, 5], [10, 0], [10, 0.1], [0, 10], [0.1, 10]];
      const items = pts.map((e, i) => ({ externalId: `e${i}`, embedding: e }));
      items.push({ externalId: 'no-embedding' } as (typeof items)[number]);
      const r = await t.gql(IMPORT_ITEMS, { p: embId, items });
      expect(r.errors).toBeUndefined();
      embIds = r.data.importItems.ids;
    });

    test('without a model: KCENTER fallback; items without an embedding are never selectable', async () => {
      const b = await batch(embId, 20, 'hal');
      expect(b).toMatchObject({ requestedStrategy: 'CLUSTER_MARGIN', strategy: 'KCENTER', candidateCount: 8 });
      expect(b.fallback).toMatch(/no model: diversity sampling/);
      expect(b.items).toHaveLength(8);
      expect(b.items.map((x) => x.item.externalId)).not.toContain('no-embedding');
      // k-center spreads the first picks over the four far-apart pairs.
      const pairs = new Set(b.items.slice(0, 4).map((x) => Math.floor(Number(x.item.externalId.slice(1)) / 2)));
      expect(pairs.size).toBe(4);
      await t.gql(RELEASE, { p: embId, a: 'hal', ids: embIds.slice(0, 8) });
    });

    test('with a model: HYBRID is uncertain and diverse with distance reasons; the default CLUSTER_MARGIN applies', async () => {
      const pr = embIds.slice(0, 8).map((id, i) => ({ itemId: id, probs: i < 4 ? [0.34, 0.33, 0.33] : [0.9, 0.05, 0.05] }));
      const v = await t.gql(SUBMIT_PREDICTIONS, { p: embId, m: 'emb-model', pr });
      expect(v.errors).toBeUndefined();
      const s = await t.gql(SUBMIT, { p: embId, a: [{ itemId: embIds[0], annotator: 'x', label: 'a' }] });
      expect(s.errors).toBeUndefined();
      const b = await batch(embId, 2, 'ida', 'HYBRID');
      expect(b).toMatchObject({ strategy: 'HYBRID', fallback: null, modelVersionId: v.data.submitPredictions.id, labeledCount: 1, candidateCount: 7 });
      // Diversity: the two picks come from different far-apart pairs, away from the labeled (0, 0).
      const pairs = b.items.map((x) => Math.floor(Number(x.item.externalId.slice(1)) / 2));
      expect(new Set(pairs).size).toBe(2);
      expect(pairs).not.toContain(0);
      expect(b.items[0].scores.map((x) => x.name)).toEqual(expect.arrayContaining(['margin', 'entropy', 'distanceToLabeled']));
      expect(b.items[0].reason).toMatch(/labeled item/);
      await t.gql(RELEASE, { p: embId, a: 'ida', ids: b.items.map((x) => x.item.id) });
      const d = await batch(embId, 2, 'ida-default');
      expect(d).toMatchObject({ requestedStrategy: 'CLUSTER_MARGIN', strategy: 'CLUSTER_MARGIN', fallback: null, modelVersionId: v.data.submitPredictions.id });
      expect(d.items).toHaveLength(2);
      expect(d.items[0].scores.map((x) => x.name)).toContain('margin');
    });
  });

  test('roles: LABELING_TOOL may ask nextBatch but not submit predictions or read models; QA_LEAD asks nextBatch for EXPERT items only', async () => {
    const key = async (role: string, projectIds?: string[]) => {
      const r = await t.gql(CREATE_KEY, { input: { name: `k-${role}-${projectIds ? 's' : 'all'}`, role, projectIds } });
      expect(r.errors).toBeUndefined();
      return r.data.createApiKey.key as string;
    };
    const tool = await key('LABELING_TOOL');
    const qa = await key('QA_LEAD');
    const ml = await key('ML_ENGINEER');
    const manager = await key('MANAGER');
    const before = await counts();
    const pr = [{ itemId: textIds[5], probs: [0.5, 0.5] }];

    const b = await t.gql(NEXT_BATCH, { p: textId, size: 1, a: 'tool-user' }, tool);
    expect(b.errors).toBeUndefined();
    expect(b.data.nextBatch.items).toHaveLength(1);
    expect((await t.gql(RELEASE, { p: textId, a: 'tool-user', ids: [b.data.nextBatch.items[0].item.id] }, tool)).data.releaseItems).toBe(1);
    expectError(await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'm', pr }, tool), 'FORBIDDEN');
    expectError(await t.gql(`query($p: ID!) { modelVersions(projectId: $p) { id } }`, { p: textId }, tool), 'FORBIDDEN');
    // No item is routed to EXPERT here: an expert's batch is empty, not another annotator's work.
    const expertBatch = await t.gql(NEXT_BATCH, { p: textId, size: 1, a: 'qa' }, qa);
    expect(expertBatch.errors).toBeUndefined();
    expect(expertBatch.data.nextBatch.items).toHaveLength(0);
    expectError(await t.gql(RELEASE, { p: textId, a: 'qa', ids: [textIds[0]] }, manager), 'FORBIDDEN');
    expectError(await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'm', pr }, manager), 'FORBIDDEN');
    expect(await counts()).toEqual(before);
    const mv = await t.gql(`query($p: ID!) { modelVersions(projectId: $p) { id } }`, { p: textId }, manager);
    expect(mv.errors).toBeUndefined();

    // A key scoped to another project sees this one as missing, before any role check.
    const other = await t.gql(CREATE_PROJECT, { input: { name: 'elsewhere', classes: ['x', 'y'] } });
    const scoped = await key('ML_ENGINEER', [other.data.createProject.id]);
    expectError(await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'm', pr }, scoped), 'NOT_FOUND', 'projectId');
    expectError(await t.gql(NEXT_BATCH, { p: textId, size: 1, a: 'z' }, scoped), 'NOT_FOUND', 'projectId');

    const ok = await t.gql(SUBMIT_PREDICTIONS, { p: textId, m: 'ml-model', pr }, ml);
    expect(ok.errors).toBeUndefined();
    expect(await counts()).toEqual({ v: before.v + 1, p: before.p + 1 });
  });

  describe('trainModel', () => {
    const TRAIN = `mutation($p: ID!) { trainModel(projectId: $p) { id status progress step } }`;
    const JOBS = `query($p: ID!) { jobRuns(projectId: $p) { id name status progress step error counts startedAt finishedAt } }`;
    const VERSIONS = `query($p: ID!) { modelVersions(projectId: $p) { id name kind predictionCount metrics labelCounts trainingMs } }`;
    /** A seeded jitter in [-1, 1). */
    const jitter = (() => {
      let x = 12345;
      return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    })();

    test('on embeddings: a job run returned at once, then a builtin model version with out-of-sample and pool predictions', async () => {
      const c = await t.gql(CREATE_PROJECT, { input: { name: 'clusters', classes: ['a', 'b', 'c'], embeddingDim: 4 } });
      const pid = c.data.createProject.id;
      const items = Array.from({ length: 60 }, (_, i) => {
        const cls = i % 3;
        return { externalId: `c${i}`, embedding: [cls * 10 + jitter(), cls === 1 ? 10 : jitter(), jitter(), jitter()] };
      });
      const imp = await t.gql(IMPORT_ITEMS, { p: pid, items });
      const ids: string[] = imp.data.importItems.ids;
      const ann = ids.slice(0, 30).map((id, i) => ({ itemId: id, annotator: 'lab', label: ['a', 'b', 'c'][i % 3] }));
      expect((await t.gql(SUBMIT, { p: pid, a: ann })).errors).toBeUndefined();

      const r = await t.gql(TRAIN, { p: pid });
      expect(r.errors).toBeUndefined();
      expect(r.data.trainModel).toMatchObject({ status: 'QUEUED', progress: 0 });
      // The API answers while it trains; a second call returns the same job.
      const again = await t.gql(TRAIN, { p: pid });
      expect(again.data.trainModel.id).toBe(r.data.trainModel.id);
      await t.app.services.jobs.idle();

      const jobs = await t.gql(JOBS, { p: pid });
      expect(jobs.data.jobRuns).toHaveLength(1);
      expect(jobs.data.jobRuns[0]).toMatchObject({ id: r.data.trainModel.id, name: 'train', status: 'SUCCEEDED', progress: 1, error: null });
      expect(jobs.data.jobRuns[0].counts).toMatchObject({ labeled: 30, pool: 30, predictions: 60 });
      const v = (await t.gql(VERSIONS, { p: pid })).data.modelVersions;
      expect(v).toHaveLength(1);
      expect(v[0]).toMatchObject({ name: 'builtin', kind: 'BUILTIN', predictionCount: 60, labelCounts: { a: 10, b: 10, c: 10 } });
      expect(v[0].metrics.folds).toBe(5);
      expect(v[0].metrics.crossValAccuracy).toBeGreaterThanOrEqual(0.9);
      const [stored] = await t.sql<{ w: { foldModels: ClassifierJSON[] } }>(`SELECT weights AS w FROM model_version WHERE id = $1`, [v[0].id]);
      expect(stored.w.foldModels).toHaveLength(5);
      // Reloadable: the stored fold models, rebuilt from the database alone, give back the stored pool predictions.
      await ensureBackend();
      const folds = stored.w.foldModels.map((j) => Classifier.fromJSON(j));
      const poolX = { rows: 30, cols: 4, data: Float32Array.from(items.slice(30).flatMap((x) => x.embedding)) };
      const mean = new Float64Array(30 * 3);
      for (const f of folds) {
        const pr = f.predictProba(poolX);
        for (let q = 0; q < mean.length; q++) mean[q] += pr[q] / folds.length;
      }
      const storedPool = await t.sql<{ item_id: string; probs: Uint8Array }>(`SELECT item_id, probs FROM prediction WHERE model_version_id = $1`, [v[0].id]);
      const byItem = new Map(storedPool.map((r) => [r.item_id, new Float32Array(Uint8Array.from(r.probs).buffer)]));
      for (let i = 0; i < 30; i++) {
        const row = byItem.get(ids[30 + i])!;
        for (let j = 0; j < 3; j++) expect(Math.abs(row[j] - mean[i * 3 + j])).toBeLessThan(1e-5);
      }

      const it = await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { prediction { modelVersionId label } } }`, { p: pid, id: ids[40] });
      expect(it.data.item.prediction).toEqual({ modelVersionId: v[0].id, label: 'b' }); // item 40: class 40 % 3 = 1
      const b = await batch(pid, 3, 'trainee');
      expect(b).toMatchObject({ strategy: 'CLUSTER_MARGIN', fallback: null, modelVersionId: v[0].id, labeledCount: 30, candidateCount: 30 });

      // The five fold models are stored as a committee for every pool item: the committee strategies use it.
      const [cm] = await t.sql<{ n: number; bytes: number }>(
        `SELECT count(*)::int AS n, min(length(committee))::int AS bytes FROM prediction WHERE model_version_id = $1 AND committee IS NOT NULL`,
        [v[0].id],
      );
      expect(cm).toEqual({ n: 30, bytes: 5 * 3 * 4 });
      for (const s of ['VOTE_ENTROPY', 'KL_CONSENSUS']) {
        const cb = await batch(pid, 2, `committee-${s}`, s);
        expect(cb).toMatchObject({ requestedStrategy: s, strategy: s, fallback: null });
        const criterion = s === 'VOTE_ENTROPY' ? 'voteEntropy' : 'klToConsensus';
        for (const it of cb.items) expect(it.scores.map((x) => x.name)).toContain(criterion);
        await t.gql(RELEASE, { p: pid, a: `committee-${s}`, ids: cb.items.map((x) => x.item.id) });
      }
    });

    test('on text through the featurizer; too few labels fail the job with a reason', async () => {
      const c = await t.gql(CREATE_PROJECT, { input: { name: 'texts', classes: ['spam', 'ham'] } });
      const pid = c.data.createProject.id;
      const spam = ['buy cheap pills now', 'cheap watches buy now', 'win money now click', 'free money click here', 'buy now cheap offer'];
      const ham = ['meeting agenda for tomorrow', 'lunch with the team tomorrow', 'project review meeting notes', 'agenda for the review', 'notes from the team meeting'];
      const items = [...spam, ...ham, ...spam.map((x) => `${x} today`), ...ham.map((x) => `${x} today`)].map((text, i) => ({ externalId: `x${i}`, text }));
      const ids: string[] = (await t.gql(IMPORT_ITEMS, { p: pid, items })).data.importItems.ids;

      await t.gql(SUBMIT, { p: pid, a: [{ itemId: ids[0], annotator: 'lab', label: 'spam' }] });
      const bad = await t.gql(TRAIN, { p: pid });
      expect(bad.errors).toBeUndefined();
      await t.app.services.jobs.idle();
      const failed = (await t.gql(JOBS, { p: pid })).data.jobRuns[0];
      expect(failed).toMatchObject({ status: 'FAILED' });
      expect(failed.error).toMatch(/needs at least 5 labeled items in at least 2 classes/);

      const ann = ids.slice(1, 10).map((id, i) => ({ itemId: id, annotator: 'lab', label: i + 1 < 5 ? 'spam' : 'ham' }));
      expect((await t.gql(SUBMIT, { p: pid, a: ann })).errors).toBeUndefined();
      await t.gql(TRAIN, { p: pid });
      await t.app.services.jobs.idle();
      const ok = (await t.gql(JOBS, { p: pid })).data.jobRuns[0];
      expect(ok).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
      const v = (await t.gql(VERSIONS, { p: pid })).data.modelVersions[0];
      expect(v).toMatchObject({ kind: 'BUILTIN', predictionCount: 20 });
      expect(v.metrics.features).toMatch(/text featurizer/);
      const pred = async (i: number) =>
        (await t.gql(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { prediction { label } } }`, { p: pid, id: ids[i] })).data.item.prediction.label;
      expect(await pred(10)).toBe('spam'); // "buy cheap pills now today"
      expect(await pred(15)).toBe('ham'); // "meeting agenda for tomorrow today"
    });

    test('serverInfo names the backend; roles for trainModel and jobRuns', async () => {
      const info = await t.gql(`{ serverInfo { tfBackend } }`);
      expect(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).toContain(info.data.serverInfo.tfBackend);
      const r = await t.gql(CREATE_KEY, { input: { name: 'k-train-tool', role: 'LABELING_TOOL' } });
      const tool = r.data.createApiKey.key;
      const before = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM job_run`);
      expectError(await t.gql(TRAIN, { p: textId }, tool), 'FORBIDDEN');
      expectError(await t.gql(JOBS, { p: textId }, tool), 'FORBIDDEN');
      expect(await t.sql(`SELECT count(*)::int AS n FROM job_run`)).toEqual(before);
    });
  });

  test('bad nextBatch arguments', async () => {
    expectError(await t.gql(NEXT_BATCH, { p: textId, size: 0, a: 'z' }), 'BAD_USER_INPUT', 'size');
    expectError(await t.gql(NEXT_BATCH, { p: textId, size: 1, a: '' }), 'BAD_USER_INPUT', 'annotator');
    expectError(await t.gql(NEXT_BATCH, { p: '00000000-0000-4000-8000-000000000000', size: 1, a: 'z' }), 'NOT_FOUND', 'projectId');
  });
});
