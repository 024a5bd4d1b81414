import { ComputePool } from '../compute/pool';
import type { TfBackendChoice } from '../config';
import { Database } from '../db/database';
import { AnnotationService } from './annotation.service';
import { AnnotatorStatsService } from './annotator-stats.service';
import { AuthService } from './auth.service';
import { ConsensusService } from './consensus.service';
import { DeletionService } from './deletion.service';
import { DriftService } from './drift.service';
import { GoldService } from './gold.service';
import { ItemService } from './item.service';
import type { JobService } from './job.service';
import { LabelIssueService } from './label-issue.service';
import { LabelStudioConnectorService } from './label-studio-connector.service';
import { LabelStudioPredictionService } from './label-studio-prediction.service';
import { LeaseService } from './lease.service';
import { MetricsSnapshotService } from './metrics-snapshot.service';
import { ModelService } from './model.service';
import { ProjectService } from './project.service';
import { ReadCache } from './read-cache';
import { RetractionService } from './retraction.service';
import { RoutingService } from './routing.service';
import { SelectionService } from './selection.service';
import { SnapshotService } from './snapshot.service';
import { StatsService } from './stats.service';
import { TrainingService } from './training.service';
import { WeakSupervisionService } from './weak-supervision.service';
import { WebhookService } from './webhook.service';

/** Every use-case service, wired once in the composition root. */
export interface Services {
  db: Database;
  /** Compute threads for the CPU-heavy pipeline steps; closed with the app. */
  compute: ComputePool;
  auth: AuthService;
  projects: ProjectService;
  items: ItemService;
  annotations: AnnotationService;
  retractions: RetractionService;
  stats: StatsService;
  models: ModelService;
  selection: SelectionService;
  /** Leases of served items: releaseItems, extendLease. */
  leases: LeaseService;
  training: TrainingService;
  /** runJob, trainModel and the job runner (wired by createCore, which builds the jobs from the other services). */
  jobs: JobService;
  labelIssues: LabelIssueService;
  consensus: ConsensusService;
  annotatorStats: AnnotatorStatsService;
  gold: GoldService;
  weakSupervision: WeakSupervisionService;
  routing: RoutingService;
  drift: DriftService;
  snapshots: SnapshotService;
  /** The `metrics` pipeline step: one metrics_snapshot row per run. */
  metricsSnapshots: MetricsSnapshotService;
  deletion: DeletionService;
  /** Label Studio connectors: created and revoked over GraphQL, authenticated by the secret in their URL. */
  labelStudioConnectors: LabelStudioConnectorService;
  /** Pre-labels for Label Studio's /predict: tasks imported when new, the latest model's top class for each. */
  labelStudioPredictions: LabelStudioPredictionService;
  /** Project-wide read results shared by every caller, per replica, invalidated by the project's data version. */
  readCache: ReadCache;
  /** Webhook subscriptions and their deliveries (sent by the WebhookSender createCore starts). */
  webhooks: WebhookService;
}

/** Every service but `jobs`, whose runner runs jobs built from these. */
export type CoreServices = Omit<Services, 'jobs'>;

export function createServices(db: Database, opts: { tfBackend?: TfBackendChoice; compute?: ComputePool; webhookAllowedHosts?: readonly string[] } = {}): CoreServices {
  const projects = new ProjectService(db);
  const compute = opts.compute ?? new ComputePool();
  const readCache = new ReadCache(db);
  const items = new ItemService(db, projects);
  const annotations = new AnnotationService(db, projects);
  return {
    db,
    compute,
    auth: new AuthService(db),
    projects,
    items,
    annotations,
    retractions: new RetractionService(db, projects),
    stats: new StatsService(db, projects, readCache),
    models: new ModelService(db, projects),
    selection: new SelectionService(db, projects),
    leases: new LeaseService(db, projects),
    training: new TrainingService(db, projects, compute, opts.tfBackend),
    labelIssues: new LabelIssueService(db, projects, compute, readCache),
    consensus: new ConsensusService(db, projects, compute),
    annotatorStats: new AnnotatorStatsService(db, projects, readCache),
    gold: new GoldService(db, projects, annotations),
    weakSupervision: new WeakSupervisionService(db, projects, readCache),
    routing: new RoutingService(db, projects),
    drift: new DriftService(db, projects, compute),
    snapshots: new SnapshotService(db, projects),
    deletion: new DeletionService(db, projects),
    metricsSnapshots: new MetricsSnapshotService(db),
    labelStudioConnectors: new LabelStudioConnectorService(db, projects),
    labelStudioPredictions: new LabelStudioPredictionService(db, projects, items),
    readCache,
    webhooks: new WebhookService(db, projects, opts.webhookAllowedHosts),
  };
}
