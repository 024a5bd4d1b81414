import type { ComputePool } from '../compute/pool';
import { Database, Sql } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { chiSquareTest, jensenShannon, psi } from '../quality';
import { createRng } from '../quality/rng';
import { Principal } from './auth.service';
import { ProjectService } from './project.service';
import { effectiveSettings } from './settings';
import { CURRENT } from '../db/annotation-sql';
import { latestModelVersion } from '../db/repositories/model-version.repository';

export type DriftKind = 'EMBEDDING' | 'PREDICTION' | 'LABEL' | 'ANNOTATOR';
export type DriftVerdict = 'OK' | 'WARN' | 'DRIFT';
const KIND_ORDER: DriftKind[] = ['EMBEDDING', 'PREDICTION', 'LABEL', 'ANNOTATOR'];

/** Verdict thresholds (settings.drift.thresholds). p-values: ≤ drift → DRIFT, ≤ warn → WARN; PSI and JS: ≥ drift → DRIFT, ≥ warn → WARN. */
export interface DriftThresholds {
  pvalueWarn: number;
  pvalueDrift: number;
  /** PSI rule of thumb: < 0.1 stable, 0.1–0.25 moderate, > 0.25 major shift. */
  psiWarn: number;
  psiDrift: number;
  /** Jensen–Shannon distance (base 2, in [0, 1]). */
  jsWarn: number;
  jsDrift: number;
}

/** A window as explicit timestamps, half-open [from, to). */
export interface DriftWindow {
  from: Date;
  to: Date;
}

/**
 * settings.drift. How the two windows are chosen, first match wins:
 *  - `reference` and `current` given ({from, to} ISO timestamps): those;
 *  - `split: "halves"`: items in (created_at, id) order, the older half is the reference and the newer the current
 *    window; each annotator's HUMAN annotations likewise (their own older half is their reference);
 *  - otherwise (`split: "time"`, the default): current = the last `windowDays` days, reference = the
 *    `referenceDays` days before it, for items (by created_at) and annotations (by created_at) alike.
 */
export interface DriftSettings {
  windowDays: number;
  referenceDays: number;
  split: 'time' | 'halves';
  reference: DriftWindow | null;
  current: DriftWindow | null;
  /** Most items per window fed to MMD (a seeded uniform sample). */
  sampleSize: number;
  permutations: number;
  seed: number;
  /** Fewest HUMAN annotations an annotator needs in each window to be compared. */
  minAnnotations: number;
  thresholds: DriftThresholds;
}

export const DEFAULT_DRIFT: DriftSettings = driftSettings({});
export const DEFAULT_THRESHOLDS: DriftThresholds = DEFAULT_DRIFT.thresholds;

/** Floor of a category's share in the categorical PSI, as psi()'s PSI_EPSILON: an empty category gives a finite log ratio. */
const CATEGORICAL_PSI_EPSILON = 1e-4;
const DAY_MS = 86_400_000;

/** One report row before it is written. */
export interface DriftRow {
  kind: DriftKind;
  annotator: string | null;
  statistic: string;
  value: number;
  pvalue: number | null;
  verdict: DriftVerdict;
  referenceFrom: Date | null;
  referenceTo: Date | null;
  currentFrom: Date | null;
  currentTo: Date | null;
  referenceCount: number;
  currentCount: number;
  details: Record<string, unknown>;
}

/** A stored report: a {@link DriftRow} with its identity. */
export interface DriftReportView extends DriftRow {
  id: string;
  projectId: string;
  runId: string;
  createdAt: Date;
}

interface ReportRow {
  id: string;
  project_id: string;
  run_id: string;
  kind: DriftKind;
  annotator: string | null;
  statistic: string;
  value: number;
  pvalue: number | null;
  verdict: DriftVerdict;
  reference_from: Date | null;
  reference_to: Date | null;
  current_from: Date | null;
  current_to: Date | null;
  reference_count: number;
  current_count: number;
  details: Record<string, unknown>;
  created_at: Date;
}

