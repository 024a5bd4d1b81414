import { parseCsv } from '../helpers/csv';
import { createHash } from 'node:crypto';
import { driftJob } from '../../src/jobs/drift.job';
import type { Job, JobContext } from '../../src/jobs/job';
import { routeJob } from '../../src/jobs/route.job';
import { routeItems } from '../../src/quality';
import { createRng } from '../../src/quality/rng';
import { CREATE_KEY, CREATE_PROJECT, expectError, float32Base64, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Routing, drift and snapshots over real HTTP, on PGlite or PostgreSQL (DATABASE_URL):
 * - the route job's routes equal routeItems on the same inputs (the project's thresholds, DONE items set aside),
 *   routeCounts and item.route; a NOT_SURE review and the consensus job's agreement are honoured;
 * - the drift job flags embeddings shifted in the newer half (MMD) and leaves an unshifted project alone, seeded;
 *   predictions, labels and an annotator's label mix drift too;
 * - snapshots: JSONL and CSV exports over HTTP (auth, scope, role), the content hash (stable, = sha256 of the JSONL,
 *   changes after an annotation), snapshotDiff, deleteItems (ADMIN, audit log) leaving earlier snapshots intact.
 */
const SUBMIT_PREDICTIONS = `mutation($p: ID!, $m: String!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: $m, predictions: $pr) { id } }`;
const UPDATE_PROJECT = `mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) { id settings } }`;
const ROUTE_COUNTS = `query($p: ID!) { routeCounts(projectId: $p) { projectId items routed spotChecks counts { route count } runId updatedAt } }`;
const DRIFT = `query($p: ID!) { driftReports(projectId: $p) {
  id runId kind annotator statistic value pvalue verdict referenceFrom referenceTo currentFrom currentTo referenceCount currentCount details createdAt } }`;
const CREATE_SNAPSHOT = `mutation($p: ID!, $n: String) { createSnapshot(projectId: $p, note: $n) { id projectId note createdBy createdAt contentHash itemCount } }`;
const SNAPSHOTS = `query($p: ID!) { snapshots(projectId: $p) { id note contentHash itemCount } }`;
const DIFF = `query($a: ID!, $b: ID!, $first: Int) { snapshotDiff(a: $a, b: $b, first: $first) {
  a { id } b { id } addedCount removedCount changedCount unchangedCount
  added { externalId itemId oldLabel newLabel } removed { externalId itemId oldLabel newLabel } changed { externalId itemId oldLabel newLabel } } }`;
const DELETE_ITEMS = `mutation($p: ID!, $ids: [ID!]!) { deleteItems(projectId: $p, ids: $ids) { deleted annotationsDeleted auditLogId deletedAt } }`;
const AUDIT = `query($p: ID!) { auditLog(projectId: $p) { id projectId actorKeyId action details createdAt } }`;

type Route = 'AUTO_ACCEPT' | 'SINGLE_REVIEW' | 'CONSENSUS' | 'EXPERT' | 'DONE';
interface Report {
  id: string;
  runId: string;
  kind: string;
  annotator: string | null;
  statistic: string;
  value: number;
  pvalue: number | null;
  verdict: 'OK' | 'WARN' | 'DRIFT';
  referenceCount: number;
  currentCount: number;
  details: Record<string, unknown>;
}

