import { Database } from '../db/database';
import { AnnotationService } from './annotation.service';
import { AuthService } from './auth.service';
import { ItemService } from './item.service';
import { ProjectService } from './project.service';
import { StatsService } from './stats.service';

/** Every use-case service, wired once in the composition root. */
export interface Services {
  db: Database;
  auth: AuthService;
  projects: ProjectService;
  items: ItemService;
  annotations: AnnotationService;
  stats: StatsService;
}

export function createServices(db: Database): Services {
  const projects = new ProjectService(db);
  return {
    db,
    auth: new AuthService(db),
    projects,
    items: new ItemService(db, projects),
    annotations: new AnnotationService(db, projects),
    stats: new StatsService(db, projects),
  };
}
