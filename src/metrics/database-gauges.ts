import { Counter, Gauge, Registry } from 'prom-client';
import type { AnnotatorKindRow, DatabaseMetricsRows } from '../db/repositories/metrics.repository';
import { log } from '../logger';
import { enableDefaultMetrics, MetricName, processRegistry } from './registry';

/**
 * Loupe's database-backed metrics (see registry.ts for the naming rules and the in-process ones): read when scraped,
 * one set of queries per scrape shared by every metric, reused for {@link SNAPSHOT_TTL_MS} so a scrape and a push
 * close together cost one read.
 */

/** Verdicts as numbers, for thresholds and alerts: 0 OK, 1 WARN, 2 DRIFT. */
export const DRIFT_VERDICT_VALUE: Record<string, number> = { OK: 0, WARN: 1, DRIFT: 2 };

/**
 * How long one database snapshot serves scrapes and pushes: a scrape every second costs one read per 10 s (a read
 * is a few aggregate scans, ~0.1–0.2 s of PostgreSQL time at 100,000 annotations). Database figures are at most this old.
 */
export const SNAPSHOT_TTL_MS = 10_000;

/** Where the database-backed metrics come from (wired in the composition root). */
export interface DatabaseGaugeSources {
  /** One read of every table the gauges show. */
  readRows(): Promise<DatabaseMetricsRows>;
  /** A project's agreement among human annotators: statistic name → value (null when undefined). */
  agreement(projectId: string): Promise<Record<string, number | null>>;
  /** A project's label health under the model version its label issues came from. */
  labelHealth(projectId: string): Promise<LabelHealthFigures>;
}

/** cleanlab's overall label health score and each class's label quality score. */
export interface LabelHealthFigures {
  overall: number | null;
  classes: Array<{ label: string; score: number }>;
}

/** The database rows, with the annotations summed by kind and by annotator. */
interface Snapshot extends Omit<DatabaseMetricsRows, 'annotations'> {
  annotations: Array<{ project: string; kind: string; annotator_kind: string; n: number; timed: number; seconds: number }>;
  annotators: Array<{ project: string; annotator: string; annotator_kind: string; n: number }>;
}

type Labels<T extends string> = Partial<Record<T, string | number>>;

/**
 * The database-backed metrics of one Loupe app, in a registry of its own. Each metric's collect() awaits the same
 * snapshot; project-level agreement (kappa, alpha) and label health come from the sources (the services), and again only when
 * the consensus run or the model version / labels they rest on changed, so a scrape stays a handful of GROUP BYs.
 */
export class LoupeMetrics {
  readonly registry = new Registry();
  private snapshot: { at: number; value: Promise<Snapshot> } | null = null;
  private readonly agreementCache = new Map<string, { key: string; value: Promise<Record<string, number | null>> }>();
  private readonly healthCache = new Map<string, { key: string; value: Promise<LabelHealthFigures> }>();

