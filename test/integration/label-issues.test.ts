import type { JobContext } from '../../src/jobs/job';
import { labelIssuesJob } from '../../src/jobs/label-issues.job';
import { createRng } from '../../src/quality/rng';
import { CREATE_KEY, CREATE_PROJECT, expectError, float32Base64, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Label issues for QA leads over real HTTP, on PGlite or PostgreSQL (DATABASE_URL). A planted-noise project:
 * 3 Gaussian blobs in 8 dimensions (centres 4 apart on three axes, unit variance), 600 items, 60 labels (10%)
 * flipped to another class, seeded. Out-of-sample probabilities come from a nearest-centroid softmax fitted on the
 * other 4 of 5 folds (noisy labels included), sent with submitPredictions; then the labelIssues job runs, and the
 * issues are reviewed with each decision, re-run, re-opened.
 */
const CLASSES = ['red', 'green', 'blue'];
const N = 600;
const DIM = 8;
const K = 3;
const FOLDS = 5;
const SEED = 6;
const NOISE = 0.1;

const LIST = `query($p: ID!, $s: LabelIssueStatus, $min: Float, $l: String, $first: Int, $after: String) {
  labelIssues(projectId: $p, status: $s, minScore: $min, label: $l, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id itemId givenLabel suggestedLabel score method scoreMethod modelVersionId status decision route reopenedFrom runId
      item { id externalId currentLabel { label source } annotations { kind label annotator { name } } } } } } }`;
const LIST_IDS = `query($p: ID!, $s: LabelIssueStatus, $min: Float, $l: String, $first: Int, $after: String) {
  labelIssues(projectId: $p, status: $s, minScore: $min, label: $l, first: $first, after: $after) { totalCount edges { node { id } } } }`;
const RESOLVE = `mutation($id: ID!, $d: LabelIssueDecision!, $l: String, $n: String) {
  resolveLabelIssue(id: $id, decision: $d, label: $l, note: $n) {
    id status decision resolvedLabel note route resolvedBy resolvedAt reviewAnnotationId givenLabel suggestedLabel
    item { id currentLabel { label source } annotations { id kind label annotator { name } } } } }`;
const HEALTH = `query($p: ID!) { labelHealth(projectId: $p) {
  modelVersionId labeledCount openIssues resolvedIssues overallLabelHealthScore
  classes { label labelIssues inverseLabelIssues labelNoise inverseLabelNoise labelQualityScore }
  overlappingClasses { classA classB numOverlapping jointProbability } joint } }`;
const SUBMIT_PREDICTIONS = `mutation($p: ID!, $m: String!, $pr: [PredictionInput!]!) {
  submitPredictions(projectId: $p, modelName: $m, predictions: $pr) { id } }`;

interface Issue {
  id: string;
  itemId: string;
  givenLabel: string;
  suggestedLabel: string;
  score: number;
  method: string;
  scoreMethod: string;
  modelVersionId: string;
  status: string;
  decision: string | null;
  route: string | null;
  reopenedFrom: string | null;
  runId: string | null;
  item: { id: string; externalId: string; currentLabel: { label: string; source: string } | null; annotations: Array<{ kind: string; label: string; annotator: { name: string } }> };
}

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: Issue }>;
}

