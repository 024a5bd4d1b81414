import { Database } from '../db/database';
import { projectCounts } from '../db/repositories/stats.repository';
import { Principal } from './auth.service';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';

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
      const { totals, perKind, itemsPerClass, annotationsPerClass: annPerClass, perAnnotator, perDay } = await projectCounts(sql, projectId);
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
