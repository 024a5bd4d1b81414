import type { TfBackendChoice } from '../config';
import { Database } from '../db/database';
import { AnnotationService } from './annotation.service';
import { AuthService } from './auth.service';
import { ItemService } from './item.service';
import { ModelService } from './model.service';
import { ProjectService } from './project.service';
import { SelectionService } from './selection.service';
import { StatsService } from './stats.service';
import { TrainingService } from './training.service';

/** Every use-case service, wired once in the composition root. */
export interface Services {
  db: Database;
  auth: AuthService;
  projects: ProjectService;
  items: ItemService;
  annotations: AnnotationService;
  stats: StatsService;
  models: ModelService;
  selection: SelectionService;
  training: TrainingService;
}

export function createServices(db: Database, opts: { tfBackend?: TfBackendChoice } = {}): Services {
  const projects = new ProjectService(db);
  return {
    db,
    auth: new AuthService(db),
    projects,
    items: new ItemService(db, projects),
    annotations: new AnnotationService(db, projects),
    stats: new StatsService(db, projects),
    models: new ModelService(db, projects),
    selection: new SelectionService(db, projects),
    training: new TrainingService(db, projects, opts.tfBackend),
  };
}