describe('routing, drift and snapshots', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const ok = async <T = any>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await t.gql<T>(query, variables, key);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data as T;
  };
  const project = async (name: string, classes: string[], extra: Record<string, unknown> = {}): Promise<string> =>
    (await ok(CREATE_PROJECT, { input: { name, classes, ...extra } })).createProject.id;
  const key = async (name: string, role: string, projectIds?: string[]): Promise<string> =>
    (await ok(CREATE_KEY, { input: { name, role, projectIds } })).createApiKey.key;
  /** Runs a job the way the runner does (a job_run row, a context), and returns its counts. */
  const runDirect = async (job: Job, projectId: string): Promise<{ runId: string; counts: Record<string, number> }> => {
    const [run] = await t.sql<{ id: string }>(
      `INSERT INTO job_run (project_id, name, status, started_at) VALUES ($1, $2, 'RUNNING', now()) RETURNING id`,
      [projectId, job.name],
    );
    const ctx: JobContext = {
      projectId,
      runId: run.id,
      progress: async () => undefined,
      signal: new AbortController().signal,
    };
    const counts = await job.run(ctx);
    await t.sql(`UPDATE job_run SET status = 'SUCCEEDED', finished_at = now(), counts = $2::jsonb WHERE id = $1`, [run.id, JSON.stringify(counts)]);
    return { runId: run.id, counts };
  };

  // ---------------------------------------------------------------------------------------------------------------
  describe('routing', () => {
    const CLASSES = ['a', 'b', 'c'];
    const N = 30;
    let pid: string;
    let ids: string[];
    const probs = new Map<number, number[]>(); // item index → submitted probabilities
    /** item index → votes [label, kind] submitted. */
    const votes = new Map<number, Array<[string, 'HUMAN' | 'GOLD' | 'REVIEW']>>();
    const routing = { autoAccept: 0.9, singleReview: 0.6, spotCheckRate: 0.5, minAgreement: 0.7, seed: 3 };

    beforeAll(async () => {
      pid = await project('routing', CLASSES, { settings: { routing } });
      const r = await ok(IMPORT_ITEMS, { p: pid, items: Array.from({ length: N }, (_, i) => ({ externalId: `r${i}`, text: `item ${i}` })) });
      ids = r.importItems.ids;
      // Predictions for r0..r24 (r25..r29 unpredicted): top probability 0.34 … 1.0 over the classes in turn.
      const pr = [];
      for (let i = 0; i < 25; i++) {
        const top = Math.min(1, 0.34 + (i % 12) * 0.06);
        const row = [(1 - top) / 2, (1 - top) / 2, (1 - top) / 2];
        row[i % 3] = top;
        probs.set(i, row);
        pr.push({ externalId: `r${i}`, probs: row });
      }
      await ok(SUBMIT_PREDICTIONS, { p: pid, m: 'ext', pr });
      const plan: Array<[number, Array<[string, 'HUMAN' | 'GOLD' | 'REVIEW']>]> = [
        [0, [['a', 'REVIEW']]],
        [1, [['b', 'HUMAN'], ['c', 'REVIEW']]],
        [2, [['a', 'HUMAN'], ['a', 'HUMAN']]],
        [3, [['b', 'HUMAN'], ['b', 'HUMAN']]],
        [4, [['c', 'HUMAN'], ['c', 'HUMAN']]],
        [5, [['a', 'HUMAN'], ['a', 'HUMAN']]],
        [6, [['a', 'HUMAN'], ['b', 'HUMAN']]],
        [7, [['c', 'HUMAN'], ['b', 'HUMAN']]],
        [8, [['a', 'HUMAN'], ['a', 'HUMAN'], ['b', 'HUMAN']]], // 2 of 3 agree: share 0.67 < minAgreement 0.7
        [9, [['b', 'HUMAN']]],
        [10, [['c', 'HUMAN'], ['c', 'HUMAN'], ['c', 'HUMAN']]],
        [11, [['a', 'HUMAN']]],
        [26, [['b', 'HUMAN'], ['b', 'HUMAN']]],
        [27, [['a', 'GOLD'], ['a', 'HUMAN']]],
      ];
      const anns: Array<Record<string, string>> = [];
      for (const [i, vs] of plan) {
        votes.set(i, vs);
        vs.forEach(([label, kind], j) => anns.push({ externalId: `r${i}`, annotator: `ann${j}`, label, kind }));
      }
      await ok(SUBMIT, { p: pid, a: anns });
    });

    /** The routes routeItems gives on the same inputs, with DONE decided from the votes as documented. */
    const expected = async (settings: typeof routing, notSure: Set<number> = new Set(), consensus: Map<number, number> = new Map()) => {
      const order = (await t.sql<{ id: string }>(`SELECT id FROM item WHERE project_id = $1 ORDER BY created_at, id`, [pid])).map((r) => ids.indexOf(r.id));
      const route = new Map<number, Route>();
      const spot = new Map<number, boolean>();
      const open: number[] = [];
      const agreementOf = (i: number): number | null => {
        if (consensus.has(i)) return consensus.get(i)!;
        const hv = (votes.get(i) ?? []).filter(([, k]) => k !== 'REVIEW').map(([l]) => l);
        if (hv.length < 2) return null;
        const top = Math.max(...CLASSES.map((c) => hv.filter((l) => l === c).length));
        return top / hv.length;
      };
      for (const i of order) {
        const vs = votes.get(i) ?? [];
        const hv = vs.filter(([, k]) => k !== 'REVIEW').map(([l]) => l);
        const top = hv.length ? Math.max(...CLASSES.map((c) => hv.filter((l) => l === c).length)) : 0;
        if (notSure.has(i)) route.set(i, 'EXPERT');
        else if (vs.some(([, k]) => k === 'REVIEW')) route.set(i, 'DONE');
        else if (top >= 2 && top / hv.length >= settings.minAgreement) route.set(i, 'DONE');
        else open.push(i);
      }
      const res = routeItems(
        open.map((i) => probs.get(i) ?? [1 / 3, 1 / 3, 1 / 3]),
        { ...settings, agreement: open.map(agreementOf) },
      );
      open.forEach((i, t) => {
        route.set(i, res.route[t]);
        spot.set(i, res.spotCheck[t]);
      });
      return { route, spot };
    };
    const stored = async () => {
      const rows = await t.sql<{ item_id: string; route: Route; spot_check: boolean }>(`SELECT item_id, route, spot_check FROM item_route WHERE project_id = $1`, [pid]);
      return { route: new Map(rows.map((r) => [ids.indexOf(r.item_id), r.route])), spot: new Map(rows.map((r) => [ids.indexOf(r.item_id), r.spot_check])) };
    };
    const compare = async (settings: typeof routing, notSure?: Set<number>, consensus?: Map<number, number>) => {
      const want = await expected(settings, notSure, consensus);
      const got = await stored();
      expect(got.route.size).toBe(N);
      for (let i = 0; i < N; i++) {
        expect([i, got.route.get(i)]).toEqual([i, want.route.get(i)]);
        expect([i, got.spot.get(i)]).toEqual([i, want.spot.get(i) ?? false]);
      }
      return want;
    };

    test('the route job: routes equal routeItems on the same inputs with the project thresholds; DONE items', async () => {
      const { counts } = await runDirect(routeJob(t.app.services.routing), pid);
      const want = await compare(routing);
      // The planted cases, spelled out.
      for (const i of [0, 1, 2, 3, 4, 5, 10, 26, 27]) expect([i, want.route.get(i)]).toEqual([i, 'DONE']);
      for (const i of [6, 7, 8]) expect([i, want.route.get(i)]).toEqual([i, 'EXPERT']);
      const values = [...want.route.values()];
      for (const r of ['AUTO_ACCEPT', 'SINGLE_REVIEW', 'CONSENSUS'] as Route[]) expect(values).toContain(r);
      expect([...want.spot.values()].filter(Boolean).length).toBeGreaterThan(0);
      expect(counts).toMatchObject({ items: N, done: 9, predicted: 25, expert: values.filter((r) => r === 'EXPERT').length });

      const rc = (await ok(ROUTE_COUNTS, { p: pid })).routeCounts;
      expect(rc.items).toBe(N);
      expect(rc.routed).toBe(N);
      expect(rc.spotChecks).toBe([...want.spot.values()].filter(Boolean).length);
      expect(rc.counts.map((c: { route: string }) => c.route)).toEqual(['AUTO_ACCEPT', 'SINGLE_REVIEW', 'CONSENSUS', 'EXPERT', 'DONE']);
      for (const c of rc.counts) expect([c.route, c.count]).toEqual([c.route, values.filter((r) => r === c.route).length]);

      const it = await ok(`query($p: ID!, $id: ID!) { item(projectId: $p, id: $id) { route { route spotCheck confidence agreement runId } } }`, { p: pid, id: ids[8] });
      expect(it.item.route).toMatchObject({ route: 'EXPERT', spotCheck: false, agreement: expect.closeTo(2 / 3, 5), runId: rc.runId });
    });

    test('changed thresholds are honoured on the next run (minAgreement 0.6 settles 2-of-3 votes)', async () => {
      const next = { autoAccept: 0.75, singleReview: 0.5, spotCheckRate: 0.2, minAgreement: 0.6, seed: 11 };
      await ok(UPDATE_PROJECT, { id: pid, input: { settings: { routing: next } } });
      await runDirect(routeJob(t.app.services.routing), pid);
      const want = await compare(next);
      expect(want.route.get(8)).toBe('DONE');
      await ok(UPDATE_PROJECT, { id: pid, input: { settings: { routing } } });
    });

    test("a QA lead's NOT_SURE sends an item to EXPERT; the consensus job's agreement replaces the vote share", async () => {
      // r3 is settled by two votes; a NOT_SURE resolution (label_issue.route = EXPERT) after them overrides that.
      await t.sql(
        `INSERT INTO label_issue (project_id, item_id, given_label, suggested_label, score, method, score_method, status, decision, route,
           votes_at_resolution, resolved_at) VALUES ($1, $2, 1, 0, 0.1, 'x', 'y', 'RESOLVED', 'NOT_SURE', 'EXPERT', 2, now())`,
        [pid, ids[3]],
      );
      // r8 (2 of 3 agree: EXPERT by vote share) gets a Dawid–Skene confidence of 0.95 from the consensus job.
      await t.sql(
        `INSERT INTO item_consensus (item_id, project_id, label, confidence, method, majority_label, num_annotations) VALUES ($1, $2, 0, 0.95, 'DAWID_SKENE', 0, 3)`,
        [ids[8], pid],
      );
      const { counts } = await runDirect(routeJob(t.app.services.routing), pid);
      expect(counts.agreementFromConsensus).toBe(1);
      const want = await compare(routing, new Set([3]), new Map([[8, 0.95]]));
      expect(want.route.get(3)).toBe('EXPERT');
      expect(want.route.get(8)).not.toBe('EXPERT');
      await t.sql(`DELETE FROM item_consensus WHERE project_id = $1`, [pid]);
    });

    test('routeCounts: scope and roles', async () => {
      const other = await project('routing-other', ['x', 'y']);
      keys.manager = await key('mgr', 'MANAGER');
      keys.tool = await key('tool', 'LABELING_TOOL');
      keys.scoped = await key('scoped-admin', 'ADMIN', [other]);
      expect((await ok(ROUTE_COUNTS, { p: pid }, keys.manager)).routeCounts.routed).toBe(N);
      expectError(await t.gql(ROUTE_COUNTS, { p: pid }, keys.tool), 'FORBIDDEN');
      expectError(await t.gql(ROUTE_COUNTS, { p: pid }, keys.scoped), 'NOT_FOUND');
      const empty = (await ok(ROUTE_COUNTS, { p: other })).routeCounts;
      expect(empty).toMatchObject({ items: 0, routed: 0, spotChecks: 0, runId: null, updatedAt: null });
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('drift', () => {
    const DIM = 8;
    const HALF = 120;
    /** Two imports of HALF items each: N(0, I), then N(shift·1, I); seeded. */
    const driftProject = async (name: string, shift: number, settings: Record<string, unknown>) => {
      const pid = await project(name, ['a', 'b'], { embeddingDim: DIM, settings });
      const rng = createRng(name.length * 7 + 1);
      const batch = (from: number, s: number) =>
        Array.from({ length: HALF }, (_, i) => ({
          externalId: `e${from + i}`,
          embeddingBase64: float32Base64(Array.from({ length: DIM }, () => rng.normal() + s)),
        }));
      const first = await ok(IMPORT_ITEMS, { p: pid, items: batch(0, 0) });
      await new Promise((r) => setTimeout(r, 20));
      const second = await ok(IMPORT_ITEMS, { p: pid, items: batch(HALF, shift) });
      return { pid, ids: [...first.importItems.ids, ...second.importItems.ids] as string[] };
    };
    const reports = async (pid: string): Promise<Report[]> => (await ok(DRIFT, { p: pid })).driftReports;
    const find = (rs: Report[], kind: string, statistic: string, annotator: string | null = null) =>
      rs.find((r) => r.kind === kind && r.statistic === statistic && r.annotator === annotator);

    let shifted: { pid: string; ids: string[] };
    test('embeddings shifted in the newer half: MMD says DRIFT; predictions, labels and an annotator drift too', async () => {
      shifted = await driftProject('drift-shifted', 0.8, { drift: { split: 'halves', seed: 5 } });
      const { pid, ids } = shifted;
      // The model predicts "a" for the older half and "b" for the newer; labels and one annotator follow.
      const pr = ids.map((id, i) => ({ itemId: id, probs: i < HALF ? [0.9, 0.1] : [0.2, 0.8] }));
      await ok(SUBMIT_PREDICTIONS, { p: pid, m: 'ext', pr });
      const label = (i: number) => (i < HALF ? (i % 10 < 8 ? 'a' : 'b') : i % 10 < 2 ? 'a' : 'b');
      await ok(SUBMIT, { p: pid, a: ids.slice(0, 30).map((id, i) => ({ itemId: id, annotator: 'drifter', label: label(i) })) });
      await ok(SUBMIT, { p: pid, a: ids.slice(HALF, HALF + 30).map((id, i) => ({ itemId: id, annotator: 'drifter', label: label(HALF + i) })) });
      // A steady annotator labels both halves the same way.
      await ok(SUBMIT, { p: pid, a: ids.slice(40, 60).map((id, i) => ({ itemId: id, annotator: 'steady', label: i % 2 ? 'a' : 'b' })) });
      await ok(SUBMIT, { p: pid, a: ids.slice(HALF + 40, HALF + 60).map((id, i) => ({ itemId: id, annotator: 'steady', label: i % 2 ? 'a' : 'b' })) });

      const { runId, counts } = await runDirect(driftJob(t.app.services.drift), pid);
      const rs = await reports(pid);
      expect(rs.every((r) => r.runId === runId)).toBe(true);
      expect(counts.reports).toBe(rs.length);
      const mmd = find(rs, 'EMBEDDING', 'mmd2')!;
      expect(mmd).toMatchObject({ verdict: 'DRIFT', referenceCount: HALF, currentCount: HALF });
      expect(mmd.pvalue).toBeLessThanOrEqual(0.01);
      expect(mmd.details).toMatchObject({ split: 'halves', permutations: 100 });
      expect(find(rs, 'PREDICTION', 'chi2')).toMatchObject({ verdict: 'DRIFT', referenceCount: HALF, currentCount: HALF });
      expect(find(rs, 'PREDICTION', 'chi2')!.details).toMatchObject({ referenceCounts: { a: HALF, b: 0 }, currentCounts: { a: 0, b: HALF } });
      expect(find(rs, 'PREDICTION', 'js')!.verdict).toBe('DRIFT');
      expect(find(rs, 'PREDICTION', 'psi')!.verdict).toBe('DRIFT');
      expect(find(rs, 'PREDICTION', 'psiConfidence')).toBeDefined();
      const lab = find(rs, 'LABEL', 'chi2')!;
      expect(lab.verdict).toBe('DRIFT');
      expect(lab.referenceCount).toBe(50);
      expect(find(rs, 'LABEL', 'js')!.verdict).toBe('DRIFT');
      expect(find(rs, 'ANNOTATOR', 'js', 'drifter')).toMatchObject({ verdict: 'DRIFT', referenceCount: 30, currentCount: 30 });
      expect(find(rs, 'ANNOTATOR', 'js', 'steady')).toMatchObject({ verdict: 'OK', value: 0, referenceCount: 20, currentCount: 20 });
    });

    test('the same data without a shift: no DRIFT on MMD (seeded); a text-free project gets only the embedding report', async () => {
      const { pid } = await driftProject('drift-steady', 0, { drift: { split: 'halves', seed: 5 } });
      await runDirect(driftJob(t.app.services.drift), pid);
      const rs = await reports(pid);
      expect(rs.map((r) => `${r.kind}/${r.statistic}`)).toEqual(['EMBEDDING/mmd2']);
      expect(rs[0].verdict).not.toBe('DRIFT');
      expect(rs[0].pvalue).toBeGreaterThan(0.01);
      expect(rs[0].value).toBeLessThan(find(await reports(shifted.pid), 'EMBEDDING', 'mmd2')!.value);
    });

    test('explicit timestamp windows; default time windows (last 7 days vs the 30 before) see no reference yet', async () => {
      const { pid } = shifted;
      const [mid] = await t.sql<{ at: Date }>(`SELECT min(created_at) AS at FROM item WHERE project_id = $1 AND external_id = $2`, [pid, `e${HALF}`]);
      const at = new Date(mid.at);
      const reference = { from: new Date(at.getTime() - 3600_000).toISOString(), to: at.toISOString() };
      const current = { from: at.toISOString(), to: new Date(at.getTime() + 3600_000).toISOString() };
      await ok(UPDATE_PROJECT, { id: pid, input: { settings: { drift: { reference, current, seed: 5 } } } });
      const before = (await reports(pid))[0].runId;
      const { runId } = await runDirect(driftJob(t.app.services.drift), pid);
      const rs = await reports(pid);
      expect(rs[0].runId).toBe(runId);
      expect(runId).not.toBe(before);
      expect(find(rs, 'EMBEDDING', 'mmd2')).toMatchObject({ verdict: 'DRIFT', referenceCount: HALF, currentCount: HALF });
      expect(find(rs, 'EMBEDDING', 'mmd2')!.details.split).toBe('explicit');

      // Defaults: every item is minutes old, so the reference window (8–37 days ago) is empty: no item report.
      await ok(UPDATE_PROJECT, { id: pid, input: { settings: { drift: null } } });
      const { counts } = await runDirect(driftJob(t.app.services.drift), pid);
      expect(counts.reports).toBe(0);
      expect((await reports(pid))[0].runId).toBe(runId); // the latest run with reports stays shown

      // Bad stored settings (written before settings were validated) fail the job with the field named.
      expectError(await t.gql(UPDATE_PROJECT, { id: pid, input: { settings: { drift: { split: 'thirds' } } } }), 'BAD_USER_INPUT', 'input.settings.drift.split');
      await t.sql(`UPDATE project SET settings = '{"drift": {"split": "thirds"}}'::jsonb WHERE id = $1`, [pid]);
      await expect(runDirect(driftJob(t.app.services.drift), pid)).rejects.toThrow(/settings\.drift\.split/);
    });

    test('driftReports: scope and roles', async () => {
      const mgr = await key('drift-mgr', 'MANAGER');
      const tool = await key('drift-tool', 'LABELING_TOOL');
      expect((await ok(DRIFT, { p: shifted.pid }, mgr)).driftReports.length).toBeGreaterThan(0);
      expectError(await t.gql(DRIFT, { p: shifted.pid }, tool), 'FORBIDDEN');
      expectError(await t.gql(DRIFT, { p: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  describe('snapshots and export', () => {
    let pid: string;
    let ids: string[];
    let a: { id: string; contentHash: string; itemCount: number };
    const EXTERNAL = ['s0', 's1', 's2', 's3', 's4', 'quote,"comma"', 'é-accent', 'line\nbreak'];

    const get = (path: string, k: string | null = t.adminKey) =>
      fetch(`${t.baseUrl}${path}`, { headers: k ? { authorization: `Bearer ${k}` } : {} });
    const jsonl = async (id: string, k?: string) => {
      const res = await get(`/export/${id}.jsonl`, k);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
      const body = await res.text();
      return { body, header: res.headers.get('x-content-sha256'), rows: body.split('\n').filter((l) => l).map((l) => JSON.parse(l)) };
    };
    const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
    const items = async () =>
      (await ok(`query($p: ID!) { items(projectId: $p, first: 100) { edges { node { id externalId currentLabel { label }
        annotations { id kind annotator { name } } } } } }`, { p: pid })).items.edges.map((e: { node: unknown }) => e.node) as Array<{
        id: string;
        externalId: string;
        currentLabel: { label: string } | null;
        annotations: Array<{ id: string; kind: string; annotator: { name: string } }>;
      }>;

    beforeAll(async () => {
      pid = await project('snap', ['cat', 'dog'], { guidelineVersion: 'v2' });
      ids = (await ok(IMPORT_ITEMS, { p: pid, items: EXTERNAL.map((externalId) => ({ externalId, text: externalId })) })).importItems.ids;
      await ok(SUBMIT_PREDICTIONS, { p: pid, m: 'ext', pr: ids.map((id, i) => ({ itemId: id, probs: i % 2 ? [0.3, 0.7] : [0.8, 0.2] })) });
      await ok(SUBMIT, {
        p: pid,
        a: [
          { externalId: 's0', annotator: 'ann', label: 'cat' },
          { externalId: 's0', annotator: 'bob', label: 'cat' },
          { externalId: 's1', annotator: 'ann', label: 'dog' },
          { externalId: 's1', annotator: 'bob', label: 'cat' },
          { externalId: 's1', annotator: 'qa', label: 'dog', kind: 'REVIEW' },
          { externalId: 's2', annotator: 'ann', label: 'dog', guidelineVersion: 'v1' },
          { externalId: 's2', annotator: 'model', label: 'cat', kind: 'MODEL' },
          { externalId: 'quote,"comma"', annotator: 'ann', label: 'cat' },
          { externalId: 'é-accent', annotator: 'ann', label: 'dog' },
          { externalId: 'é-accent', annotator: 'bob', label: 'cat' },
        ],
      });
    });

    test('createSnapshot freezes every item with lineage; the JSONL export round-trips and hashes to contentHash', async () => {
      a = (await ok(CREATE_SNAPSHOT, { p: pid, n: 'first cut' })).createSnapshot;
      expect(a).toMatchObject({ projectId: pid, note: 'first cut', itemCount: EXTERNAL.length });
      expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
      const { body, header, rows } = await jsonl(a.id);
      expect(sha256(body)).toBe(a.contentHash);
      expect(header).toBe(a.contentHash);
      expect(rows.map((r) => r.externalId)).toEqual([...EXTERNAL].sort());
      const byExt = new Map(rows.map((r) => [r.externalId, r]));
      for (const it of await items()) {
        const r = byExt.get(it.externalId);
        expect(r).toBeDefined();
        expect(r.itemId).toBe(it.id);
        expect(r.label).toBe(it.currentLabel?.label ?? null);
        const voting = it.annotations.filter((x) => ['HUMAN', 'GOLD', 'REVIEW'].includes(x.kind));
        expect(r.lineage.annotationIds).toEqual(voting.map((x) => x.id));
        expect(r.lineage.annotators).toEqual([...new Set(voting.map((x) => x.annotator.name))].sort());
        expect(r.lineage.guidelineVersion).toBe('v2');
        expect(r.lineage.modelVersion).toMatchObject({ name: 'ext' });
      }
      expect(byExt.get('s0').lineage).toMatchObject({ qaStatus: 'CONSENSUS', votes: 2, agreeing: 2, annotationGuidelineVersions: ['v2'] });
      expect(byExt.get('s1').lineage).toMatchObject({ qaStatus: 'REVIEWED', votes: 2, agreeing: 1 });
      expect(byExt.get('s1').label).toBe('dog');
      expect(byExt.get('s2').lineage).toMatchObject({ qaStatus: 'SINGLE_VOTE', annotationGuidelineVersions: ['v1'], modelVersion: { predictedLabel: 'cat' } });
      expect(byExt.get('é-accent').lineage.qaStatus).toBe('DISPUTED');
      expect(byExt.get('s3')).toMatchObject({ label: null, lineage: { qaStatus: 'UNLABELED', annotationIds: [], votes: 0 } });
    });

    test('the CSV export: a header and one row per item, quoted where needed', async () => {
      const res = await get(`/export/${a.id}.csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/csv/);
      const rows = parseCsv(await res.text());
      expect(rows[0]).toEqual([
        'external_id', 'item_id', 'label', 'qa_status', 'votes', 'agreeing', 'annotators', 'annotation_ids', 'guideline_version', 'model_version_id', 'predicted_label', 'lineage',
      ]);
      const { rows: j } = await jsonl(a.id);
      expect(rows.length - 1).toBe(j.length);
      j.forEach((r, i) => {
        const c = rows[i + 1];
        expect(c.slice(0, 6)).toEqual([r.externalId, r.itemId, r.label ?? '', r.lineage.qaStatus, String(r.lineage.votes), String(r.lineage.agreeing)]);
        expect(c[6]).toBe(r.lineage.annotators.join(';'));
        expect(c[7]).toBe(r.lineage.annotationIds.join(';'));
        expect(JSON.parse(c[11])).toEqual(r.lineage);
      });
    });

    test('export auth: no key → 401, out of scope or missing → 404, a role without read → 403', async () => {
      const noKey = await get(`/export/${a.id}.jsonl`, null);
      expect(noKey.status).toBe(401);
      expect(await noKey.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
      const bad = await get(`/export/${a.id}.jsonl`, 'lp_not_a_key');
      expect(bad.status).toBe(401);
      const other = await project('snap-other', ['x', 'y']);
      const scoped = await key('snap-scoped', 'ADMIN', [other]);
      const outOfScope = await get(`/export/${a.id}.csv`, scoped);
      const missing = await get(`/export/00000000-0000-4000-8000-000000000000.csv`);
      expect(outOfScope.status).toBe(404);
      expect(missing.status).toBe(404);
      type ErrorBody = { errors: Array<{ message: string; extensions: { code: string } }> };
      const e1 = (await outOfScope.json()) as ErrorBody;
      const e2 = (await missing.json()) as ErrorBody;
      expect(e1.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(e1.errors[0].message.replace(a.id, 'X')).toBe(e2.errors[0].message.replace('00000000-0000-4000-8000-000000000000', 'X'));
      expect((await get(`/export/${a.id}.xml`)).status).toBe(404);
      const tool = await key('snap-tool', 'LABELING_TOOL', [pid]);
      const forbidden = await get(`/export/${a.id}.jsonl`, tool);
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as ErrorBody).errors[0].extensions.code).toBe('FORBIDDEN');
      const manager = await key('snap-mgr', 'MANAGER', [pid]);
      expect(sha256((await jsonl(a.id, manager)).body)).toBe(a.contentHash);
      expectError(await t.gql(SNAPSHOTS, { p: pid }, scoped), 'NOT_FOUND');
      expectError(await t.gql(CREATE_SNAPSHOT, { p: pid }, manager), 'FORBIDDEN');
      expectError(await t.gql(DIFF, { a: a.id, b: a.id }, scoped), 'NOT_FOUND');
    });

    let c: { id: string; contentHash: string };
    test('the content hash: the same for an identical snapshot, another after a new annotation; snapshotDiff', async () => {
      const b = (await ok(CREATE_SNAPSHOT, { p: pid })).createSnapshot;
      expect(b.id).not.toBe(a.id);
      expect(b.contentHash).toBe(a.contentHash);
      await ok(SUBMIT, { p: pid, a: [{ externalId: 's3', annotator: 'ann', label: 'dog' }, { externalId: 's2', annotator: 'bob', label: 'cat' }] });
      await ok(IMPORT_ITEMS, { p: pid, items: [{ externalId: 's9', text: 'new' }] });
      c = (await ok(CREATE_SNAPSHOT, { p: pid, n: 'after review' })).createSnapshot;
      expect(c.contentHash).not.toBe(a.contentHash);
      expect(sha256((await jsonl(c.id)).body)).toBe(c.contentHash);
      const list = (await ok(SNAPSHOTS, { p: pid })).snapshots;
      expect(list.map((s: { id: string }) => s.id)).toEqual([c.id, b.id, a.id]);

      const d = (await ok(DIFF, { a: a.id, b: c.id })).snapshotDiff;
      expect(d).toMatchObject({ a: { id: a.id }, b: { id: c.id }, addedCount: 1, removedCount: 0, changedCount: 2, unchangedCount: EXTERNAL.length - 2 });
      expect(d.added).toEqual([{ externalId: 's9', itemId: expect.any(String), oldLabel: null, newLabel: null }]);
      // s2: one dog vote, then a cat vote: a 1–1 tie goes to the lowest class index (cat).
      expect(d.changed).toEqual([
        { externalId: 's2', itemId: ids[2], oldLabel: 'dog', newLabel: 'cat' },
        { externalId: 's3', itemId: ids[3], oldLabel: null, newLabel: 'dog' },
      ]);
      const back = (await ok(DIFF, { a: c.id, b: a.id, first: 0 })).snapshotDiff;
      expect(back).toMatchObject({ addedCount: 0, removedCount: 1, changedCount: 2, added: [], removed: [], changed: [] });
      expectError(await t.gql(DIFF, { a: a.id, b: 'nope' }), 'NOT_FOUND');
    });

    test('deleteItems: ADMIN only; items and annotations go in one transaction, the audit log records it, snapshots keep them', async () => {
      const target = ids[1]; // s1: 3 annotations
      for (const role of ['ML_ENGINEER', 'QA_LEAD', 'MANAGER', 'LABELING_TOOL']) {
        const k = await key(`del-${role}`, role, [pid]);
        expectError(await t.gql(DELETE_ITEMS, { p: pid, ids: [target] }, k), 'FORBIDDEN');
      }
      const other = await project('del-other', ['x', 'y']);
      const scoped = await key('del-scoped', 'ADMIN', [other]);
      expectError(await t.gql(DELETE_ITEMS, { p: pid, ids: [target] }, scoped), 'NOT_FOUND');
      expect(expectError(await t.gql(DELETE_ITEMS, { p: pid, ids: [target, '00000000-0000-4000-8000-000000000000'] }), 'NOT_FOUND').extensions?.field).toBe('ids[1]');
      expect(expectError(await t.gql(DELETE_ITEMS, { p: pid, ids: [target, target] }), 'BAD_USER_INPUT').extensions?.field).toBe('ids[1]');
      expectError(await t.gql(DELETE_ITEMS, { p: pid, ids: [] }), 'BAD_USER_INPUT');
      const [{ n: before }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE item_id = $1`, [target]);
      expect(before).toBe(3);
      expect((await t.sql(`SELECT 1 FROM audit_log`)).length).toBe(0); // the refusals wrote nothing

      const r = (await ok(DELETE_ITEMS, { p: pid, ids: [target] })).deleteItems;
      expect(r).toMatchObject({ deleted: 1, annotationsDeleted: 3 });
      expect(await t.sql(`SELECT id FROM item WHERE id = $1`, [target])).toEqual([]);
      expect(await t.sql(`SELECT id FROM annotation WHERE item_id = $1`, [target])).toEqual([]);
      const [admin] = await t.sql<{ id: string }>(`SELECT id FROM api_key WHERE name = 'bootstrap admin'`);
      const log = (await ok(AUDIT, { p: pid })).auditLog;
      expect(log).toEqual([
        {
          id: r.auditLogId,
          projectId: pid,
          actorKeyId: admin.id,
          action: 'deleteItems',
          details: { actorName: 'bootstrap admin', itemIds: [target], externalIds: ['s1'], annotationsDeleted: 3 },
          createdAt: r.deletedAt,
        },
      ]);
      expectError(await t.gql(AUDIT, { p: pid }, await key('audit-mgr', 'MANAGER')), 'FORBIDDEN');

      // The earlier snapshots still export the deleted item, with the same hash.
      const { body, rows } = await jsonl(a.id);
      expect(sha256(body)).toBe(a.contentHash);
      expect(rows.find((x) => x.externalId === 's1')).toMatchObject({ itemId: target, label: 'dog', lineage: { qaStatus: 'REVIEWED' } });
      const e = (await ok(CREATE_SNAPSHOT, { p: pid })).createSnapshot;
      const d = (await ok(DIFF, { a: c.id, b: e.id })).snapshotDiff;
      expect(d).toMatchObject({ addedCount: 0, removedCount: 1, changedCount: 0, removed: [{ externalId: 's1', itemId: target, oldLabel: 'dog', newLabel: null }] });
    });
  });

  test('route and drift are registered jobs: runJob runs them and records the runs', async () => {
    const pid = (await t.sql<{ id: string }>(`SELECT id FROM project WHERE name = 'routing'`))[0].id;
    for (const name of ['route', 'drift']) {
      const r = await ok(`mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id name } }`, { p: pid, n: name });
      expect(r.runJob.name).toBe(name);
      await t.app.services.jobs.idle();
      const [run] = await t.sql<{ status: string; error: string | null; counts: Record<string, number> }>(`SELECT status, error, counts FROM job_run WHERE id = $1`, [r.runJob.id]);
      expect([name, run.status, run.error]).toEqual([name, 'SUCCEEDED', null]);
    }
    expect((await ok(ROUTE_COUNTS, { p: pid })).routeCounts.routed).toBe(30);
  });
});