const date = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));
const toView = (r: ReportRow): DriftReportView => ({
  id: r.id,
  projectId: r.project_id,
  runId: r.run_id,
  kind: r.kind,
  annotator: r.annotator,
  statistic: r.statistic,
  value: Number(r.value),
  pvalue: r.pvalue === null ? null : Number(r.pvalue),
  verdict: r.verdict,
  referenceFrom: date(r.reference_from),
  referenceTo: date(r.reference_to),
  currentFrom: date(r.current_from),
  currentTo: date(r.current_to),
  referenceCount: r.reference_count,
  currentCount: r.current_count,
  details: r.details ?? {},
  createdAt: new Date(r.created_at),
});

/** settings.drift as the drift job uses it (see DriftSettings): the effective settings, windows as dates. */
export function driftSettings(settings: Record<string, unknown>): DriftSettings {
  const d = effectiveSettings(settings).drift;
  const win = (w: { from: string; to: string } | undefined): DriftWindow | null => (w ? { from: new Date(w.from), to: new Date(w.to) } : null);
  return { ...d, thresholds: { ...d.thresholds }, reference: win(d.reference), current: win(d.current) };
}

const byPvalue = (p: number, t: DriftThresholds): DriftVerdict => (p <= t.pvalueDrift ? 'DRIFT' : p <= t.pvalueWarn ? 'WARN' : 'OK');
const byLevel = (v: number, warn: number, drift: number): DriftVerdict => (v >= drift ? 'DRIFT' : v >= warn ? 'WARN' : 'OK');

