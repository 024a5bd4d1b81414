/**
 * What a drift run compares and reports, without I/O: the settings and the two windows, and the report rows of each
 * kind (embeddings, predictions, labels, annotators) from the loaded data.
 */
import { chiSquareTest, jensenShannon, psi } from '../quality';
import { createRng } from '../quality/rng';
import type { DriftKind, DriftRow, DriftVerdict } from '../db/repositories/drift.repository';
import { effectiveSettings } from './settings';

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

/** settings.drift as the drift job uses it (see DriftSettings): the effective settings, windows as dates. */
export function driftSettings(settings: Record<string, unknown>): DriftSettings {
  const d = effectiveSettings(settings).drift;
  const win = (w: { from: string; to: string } | undefined): DriftWindow | null => (w ? { from: new Date(w.from), to: new Date(w.to) } : null);
  return { ...d, thresholds: { ...d.thresholds }, reference: win(d.reference), current: win(d.current) };
}

const byPvalue = (p: number, t: DriftThresholds): DriftVerdict => (p <= t.pvalueDrift ? 'DRIFT' : p <= t.pvalueWarn ? 'WARN' : 'OK');
const byLevel = (v: number, warn: number, drift: number): DriftVerdict => (v >= drift ? 'DRIFT' : v >= warn ? 'WARN' : 'OK');

/** PSI over categories: Σ_k (c_k − r_k) ln(c_k / r_k), shares floored at CATEGORICAL_PSI_EPSILON (no renormalisation). */
export function categoricalPsi(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
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
export function sample<T>(ids: T[], size: number, seed: number): T[] {
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
export function driftStatusReason(s: DriftSettings, ref: DriftWindowStatus, cur: DriftWindowStatus, total: number, lastRunAt: Date | null): string | null {
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

/** An item of a drift window: its current label and whether it has an embedding. */
export interface WindowedItem {
  id: string;
  label: number | null;
  hasEmbedding: boolean;
}

/** The window bounds a report carries. */
export type ReportWindows = Pick<DriftRow, 'referenceFrom' | 'referenceTo' | 'currentFrom' | 'currentTo'>;

/** The bounds of a run's two item windows (null where a window is unbounded or empty). */
export function reportWindows(w: Pick<DriftWindows, 'referenceWindow' | 'currentWindow'>): ReportWindows {
  const refWin = w.referenceWindow;
  const curWin = w.currentWindow;
  return { referenceFrom: refWin?.from ?? null, referenceTo: refWin?.to ?? null, currentFrom: curWin?.from ?? null, currentTo: curWin?.to ?? null };
}

/** The details every report of a run shares: how the windows were chosen. */
export function commonDetails(s: DriftSettings): { split: string } {
  return { split: s.reference ? 'explicit' : s.split };
}

/** The MMD² report of two embedding samples (`X.rows` and `Y.rows` items), from the mmd2 test's result. */
export function embeddingRow(
  r: { mmd2: number; pvalue: number; mmd2Unbiased: number; sigma: number },
  counts: { reference: number; current: number; dim: number },
  s: DriftSettings,
  windows: ReportWindows,
): DriftRow {
  return {
    kind: 'EMBEDDING',
    annotator: null,
    statistic: 'mmd2',
    value: r.mmd2,
    pvalue: r.pvalue,
    verdict: byPvalue(r.pvalue, s.thresholds),
    ...windows,
    referenceCount: counts.reference,
    currentCount: counts.current,
    details: { ...commonDetails(s), mmd2Unbiased: r.mmd2Unbiased, sigma: r.sigma, permutations: s.permutations, seed: s.seed, dim: counts.dim },
  };
}

/** χ² (with its p-value), categorical PSI and JS distance of two count vectors over `classes`. */
export function categoricalRows(
  kind: DriftKind,
  classes: readonly string[],
  a: Float64Array,
  b: Float64Array,
  s: DriftSettings,
  windows: ReportWindows,
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

/**
 * The PREDICTION reports of a model version: its predicted-class mix (χ², PSI, JS) and the PSI of its confidence
 * (top probability), over the items of each window it predicted; none when a window has no predicted item.
 */
export function predictionRows(
  ref: readonly WindowedItem[],
  cur: readonly WindowedItem[],
  probs: ReadonlyMap<string, ArrayLike<number>>,
  mv: { id: string; classes: readonly string[] },
  s: DriftSettings,
  windows: ReportWindows,
): DriftRow[] {
  const k = mv.classes.length;
  const common = commonDetails(s);
  const tally = (win: readonly WindowedItem[]) => {
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
  if (a.conf.length === 0 || b.conf.length === 0) return [];
  const pc = psi(a.conf, b.conf);
  return [
    ...categoricalRows('PREDICTION', mv.classes, a.counts, b.counts, s, windows, { ...common, modelVersionId: mv.id }),
    {
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
    },
  ];
}

/** The LABEL reports (χ², PSI, JS) of the windows' current labels; none when a window has no labeled item. */
export function labelRows(ref: readonly WindowedItem[], cur: readonly WindowedItem[], classes: readonly string[], s: DriftSettings, windows: ReportWindows): DriftRow[] {
  const k = classes.length;
  const labelCounts = (win: readonly WindowedItem[]) => {
    const c = new Float64Array(k);
    for (const it of win) if (it.label !== null && it.label < k) c[it.label]++;
    return c;
  };
  const la = labelCounts(ref);
  const lb = labelCounts(cur);
  return sum(la) > 0 && sum(lb) > 0 ? categoricalRows('LABEL', classes, la, lb, s, windows, commonDetails(s)) : [];
}

/**
 * The ANNOTATOR reports: each annotator's HUMAN label mix in the current window against their own reference (JS
 * distance). With split "halves" (and no explicit windows) an annotator's own older half is their reference;
 * otherwise the run's item windows apply to annotation times. Annotators with fewer than minAnnotations in either
 * window are left out. `anns` is in (annotator, time) order.
 */
export function annotatorRows(
  anns: ReadonlyArray<{ annotator: string; label: number; at: Date }>,
  classes: readonly string[],
  s: DriftSettings,
  w: Pick<DriftWindows, 'referenceWindow' | 'currentWindow'>,
): DriftRow[] {
  const k = classes.length;
  const windows = reportWindows(w);
  const refWin = w.referenceWindow;
  const curWin = w.currentWindow;
  const byAnnotator = new Map<string, Array<{ label: number; at: Date }>>();
  for (const r of anns) {
    let l = byAnnotator.get(r.annotator);
    if (!l) byAnnotator.set(r.annotator, (l = []));
    l.push({ label: r.label, at: r.at });
  }
  const out: DriftRow[] = [];
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
      details: { ...commonDetails(s), referenceCounts: named(classes, ca), currentCounts: named(classes, cb) },
    });
  }
  return out;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function named(classes: readonly string[], counts: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(classes.map((c, j) => [c, counts[j] ?? 0]));
}
