import { RemoteWritePusher } from '../../src/metrics/push';
import { METRIC_NAMES } from '../../src/metrics/registry';
import { prometheusBinary, startPrometheus, TestPrometheus } from '../helpers/prometheus';
import { CREATE_PROJECT, IMPORT_ITEMS, startTestApp, SUBMIT, TestApp } from '../helpers/app';

/**
 * Observability over real HTTP on PGlite or PostgreSQL (DATABASE_URL): after a pipeline run, GET /metrics
 * lists every metric Loupe defines with values that match the database, with no per-item label; the remote-write
 * pusher delivers them, with basic auth, to a real Prometheus (Debian package) started here on loopback with
 * --web.enable-remote-write-receiver, and they are queried back through its HTTP API.
 */
const PROJECT = 'observed';
const RUN = `mutation($p: ID!, $n: JobName!) { runJob(projectId: $p, name: $n) { id } }`;
const RUNS = `query($p: ID!) { jobRuns(projectId: $p) { id name status error progress steps { name status } } }`;
const ISSUES = `query($p: ID!) { labelIssues(projectId: $p, status: OPEN, first: 5) { totalCount edges { node { id suggestedLabel } } } }`;
const RESOLVE = `mutation($id: ID!, $d: LabelIssueDecision!) { resolveLabelIssue(id: $id, decision: $d) { id status } }`;
const ADD_GOLD = `mutation($p: ID!, $items: [GoldItemInput!]!) { addGoldItems(projectId: $p, items: $items) { added } }`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (the subset prom-client writes). */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1], t[2]);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('metrics', () => {
  let t: TestApp;
  let prom: TestPrometheus | null = null;
  let pid: string;
  let ids: string[];
  const promBinary = prometheusBinary();

  beforeAll(async () => {
    prom = await startPrometheus();
    t = await startTestApp(
      prom
        ? {
            LOUPE_REMOTE_WRITE_URL: `${prom.url}/api/v1/write`,
            LOUPE_REMOTE_WRITE_USERNAME: prom.username,
            LOUPE_REMOTE_WRITE_PASSWORD: prom.password,
            LOUPE_REMOTE_WRITE_INTERVAL_SECONDS: '1',
          }
        : {},
    );
    const c = await t.gql(CREATE_PROJECT, { input: { name: PROJECT, classes: ['a', 'b', 'c'], embeddingDim: 4, settings: { drift: { split: 'halves', seed: 3 } } } });
    expect(c.errors).toBeUndefined();
    pid = c.data.createProject.id;
    let x = 11;
    const jitter = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const items = Array.from({ length: 90 }, (_, i) => {
      const cls = i % 3;
      return { externalId: `m${i}`, embedding: [cls * 10 + jitter(), cls === 1 ? 10 : jitter(), jitter(), jitter()] };
    });
    ids = (await t.gql(IMPORT_ITEMS, { p: pid, items })).data.importItems.ids;
    const cls = ['a', 'b', 'c'];
    // ann1 labels 60 items, four of them wrongly (label issues); ann2 labels 30 of the same items, agreeing mostly.
    const ann1 = ids.slice(0, 60).map((id, i) => ({ itemId: id, annotator: 'ann1', label: cls[[5, 17, 29, 41].includes(i) ? (i + 1) % 3 : i % 3], durationMs: 2000 + i * 10 }));
    const ann2 = ids.slice(0, 30).map((id, i) => ({ itemId: id, annotator: 'ann2', label: cls[i === 7 ? (i + 2) % 3 : i % 3], durationMs: 3000 }));
    expect((await t.gql(SUBMIT, { p: pid, a: [...ann1, ...ann2] })).errors).toBeUndefined();
    const gold = await t.gql(ADD_GOLD, { p: pid, items: ids.slice(0, 9).map((id, i) => ({ itemId: id, label: cls[i % 3] })) });
    expect(gold.errors).toBeUndefined();

    const r = await t.gql(RUN, { p: pid, n: 'pipeline' });
    expect(r.errors).toBeUndefined();
    await t.app.services.jobs.idle();
    const run = (await t.gql(RUNS, { p: pid })).data.jobRuns.find((j: { id: string }) => j.id === r.data.runJob.id);
    expect(run).toMatchObject({ status: 'SUCCEEDED', error: null, progress: 1 });

    const issues = await t.gql(ISSUES, { p: pid });
    expect(issues.data.labelIssues.totalCount).toBeGreaterThan(0);
    const first = issues.data.labelIssues.edges[0].node;
    expect((await t.gql(RESOLVE, { id: first.id, d: 'ACCEPT_SUGGESTION' })).errors).toBeUndefined();
    t.app.metrics.invalidate(); // database figures are cached for SNAPSHOT_TTL_MS; read them again now
  });
  afterAll(async () => {
    await t?.close();
    await prom?.stop();
  });

  const scrape = async () => {
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  test('/metrics lists every named metric, with its type, values from the pipeline run, and no per-item label', async () => {
    const { samples, types } = await scrape();
    const of = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const one = (name: string, labels: Record<string, string>) => {
      const found = of(name, labels);
      if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
      return found[0].value;
    };
    const missing: string[] = [];
    for (const [name, type] of Object.entries(METRIC_NAMES)) {
      expect([name, types.get(name)]).toEqual([name, type]);
      const values = type === 'histogram' ? of(`${name}_count`) : of(name);
      if (!values.some((s) => Number.isFinite(s.value) && (type !== 'histogram' || s.value > 0))) missing.push(name);
    }
    expect(missing).toEqual([]);
    for (const s of samples) if (s.name.startsWith('loupe_')) for (const v of Object.values(s.labels)) expect([s.name, v]).not.toEqual([s.name, expect.stringMatching(UUID)]);

    // Values match the database.
    const q = async (text: string) => Number(Object.values((await t.sql(text, [pid]))[0])[0]);
    const p = { project: PROJECT };
    expect(one('loupe_items', p)).toBe(90);
    expect(one('loupe_queue_items', p)).toBe(await q(`SELECT count(*) FROM item WHERE project_id = $1 AND current_label IS NULL`));
    expect(one('loupe_annotations_total', { ...p, kind: 'HUMAN', annotator_kind: 'HUMAN' })).toBe(90);
    expect(one('loupe_annotations_total', { ...p, kind: 'GOLD', annotator_kind: 'HUMAN' })).toBe(9);
    expect(one('loupe_annotator_annotations_total', { ...p, annotator: 'ann2' })).toBe(30);
    expect(one('loupe_labeling_timed_annotations_total', { ...p, annotator_kind: 'HUMAN' })).toBe(90);
    expect(one('loupe_labeling_time_seconds_total', { ...p, annotator_kind: 'HUMAN' })).toBeCloseTo((60 * 2000 + 10 * (59 * 60) / 2 + 30 * 3000) / 1000, 6);
    const open = await q(`SELECT count(*) FROM label_issue WHERE project_id = $1 AND status = 'OPEN'`);
    expect(of('loupe_label_issues', { ...p, status: 'open' }).reduce((s, x) => s + x.value, 0)).toBe(open);
    expect(one('loupe_label_issue_resolutions_total', { ...p, decision: 'ACCEPT_SUGGESTION' })).toBe(1);
    expect(one('loupe_label_health_score', p)).toBeGreaterThan(0);
    expect(of('loupe_label_quality_score', p).map((s) => s.labels.class).sort()).toEqual(['a', 'b', 'c']);
    expect(of('loupe_items_routed', p).reduce((s, x) => s + x.value, 0)).toBe(await q(`SELECT count(*) FROM item_route WHERE project_id = $1`));
    expect(of('loupe_drift_statistic', p)).toHaveLength(await q(`SELECT count(*) FROM drift_report WHERE project_id = $1`));
    for (const s of of('loupe_drift_verdict', p)) expect([0, 1, 2]).toContain(s.value);
    for (const a of ['ann1', 'ann2']) {
      expect(one('loupe_annotator_agreement_ratio', { ...p, annotator: a })).toBeGreaterThan(0.8);
      expect(one('loupe_annotator_gold_accuracy_ratio', { ...p, annotator: a })).toBeGreaterThan(0.5);
    }
    for (const stat of ['fleiss_kappa', 'krippendorff_alpha', 'cohen_kappa_mean']) expect(one('loupe_agreement', { ...p, statistic: stat })).toBeGreaterThan(0.6);
    expect(one('loupe_model_cross_val_accuracy_ratio', { ...p, version: 'v1' })).toBeGreaterThan(0.8);
    expect(one('loupe_job_runs_total', { ...p, job: 'pipeline', status: 'succeeded' })).toBe(1);
    expect(one('loupe_job_failures_total', { ...p, job: 'pipeline' })).toBe(0);
    expect(one('loupe_job_progress_ratio', { ...p, job: 'pipeline' })).toBe(1);
    expect(one('loupe_job_eta_seconds', { ...p, job: 'pipeline' })).toBe(0);
    expect(one('loupe_job_duration_seconds_count', { job: 'pipeline', status: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(one('loupe_job_last_success_timestamp_seconds', { ...p, job: 'pipeline' })).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(one('loupe_graphql_request_duration_seconds_count', { operation: 'mutation', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
    // Node's process defaults come along.
    expect(of('process_cpu_user_seconds_total').length).toBe(1);
  });

  const rw = promBinary ? test : test.skip;
  if (!promBinary) {
    console.warn('metrics.test: SKIPPING the remote-write test: no `prometheus` binary (apt-get install -y --no-install-recommends prometheus)');
  }

  rw('remote write: samples arrive in a real Prometheus on schedule, with basic auth, and are queried back', async () => {
    const p = prom!;
    const expected = Number((await t.sql(`SELECT count(*) AS n FROM annotation WHERE project_id = $1 AND kind = 'HUMAN'`, [pid]))[0].n);
    const deadline = Date.now() + 30_000;
    let series: Awaited<ReturnType<TestPrometheus['query']>> = [];
    // Pushed on the schedule (every second): at least two samples of a series within the last minute.
    while (Date.now() < deadline) {
      series = await p.query(`count_over_time(loupe_annotations_total{project="${PROJECT}",kind="HUMAN"}[1m])`);
      if (series.length && Number(series[0].value[1]) >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(series.length).toBe(1);
    expect(Number(series[0].value[1])).toBeGreaterThanOrEqual(2);
    // Two pushes now: the second one surely carries the figures read after the pipeline (a push may be in flight).
    expect(await t.app.pusher!.push()).toMatchObject({ ok: true });
    expect(await t.app.pusher!.push()).toMatchObject({ ok: true });
    const [ann] = await p.query(`loupe_annotations_total{project="${PROJECT}",kind="HUMAN"}`);
    expect(ann.metric).toMatchObject({ job: 'loupe', annotator_kind: 'HUMAN', project: PROJECT });
    expect(Number(ann.value[1])).toBe(expected);
    const [runs] = await p.query(`loupe_job_runs_total{project="${PROJECT}",job="pipeline",status="succeeded"}`);
    expect(Number(runs.value[1])).toBe(1);
    const buckets = await p.query(`loupe_job_duration_seconds_bucket{job="pipeline",le="+Inf"}`);
    expect(Number(buckets[0].value[1])).toBeGreaterThanOrEqual(1);
    const [kappa] = await p.query(`loupe_agreement{project="${PROJECT}",statistic="fleiss_kappa"}`);
    expect(Number(kappa.value[1])).toBeGreaterThan(0.6);

    // A wrong password is refused (401) and reported, not thrown.
    const bad = new RemoteWritePusher(t.app.metrics, { url: `${p.url}/api/v1/write`, username: p.username, password: 'wrong', intervalSeconds: 1 });
    const r = await bad.push();
    expect(r).toMatchObject({ ok: false, status: 401 });
    // The app's own pusher answers 2xx.
    expect(await t.app.pusher!.push()).toMatchObject({ ok: true });
  });
});
