import type { Sql } from '../database';
import { CURRENT, LABELING_KINDS_SQL } from '../annotation-sql';
import { countCurrentLabels } from './item.repository';

/** The counts behind a project's statistics, as read (labels are class indexes). */
export interface ProjectCounts {
  totals: { items: number; labeled: number };
  perKind: Array<{ kind: string; n: number }>;
  /** Items per current label. */
  itemsPerClass: Array<{ label: number; n: number }>;
  /** Current HUMAN, GOLD and REVIEW annotations per label. */
  annotationsPerClass: Array<{ label: number; n: number }>;
  perAnnotator: Array<{ name: string; kind: string; n: number; items: number; mean_ms: number | null; last_at: Date | null }>;
  /** Annotations and distinct items per UTC day (YYYY-MM-DD). */
  perDay: Array<{ day: string; n: number; items: number }>;
}

/** The project's items and how many of them have a current label. */
export async function countItemsAndLabeled(sql: Sql, projectId: string): Promise<{ items: number; labeled: number }> {
  const [row] = await sql.query<{ items: number; labeled: number }>(
    `SELECT count(*)::int AS items, count(current_label)::int AS labeled FROM item WHERE project_id = $1`,
    [projectId],
  );
  return row;
}

/** The project's annotations counted by kind (kinds without any left out), in kind order. */
export function countAnnotationsByKind(sql: Sql, projectId: string): Promise<Array<{ kind: string; n: number }>> {
  return sql.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM annotation WHERE project_id = $1 GROUP BY kind ORDER BY kind`, [
    projectId,
  ]);
}

/** The project's item and annotation counts: totals, per kind, per class, per annotator, per day. */
export async function projectCounts(sql: Sql, projectId: string): Promise<ProjectCounts> {
  const totals = await countItemsAndLabeled(sql, projectId);
  const perKind = await countAnnotationsByKind(sql, projectId);
  const itemsPerClass = await countCurrentLabels(sql, projectId);
  const annotationsPerClass = await sql.query<{ label: number; n: number }>(
    `SELECT label, count(*)::int AS n FROM annotation WHERE project_id = $1 AND kind IN ${LABELING_KINDS_SQL} AND ${CURRENT('annotation')} GROUP BY label`,
    [projectId],
  );
  const perAnnotator = await sql.query<{ name: string; kind: string; n: number; items: number; mean_ms: number | null; last_at: Date | null }>(
    `SELECT n.name, n.kind, count(a.id)::int AS n, count(DISTINCT a.item_id)::int AS items,
            avg(a.duration_ms)::float8 AS mean_ms, max(a.created_at) AS last_at
     FROM annotator n LEFT JOIN annotation a ON a.annotator_id = n.id
     WHERE n.project_id = $1 GROUP BY n.id, n.name, n.kind ORDER BY n.name`,
    [projectId],
  );
  const perDay = await sql.query<{ day: string; n: number; items: number }>(
    `SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*)::int AS n,
            count(DISTINCT item_id)::int AS items
     FROM annotation WHERE project_id = $1 GROUP BY 1 ORDER BY 1`,
    [projectId],
  );
  return { totals, perKind, itemsPerClass, annotationsPerClass, perAnnotator, perDay };
}
