/**
 * Databases every test file starts from, built once per `npm test` run (jest globalSetup) instead of once per file:
 *   empty — migrated, nothing in it (what a first start sees);
 *   demo  — the empty one plus the seeded demo project (seedDemo on half the SpamAssassin corpus, simulated
 *           annotators, gold items).
 * On PostgreSQL (DATABASE_URL set) they are template databases that a test file copies with CREATE DATABASE …
 * TEMPLATE; on PGlite they are data folders that a test file copies. Their names travel to the test workers in
 * environment variables, which the workers inherit.
 */
import 'reflect-metadata';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { seedDemo } from '../../src/cli/demo';
import { Database } from '../../src/db/database';
import { createScratchPgDatabase } from '../../src/db/scratch-database';
import { setLogLevel } from '../../src/logger';
import { systemPrincipal } from '../../src/services/auth.service';
import { createServices } from '../../src/services/services';

export type TemplateName = 'empty' | 'demo';

/**
 * The tests' demo holds every DEMO_EVERY-th mail of the corpus (3,023 of 6,046; same classes, annotators, error
 * rates and gold count): its pipeline run stays well under a minute on a loaded 2-core machine. The full demo is
 * what `npm start` seeds and what bench/responsiveness.bench.ts runs.
 */
export const DEMO_EVERY = 2;

/** Environment variables that carry a template's location to the test workers. */
export const TEMPLATE_ENV: Record<TemplateName, string> = { empty: 'LOUPE_TEST_TEMPLATE_EMPTY', demo: 'LOUPE_TEST_TEMPLATE_DEMO' };
const ROOT_ENV = 'LOUPE_TEST_TEMPLATE_ROOT';

interface Built {
  drops: Array<() => Promise<void>>;
  root: string;
}
const state = globalThis as typeof globalThis & { __loupeTemplates?: Built };

async function seed(db: Database): Promise<void> {
  const services = createServices(db);
  try {
    await services.auth.bootstrapAdminKey('lp_template_' + randomBytes(16).toString('hex'));
    await seedDemo(services, await systemPrincipal(db), { every: DEMO_EVERY });
  } finally {
    await services.compute.close();
  }
}

export async function buildTemplates(): Promise<void> {
  setLogLevel('error');
  const root = mkdtempSync(join(tmpdir(), 'loupe-templates-'));
  const built: Built = { drops: [], root };
  state.__loupeTemplates = built;
  process.env[ROOT_ENV] = root;
  const base = process.env.DATABASE_URL;
  if (base) {
    const empty = await createScratchPgDatabase(base, 'loupe_tpl_empty');
    built.drops.push(empty.drop);
    await (await Database.open({ databaseUrl: empty.url, dataDir: '' })).close();
    const demo = await createScratchPgDatabase(base, 'loupe_tpl_demo', { template: empty.name });
    built.drops.push(demo.drop);
    const db = await Database.open({ databaseUrl: demo.url, dataDir: '' });
    try {
      await seed(db);
    } finally {
      await db.close();
    }
    process.env[TEMPLATE_ENV.empty] = empty.name;
    process.env[TEMPLATE_ENV.demo] = demo.name;
  } else {
    const empty = join(root, 'empty');
    const demo = join(root, 'demo');
    await (await Database.open({ dataDir: empty })).close();
    cpSync(empty, demo, { recursive: true });
    const db = await Database.open({ dataDir: demo });
    try {
      await seed(db);
    } finally {
      await db.close();
    }
    process.env[TEMPLATE_ENV.empty] = empty;
    process.env[TEMPLATE_ENV.demo] = demo;
  }
}

export async function dropTemplates(): Promise<void> {
  const built = state.__loupeTemplates;
  if (!built) return;
  for (const drop of built.drops.reverse()) await drop().catch(() => undefined);
  rmSync(built.root, { recursive: true, force: true });
}
