import 'reflect-metadata';
import type { Config } from './config';
import { Core, createCore } from './core';
import { createSchema } from './schema/build-schema';
import { RunningServer, startServer } from './server';

/** Loupe with its HTTP server: the core, plus Express and Apollo serving GraphQL, exports, health and metrics. */
export interface App extends Core {
  server: RunningServer;
  /**
   * Stops the scheduler; drains HTTP (requests in flight finish within LOUPE_SHUTDOWN_GRACE_MS) while running jobs
   * are aborted (recorded FAILED, "shutdown: …"); once both are done, closes the compute threads and the database
   * (PGlite included) and logs "stopped". Nothing still serving a request or a job loses its database.
   * Safe to call twice.
   */
  close(): Promise<void>;
}

/** Starts the HTTP server (GraphQL, exports, health, metrics) on a core; closing the app closes both. */
export async function startHttp(core: Core): Promise<App> {
  let server: RunningServer;
  try {
    server = await startServer(core.config, core.services, await createSchema(), core.metrics);
  } catch (e) {
    await core.close(); // a port in use: the scheduler, the jobs and the database stop with the failed start
    throw e;
  }
  return { ...core, server, close: () => core.close(() => server.stop()) };
}

/** Composition root: config → database → services → jobs → schema → server. */
export async function createApp(config: Config): Promise<App> {
  return startHttp(await createCore(config));
}