/** PSI over categories: Σ_k (c_k − r_k) ln(c_k / r_k), shares floored at CATEGORICAL_PSI_EPSILON (no renormalisation). */
function categoricalPsi(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  let nr = 0;
  let nc = 0;
  for (let k = 0; k < ref.length; k++) {
    nr += ref[k];
    nc += cur[k];
  }
  let s = 0;
  for (let k = 0; k < ref.length; k++) {
    const r = Math.max(ref[k] / nr, CATEGORICAL_PSI_EPSILON);
    const c = Math.max(cur[k] / nc, CATEGORICAL_PSI_EPSILON);
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

/** A seeded uniform sample of at most `size` of `ids` (partial Fisher–Yates), in their original order. */
function sample<T>(ids: T[], size: number, seed: number): T[] {
  if (ids.length <= size) return ids;
  const idx = Int32Array.from(ids.keys());
  const rng = createRng(seed);
  for (let t = 0; t < size; t++) {
    const j = t + rng.int(idx.length - t);
    const x = idx[t];
    idx[t] = idx[j];
    idx[j] = x;
  }
  return Array.from(idx.subarray(0, size)).sort((a, b) => a - b).map((i) => ids[i]);
}

/** The two item windows of a drift run, as indices into the project's items in (created_at, id) order. */
export interface DriftWindows {
  reference: number[];
  current: number[];
  referenceWindow: DriftWindow | null;
  currentWindow: DriftWindow | null;
}

/** Chooses the two windows from the items' creation times (in (created_at, id) order), as DriftSettings says. */
export function driftWindows(createdAt: readonly Date[], s: DriftSettings, now: Date): DriftWindows {
  const inW = (w: DriftWindow) => {
    const out: number[] = [];
    for (let i = 0; i < createdAt.length; i++) if (createdAt[i] >= w.from && createdAt[i] < w.to) out.push(i);
    return out;
  };
  if (s.reference && s.current) return { reference: inW(s.reference), current: inW(s.current), referenceWindow: s.reference, currentWindow: s.current };
  if (s.split === 'halves') {
    const n = createdAt.length;
    const h = Math.floor(n / 2);
    const span = (a: number, b: number): DriftWindow | null => (b > a ? { from: createdAt[a], to: createdAt[b - 1] } : null);
    return {
      reference: Array.from({ length: h }, (_, i) => i),
      current: Array.from({ length: n - h }, (_, i) => h + i),
      referenceWindow: span(0, h),
      currentWindow: span(h, n),
    };
  }
  const currentWindow = { from: new Date(now.getTime() - s.windowDays * DAY_MS), to: new Date(now.getTime() + 1) };
  const referenceWindow = { from: new Date(currentWindow.from.getTime() - s.referenceDays * DAY_MS), to: currentWindow.from };
  return { reference: inW(referenceWindow), current: inW(currentWindow), referenceWindow, currentWindow };
}

/** One window of {@link DriftService.driftStatus}. */
export interface DriftWindowStatus {
  from: Date | null;
  to: Date | null;
  items: number;
}

export interface DriftStatusView {
  reference: DriftWindowStatus;
  current: DriftWindowStatus;
  lastRunAt: Date | null;
  reason: string | null;
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '?');

/** Why driftReports is empty or will be (null when the windows hold items and a drift run has reported). */
function driftStatusReason(s: DriftSettings, ref: DriftWindowStatus, cur: DriftWindowStatus, total: number, lastRunAt: Date | null): string | null {
  if (total === 0) return 'the project has no items yet';
  const hint =
    s.split === 'time' && !s.reference
      ? `items are placed in windows by when they were imported; with settings.drift.split "time" the current window is the last ${s.windowDays} days and the reference the ${s.referenceDays} days before it. Set settings.drift.split to "halves" (older half against newer half) or give settings.drift.reference and .current ({from, to})`
      : 'adjust settings.drift.reference and .current ({from, to})';
  if (ref.items === 0) return `the reference window (${day(ref.from)} to ${day(ref.to)}) holds no items: ${hint}`;
  if (cur.items === 0) return `the current window (${day(cur.from)} to ${day(cur.to)}) holds no items: ${hint}`;
  if (!lastRunAt) return 'no drift run yet: drift runs as a step of the pipeline job (on its schedule, or now with runJob(name: pipeline) or runJob(name: drift))';
  return null;
}

interface WindowedItem {
  id: string;
  label: number | null;
  hasEmbedding: boolean;
}

/**
 * Drift reports: a current window compared with a reference window for embeddings (MMD), the latest
 * model's predicted classes (χ², PSI, JS; PSI also on its confidence), the items' labels (χ², PSI, JS) and each
 * annotator's label mix (JS against their own reference window). One report set per drift run; driftReports reads
 * the latest.
 */
export class DriftService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly compute: ComputePool,
  ) {}

  /** The latest drift run's reports, by kind, annotator and statistic. */
  async driftReports(p: Principal, projectId: string): Promise<DriftReportView[]> {
    const project = await this.projects.access(p, projectId, 'drift:read');
    const rows = await this.db.query<ReportRow>(
      `SELECT id, project_id, run_id, kind, annotator, statistic, value, pvalue, verdict, reference_from, reference_to, current_from,
         current_to, reference_count, current_count, details, created_at
       FROM drift_report WHERE project_id = $1
         AND run_id = (SELECT run_id FROM drift_report WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)`,
      [project.id],
    );
    return rows
      .map(toView)
      .sort(
        (a, b) =>
          KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
          (a.annotator ?? '').localeCompare(b.annotator ?? '') ||
          a.statistic.localeCompare(b.statistic),
      );
  }

  /**
   * What the next drift run would compare, now: the two windows with their item counts, and why there are no drift
   * reports to read when that is so (no run yet, or a window without items), with what to change.
   */
  async driftStatus(p: Principal, projectId: string): Promise<DriftStatusView> {
    const project = await this.projects.access(p, projectId, 'drift:read');
    const s = driftSettings(project.settings);
    return this.db.read(async (sql) => {
      const [{ now }] = await sql.query<{ now: Date }>(`SELECT now() AS now`);
      const created = await sql.query<{ created_at: Date }>(`SELECT created_at FROM item WHERE project_id = $1 ORDER BY created_at, id`, [project.id]);
      const [last] = await sql.query<{ created_at: Date }>(`SELECT max(created_at) AS created_at FROM drift_report WHERE project_id = $1`, [project.id]);
      const w = driftWindows(created.map((r) => new Date(r.created_at)), s, new Date(now));
      const reference = { from: w.referenceWindow?.from ?? null, to: w.referenceWindow?.to ?? null, items: w.reference.length };
      const current = { from: w.currentWindow?.from ?? null, to: w.currentWindow?.to ?? null, items: w.current.length };
      const lastRunAt = last?.created_at ? new Date(last.created_at) : null;
      return { reference, current, lastRunAt, reason: driftStatusReason(s, reference, current, created.length, lastRunAt) };
    });
  }

  /** Computes every report of one drift run (the drift job's work), reading outside a transaction. */
  async computeDrift(
    projectId: string,
    progress: (f: number, step: string) => Promise<void> = async () => undefined,
    signal?: AbortSignal,
  ): Promise<DriftRow[]> {
    const [project] = await this.db.query<{ classes: string[]; embedding_dim: number | null; settings: Record<string, unknown> | null; now: Date }>(
      `SELECT classes, embedding_dim, settings, now() AS now FROM project WHERE id = $1`,
      [projectId],
    );
    if (!project) throw new Error(`project ${projectId} not found`);
    const s = driftSettings(project.settings ?? {});
    const now = new Date(project.now);
    const out: DriftRow[] = [];

    // 1. The two item windows.
    const items = await this.db.query<{ id: string; label: number | null; has_embedding: boolean; created_at: Date }>(
      `SELECT id, current_label AS label, embedding IS NOT NULL AS has_embedding, created_at FROM item WHERE project_id = $1 ORDER BY created_at, id`,
      [projectId],
    );
    const w = driftWindows(items.map((r) => new Date(r.created_at)), s, now);
    const toW = (i: number): WindowedItem => ({ id: items[i].id, label: items[i].label, hasEmbedding: items[i].has_embedding });
    const ref = w.reference.map(toW);
    const cur = w.current.map(toW);
    const refWin = w.referenceWindow;
    const curWin = w.currentWindow;
    const windows = { referenceFrom: refWin?.from ?? null, referenceTo: refWin?.to ?? null, currentFrom: curWin?.from ?? null, currentTo: curWin?.to ?? null };
    const common = { split: s.reference ? 'explicit' : s.split };

    // 2. Embeddings: MMD on seeded samples of at most sampleSize items per window.
    await progress(0.1, 'embeddings');
    if (project.embedding_dim !== null) {
      const refIds = sample(ref.filter((r) => r.hasEmbedding).map((r) => r.id), s.sampleSize, s.seed);
      const curIds = sample(cur.filter((r) => r.hasEmbedding).map((r) => r.id), s.sampleSize, s.seed + 1);
      const X = refIds.length >= 2 && curIds.length >= 2 ? await this.embeddings(refIds, project.embedding_dim) : null;
      const Y = X ? await this.embeddings(curIds, project.embedding_dim) : null;
      if (X && Y && X.rows >= 2 && Y.rows >= 2) {
        // O((n+m)²·d) per permutation: on a compute thread.
        const r = await this.compute.run('mmd2', { X, Y, options: { permutations: s.permutations, seed: s.seed } }, { signal });
        out.push({
          kind: 'EMBEDDING',
          annotator: null,
          statistic: 'mmd2',
          value: r.mmd2,
          pvalue: r.pvalue,
          verdict: byPvalue(r.pvalue, s.thresholds),
          ...windows,
          referenceCount: X.rows,
          currentCount: Y.rows,
          details: { ...common, mmd2Unbiased: r.mmd2Unbiased, sigma: r.sigma, permutations: s.permutations, seed: s.seed, dim: project.embedding_dim },
        });
      }
    }

    // 3. Predictions of the latest model version: class mix and confidence.
    await progress(0.6, 'predictions');
    const mv = await this.db.read((sql) => latestModelVersion(sql, projectId));
    if (mv) {
      const rows = await this.db.query<{ item_id: string; probs: Uint8Array }>(`SELECT item_id, probs FROM prediction WHERE model_version_id = $1`, [mv.id]);
      const probs = new Map(rows.map((r) => [r.item_id, decodeFloat32(r.probs)!]));
      const k = mv.classes.length;
      const tally = (win: WindowedItem[]) => {
        const counts = new Float64Array(k);
        const conf: number[] = [];
        for (const it of win) {
          const pr = probs.get(it.id);
          if (!pr) continue;
          let best = 0;
          for (let j = 1; j < k; j++) if (pr[j] > pr[best]) best = j;
          counts[best]++;
          conf.push(pr[best]);
        }
        return { counts, conf };
      };
      const a = tally(ref);
      const b = tally(cur);
      if (a.conf.length > 0 && b.conf.length > 0) {
        out.push(...this.categorical('PREDICTION', mv.classes, a.counts, b.counts, s, windows, { ...common, modelVersionId: mv.id }));
        const pc = psi(a.conf, b.conf);
        out.push({
          kind: 'PREDICTION',
          annotator: null,
          statistic: 'psiConfidence',
          value: pc.psi,
          pvalue: null,
          verdict: byLevel(pc.psi, s.thresholds.psiWarn, s.thresholds.psiDrift),
          ...windows,
          referenceCount: a.conf.length,
          currentCount: b.conf.length,
          details: { ...common, modelVersionId: mv.id, edges: Array.from(pc.edges), referenceCounts: Array.from(pc.referenceCounts), currentCounts: Array.from(pc.currentCounts) },
        });
      }
    }

    // 4. Labels: the items' current labels.
    await progress(0.75, 'labels');
    const k = project.classes.length;
    const labelCounts = (win: WindowedItem[]) => {
      const c = new Float64Array(k);
      for (const it of win) if (it.label !== null && it.label < k) c[it.label]++;
      return c;
    };
    const la = labelCounts(ref);
    const lb = labelCounts(cur);
    if (sum(la) > 0 && sum(lb) > 0) out.push(...this.categorical('LABEL', project.classes, la, lb, s, windows, common));

    // 5. Annotators: each one's HUMAN label mix against their own reference.
    await progress(0.85, 'annotators');
    const anns = await this.db.query<{ annotator: string; label: number; created_at: Date }>(
      `SELECT n.name AS annotator, a.label, a.created_at FROM annotation a JOIN annotator n ON n.id = a.annotator_id
       WHERE a.project_id = $1 AND a.kind = 'HUMAN' AND ${CURRENT('a')} ORDER BY n.name, a.created_at, a.id`,
      [projectId],
    );
    const byAnnotator = new Map<string, Array<{ label: number; at: Date }>>();
    for (const r of anns) {
      let l = byAnnotator.get(r.annotator);
      if (!l) byAnnotator.set(r.annotator, (l = []));
      l.push({ label: r.label, at: new Date(r.created_at) });
    }
    for (const [name, list] of byAnnotator) {
      let ra: typeof list;
      let rb: typeof list;
      let aw = windows;
      if (!s.reference && s.split === 'halves') {
        const h = Math.floor(list.length / 2);
        ra = list.slice(0, h);
        rb = list.slice(h);
        aw = {
          referenceFrom: ra[0]?.at ?? null,
          referenceTo: ra[ra.length - 1]?.at ?? null,
          currentFrom: rb[0]?.at ?? null,
          currentTo: rb[rb.length - 1]?.at ?? null,
        };
      } else {
        ra = list.filter((x) => x.at >= refWin!.from && x.at < refWin!.to);
        rb = list.filter((x) => x.at >= curWin!.from && x.at < curWin!.to);
      }
      if (ra.length < s.minAnnotations || rb.length < s.minAnnotations) continue;
      const ca = new Float64Array(k);
      const cb = new Float64Array(k);
      for (const x of ra) if (x.label < k) ca[x.label]++;
      for (const x of rb) if (x.label < k) cb[x.label]++;
      const js = jensenShannon(ca, cb);
      out.push({
        kind: 'ANNOTATOR',
        annotator: name,
        statistic: 'js',
        value: js,
        pvalue: null,
        verdict: byLevel(js, s.thresholds.jsWarn, s.thresholds.jsDrift),
        ...aw,
        referenceCount: ra.length,
        currentCount: rb.length,
        details: { ...common, referenceCounts: named(project.classes, ca), currentCounts: named(project.classes, cb) },
      });
    }
    await progress(0.95, 'writing');
    return out;
  }

  /** Writes one run's reports in one transaction. */
  async writeReports(projectId: string, runId: string, rows: DriftRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db.transaction((sql: Sql) =>
      sql.query(
        `INSERT INTO drift_report (project_id, run_id, kind, annotator, statistic, value, pvalue, verdict, reference_from, reference_to,
           current_from, current_to, reference_count, current_count, details)
         SELECT $1, $2, t.kind, t.annotator, t.statistic, t.value, t.pvalue, t.verdict, t.rf, t.rt, t.cf, t.ct, t.rc, t.cc, t.details::jsonb
         FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::timestamptz[], $10::timestamptz[],
           $11::timestamptz[], $12::timestamptz[], $13::int[], $14::int[], $15::text[])
           AS t(kind, annotator, statistic, value, pvalue, verdict, rf, rt, cf, ct, rc, cc, details)`,
        [
          projectId,
          runId,
          rows.map((r) => r.kind),
          rows.map((r) => r.annotator),
          rows.map((r) => r.statistic),
          rows.map((r) => r.value),
          rows.map((r) => r.pvalue),
          rows.map((r) => r.verdict),
          rows.map((r) => r.referenceFrom),
          rows.map((r) => r.referenceTo),
          rows.map((r) => r.currentFrom),
          rows.map((r) => r.currentTo),
          rows.map((r) => r.referenceCount),
          rows.map((r) => r.currentCount),
          rows.map((r) => JSON.stringify(r.details)),
        ],
      ),
    );
  }

  /** χ² (with its p-value), categorical PSI and JS distance of two count vectors over `classes`. */
  private categorical(
    kind: DriftKind,
    classes: string[],
    a: Float64Array,
    b: Float64Array,
    s: DriftSettings,
    windows: Pick<DriftRow, 'referenceFrom' | 'referenceTo' | 'currentFrom' | 'currentTo'>,
    extra: Record<string, unknown>,
  ): DriftRow[] {
    const base = { kind, annotator: null, ...windows, referenceCount: sum(a), currentCount: sum(b) };
    const details = { ...extra, referenceCounts: named(classes, a), currentCounts: named(classes, b) };
    const chi = chiSquareTest(a, b);
    const p = categoricalPsi(a, b);
    const js = jensenShannon(a, b);
    return [
      { ...base, statistic: 'chi2', value: chi.statistic, pvalue: chi.pvalue, verdict: byPvalue(chi.pvalue, s.thresholds), details: { ...details, dof: chi.dof } },
      { ...base, statistic: 'psi', value: p, pvalue: null, verdict: byLevel(p, s.thresholds.psiWarn, s.thresholds.psiDrift), details },
      { ...base, statistic: 'js', value: js, pvalue: null, verdict: byLevel(js, s.thresholds.jsWarn, s.thresholds.jsDrift), details },
    ];
  }

  private async embeddings(ids: string[], dim: number): Promise<{ rows: number; cols: number; data: Float64Array }> {
    const rows = await this.db.query<{ id: string; embedding: Uint8Array }>(`SELECT id, embedding FROM item WHERE id = ANY($1::uuid[])`, [ids]);
    const by = new Map(rows.map((r) => [r.id, r.embedding]));
    const found = ids.filter((id) => by.get(id)); // an item deleted since the windows were read is left out
    const data = new Float64Array(found.length * dim);
    found.forEach((id, i) => data.set(decodeFloat32(by.get(id))!, i * dim));
    return { rows: found.length, cols: dim, data };
  }
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function named(classes: string[], counts: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(classes.map((c, j) => [c, counts[j] ?? 0]));
}