/** The planted-noise data set: embeddings, true classes, given (noisy) labels, out-of-sample probabilities. */
function plantedNoise() {
  const rng = createRng(SEED);
  const x: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = i % K;
    truth.push(c);
    x.push(Array.from({ length: DIM }, (_, d) => (d === c ? 4 : 0) + rng.normal()));
  }
  const given = [...truth];
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const flipped = new Set(order.slice(0, Math.round(NOISE * N)));
  for (const i of flipped) given[i] = (truth[i] + 1 + rng.int(K - 1)) % K;
  // Nearest-centroid softmax over -½‖x − c‖², centroids from the other folds' (noisy) labels.
  const probs: number[][] = new Array(N);
  for (let f = 0; f < FOLDS; f++) {
    const sum = Array.from({ length: K }, () => new Array<number>(DIM).fill(0));
    const cnt = new Array<number>(K).fill(0);
    for (let i = 0; i < N; i++) {
      if (i % FOLDS === f) continue;
      cnt[given[i]]++;
      for (let d = 0; d < DIM; d++) sum[given[i]][d] += x[i][d];
    }
    const cent = sum.map((s, c) => s.map((v) => v / cnt[c]));
    for (let i = f; i < N; i += FOLDS) probs[i] = softmax(cent.map((c) => -0.5 * c.reduce((a, v, d) => a + (x[i][d] - v) ** 2, 0)));
  }
  return { x, truth, given, flipped, probs };
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** A probability row that puts `p` on class `c` and the rest evenly on the others. */
const towards = (c: number, p = 0.98) => Array.from({ length: K }, (_, j) => (j === c ? p : (1 - p) / (K - 1)));

