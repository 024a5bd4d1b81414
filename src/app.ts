import 'reflect-metadata';
import type { Config } from './config';
import { Database } from './db/database';
import { log, setLogLevel } from './logger';
import { createSchema } from './schema/build-schema';
import { RunningServer, startServer } from './server';
import { createServices, Services } from './services/services';

export interface App {
  config: Config;
  db: Database;
  services: Services;
  server: RunningServer;
  /** Set when this start installed the first admin key (printed once by the CLI). */
  bootstrapKey: { key: string; generated: boolean } | null;
  /** Drains HTTP requests, then closes the database (PGlite included). Safe to call twice. */
  close(): Promise<void>;
}

/** Composition root: config → database → services → schema → server. */
export async function createApp(config: Config): Promise<App> {
  setLogLevel(config.logLevel);
  const db = await Database.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const services = createServices(db, { tfBackend: config.tfBackend });
  const bootstrapKey = await services.auth.bootstrapAdminKey(config.adminKey);
  const schema = await createSchema();
  const server = await startServer(config, services, schema);
  let closing: Promise<void> | null = null;
  return {
    config,
    db,
    services,
    server,
    bootstrapKey,
    close: () =>
      (closing ??= (async () => {
        await server.stop();
        await db.close();
        log.info('stopped');
      })()),
  };
}
