import { readCsv } from '../helpers/csv';
import { readdirSync } from 'node:fs';
import { goldAccuracy, krippendorffAlpha } from '../../src/quality';
import { fixturePath } from '../helpers/fixtures';
import { CREATE_KEY, CREATE_PROJECT, expectError, GqlResponse, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Consensus, annotators and gold, and weak supervision, over real HTTP on PGlite or PostgreSQL (DATABASE_URL):
 * the duck crowd data set (crowd_truth_infer) with part of its truth as gold → the consensus job, annotatorStats,
 * agreement; YouTube spam comments with keyword labeling functions → submitWeakLabels, lfSummary and the label model;
 * gold items served by nextBatch to a LABELING_TOOL key without any gold marker; roles.
 */
const RUN_JOB = `mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id status } }`;
const JOB_RUNS = `query($p: ID!) { jobRuns(projectId: $p) { id name status error counts } }`;
const CONSENSUS = `query($p: ID!) { consensus(projectId: $p) { method weakMethod goldItems majorityVoteGoldAccuracy
  methods { method scope items goldN goldCorrect goldAccuracy used note } itemsByMethod { method items } } }`;
const STATS = `query($p: ID!) { annotatorStats(projectId: $p) { consensusSource meanKappa
  annotators { name kind annotations last24h last7d perHour24h perHour7d itemsLabeled agreementWithConsensus quality goldN goldAccuracy goldLower goldUpper
    labelDrift { jsDistance recent before } }
  kappa { a b kappa sharedItems } } }`;
const AGREEMENT = `query($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { agreement(projectId: $p, from: $from, to: $to) {
  annotations items annotators cohenKappaMean cohenPairs fleissKappa fleissRaters fleissItems krippendorffAlpha pairableItems } }`;
const ADD_GOLD = `mutation($p: ID!, $items: [GoldItemInput!]!) { addGoldItems(projectId: $p, items: $items) { added itemIds } }`;
const REGISTER_LF = `mutation($p: ID!, $name: String!) { registerLabelingFunction(projectId: $p, name: $name) { id name } }`;
const SUBMIT_WEAK = `mutation($p: ID!, $lf: String!, $votes: [WeakVoteInput!]!) { submitWeakLabels(projectId: $p, lf: $lf, votes: $votes) { votes labeled abstains changed } }`;
const LF_SUMMARY = `query($p: ID!) { lfSummary(projectId: $p) { items referenceItems goldItems
  lfs { name polarity votes coverage overlaps conflicts correct incorrect empiricalAccuracy labelModelAccuracy } } }`;
const NEXT_BATCH = `query($p: ID!, $size: Int!, $s: SamplingStrategy, $a: String!) {
  nextBatch(projectId: $p, size: $size, strategy: $s, annotator: $a) { strategy fallback labeledCount candidateCount
    items { item { id externalId text data currentLabel { label votes source } } totalScore scores { name value } reason } } }`;
const SUBMIT_PREDICTIONS = `mutation($p: ID!, $m: String!, $pr: [PredictionInput!]!) { submitPredictions(projectId: $p, modelName: $m, predictions: $pr) { id } }`;


describe('consensus, annotators, gold and weak supervision', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
    for (const role of ['ML_ENGINEER', 'QA_LEAD', 'MANAGER', 'LABELING_TOOL']) {
      const r = await t.gql(CREATE_KEY, { input: { name: role.toLowerCase(), role } });
      keys[role] = r.data.createApiKey.key;
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ok = (r: GqlResponse<any>): any => {
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  async function runConsensus(p: string): Promise<Record<string, number>> {
    const started = ok(await t.gql(RUN_JOB, { p, n: 'consensus' })).runJob;
    for (let i = 0; i < 600; i++) {
      const run = ok(await t.gql(JOB_RUNS, { p })).jobRuns.find((r: { id: string }) => r.id === started.id);
      if (run && (run.status === 'SUCCEEDED' || run.status === 'FAILED')) {
        expect(run).toMatchObject({ status: 'SUCCEEDED', error: null });
        return run.counts;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('consensus job did not finish');
  }

  // ---- The duck data set ----------------------------------------------------------------------------------------
  const answers = readCsv(fixturePath('crowd', 'duck_answers.csv')).rows.map(([item, worker, label]) => ({ item, worker, label }));
  const truth = new Map(readCsv(fixturePath('crowd', 'duck_truth.csv')).rows.map(([item, v]) => [item, v]));
  const duckItems = [...new Set(answers.map((a) => a.item))].sort();
  /** Every third item with a truth is gold. */
  const goldItems = duckItems.filter((id) => truth.has(id)).filter((_, i) => i % 3 === 0);
  const goldSet = new Set(goldItems);
  let duck: string;
  let startedAt: Date;
  let submittedAt: Date;

  test('duck: answers as HUMAN annotations, a third of the truth as gold (QA_LEAD), the consensus job', async () => {
    duck = ok(await t.gql(CREATE_PROJECT, { input: { name: 'duck', classes: ['0', '1'] } })).createProject.id;
    ok(await t.gql(IMPORT_ITEMS, { p: duck, items: duckItems.map((externalId) => ({ externalId })) }));
    startedAt = new Date(Date.now() - 1000);
    const a = answers.map((x) => ({ externalId: x.item, annotator: `w${x.worker}`, label: x.label }));
    expect(ok(await t.gql(SUBMIT, { p: duck, a }, keys.LABELING_TOOL)).submitAnnotations.inserted).toBe(answers.length);
    submittedAt = new Date(Date.now() + 1000);
    const g = ok(await t.gql(ADD_GOLD, { p: duck, items: goldItems.map((externalId) => ({ externalId, label: truth.get(externalId) })) }, keys.QA_LEAD));
    expect(g.addGoldItems.added).toBe(goldItems.length);

    const counts = await runConsensus(duck);
    expect(counts).toMatchObject({ items: duckItems.length, goldItems: goldItems.length, humanItems: duckItems.length });
    const c = ok(await t.gql(CONSENSUS, { p: duck }, keys.MANAGER)).consensus;
    const human = c.methods.filter((m: { scope: string; note: string | null }) => m.scope === 'HUMAN' && m.note === null);
    expect(human.map((m: { method: string }) => m.method).sort()).toEqual(['DAWID_SKENE', 'MAJORITY_VOTE']);
    const crowdlab = c.methods.find((m: { method: string }) => m.method === 'CROWDLAB');
    expect(crowdlab.note).toMatch(/no model predictions/);
    const mv = human.find((m: { method: string }) => m.method === 'MAJORITY_VOTE');
    const used = human.find((m: { used: boolean }) => m.used);
    expect(used.method).toBe(c.method);
    expect(mv.goldN).toBe(goldItems.length);
    expect(c.majorityVoteGoldAccuracy).toBeCloseTo(mv.goldAccuracy, 10);
    expect(used.goldAccuracy).toBeGreaterThanOrEqual(mv.goldAccuracy);
    for (const m of human) expect(used.goldAccuracy).toBeGreaterThanOrEqual(m.goldAccuracy);

    // Stored labels: gold items keep their gold label; on the truth items that are NOT gold (held out), the chosen
    // method is at least as accurate as the majority vote stored beside it.
    const rows = await t.sql<{ external_id: string; label: number; majority_label: number; method: string }>(
      `SELECT i.external_id, c.label, c.majority_label, c.method FROM item_consensus c JOIN item i ON i.id = c.item_id WHERE c.project_id = $1`,
      [duck],
    );
    expect(rows).toHaveLength(duckItems.length);
    let chosen = 0;
    let major = 0;
    let held = 0;
    for (const r of rows) {
      if (goldSet.has(r.external_id)) {
        expect(r).toMatchObject({ method: 'GOLD', label: Number(truth.get(r.external_id)) });
        continue;
      }
      expect(r.method).toBe(c.method);
      const tr = truth.get(r.external_id);
      if (tr === undefined) continue;
      held++;
      if (r.label === Number(tr)) chosen++;
      if (r.majority_label === Number(tr)) major++;
    }
    expect(held).toBeGreaterThan(50);
    expect(chosen).toBeGreaterThanOrEqual(major);
    const q = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM annotator_quality WHERE project_id = $1`, [duck]);
    expect(q[0].n).toBe(new Set(answers.map((x) => x.worker)).size);
  }, 60_000);

  test('duck with model predictions: CROWDLAB joins the comparison, majority vote still reported beside it', async () => {
    // A model right on 80 % of the items with a known truth (wrong on every fifth), unsure elsewhere.
    const pr = duckItems.map((externalId, i) => {
      const tr = truth.get(externalId);
      if (tr === undefined) return { externalId, probs: [0.5, 0.5] };
      const right = i % 5 !== 0;
      const p1 = (tr === '1') === right ? 0.8 : 0.2;
      return { externalId, probs: [1 - p1, p1] };
    });
    ok(await t.gql(SUBMIT_PREDICTIONS, { p: duck, m: 'duck-model', pr }));
    await runConsensus(duck);
    const c = ok(await t.gql(CONSENSUS, { p: duck })).consensus;
    const crowdlab = c.methods.find((m: { method: string }) => m.method === 'CROWDLAB');
    expect(crowdlab).toMatchObject({ note: null, items: duckItems.length, goldN: goldItems.length });
    const mv = c.methods.find((m: { method: string; scope: string }) => m.method === 'MAJORITY_VOTE' && m.scope === 'HUMAN');
    const used = c.methods.find((m: { used: boolean; scope: string }) => m.used && m.scope === 'HUMAN');
    expect(used.method).toBe(c.method);
    expect(used.goldAccuracy).toBeGreaterThanOrEqual(Math.max(mv.goldAccuracy, crowdlab.goldAccuracy));
    expect(c.majorityVoteGoldAccuracy).toBeCloseTo(mv.goldAccuracy, 10);
  }, 60_000);

  test('annotatorStats: throughput, gold accuracy with the Wilson interval of goldAccuracy, kappa pairs, drift', async () => {
    const s = ok(await t.gql(STATS, { p: duck }, keys.QA_LEAD)).annotatorStats;
    expect(s.consensusSource).toBe('ITEM_CONSENSUS');
    // Reference: the quality library's goldAccuracy on the same matrix built here from the CSV.
    const workers = [...new Set(answers.map((a) => a.worker))];
    const itemIdx = new Map(duckItems.map((id, i) => [id, i]));
    const L: Array<Array<number | null>> = duckItems.map(() => workers.map(() => null));
    for (const a of answers) L[itemIdx.get(a.item)!][workers.indexOf(a.worker)] = Number(a.label);
    const ref = goldAccuracy(L, duckItems.map((id) => (goldSet.has(id) ? Number(truth.get(id)) : null)));
    const byName = new Map(s.annotators.map((a: { name: string }) => [a.name, a]));
    let checked = 0;
    workers.forEach((w, j) => {
      const a = byName.get(`w${w}`) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const n = answers.filter((x) => x.worker === w).length;
      expect(a).toMatchObject({ kind: 'HUMAN', annotations: n, last24h: n, last7d: n, itemsLabeled: n, goldN: ref[j].n });
      expect(a.perHour24h).toBeCloseTo(n / 24, 10);
      expect(a.perHour7d).toBeCloseTo(n / 168, 10);
      expect(a.quality).not.toBeNull();
      expect(a.agreementWithConsensus).toBeGreaterThanOrEqual(0);
      // Everything is from the last 7 days: nothing to compare with yet.
      expect(a.labelDrift).toEqual({ jsDistance: null, recent: n, before: 0 });
      if (ref[j].n > 0) {
        checked++;
        expect(a.goldAccuracy).toBeCloseTo(ref[j].accuracy, 6);
        expect(a.goldLower).toBeCloseTo(ref[j].lower, 6);
        expect(a.goldUpper).toBeCloseTo(ref[j].upper, 6);
        expect(a.goldLower).toBeLessThanOrEqual(a.goldAccuracy);
        expect(a.goldUpper).toBeGreaterThanOrEqual(a.goldAccuracy);
      } else expect(a).toMatchObject({ goldAccuracy: null, goldLower: null, goldUpper: null });
    });
    expect(checked).toBeGreaterThan(5);
    // The gold annotator is listed too (kind HUMAN), with its GOLD annotations counted as throughput.
    expect(byName.get('gold')).toMatchObject({ annotations: goldItems.length, itemsLabeled: 0 });
    expect(s.kappa.length).toBeGreaterThan(0);
    for (const k of s.kappa) {
      expect(k.sharedItems).toBeGreaterThan(0);
      if (k.kappa !== null) expect(k.kappa).toBeLessThanOrEqual(1);
    }
    expect(s.meanKappa).toBeGreaterThan(0);
  });

  test('agreement over a window: Krippendorff as the library on the same data, Fleiss on the modal rater count; empty window', async () => {
    const a = ok(await t.gql(AGREEMENT, { p: duck, from: startedAt.toISOString(), to: submittedAt.toISOString() }, keys.MANAGER)).agreement;
    const workers = [...new Set(answers.map((x) => x.worker))];
    expect(a).toMatchObject({ annotations: answers.length, items: duckItems.length, annotators: workers.length });
    const rel = workers.map((w) => duckItems.map((id) => {
      const x = answers.find((y) => y.item === id && y.worker === w);
      return x ? Number(x.label) : null;
    }));
    expect(a.krippendorffAlpha).toBeCloseTo(krippendorffAlpha(rel, { level: 'nominal' }), 9);
    const raters = duckItems.map((id) => answers.filter((x) => x.item === id).length);
    const freq = new Map<number, number>();
    for (const r of raters) if (r >= 2) freq.set(r, (freq.get(r) ?? 0) + 1);
    const modal = [...freq].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0];
    expect(a).toMatchObject({ fleissRaters: modal[0], fleissItems: modal[1] });
    expect(a.fleissKappa).toBeGreaterThan(-1);
    expect(a.cohenPairs).toBeGreaterThan(0);
    expect(a.cohenKappaMean).toBeGreaterThan(0);
    const future = ok(await t.gql(AGREEMENT, { p: duck, from: submittedAt.toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() })).agreement;
    expect(future).toMatchObject({ annotations: 0, items: 0, cohenKappaMean: null, fleissKappa: null, krippendorffAlpha: null });
    expectError(await t.gql(AGREEMENT, { p: duck, from: submittedAt.toISOString(), to: startedAt.toISOString() }), 'BAD_USER_INPUT', 'to');
  });

  // ---- Weak supervision on YouTube spam ------------------------------------------------------------------------
  test('weak labels: keyword labeling functions → lfSummary, and fused labels at least as accurate as majority vote', async () => {
    const dir = fixturePath('data', 'youtube-spam');
    const comments = readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .flatMap((f) => readCsv(`${dir}/${f}`).rows.map(([id, , , content, label]) => ({ id, content, label: label === '1' ? 'spam' : 'ham' })));
    const uniq = [...new Map(comments.map((c) => [c.id, c])).values()];
    const yt = ok(await t.gql(CREATE_PROJECT, { input: { name: 'youtube', classes: ['ham', 'spam'] } })).createProject.id;
    ok(await t.gql(IMPORT_ITEMS, { p: yt, items: uniq.map((c) => ({ externalId: c.id, text: c.content })) }));
    const lfs: Record<string, (s: string) => string | null> = {
      check_out: (s) => (/check\s*(it\s*)?out/i.test(s) ? 'spam' : null),
      subscribe: (s) => (/subscri/i.test(s) ? 'spam' : null),
      link: (s) => (/https?:|www\.|\.com/i.test(s) ? 'spam' : null),
      my_channel: (s) => (/my (channel|video|page)/i.test(s) ? 'spam' : null),
      song: (s) => (/\bsong\b/i.test(s) && !/check|subscri|channel/i.test(s) ? 'ham' : null),
      short: (s) => (s.trim().split(/\s+/).length <= 5 && !/https?:|www\./i.test(s) ? 'ham' : null),
      love: (s) => (/\blove\b/i.test(s) ? 'ham' : null),
    };
    for (const [name, f] of Object.entries(lfs)) {
      ok(await t.gql(REGISTER_LF, { p: yt, name }, keys.ML_ENGINEER));
      const votes = uniq.map((c) => ({ externalId: c.id, label: f(c.content) }));
      const r = ok(await t.gql(SUBMIT_WEAK, { p: yt, lf: name, votes }, keys.ML_ENGINEER)).submitWeakLabels;
      expect(r).toMatchObject({ votes: uniq.length, labeled: votes.filter((v) => v.label !== null).length, changed: uniq.length });
    }
    // A re-send changes nothing and writes nothing.
    const before = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM annotation WHERE project_id = $1`, [yt]);
    const again = ok(await t.gql(SUBMIT_WEAK, { p: yt, lf: 'love', votes: uniq.map((c) => ({ externalId: c.id, label: lfs.love(c.content) })) }, keys.ML_ENGINEER));
    expect(again.submitWeakLabels.changed).toBe(0);
    expect(await t.sql(`SELECT count(*)::int AS n FROM annotation WHERE project_id = $1`, [yt])).toEqual(before);

    // Gold: every 10th comment some function covers.
    const covered = uniq.filter((c) => Object.values(lfs).some((f) => f(c.content) !== null));
    const gold = covered.filter((_, i) => i % 10 === 0);
    ok(await t.gql(ADD_GOLD, { p: yt, items: gold.map((c) => ({ externalId: c.id, label: c.label })) }, keys.QA_LEAD));

    const s = ok(await t.gql(LF_SUMMARY, { p: yt }, keys.MANAGER)).lfSummary;
    expect(s).toMatchObject({ items: uniq.length, referenceItems: gold.length, goldItems: gold.length });
    for (const [name, f] of Object.entries(lfs)) {
      const row = s.lfs.find((r: { name: string }) => r.name === name);
      const votes = uniq.filter((c) => f(c.content) !== null);
      const onGold = gold.filter((c) => f(c.content) !== null);
      const right = onGold.filter((c) => f(c.content) === c.label).length;
      expect(row.polarity).toEqual([...new Set(votes.map((c) => f(c.content)))].sort());
      expect(row.votes).toBe(votes.length);
      expect(row.coverage).toBeCloseTo(votes.length / uniq.length, 10);
      expect(row.overlaps).toBeLessThanOrEqual(row.coverage);
      expect(row.conflicts).toBeLessThanOrEqual(row.overlaps);
      expect(row).toMatchObject({ correct: right, incorrect: onGold.length - right });
      if (onGold.length) expect(row.empiricalAccuracy).toBeCloseTo(right / onGold.length, 10);
      expect(row.labelModelAccuracy).toBeGreaterThan(0.5);
    }

    await runConsensus(yt);
    const c = ok(await t.gql(CONSENSUS, { p: yt })).consensus;
    const weak = c.methods.filter((m: { scope: string }) => m.scope === 'WEAK');
    expect(weak.map((m: { method: string }) => m.method).sort()).toEqual(['LABEL_MODEL', 'MAJORITY_VOTE']);
    const wmv = weak.find((m: { method: string }) => m.method === 'MAJORITY_VOTE');
    const wused = weak.find((m: { used: boolean }) => m.used);
    expect(wused.method).toBe(c.weakMethod);
    expect(wused.goldAccuracy).toBeGreaterThanOrEqual(wmv.goldAccuracy);
    // On every covered item that is not gold: the fused label vs the labeling functions' majority vote, against the truth.
    const rows = await t.sql<{ external_id: string; label: number; majority_label: number; method: string }>(
      `SELECT i.external_id, c.label, c.majority_label, c.method FROM item_consensus c JOIN item i ON i.id = c.item_id WHERE c.project_id = $1`,
      [yt],
    );
    const truthOf = new Map(uniq.map((c) => [c.id, c.label === 'spam' ? 1 : 0]));
    const goldIds = new Set(gold.map((g) => g.id));
    let fused = 0;
    let major = 0;
    let n = 0;
    for (const r of rows) {
      if (goldIds.has(r.external_id)) continue;
      expect(r.method).toBe(c.weakMethod);
      n++;
      if (r.label === truthOf.get(r.external_id)) fused++;
      if (r.majority_label === truthOf.get(r.external_id)) major++;
    }
    expect(n).toBe(covered.length - gold.length);
    expect(fused / n).toBeGreaterThanOrEqual(major / n);
    expect(fused / n).toBeGreaterThan(0.8);
  }, 60_000);

  // ---- Gold items in nextBatch ----------------------------------------------------------------------------------
  test('nextBatch mixes gold items in at goldRate and never marks them to a LABELING_TOOL key', async () => {
    const p = ok(await t.gql(CREATE_PROJECT, { input: { name: 'gold-serve', classes: ['a', 'b'], settings: { goldRate: 0.5, exposeScoresToTools: true } } })).createProject.id;
    const ids: string[] = ok(await t.gql(IMPORT_ITEMS, { p, items: Array.from({ length: 40 }, (_, i) => ({ externalId: `g${i}`, text: `text ${i}` })) })).importItems.ids;
    const goldIds = ids.slice(0, 10);
    ok(await t.gql(ADD_GOLD, { p, items: goldIds.map((itemId, i) => ({ itemId, label: i % 2 ? 'a' : 'b' })) }, keys.QA_LEAD));
    // A model: margins spread over every item, so the batch is ordered by score (MARGIN).
    ok(await t.gql(SUBMIT_PREDICTIONS, { p, m: 'm', pr: ids.map((itemId, i) => ({ itemId, probs: [0.5 + (i % 20) * 0.02, 0.5 - (i % 20) * 0.02] })) }));
    const served = new Set<string>();
    let goldServed = 0;
    for (let round = 0; round < 3; round++) {
      const r = await t.gql(NEXT_BATCH, { p, size: 8, s: 'MARGIN', a: 'tool-1' }, keys.LABELING_TOOL);
      const b = ok(r).nextBatch;
      expect(JSON.stringify(r.data).toLowerCase()).not.toContain('gold');
      const scores = b.items.map((x: { totalScore: number }) => x.totalScore);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      for (const x of b.items) {
        expect(served.has(x.item.id)).toBe(false);
        served.add(x.item.id);
        expect(x.item.currentLabel).toBeNull();
        expect(x.reason).toMatch(/^margin [0-9.]+ between [ab] and [ab]$/);
        expect(x.scores.map((s: { name: string }) => s.name).sort()).toEqual(['entropy', 'leastConfidence', 'margin']);
        if (goldIds.includes(x.item.id)) goldServed++;
      }
      // The tool answers; gold items are then never served to it again.
      ok(await t.gql(SUBMIT, { p, a: b.items.map((x: { item: { id: string } }) => ({ itemId: x.item.id, annotator: 'tool-1', label: 'a' })) }, keys.LABELING_TOOL));
    }
    expect(goldServed).toBeGreaterThan(0);
    expect(goldServed).toBeLessThan(served.size);
    // goldRate 0: none.
    const q = ok(await t.gql(`mutation($id: ID!) { updateProject(id: $id, input: { settings: { goldRate: 0 } }) { id } }`, { id: p }));
    expect(q).toBeTruthy();
    const b0 = ok(await t.gql(NEXT_BATCH, { p, size: 8, s: 'MARGIN', a: 'tool-2' }, keys.LABELING_TOOL)).nextBatch;
    expect(b0.items.filter((x: { item: { id: string } }) => goldIds.includes(x.item.id))).toEqual([]);
    expect(b0.items).toHaveLength(8);
  });

  // ---- Roles and bad input --------------------------------------------------------------------------------------
  test('roles: gold QA_LEAD/ADMIN, weak labels ML_ENGINEER/ADMIN, reads not for LABELING_TOOL; bad input names the field', async () => {
    const item = { externalId: duckItems[1], label: '1' };
    expectError(await t.gql(ADD_GOLD, { p: duck, items: [item] }, keys.ML_ENGINEER), 'FORBIDDEN');
    expectError(await t.gql(ADD_GOLD, { p: duck, items: [item] }, keys.LABELING_TOOL), 'FORBIDDEN');
    expectError(await t.gql(REGISTER_LF, { p: duck, name: 'x' }, keys.QA_LEAD), 'FORBIDDEN');
    expectError(await t.gql(SUBMIT_WEAK, { p: duck, lf: 'x', votes: [{ externalId: duckItems[0], label: '1' }] }, keys.MANAGER), 'FORBIDDEN');
    for (const q of [STATS, LF_SUMMARY, CONSENSUS]) expectError(await t.gql(q, { p: duck }, keys.LABELING_TOOL), 'FORBIDDEN');
    expectError(await t.gql(AGREEMENT, { p: duck, from: startedAt.toISOString(), to: submittedAt.toISOString() }, keys.LABELING_TOOL), 'FORBIDDEN');
    const scoped = ok(await t.gql(CREATE_KEY, { input: { name: 'other', role: 'QA_LEAD', projectIds: [(await t.sql<{ id: string }>(`SELECT id FROM project WHERE name = 'youtube'`))[0].id] } })).createApiKey.key;
    expectError(await t.gql(ADD_GOLD, { p: duck, items: [item] }, scoped), 'NOT_FOUND');
    expectError(await t.gql(STATS, { p: duck }, scoped), 'NOT_FOUND');

    expect(expectError(await t.gql(ADD_GOLD, { p: duck, items: [item, { externalId: 'nope', label: '1' }] }, keys.QA_LEAD), 'NOT_FOUND').extensions?.field).toBe('items[1].externalId');
    expect(expectError(await t.gql(ADD_GOLD, { p: duck, items: [{ externalId: duckItems[1], label: 'x' }] }, keys.QA_LEAD), 'BAD_USER_INPUT').extensions?.field).toBe('items[0].label');
    expect(expectError(await t.gql(ADD_GOLD, { p: duck, items: [item, { ...item, label: '0' }] }, keys.QA_LEAD), 'BAD_USER_INPUT').extensions?.field).toBe('items[1].label');
    ok(await t.gql(REGISTER_LF, { p: duck, name: 'kw' }, keys.ML_ENGINEER));
    expect(ok(await t.gql(REGISTER_LF, { p: duck, name: 'kw' })).registerLabelingFunction.name).toBe('kw');
    expectError(await t.gql(REGISTER_LF, { p: duck, name: 'w896' }, keys.ML_ENGINEER), 'CONFLICT', 'HUMAN');
    expect(expectError(await t.gql(SUBMIT_WEAK, { p: duck, lf: 'nope', votes: [{ externalId: duckItems[0] }] }, keys.ML_ENGINEER), 'NOT_FOUND').extensions?.field).toBe('lf');
    expect(expectError(await t.gql(SUBMIT_WEAK, { p: duck, lf: 'kw', votes: [{ externalId: duckItems[0], label: '1' }, { externalId: duckItems[1], label: '7' }] }, keys.ML_ENGINEER), 'BAD_USER_INPUT').extensions?.field).toBe(
      'votes[1].label',
    );
    expect(expectError(await t.gql(SUBMIT_WEAK, { p: duck, lf: 'kw', votes: [{ externalId: duckItems[0] }, { externalId: duckItems[0] }] }, keys.ML_ENGINEER), 'BAD_USER_INPUT').extensions?.field).toBe('votes[1]');
    const n = await t.sql(`SELECT count(*)::int AS n FROM weak_vote`);
    expect(ok(await t.gql(SUBMIT_WEAK, { p: duck, lf: 'kw', votes: [{ externalId: duckItems[0] }] }, keys.ML_ENGINEER)).submitWeakLabels).toMatchObject({ votes: 1, labeled: 0, abstains: 1, changed: 1 });
    expect((await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM weak_vote`))[0].n).toBe((n[0] as { n: number }).n + 1);
  });
});
