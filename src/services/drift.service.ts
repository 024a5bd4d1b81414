import type { ComputePool } from '../compute/pool';
import { Database } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import * as drift from '../db/repositories/drift.repository';
import type { DriftKind, DriftReportRow, DriftRow } from '../db/repositories/drift.repository';
import { findVersionProbs } from '../db/repositories/prediction.repository';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import type { StepOptions } from './pipeline-step';
import { Principal } from './auth.service';
import {
  annotatorRows,
  DriftStatusView,
  driftSettings,
  driftStatusReason,
  driftWindows,
  embeddingRow,
  labelRows,
  predictionRows,
  reportWindows,
  sample,
  WindowedItem,
} from './drift-report';
import { ProjectService } from './project.service';
import { enqueueEvent } from './webhook-outbox';

export type { DriftKind, DriftRow, DriftVerdict } from '../db/repositories/drift.repository';
export { DEFAULT_DRIFT, DEFAULT_THRESHOLDS, driftSettings, driftWindows } from './drift-report';
export type { DriftSettings, DriftStatusView, DriftThresholds, DriftWindow, DriftWindows, DriftWindowStatus } from './drift-report';

const KIND_ORDER: DriftKind[] = ['EMBEDDING', 'PREDICTION', 'LABEL', 'ANNOTATOR'];

/** A stored report: a {@link DriftRow} with its identity. */
export interface DriftReportView extends DriftRow {
  id: string;
  projectId: string;
  runId: string;
  createdAt: Date;
}

const date = (d: Date | string | null): Date | null => (d === null ? null : new Date(d));
const toView = (r: DriftReportRow): DriftReportView => ({
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
    const rows = await this.db.read((sql) => drift.findLatestDriftReports(sql, project.id));
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
      const now = await drift.databaseNow(sql);
      const created = await drift.findItemCreationTimes(sql, project.id);
      const lastRunAt = await drift.lastDriftReportAt(sql, project.id);
      const w = driftWindows(created, s, now);
      const reference = { from: w.referenceWindow?.from ?? null, to: w.referenceWindow?.to ?? null, items: w.reference.length };
      const current = { from: w.currentWindow?.from ?? null, to: w.currentWindow?.to ?? null, items: w.current.length };
      return { reference, current, lastRunAt, reason: driftStatusReason(s, reference, current, created.length, lastRunAt) };
    });
  }

  /**
   * The drift job: computes every report of one run (reading outside a transaction) and writes them in ONE
   * transaction; returns how many reports there are and how many of each verdict.
   */
  async run(projectId: string, opts: StepOptions): Promise<Record<string, number>> {
    const rows = await this.computeDrift(projectId, (f, step) => opts.progress(f, step), opts.signal);
    opts.signal.throwIfAborted();
    await this.writeReports(projectId, opts.runId, rows);
    return {
      reports: rows.length,
      ok: rows.filter((r) => r.verdict === 'OK').length,
      warn: rows.filter((r) => r.verdict === 'WARN').length,
      drift: rows.filter((r) => r.verdict === 'DRIFT').length,
    };
  }

  /** Computes every report of one drift run, reading outside a transaction. */
  private async computeDrift(projectId: string, progress: (f: number, step: string) => Promise<void>, signal: AbortSignal): Promise<DriftRow[]> {
    const project = await this.db.read((sql) => drift.findDriftProject(sql, projectId));
    if (!project) throw new Error(`project ${projectId} not found`);
    const s = driftSettings(project.settings ?? {});
    const now = new Date(project.now);
    const out: DriftRow[] = [];

    // 1. The two item windows.
    const items = await this.db.read((sql) => drift.findDriftItems(sql, projectId));
    const w = driftWindows(items.map((r) => new Date(r.created_at)), s, now);
    const toW = (i: number): WindowedItem => ({ id: items[i].id, label: items[i].label, hasEmbedding: items[i].has_embedding });
    const ref = w.reference.map(toW);
    const cur = w.current.map(toW);
    const windows = reportWindows(w);

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
        out.push(embeddingRow(r, { reference: X.rows, current: Y.rows, dim: project.embedding_dim }, s, windows));
      }
    }

    // 3. Predictions of the latest model version: class mix and confidence.
    await progress(0.6, 'predictions');
    const mv = await this.db.read((sql) => latestModelVersion(sql, projectId));
    if (mv) {
      const rows = await this.db.read((sql) => findVersionProbs(sql, mv.id));
      const probs = new Map(rows.map((r) => [r.item_id, decodeFloat32(r.probs)!]));
      out.push(...predictionRows(ref, cur, probs, mv, s, windows));
    }

    // 4. Labels: the items' current labels.
    await progress(0.75, 'labels');
    out.push(...labelRows(ref, cur, project.classes, s, windows));

    // 5. Annotators: each one's HUMAN label mix against their own reference.
    await progress(0.85, 'annotators');
    const anns = await this.db.read((sql) => drift.findCurrentHumanLabels(sql, projectId));
    out.push(...annotatorRows(anns.map((r) => ({ annotator: r.annotator, label: r.label, at: new Date(r.created_at) })), project.classes, s, w));
    await progress(0.95, 'writing');
    return out;
  }

  /** Writes one run's reports in one transaction. */
  private async writeReports(projectId: string, runId: string, rows: DriftRow[]): Promise<void> {
    if (!rows.length) return;
    const drifted = rows.filter((r) => r.verdict === 'DRIFT');
    await this.db.transaction(async (sql) => {
      await drift.insertDriftReports(sql, projectId, runId, rows);
      // One drift.detected event per run that found drift, listing the drifted reports.
      if (drifted.length) {
        await enqueueEvent(sql, projectId, 'drift.detected', () => ({
          runId,
          reports: drifted.map((r) => ({ kind: r.kind, annotator: r.annotator, statistic: r.statistic, value: r.value, pvalue: r.pvalue, verdict: r.verdict })),
        }));
      }
    });
  }

  private async embeddings(ids: string[], dim: number): Promise<{ rows: number; cols: number; data: Float64Array }> {
    const rows = await this.db.read((sql) => drift.findEmbeddings(sql, ids));
    const by = new Map(rows.map((r) => [r.id, r.embedding]));
    const found = ids.filter((id) => by.get(id)); // an item deleted since the windows were read is left out
    const data = new Float64Array(found.length * dim);
    found.forEach((id, i) => data.set(decodeFloat32(by.get(id))!, i * dim));
    return { rows: found.length, cols: dim, data };
  }
}
