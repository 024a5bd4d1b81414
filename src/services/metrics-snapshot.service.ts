import type { Database } from '../db/database';
import { countAnnotators, countOpenLabelIssues, insertMetricsSnapshot } from '../db/repositories/metrics.repository';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import { countAnnotationsByKind, countItemsAndLabeled } from '../db/repositories/stats.repository';
import type { StepOptions } from './pipeline-step';

/** The `metrics` pipeline step: one `metrics_snapshot` row of a project's key figures per run. */
export class MetricsSnapshotService {
  constructor(private readonly db: Database) {}

  /**
   * Writes one `metrics_snapshot` row with the project's key figures: items, labeled items, annotations (by kind),
   * annotators, open label issues, the latest model version and its cross-validated accuracy. One transaction.
   */
  run(projectId: string, opts: Pick<StepOptions, 'runId'>): Promise<Record<string, number>> {
    return this.db.transaction(async (sql) => {
      const items = await countItemsAndLabeled(sql, projectId);
      const byKind = await countAnnotationsByKind(sql, projectId);
      const annotationsByKind: Record<string, number> = { HUMAN: 0, MODEL: 0, WEAK: 0, GOLD: 0, REVIEW: 0 };
      for (const r of byKind) annotationsByKind[r.kind] = r.n;
      const annotations = byKind.reduce((s, r) => s + r.n, 0);
      const annotators = await countAnnotators(sql, projectId);
      // Label issues arrive with their own migration; a database without the table has no figure (null), not 0.
      const openIssues = await countOpenLabelIssues(sql, projectId);
      const latest = await latestModelVersion(sql, projectId);
      const acc = latest?.metrics?.crossValAccuracy;
      const model = latest && { id: latest.id, acc: typeof acc === 'number' ? acc : null };
      await insertMetricsSnapshot(sql, {
        projectId,
        jobRunId: opts.runId,
        items: items.items,
        labeledItems: items.labeled,
        annotations,
        annotationsByKind,
        annotators,
        openLabelIssues: openIssues,
        modelVersionId: model?.id ?? null,
        crossValAccuracy: model?.acc ?? null,
      });
      const counts: Record<string, number> = { items: items.items, labeledItems: items.labeled, annotations, annotators };
      if (openIssues !== null) counts.openLabelIssues = openIssues;
      return counts;
    });
  }
}