  constructor(private readonly sources: DatabaseGaugeSources) {
    enableDefaultMetrics();
    const r = [this.registry];
    this.counter('loupe_annotations_total', 'Annotations recorded, by project, annotation kind and annotator kind.', ['project', 'kind', 'annotator_kind'], (s) =>
      s.annotations.map((a) => [{ project: a.project, kind: a.kind, annotator_kind: a.annotator_kind }, a.n]),
    );
    this.counter('loupe_annotator_annotations_total', 'Annotations recorded, by project and annotator (for per-annotator throughput).', ['project', 'annotator', 'annotator_kind'], (s) =>
      s.annotators.map((a) => [{ project: a.project, annotator: a.annotator, annotator_kind: a.annotator_kind }, a.n]),
    );
    this.counter('loupe_labeling_time_seconds_total', 'Labeling time reported with annotations (durationMs), in seconds, by project and annotator kind.', ['project', 'annotator_kind'], (s) =>
      sumBy(s.annotations, (a) => `${a.project}\u0000${a.annotator_kind}`, (a) => a.seconds).map(([k, v]) => [two(k, 'project', 'annotator_kind'), v]),
    );
    this.counter('loupe_labeling_timed_annotations_total', 'Annotations that reported a labeling time, by project and annotator kind.', ['project', 'annotator_kind'], (s) =>
      sumBy(s.annotations, (a) => `${a.project}\u0000${a.annotator_kind}`, (a) => a.timed).map(([k, v]) => [two(k, 'project', 'annotator_kind'), v]),
    );
    this.gauge('loupe_items', 'Items, by project.', ['project'], (s) => s.items.map((i) => [{ project: i.project }, i.items]));
    this.gauge('loupe_queue_items', 'Items waiting for a label (no current label), by project.', ['project'], (s) =>
      s.items.map((i) => [{ project: i.project }, i.unlabeled]),
    );
    this.gauge('loupe_label_issues', 'Label issues, by project, status (open, resolved) and given class.', ['project', 'status', 'class'], (s) =>
      s.issues.map((i) => [{ project: i.project, status: i.status, class: i.class }, i.n]),
    );
    this.counter('loupe_label_issue_resolutions_total', 'Resolved label issues, by project and decision.', ['project', 'decision'], (s) =>
      s.resolutions.map((i) => [{ project: i.project, decision: i.decision }, i.n]),
    );
    this.gauge('loupe_annotator_agreement_ratio', "Each annotator's agreement with the consensus label (consensus job), by project and annotator.", ['project', 'annotator'], (s) =>
      s.quality.filter((q) => q.agreement !== null).map((q) => [{ project: q.project, annotator: q.annotator }, q.agreement!]),
    );
    this.gauge('loupe_annotator_quality_ratio', "Each annotator's quality score (consensus job), by project and annotator.", ['project', 'annotator'], (s) =>
      s.quality.filter((q) => q.quality !== null).map((q) => [{ project: q.project, annotator: q.annotator }, q.quality!]),
    );
    this.gauge('loupe_annotator_gold_accuracy_ratio', "Each annotator's accuracy on gold items, by project and annotator.", ['project', 'annotator'], (s) =>
      s.quality.filter((q) => q.gold !== null).map((q) => [{ project: q.project, annotator: q.annotator }, q.gold!]),
    );
    this.gauge('loupe_model_cross_val_accuracy_ratio', 'Cross-validated accuracy of the latest model version, by project and version (v1, v2, …).', ['project', 'version'], (s) =>
      s.models.filter((m) => m.acc !== null).map((m) => [{ project: m.project, version: m.version }, m.acc!]),
    );
    this.gauge('loupe_model_cross_val_log_loss', 'Cross-validated log loss of the latest model version, by project and version.', ['project', 'version'], (s) =>
      s.models.filter((m) => m.logloss !== null).map((m) => [{ project: m.project, version: m.version }, m.logloss!]),
    );
    this.gauge('loupe_model_training_seconds', 'Training time of the latest model version, by project and version.', ['project', 'version'], (s) =>
      s.models.filter((m) => m.training_ms !== null).map((m) => [{ project: m.project, version: m.version }, m.training_ms! / 1000]),
    );
    this.gauge('loupe_items_routed', 'Items per route of the latest route run, by project and route.', ['project', 'route'], (s) =>
      s.routes.map((x) => [{ project: x.project, route: x.route }, x.n]),
    );
    this.gauge('loupe_drift_statistic', 'Drift statistics of the latest drift run, by project, kind, statistic and annotator ("" for none).', ['project', 'kind', 'statistic', 'annotator'], (s) =>
      s.drift.map((d) => [{ project: d.project, kind: d.kind, statistic: d.statistic, annotator: d.annotator }, d.value]),
    );
    this.gauge('loupe_drift_verdict', 'Verdict of each drift statistic of the latest drift run: 0 OK, 1 WARN, 2 DRIFT.', ['project', 'kind', 'statistic', 'annotator'], (s) =>
      s.drift.map((d) => [{ project: d.project, kind: d.kind, statistic: d.statistic, annotator: d.annotator }, DRIFT_VERDICT_VALUE[d.verdict] ?? NaN]),
    );
    this.gauge('loupe_job_last_success_timestamp_seconds', 'When each job last succeeded (any replica), Unix seconds, by project and job.', ['project', 'job'], (s) =>
      s.lastSuccess.map((j) => [{ project: j.project, job: j.job }, j.t]),
    );
    // From the sources (computed by the services), cached per project until their inputs change.
    const read = () => this.read();
    const agreementOf = (p: Snapshot['projects'][number]) => this.agreementOf(p);
    const healthOf = (p: Snapshot['projects'][number]) => this.healthOf(p);
    new Gauge({
      name: 'loupe_agreement',
      help: "Agreement among human annotators over all their annotations, by project and statistic (fleiss_kappa, krippendorff_alpha, cohen_kappa_mean); recomputed after each consensus run.",
      labelNames: ['project', 'statistic'] as const,
      registers: r,
      async collect() {
        const s = await read();
        const rows = await Promise.all(s.projects.map(async (p) => ({ p, a: await agreementOf(p) })));
        this.reset();
        for (const { p, a } of rows) for (const [statistic, v] of Object.entries(a)) if (v !== null) this.set({ project: p.name, statistic }, v);
      },
    });
    new Gauge({
      name: 'loupe_label_health_score',
      help: "cleanlab's overall label health score (0..1) under the model version the label issues came from, by project.",
      labelNames: ['project'] as const,
      registers: r,
      async collect() {
        const s = await read();
        const rows = await Promise.all(s.projects.map(async (p) => ({ p, h: await healthOf(p) })));
        this.reset();
        for (const { p, h } of rows) if (h.overall !== null) this.set({ project: p.name }, h.overall);
      },
    });
    new Gauge({
      name: 'loupe_label_quality_score',
      help: 'Label quality score per class (1 − label noise) under the model version the label issues came from, by project and class.',
      labelNames: ['project', 'class'] as const,
      registers: r,
      async collect() {
        const s = await read();
        const rows = await Promise.all(s.projects.map(async (p) => ({ p, h: await healthOf(p) })));
        this.reset();
        for (const { p, h } of rows) for (const c of h.classes) this.set({ project: p.name, class: c.label }, c.score);
      },
    });
  }

