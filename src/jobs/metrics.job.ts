import { latestModelVersion } from '../db/repositories/model-version.repository';
import type { Job } from './job';

/**
 * Writes one `metrics_snapshot` row with the project's key figures: items, labeled items, annotations (by kind),
 * annotators, open label issues, the latest model version and its cross-validated accuracy. One transaction.
 */
export const metricsJob: Job = {
  name: 'metrics',
  schedule: '*/15 * * * *',
  run: (ctx) =>
    ctx.db.transaction(async (sql) => {
      const p = [ctx.projectId];
      const [items] = await sql.query<{ items: number; labeled: number }>(
        `SELECT count(*)::int AS items, count(current_label)::int AS labeled FROM item WHERE project_id = $1`,
        p,
      );
      const byKind = await sql.query<{ kind: string; n: number }>(
        `SELECT kind, count(*)::int AS n FROM annotation WHERE project_id = $1 GROUP BY kind ORDER BY kind`,
        p,
      );
      const annotationsByKind: Record<string, number> = { HUMAN: 0, MODEL: 0, WEAK: 0, GOLD: 0, REVIEW: 0 };
      for (const r of byKind) annotationsByKind[r.kind] = r.n;
      const annotations = byKind.reduce((s, r) => s + r.n, 0);
      const [{ annotators }] = await sql.query<{ annotators: number }>(`SELECT count(*)::int AS annotators FROM annotator WHERE project_id = $1`, p);
      // Label issues arrive with their own migration; a database without the table has no figure (null), not 0.
      const [{ has }] = await sql.query<{ has: boolean }>(`SELECT to_regclass('label_issue') IS NOT NULL AS has`);
      const openIssues = has
        ? (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM label_issue WHERE project_id = $1 AND status = 'OPEN'`, p))[0].n
        : null;
      const latest = await latestModelVersion(sql, ctx.projectId);
      const acc = latest?.metrics?.crossValAccuracy;
      const model = latest && { id: latest.id, acc: typeof acc === 'number' ? acc : null };
      await sql.query(
        `INSERT INTO metrics_snapshot (project_id, job_run_id, items, labeled_items, annotations, annotations_by_kind, annotators,
           open_label_issues, model_version_id, cross_val_accuracy)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
        [ctx.projectId, ctx.runId, items.items, items.labeled, annotations, JSON.stringify(annotationsByKind), annotators, openIssues, model?.id ?? null, model?.acc ?? null],
      );
      const counts: Record<string, number> = { items: items.items, labeledItems: items.labeled, annotations, annotators };
      if (openIssues !== null) counts.openLabelIssues = openIssues;
      return counts;
    }),
};
