import './production-env'; // first: graphql reads NODE_ENV when it loads
import 'reflect-metadata';
import { createApp } from './app';
import { runDemoPipeline, seedDemo } from './cli/demo';
import { ConfigError, loadConfig } from './config';
import { log, setLogLevel } from './logger';
import { systemPrincipal } from './services/auth.service';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const app = await createApp(config);
  log.info('database', { kind: app.db.kind, ...(app.db.kind === 'pglite' ? { dataDir: config.dataDir } : {}) });
  // The TensorFlow.js backend is chosen (and logged, with why faster ones were skipped) at start; serverInfo shows it.
  log.info('tensorflow backend', { backend: await app.services.training.backend() });
  if (app.bootstrapKey?.generated) {
    // Printed once, at the first start on an empty database; only its hash is stored.
    process.stdout.write(
      `\n  First start: an ADMIN API key was created. It is shown only now, store it safely:\n\n    ${app.bootstrapKey.key}\n\n` +
        `  Use it as:  Authorization: Bearer ${app.bootstrapKey.key}\n\n`,
    );
  }
  if (config.seedDemo) {
    const seeded = await seedDemo(app.services, await systemPrincipal(app.db));
    if (seeded) {
      log.info('demo dataset loaded', { project: 'spam-assassin' });
      // In the background: the server answers at once, the pipeline's results appear when it has run.
      void runDemoPipeline(app.services, seeded);
    }
  }
  log.info('listening', { url: app.server.url });
  process.stdout.write(`Loupe GraphQL API on ${app.server.url}\n`);

  // SIGTERM or SIGINT: HTTP drained (in-flight requests finish within LOUPE_SHUTDOWN_GRACE_MS), running jobs aborted
  // and recorded FAILED, the database closed, "stopped" logged, exit 0. A second signal during that exits 1 at once.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn('second signal during shutdown: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal, graceMs: config.shutdownGraceMs });
    app.close().then(
      () => process.exit(0),
      (e) => {
        log.error('shutdown failed', { message: (e as Error).message, stack: (e as Error).stack });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e) => {
  if (e instanceof ConfigError) {
    process.stderr.write(e.message + '\n');
    process.exit(2);
  }
  log.error('start failed', { message: (e as Error).message, stack: (e as Error).stack });
  process.exit(1);
});
