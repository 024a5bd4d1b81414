import 'reflect-metadata';
import { ComputePool } from './compute/pool';
import type { Config } from './config';
import { Database } from './db/database';
import { readDatabaseMetrics } from './db/repositories/metrics.repository';
import type { Job } from './jobs/job';
import { createJobs } from './jobs/registry';
import { JobRunner } from './jobs/runner';
import { Scheduler } from './jobs/scheduler';
import { log, setLogLevel } from './logger';
import { LoupeMetrics } from './metrics/database-gauges';
import { RemoteWritePusher } from './metrics/push';
import { systemPrincipal } from './services/auth.service';
import { JobService } from './services/job.service';
import { CoreServices, createServices, Services } from './services/services';
import { WebhookSender } from './services/webhook-sender';

/** Everything Loupe runs but HTTP: the database, the services, the jobs and their runner, the scheduler, the metrics. */
export interface Core {
  config: Config;
  db: Database;
  services: Services;
  /** Every job this build runs, each built from the services it uses. */
  jobs: readonly Job[];
  runner: JobRunner;
  /** The job scheduler; null when LOUPE_SCHEDULER=false. */
  scheduler: Scheduler | null;
  /** Prometheus metrics (served by HTTP on GET /metrics) and, when LOUPE_REMOTE_WRITE_URL is set, their remote-write pusher. */
  metrics: LoupeMetrics;
  pusher: RemoteWritePusher | null;
  /** Sends the webhook outbox in the background. */
  webhookSender: WebhookSender;
  /** Set when this start installed the first admin key (printed once by the CLI). */
  bootstrapKey: { key: string; generated: boolean } | null;
  /**
   * Stops the scheduler and the pusher; aborts running jobs (recorded FAILED, "shutdown: …") and stops the webhook sender
   * while `alongside` runs (the HTTP drain); once both are done, closes the compute threads and the database (PGlite included) and logs
   * "stopped". Safe to call twice.
   */
  close(alongside?: () => Promise<void>): Promise<void>;
}

/** The jobs of this build, each built from the one service whose step it runs; the pipeline records its steps in `db`. */
export function jobsFor(db: Database, services: CoreServices): Job[] {
  return createJobs(
    {
      train: services.training,
      labelIssues: services.labelIssues,
      consensus: services.consensus,
      route: services.routing,
      drift: services.drift,
      metrics: services.metricsSnapshots,
    },
    db,
  );
}

/** The database metrics, read through the repositories and the services that compute agreement and label health. */
function databaseMetrics(db: Database, services: CoreServices): LoupeMetrics {
  return new LoupeMetrics({
    readRows: () => db.read((sql) => readDatabaseMetrics(sql)),
    agreement: async (projectId) => {
      const a = await services.annotatorStats.agreement(await systemPrincipal(db), projectId, new Date(0), new Date(Date.now() + 1000));
      return { fleiss_kappa: a.fleissKappa, krippendorff_alpha: a.krippendorffAlpha, cohen_kappa_mean: a.cohenKappaMean };
    },
    labelHealth: async (projectId) => {
      const h = await services.labelIssues.labelHealth(await systemPrincipal(db), projectId);
      return { overall: h.overallLabelHealthScore, classes: h.classes.map((c) => ({ label: c.label, score: c.labelQualityScore })) };
    },
  });
}

/** Composition root without HTTP: config → database → services → jobs → runner → scheduler. */
export async function createCore(config: Config): Promise<Core> {
  setLogLevel(config.logLevel);
  const db = await Database.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const base = createServices(db, { tfBackend: config.tfBackend, compute: new ComputePool({ threads: config.computeThreads }), webhookAllowedHosts: config.webhooks.allowedHosts });
  const jobs = jobsFor(db, base);
  const runner = new JobRunner(db, jobs);
  const services: Services = { ...base, jobs: new JobService(base.projects, runner) };
  const bootstrapKey = await services.auth.bootstrapAdminKey(config.adminKey);
  const metrics = databaseMetrics(db, base);
  await runner.recover();
  const scheduler = config.scheduler ? new Scheduler(db, runner) : null;
  await scheduler?.start();
  const pusher = config.remoteWrite ? new RemoteWritePusher(metrics, config.remoteWrite) : null;
  pusher?.start();
  const webhookSender = new WebhookSender(db, config.webhooks);
  webhookSender.start();
  let closing: Promise<void> | null = null;
  return {
    config,
    db,
    services,
    jobs,
    runner,
    scheduler,
    metrics,
    pusher,
    webhookSender,
    bootstrapKey,
    close: (alongside) =>
      (closing ??= (async () => {
        await scheduler?.stop();
        await pusher?.stop();
        // Running jobs stop while HTTP drains (they record their end in the database, still open), so they neither
        // compete with the requests in flight for the grace period nor outlive it; so does the webhook sender (its
        // sends in flight are recorded, the rest stay PENDING for the next start).
        await Promise.all([alongside?.(), runner.close(), webhookSender.stop()]);
        await services.compute.close();
        await db.close();
        log.info('stopped');
      })()),
  };
}
