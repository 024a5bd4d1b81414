import type { Sql } from '../database';
import { latestModelVersionIdSql } from './model-version.repository';

// ---- a project's key figures (the metrics job's snapshot) -----------------------------------------------------------

/** How many annotators the project has. */
export async function countAnnotators(sql: Sql, projectId: string): Promise<number> {
  const [{ annotators }] = await sql.query<{ annotators: number }>(`SELECT count(*)::int AS annotators FROM annotator WHERE project_id = $1`, [projectId]);
  return annotators;
}

/** The project's open label issues; null when the database has no label_issue table (its migration has not run). */
export async function countOpenLabelIssues(sql: Sql, projectId: string): Promise<number | null> {
  const [{ has }] = await sql.query<{ has: boolean }>(`SELECT to_regclass('label_issue') IS NOT NULL AS has`);
  if (!has) return null;
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM label_issue WHERE project_id = $1 AND status = 'OPEN'`, [projectId]);
  return n;
}

export interface MetricsSnapshotRow {
  projectId: string;
  jobRunId: string;
  items: number;
  labeledItems: number;
  annotations: number;
  annotationsByKind: Record<string, number>;
  annotators: number;
  openLabelIssues: number | null;
  modelVersionId: string | null;
  crossValAccuracy: number | null;
}

/** Writes one `metrics_snapshot` row. */
export async function insertMetricsSnapshot(sql: Sql, m: MetricsSnapshotRow): Promise<void> {
  await sql.query(
    `INSERT INTO metrics_snapshot (project_id, job_run_id, items, labeled_items, annotations, annotations_by_kind, annotators,
       open_label_issues, model_version_id, cross_val_accuracy)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)`,
    [m.projectId, m.jobRunId, m.items, m.labeledItems, m.annotations, JSON.stringify(m.annotationsByKind), m.annotators, m.openLabelIssues, m.modelVersionId, m.crossValAccuracy],
  );
}

// ---- the figures Prometheus scrapes (every project, by project name) ------------------------------------------------

/** One annotator's annotations of one kind (kind '' and zeros for an annotator with none). */
export type AnnotatorKindRow = { project: string; annotator: string; annotator_kind: string; kind: string; n: number; timed: number; seconds: number };

/** What the database-backed gauges and counters read in one go. */
export interface DatabaseMetricsRows {
  items: Array<{ project: string; items: number; unlabeled: number }>;
  annotations: AnnotatorKindRow[];
  issues: Array<{ project: string; status: string; class: string; n: number }>;
  resolutions: Array<{ project: string; decision: string; n: number }>;
  quality: Array<{ project: string; annotator: string; agreement: number | null; quality: number | null; gold: number | null }>;
  models: Array<{ project: string; version: string; acc: number | null; logloss: number | null; training_ms: number | null }>;
  routes: Array<{ project: string; route: string; n: number }>;
  drift: Array<{ project: string; kind: string; statistic: string; annotator: string; value: number; verdict: string }>;
  lastSuccess: Array<{ project: string; job: string; t: number }>;
  /** Per project: id, name and the keys under which the figures computed from these rows stay valid. */
  projects: Array<{ id: string; name: string; consensus_run: string | null; model_id: string | null; issues_key: string }>;
}

/**
 * Every project's figures for the metrics endpoint: a handful of aggregate scans (one of the annotations), statement
 * after statement on `sql`.
 */
export async function readDatabaseMetrics(sql: Sql): Promise<DatabaseMetricsRows> {
  const q = <T>(text: string) => sql.query<T>(text);
  return {
    items: await q(`SELECT p.name AS project, count(i.id)::int AS items, (count(i.id) - count(i.current_label))::int AS unlabeled
                    FROM project p LEFT JOIN item i ON i.project_id = p.id GROUP BY p.name`),
    // One scan of the annotations, grouped by annotator and kind; names joined on the small side.
    annotations: await q(`SELECT p.name AS project, an.name AS annotator, an.kind AS annotator_kind, COALESCE(a.kind, '') AS kind,
                 COALESCE(a.n, 0)::int AS n, COALESCE(a.timed, 0)::int AS timed, COALESCE(a.ms, 0)::float8 / 1000 AS seconds
               FROM annotator an JOIN project p ON p.id = an.project_id
               LEFT JOIN (SELECT annotator_id, kind, count(*) AS n, count(duration_ms) AS timed, sum(duration_ms) AS ms
                          FROM annotation GROUP BY annotator_id, kind) a ON a.annotator_id = an.id`),
    issues: await q(`SELECT p.name AS project, lower(li.status) AS status, COALESCE(p.classes[li.given_label + 1], li.given_label::text) AS class, count(*)::int AS n
                     FROM label_issue li JOIN project p ON p.id = li.project_id GROUP BY 1, 2, 3`),
    resolutions: await q(`SELECT p.name AS project, li.decision, count(*)::int AS n FROM label_issue li JOIN project p ON p.id = li.project_id
                          WHERE li.status = 'RESOLVED' GROUP BY 1, 2`),
    quality: await q(`SELECT p.name AS project, an.name AS annotator, aq.agreement_with_consensus AS agreement, aq.quality, aq.gold_accuracy AS gold
                      FROM annotator_quality aq JOIN annotator an ON an.id = aq.annotator_id JOIN project p ON p.id = aq.project_id`),
    models: await q(`SELECT p.name AS project, mv.version, (mv.metrics->>'crossValAccuracy')::float8 AS acc,
                       (mv.metrics->>'crossValLogLoss')::float8 AS logloss, mv.training_ms
                     FROM project p JOIN model_version mv ON mv.id = ${latestModelVersionIdSql('p.id')}`),
    routes: await q(`SELECT p.name AS project, lower(r.route) AS route, count(*)::int AS n FROM item_route r JOIN project p ON p.id = r.project_id GROUP BY 1, 2`),
    drift: await q(`SELECT p.name AS project, d.kind, d.statistic, COALESCE(d.annotator, '') AS annotator, d.value, d.verdict
                    FROM drift_report d JOIN project p ON p.id = d.project_id
                    WHERE d.run_id = (SELECT d2.run_id FROM drift_report d2 WHERE d2.project_id = d.project_id ORDER BY d2.created_at DESC LIMIT 1)`),
    lastSuccess: await q(`SELECT p.name AS project, j.name AS job, extract(epoch FROM max(j.finished_at))::float8 AS t
                          FROM job_run j JOIN project p ON p.id = j.project_id WHERE j.status = 'SUCCEEDED' GROUP BY 1, 2`),
    projects: await q(`SELECT p.id, p.name, cs.run_id::text AS consensus_run,
                         COALESCE(p.label_issue_model_version_id, ${latestModelVersionIdSql('p.id')})::text AS model_id,
                         (SELECT count(*) || ':' || COALESCE(max(li.updated_at)::text, '') FROM label_issue li WHERE li.project_id = p.id) AS issues_key
                       FROM project p LEFT JOIN consensus_summary cs ON cs.project_id = p.id`),
  };
}
