import 'reflect-metadata';
import { ComputePool } from './compute/pool';
import type { Config } from './config';
import { Database } from './db/database';
import { Scheduler } from './jobs/scheduler';
import { log, setLogLevel } from './logger';
import { RemoteWritePusher } from './metrics/push';
import { LoupeMetrics } from './metrics/registry';
import { createSchema } from './schema/build-schema';
import { RunningServer, startServer } from './server';
import { createServices, Services } from './services/services';

export interface App {
  config: Config;
  db: Database;
  services: Services;
  server: RunningServer;
  /** The job scheduler; null when LOUPE_SCHEDULER=false. */
  scheduler: Scheduler | null;
  /** Prometheus metrics (GET /metrics) and, when LOUPE_REMOTE_WRITE_URL is set, their remote-write pusher. */
  metrics: LoupeMetrics;
  pusher: RemoteWritePusher | null;
  /** Set when this start installed the first admin key (printed once by the CLI). */
  bootstrapKey: { key: string; generated: boolean } | null;
  /**
   * Stops the scheduler; drains HTTP (requests in flight finish within LOUPE_SHUTDOWN_GRACE_MS) while running jobs
   * are aborted (recorded FAILED, "shutdown: …"); once both are done, closes the compute threads and the database
   * (PGlite included) and logs "stopped". Nothing still serving a request or a job loses its database.
   * Safe to call twice.
   */
  close(): Promise<void>;
}

/** Composition root: config → database → services → schema → server → jobs. */
export async function createApp(config: Config): Promise<App> {
  setLogLevel(config.logLevel);
  const db = await Database.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const services = createServices(db, { tfBackend: config.tfBackend, compute: new ComputePool({ threads: config.computeThreads }) });
  const bootstrapKey = await services.auth.bootstrapAdminKey(config.adminKey);
  const schema = await createSchema();
  const metrics = new LoupeMetrics(db, services);
  const server = await startServer(config, services, schema, metrics);
  await services.jobs.recover();
  const scheduler = config.scheduler ? new Scheduler(db, services.jobs.runner) : null;
  await scheduler?.start();
  const pusher = config.remoteWrite ? new RemoteWritePusher(metrics, config.remoteWrite) : null;
  pusher?.start();
  let closing: Promise<void> | null = null;
  return {
    config,
    db,
    services,
    server,
    scheduler,
    metrics,
    pusher,
    bootstrapKey,
    close: () =>
      (closing ??= (async () => {
        await scheduler?.stop();
        await pusher?.stop();
        // Running jobs stop while HTTP drains (they record their end in the database, still open), so they neither
        // compete with the requests in flight for the grace period nor outlive it.
        await Promise.all([server.stop(), services.jobs.close()]);
        await services.compute.close();
        await db.close();
        log.info('stopped');
      })()),
  };
}