describe('label issues', () => {
  let t: TestApp;
  let pid: string;
  let otherPid: string;
  let ids: string[];
  const data = plantedNoise();
  const keys: Record<string, { key: string; id: string }> = {};
  let versionId: string;

  const runJob = async (projectId = pid) => {
    const [run] = await t.sql<{ id: string }>(
      `INSERT INTO job_run (project_id, name, status, started_at) VALUES ($1, 'labelIssues', 'RUNNING', now()) RETURNING id`,
      [projectId],
    );
    const steps: Array<[number, string | undefined]> = [];
    const ctx: JobContext = {
      projectId,
      runId: run.id,
      progress: async (f, s) => {
        steps.push([f, s]);
      },
      signal: new AbortController().signal,
    };
    const counts = await labelIssuesJob(t.app.services.labelIssues).run(ctx);
    return { runId: run.id, counts, steps };
  };
  /** Every issue of the project with `status`, through pagination. */
  const allIssues = async (status: string | null = 'OPEN', pageSize = 100, key?: string): Promise<Issue[]> => {
    const out: Issue[] = [];
    let after: string | null = null;
    for (;;) {
      const r: GqlResponse<{ labelIssues: Page }> = await t.gql(LIST, { p: pid, s: status, first: pageSize, after }, key);
      expect(r.errors).toBeUndefined();
      const c: Page = r.data!.labelIssues;
      out.push(...c.edges.map((e) => e.node));
      if (!c.pageInfo.hasNextPage) {
        expect(out).toHaveLength(c.totalCount);
        return out;
      }
      after = c.pageInfo.endCursor;
    }
  };
  const submitPredictions = async (rows: number[][], name: string) => {
    const r = await t.gql(SUBMIT_PREDICTIONS, { p: pid, m: name, pr: rows.map((probs, i) => ({ itemId: ids[i], probs })) });
    expect(r.errors).toBeUndefined();
    return r.data.submitPredictions.id as string;
  };
  const indexOfItem = (itemId: string) => ids.indexOf(itemId);

  beforeAll(async () => {
    t = await startTestApp();
    const c = await t.gql(CREATE_PROJECT, { input: { name: 'blobs', classes: CLASSES, embeddingDim: DIM } });
    pid = c.data.createProject.id;
    const o = await t.gql(CREATE_PROJECT, { input: { name: 'other', classes: ['a', 'b'] } });
    otherPid = o.data.createProject.id;
    const imp = await t.gql(IMPORT_ITEMS, {
      p: pid,
      items: data.x.map((v, i) => ({ externalId: `x${i}`, embeddingBase64: float32Base64(v) })),
    });
    ids = imp.data.importItems.ids;
    const sub = await t.gql(SUBMIT, {
      p: pid,
      a: data.given.map((g, i) => ({ itemId: ids[i], annotator: 'tool-1', label: CLASSES[g] })),
    });
    expect(sub.errors).toBeUndefined();
    for (const [name, role, scope] of [
      ['qa', 'QA_LEAD', pid],
      ['manager', 'MANAGER', pid],
      ['ml', 'ML_ENGINEER', pid],
      ['tool', 'LABELING_TOOL', pid],
      ['qa-other', 'QA_LEAD', otherPid],
    ] as const) {
      const k = await t.gql(CREATE_KEY, { input: { name, role, projectIds: [scope] } });
      keys[name] = { key: k.data.createApiKey.key, id: k.data.createApiKey.apiKey.id };
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the job is registered; without a model it writes nothing and labelHealth is empty', async () => {
    expect(t.app.jobs.filter((j) => j.name === 'labelIssues').map((j) => ({ name: j.name, schedule: j.schedule }))).toEqual([{ name: 'labelIssues', schedule: null }]);
    const { counts } = await runJob(pid);
    expect(counts).toMatchObject({ labeled: 0, flagged: 0, opened: 0, open: 0 });
    expect(await t.sql(`SELECT 1 FROM label_issue`)).toEqual([]);
    const h = await t.gql(HEALTH, { p: pid });
    expect(h.errors).toBeUndefined();
    expect(h.data.labelHealth).toEqual({
      modelVersionId: null, labeledCount: 0, openIssues: 0, resolvedIssues: 0, overallLabelHealthScore: null,
      classes: [], overlappingClasses: [], joint: null,
    });
  });

  let firstRun: { runId: string; counts: Record<string, number> };
  test('finds the planted flips: precision and recall above their floors, sorted by score, paginated', async () => {
    versionId = await submitPredictions(data.probs, 'centroid-oof');
    firstRun = await runJob();
    const { counts } = firstRun;
    const open = await allIssues('OPEN', 7);
    expect(counts).toMatchObject({ labeled: N, flagged: open.length, opened: open.length, reopened: 0, refreshed: 0, removed: 0, open: open.length });
    const flagged = new Set(open.map((i) => indexOfItem(i.itemId)));
    const hits = [...flagged].filter((i) => data.flipped.has(i)).length;
    const precision = hits / flagged.size;
    const recall = hits / data.flipped.size;
    // Measured 1.00 / 1.00 with this seed, and at least 0.967 / 0.950 over seeds 0-29 (pure findLabelIssues on the
    // same data); the floors leave room for that spread, not for a broken pipeline (flagging at random gives 0.10
    // precision; flagging nothing, recall 0).
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);

    for (let j = 1; j < open.length; j++) expect(open[j].score).toBeGreaterThanOrEqual(open[j - 1].score);
    for (const iss of open) {
      const i = indexOfItem(iss.itemId);
      expect(iss).toMatchObject({ status: 'OPEN', method: 'prune_by_noise_rate', scoreMethod: 'self_confidence', modelVersionId: versionId, runId: firstRun.runId });
      expect(iss.givenLabel).toBe(CLASSES[data.given[i]]);
      const argmax = data.probs[i].indexOf(Math.max(...data.probs[i]));
      expect(iss.suggestedLabel).toBe(CLASSES[argmax]);
      expect(iss.score).toBeCloseTo(data.probs[i][data.given[i]], 5);
      expect(iss.item.externalId).toBe(`x${i}`);
      expect(iss.item.annotations).toEqual([{ kind: 'HUMAN', label: CLASSES[data.given[i]], annotator: { name: 'tool-1' } }]);
    }
    // A flipped item's suggestion is mostly its true class.
    const right = open.filter((iss) => data.flipped.has(indexOfItem(iss.itemId)) && iss.suggestedLabel === CLASSES[data.truth[indexOfItem(iss.itemId)]]);
    expect(right.length / hits).toBeGreaterThanOrEqual(0.9);
  });

  test('filters: status, minScore, label (the given label)', async () => {
    const open = await allIssues('OPEN');
    const mid = open[Math.floor(open.length / 2)].score;
    const r = await t.gql(LIST, { p: pid, s: 'OPEN', min: mid, first: 100 });
    expect(r.data.labelIssues.edges.map((e: { node: Issue }) => e.node.id)).toEqual(open.filter((i) => i.score >= mid).map((i) => i.id));
    const g = await t.gql(LIST, { p: pid, l: 'green', first: 100 });
    expect(g.data.labelIssues.edges.map((e: { node: Issue }) => e.node.id)).toEqual(open.filter((i) => i.givenLabel === 'green').map((i) => i.id));
    expect(g.data.labelIssues.totalCount).toBeGreaterThan(0);
    expect((await t.gql(LIST, { p: pid, s: 'RESOLVED' })).data.labelIssues).toMatchObject({ totalCount: 0, edges: [] });
  });

  test('labelHealth: cleanlab health summary of the latest predictions', async () => {
    const h = await t.gql(HEALTH, { p: pid }, keys.qa.key);
    expect(h.errors).toBeUndefined();
    const s = h.data.labelHealth;
    expect(s).toMatchObject({ modelVersionId: versionId, labeledCount: N, openIssues: firstRun.counts.open, resolvedIssues: 0 });
    // About 10% of the labels are wrong.
    expect(s.overallLabelHealthScore).toBeGreaterThan(0.85);
    expect(s.overallLabelHealthScore).toBeLessThan(0.95);
    expect(s.classes.map((c: { label: string }) => c.label).sort()).toEqual([...CLASSES].sort());
    const total = s.joint.flat().reduce((a: number, b: number) => a + b, 0);
    expect(total).toBeCloseTo(1, 6);
    expect(s.classes.reduce((a: number, c: { labelIssues: number }) => a + c.labelIssues, 0)).toBeGreaterThan(40);
  });

  test('roles and scope: reads for ADMIN/ML_ENGINEER/QA_LEAD/MANAGER, resolve for QA_LEAD/ADMIN; out of scope = NOT_FOUND', async () => {
    const [iss] = await allIssues('OPEN');
    for (const k of ['qa', 'manager', 'ml']) {
      expect((await t.gql(LIST, { p: pid, first: 1 }, keys[k].key)).errors).toBeUndefined();
      expect((await t.gql(HEALTH, { p: pid }, keys[k].key)).errors).toBeUndefined();
    }
    expectError(await t.gql(LIST, { p: pid }, keys.tool.key), 'FORBIDDEN');
    expectError(await t.gql(HEALTH, { p: pid }, keys.tool.key), 'FORBIDDEN');
    for (const k of ['manager', 'ml', 'tool']) expectError(await t.gql(RESOLVE, { id: iss.id, d: 'KEEP_GIVEN' }, keys[k].key), 'FORBIDDEN');
    // A key scoped to another project: the project and the issue answer exactly like missing ones.
    const a = expectError(await t.gql(LIST, { p: pid }, keys['qa-other'].key), 'NOT_FOUND');
    expect(a.extensions?.field).toBe('projectId');
    const b = expectError(await t.gql(RESOLVE, { id: iss.id, d: 'KEEP_GIVEN' }, keys['qa-other'].key), 'NOT_FOUND');
    const missing = '00000000-0000-4000-8000-000000000000';
    const c = expectError(await t.gql(RESOLVE, { id: missing, d: 'KEEP_GIVEN' }, keys['qa-other'].key), 'NOT_FOUND');
    expect(b.message.replace(iss.id, 'X')).toBe(c.message.replace(missing, 'X'));
    expectError(await t.gql(HEALTH, { p: pid }, keys['qa-other'].key), 'NOT_FOUND');
    // Nothing was written by the refused calls.
    expect(await t.sql(`SELECT status FROM label_issue WHERE id = $1`, [iss.id])).toEqual([{ status: 'OPEN' }]);
    expect(await t.sql(`SELECT 1 FROM annotation WHERE kind = 'REVIEW'`)).toEqual([]);
  });

  test('bad input: RELABEL without a label or with an unknown class, a label with another decision, unknown ids, paging', async () => {
    const [iss] = await allIssues('OPEN');
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ id: iss.id, d: 'RELABEL' }, 'BAD_USER_INPUT', 'label'],
      [{ id: iss.id, d: 'RELABEL', l: 'purple' }, 'BAD_USER_INPUT', 'label'],
      [{ id: iss.id, d: 'ACCEPT_SUGGESTION', l: 'red' }, 'BAD_USER_INPUT', 'label'],
      [{ id: iss.id, d: 'KEEP_GIVEN', n: 'x'.repeat(2001) }, 'BAD_USER_INPUT', 'note'],
      [{ id: '00000000-0000-4000-8000-000000000000', d: 'KEEP_GIVEN' }, 'NOT_FOUND', 'id'],
      [{ id: 'not-a-uuid', d: 'KEEP_GIVEN' }, 'NOT_FOUND', 'id'],
    ];
    for (const [vars, code, field] of cases) {
      const e = expectError(await t.gql(RESOLVE, vars, keys.qa.key), code);
      expect(e.extensions?.field).toBe(field);
    }
    expectError(await t.gql(RESOLVE, { id: iss.id, d: 'MAYBE' }, keys.qa.key), 'BAD_USER_INPUT');
    for (const [vars, field] of [
      [{ p: pid, first: 0 }, 'first'],
      [{ p: pid, first: 1001 }, 'first'],
      [{ p: pid, after: 'garbage' }, 'after'],
      [{ p: pid, l: 'purple' }, 'label'],
      [{ p: pid, min: 1.5 }, 'minScore'],
    ] as const) {
      expect(expectError(await t.gql(LIST_IDS, vars), 'BAD_USER_INPUT').extensions?.field).toBe(field);
    }
    expectError(await t.gql(HEALTH, { p: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
    expect(await t.sql(`SELECT status FROM label_issue WHERE id = $1`, [iss.id])).toEqual([{ status: 'OPEN' }]);
    expect(await t.sql(`SELECT 1 FROM annotation WHERE kind = 'REVIEW'`)).toEqual([]);
  });

  /** The four reviewed issues (the lowest-scored flipped items: surely flagged again on a re-run). */
  const reviewed: Record<string, Issue> = {};
  test('resolve: each decision writes (or not) a REVIEW annotation, sets the label, closes the issue', async () => {
    const open = (await allIssues('OPEN')).filter((i) => data.flipped.has(indexOfItem(i.itemId)));
    [reviewed.accept, reviewed.keep, reviewed.relabel, reviewed.notSure] = open;
    const labelsBefore = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM annotation`);

    const acc = await t.gql(RESOLVE, { id: reviewed.accept.id, d: 'ACCEPT_SUGGESTION', n: 'clearly the model is right' }, keys.qa.key);
    expect(acc.errors).toBeUndefined();
    const a = acc.data.resolveLabelIssue;
    expect(a).toMatchObject({
      status: 'RESOLVED', decision: 'ACCEPT_SUGGESTION', resolvedLabel: reviewed.accept.suggestedLabel, note: 'clearly the model is right',
      route: null, resolvedBy: keys.qa.id, item: { currentLabel: { label: reviewed.accept.suggestedLabel, source: 'REVIEW' } },
    });
    expect(a.resolvedAt).toBeTruthy();
    const review = a.item.annotations.find((x: { kind: string }) => x.kind === 'REVIEW');
    expect(review).toMatchObject({ id: a.reviewAnnotationId, label: reviewed.accept.suggestedLabel, annotator: { name: 'qa' } });
    // History kept: the original HUMAN annotation is still there.
    expect(a.item.annotations.map((x: { kind: string }) => x.kind)).toEqual(['HUMAN', 'REVIEW']);

    const keep = (await t.gql(RESOLVE, { id: reviewed.keep.id, d: 'KEEP_GIVEN' }, keys.qa.key)).data.resolveLabelIssue;
    expect(keep).toMatchObject({
      status: 'RESOLVED', decision: 'KEEP_GIVEN', resolvedLabel: reviewed.keep.givenLabel, note: null,
      item: { currentLabel: { label: reviewed.keep.givenLabel, source: 'REVIEW' } },
    });
    expect(keep.item.annotations.map((x: { kind: string; label: string }) => [x.kind, x.label])).toEqual([
      ['HUMAN', reviewed.keep.givenLabel],
      ['REVIEW', reviewed.keep.givenLabel],
    ]);

    const third = CLASSES.find((c) => c !== reviewed.relabel.givenLabel && c !== reviewed.relabel.suggestedLabel)!;
    const rel = await t.gql(RESOLVE, { id: reviewed.relabel.id, d: 'RELABEL', l: third }, t.adminKey);
    expect(rel.errors).toBeUndefined();
    expect(rel.data.resolveLabelIssue).toMatchObject({
      status: 'RESOLVED', decision: 'RELABEL', resolvedLabel: third, item: { currentLabel: { label: third, source: 'REVIEW' } },
    });

    const ns = (await t.gql(RESOLVE, { id: reviewed.notSure.id, d: 'NOT_SURE', n: 'ask an expert' }, keys.qa.key)).data.resolveLabelIssue;
    expect(ns).toMatchObject({
      status: 'RESOLVED', decision: 'NOT_SURE', resolvedLabel: null, route: 'EXPERT', reviewAnnotationId: null,
      item: { currentLabel: { label: reviewed.notSure.givenLabel, source: 'MAJORITY_VOTE' } },
    });
    expect(ns.item.annotations.map((x: { kind: string }) => x.kind)).toEqual(['HUMAN']);
    expect(await t.sql(`SELECT count(*)::int AS n FROM annotation`)).toEqual([{ n: labelsBefore[0].n + 3 }]);
    expect(await t.sql(`SELECT count(*)::int AS n FROM item WHERE id = $1 AND current_label = $2`, [reviewed.notSure.itemId, CLASSES.indexOf(reviewed.notSure.givenLabel)])).toEqual([{ n: 1 }]);

    // Closed: a second resolution is a conflict; the lists move.
    expectError(await t.gql(RESOLVE, { id: reviewed.keep.id, d: 'ACCEPT_SUGGESTION' }, keys.qa.key), 'CONFLICT');
    const resolved = await allIssues('RESOLVED');
    expect(resolved.map((i) => i.id).sort()).toEqual(Object.values(reviewed).map((i) => i.id).sort());
    expect((await t.gql(HEALTH, { p: pid })).data.labelHealth).toMatchObject({ resolvedIssues: 4, openIssues: firstRun.counts.open - 4 });
  });

  test('a re-run keeps reviewed issues closed and refreshes open ones in place', async () => {
    const before = await allIssues('OPEN');
    const { counts, runId } = await runJob();
    const after = await allIssues('OPEN');
    const openItems = new Set(after.map((i) => i.itemId));
    for (const r of [reviewed.keep, reviewed.notSure, reviewed.relabel, reviewed.accept]) expect(openItems.has(r.itemId)).toBe(false);
    // KEEP_GIVEN and NOT_SURE items are still flagged (same predictions, same label): kept closed by the rule.
    expect(counts.keptClosed).toBeGreaterThanOrEqual(2);
    expect(counts.opened + counts.reopened).toBe(0);
    const beforeByItem = new Map(before.map((i) => [i.itemId, i.id]));
    for (const i of after) {
      expect(beforeByItem.get(i.itemId)).toBe(i.id);
      expect(i.runId).toBe(runId);
    }
    expect(counts.refreshed).toBe(after.length);
    expect(counts.removed).toBe(before.length - after.length);
    expect((await allIssues('RESOLVED')).length).toBe(4);
  });

  test('re-opened by a new annotation on the item, or by a changed suggestion; stale open issues are removed', async () => {
    // A new HUMAN vote on the kept item (the REVIEW still decides its label): re-opened.
    const s = await t.gql(SUBMIT, { p: pid, a: [{ itemId: reviewed.keep.itemId, annotator: 'tool-2', label: reviewed.keep.givenLabel }] }, keys.tool.key);
    expect(s.errors).toBeUndefined();
    // A new model version: the NOT_SURE item now points to the third class (a changed suggestion), and one still
    // open issue's item now agrees with its given label (no longer flagged).
    const open = await allIssues('OPEN');
    const staleOne = open[open.length - 1];
    const ns = indexOfItem(reviewed.notSure.itemId);
    const newSuggestion = CLASSES.findIndex((c) => c !== reviewed.notSure.givenLabel && c !== reviewed.notSure.suggestedLabel);
    const rows = data.probs.map((p, i) => (i === ns ? towards(newSuggestion) : i === indexOfItem(staleOne.itemId) ? towards(data.given[i]) : p));
    const v2 = await submitPredictions(rows, 'centroid-oof-2');

    const { counts } = await runJob();
    expect(counts.reopened).toBe(2);
    expect(counts.removed).toBeGreaterThanOrEqual(1);
    const after = await allIssues('OPEN');
    const byItem = new Map(after.map((i) => [i.itemId, i]));
    expect(byItem.get(reviewed.keep.itemId)).toMatchObject({ status: 'OPEN', reopenedFrom: reviewed.keep.id, givenLabel: reviewed.keep.givenLabel, modelVersionId: v2 });
    expect(byItem.get(reviewed.notSure.itemId)).toMatchObject({ reopenedFrom: reviewed.notSure.id, suggestedLabel: CLASSES[newSuggestion] });
    expect(byItem.has(staleOne.itemId)).toBe(false);
    expect(await t.sql(`SELECT 1 FROM label_issue WHERE id = $1`, [staleOne.id])).toEqual([]);
    // The resolved issues are kept as they were: history.
    const resolved = await allIssues('RESOLVED');
    expect(resolved.map((i) => i.id).sort()).toEqual(Object.values(reviewed).map((i) => i.id).sort());
    expect(resolved.find((i) => i.id === reviewed.notSure.id)).toMatchObject({ decision: 'NOT_SURE', route: 'EXPERT' });
    // One OPEN issue per item, at most (the database enforces it).
    const [{ dup }] = await t.sql<{ dup: number }>(
      `SELECT count(*)::int AS dup FROM (SELECT item_id FROM label_issue WHERE status = 'OPEN' GROUP BY item_id HAVING count(*) > 1) d`,
    );
    expect(dup).toBe(0);
    // The re-opened issue resolves like any other.
    const again = await t.gql(RESOLVE, { id: byItem.get(reviewed.keep.itemId)!.id, d: 'ACCEPT_SUGGESTION' }, keys.qa.key);
    expect(again.data.resolveLabelIssue).toMatchObject({ status: 'RESOLVED', item: { currentLabel: { label: byItem.get(reviewed.keep.itemId)!.suggestedLabel, source: 'REVIEW' } } });
  });

  test('a run aborted before saving fails and leaves the previous issue set in place', async () => {
    const before = await t.sql(`SELECT id, status, score, run_id FROM label_issue ORDER BY id`);
    const ac = new AbortController();
    ac.abort();
    const ctx: JobContext = { projectId: pid, runId: firstRun.runId, progress: async () => undefined, signal: ac.signal };
    await expect(labelIssuesJob(t.app.services.labelIssues).run(ctx)).rejects.toThrow(/aborted/);
    expect(await t.sql(`SELECT id, status, score, run_id FROM label_issue ORDER BY id`)).toEqual(before);
  });

  test('another project: its own (empty) issue list; the job for it writes nothing', async () => {
    const r = await t.gql(LIST, { p: otherPid });
    expect(r.data.labelIssues).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    const { counts } = await runJob(otherPid);
    expect(counts.labeled).toBe(0);
    expect(await t.sql(`SELECT count(*)::int AS n FROM label_issue WHERE project_id = $1`, [otherPid])).toEqual([{ n: 0 }]);
  });
});