  /** Forgets the database snapshot: the next scrape or push reads the database again. */
  invalidate(): void {
    this.snapshot = null;
  }

  /** The text exposition of this app's metrics and the process's. */
  async metrics(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([processRegistry, this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  /** Every sample as JSON (for remote write): this app's and the process's. */
  async samples(): Promise<Array<{ name: string; labels: Record<string, string | number>; value: number }>> {
    const out: Array<{ name: string; labels: Record<string, string | number>; value: number }> = [];
    for (const reg of [processRegistry, this.registry]) {
      for (const m of await reg.getMetricsAsJSON()) {
        for (const v of m.values) out.push({ name: (v as { metricName?: string }).metricName ?? m.name, labels: v.labels as Record<string, string | number>, value: v.value });
      }
    }
    return out;
  }

  private counter<T extends string>(name: MetricName, help: string, labelNames: T[], rows: (s: Snapshot) => Array<[Labels<T>, number]>): void {
    const read = () => this.read();
    new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const values = rows(await read());
        // Absolute values from the database: reset and add, synchronously after the one await.
        this.reset();
        for (const [labels, v] of values) this.inc(labels as never, v);
      },
    });
  }

  private gauge<T extends string>(name: MetricName, help: string, labelNames: T[], rows: (s: Snapshot) => Array<[Labels<T>, number]>): void {
    const read = () => this.read();
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const values = rows(await read());
        this.reset();
        for (const [labels, v] of values) this.set(labels as never, v);
      },
    });
  }

  /** The shared snapshot: one read per scrape (reused for a moment, and by concurrent collectors). */
  private read(): Promise<Snapshot> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_TTL_MS) return this.snapshot.value;
    const value = this.load();
    this.snapshot = { at: now, value };
    value.catch((e) => {
      log.warn('metrics: database read failed', { error: (e as Error).message });
      if (this.snapshot?.value === value) this.snapshot = null;
    });
    return value;
  }

  private load(): Promise<Snapshot> {
    return this.sources.readRows().then(({ annotations, ...rest }) => ({ ...rest, ...splitAnnotations(annotations) }) satisfies Snapshot);
  }

  private agreementOf(p: Snapshot['projects'][number]): Promise<Record<string, number | null>> {
    const key = p.consensus_run ?? '';
    const cached = this.agreementCache.get(p.id);
    if (cached && cached.key === key) return cached.value;
    const value = (async (): Promise<Record<string, number | null>> => {
      if (!p.consensus_run) return {};
      return this.sources.agreement(p.id);
    })().catch((e) => {
      log.warn('metrics: agreement not computed', { project: p.name, error: (e as Error).message });
      this.agreementCache.delete(p.id);
      return {};
    });
    this.agreementCache.set(p.id, { key, value });
    return value;
  }

  private healthOf(p: Snapshot['projects'][number]): Promise<LabelHealthFigures> {
    const key = `${p.model_id}:${p.issues_key}`;
    const cached = this.healthCache.get(p.id);
    if (cached && cached.key === key) return cached.value;
    const value = (async () => {
      if (!p.model_id) return { overall: null, classes: [] };
      return this.sources.labelHealth(p.id);
    })().catch((e) => {
      log.warn('metrics: label health not computed', { project: p.name, error: (e as Error).message });
      this.healthCache.delete(p.id);
      return { overall: null, classes: [] };
    });
    this.healthCache.set(p.id, { key, value });
    return value;
  }
}

function splitAnnotations(rows: AnnotatorKindRow[]): Pick<Snapshot, 'annotations' | 'annotators'> {
  const byKind = new Map<string, Snapshot['annotations'][number]>();
  const byAnnotator = new Map<string, Snapshot['annotators'][number]>();
  for (const r of rows) {
    const ak = `${r.project}\u0000${r.annotator}`;
    const a = byAnnotator.get(ak) ?? { project: r.project, annotator: r.annotator, annotator_kind: r.annotator_kind, n: 0 };
    a.n += r.n;
    byAnnotator.set(ak, a);
    if (!r.kind) continue;
    const kk = `${r.project}\u0000${r.kind}\u0000${r.annotator_kind}`;
    const k = byKind.get(kk) ?? { project: r.project, kind: r.kind, annotator_kind: r.annotator_kind, n: 0, timed: 0, seconds: 0 };
    k.n += r.n;
    k.timed += r.timed;
    k.seconds += r.seconds;
    byKind.set(kk, k);
  }
  return { annotations: [...byKind.values()], annotators: [...byAnnotator.values()] };
}

function sumBy<T>(rows: T[], key: (r: T) => string, value: (r: T) => number): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + Number(value(r)));
  return [...m];
}

function two<A extends string, B extends string>(k: string, a: A, b: B): Labels<A | B> {
  const [x, y] = k.split('\u0000');
  return { [a]: x, [b]: y } as Labels<A | B>;
}
