import { Database } from '../db/database';
import { Principal } from './auth.service';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';
import { CURRENT, LABELING_KINDS_SQL } from '../db/annotation-sql';

export interface ProjectStatsView {
  items: number;
  labeledItems: number;
  annotations: number;
  perKind: Array<{ kind: string; annotations: number }>;
  perClass: Array<{ label: string; items: number; annotations: number }>;
  perAnnotator: Array<{ annotator: string; kind: string; annotations: number; items: number; meanDurationMs: number | null; lastAt: Date | null }>;
  perDay: Array<{ day: string; annotations: number; items: number }>;
}

export class StatsService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly cache: ReadCache,
  ) {}

  /** Counts for one project. "items" per class = items whose current label is that class; annotations per class count HUMAN, GOLD and REVIEW votes. */
  async projectStats(p: Principal, projectId: string): Promise<ProjectStatsView> {
    const project = await this.projects.access(p, projectId, 'stats:read');
    return this.cache.get(project.id, 'projectStats', [], () => this.computeProjectStats(project));
  }

  private async computeProjectStats(project: ProjectView): Promise<ProjectStatsView> {
    const projectId = project.id;
    return this.db.read(async (sql) => {
      const [totals] = await sql.query<{ items: number; labeled: number }>(
        `SELECT count(*)::int AS items, count(current_label)::int AS labeled FROM item WHERE project_id = $1`,
        [projectId],
      );
      const perKind = await sql.query<{ kind: string; n: number }>(
        `SELECT kind, count(*)::int AS n FROM annotation WHERE project_id = $1 GROUP BY kind ORDER BY kind`,
        [projectId],
      );
      const itemsPerClass = await sql.query<{ label: number; n: number }>(
        `SELECT current_label AS label, count(*)::int AS n FROM item WHERE project_id = $1 AND current_label IS NOT NULL GROUP BY current_label`,
        [projectId],
      );
      const annPerClass = await sql.query<{ label: number; n: number }>(
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
      const ipc = new Map(itemsPerClass.map((r) => [r.label, r.n]));
      const apc = new Map(annPerClass.map((r) => [r.label, r.n]));
      return {
        items: totals.items,
        labeledItems: totals.labeled,
        annotations: perKind.reduce((s, r) => s + r.n, 0),
        perKind: perKind.map((r) => ({ kind: r.kind, annotations: r.n })),
        perClass: project.classes.map((label, k) => ({ label, items: ipc.get(k) ?? 0, annotations: apc.get(k) ?? 0 })),
        perAnnotator: perAnnotator.map((r) => ({
          annotator: r.name,
          kind: r.kind,
          annotations: r.n,
          items: r.items,
          meanDurationMs: r.mean_ms === null ? null : Number(r.mean_ms),
          lastAt: r.last_at ? new Date(r.last_at) : null,
        })),
        perDay: perDay.map((r) => ({ day: r.day, annotations: r.n, items: r.items })),
      };
    });
  }
}
