import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createScratchPgDatabase } from '../../src/db/scratch-database';
import { TEMPLATE_ENV, TemplateName } from '../setup/templates';

/**
 * A real Loupe server on a real database of its own: a fresh PostgreSQL database when DATABASE_URL is set
 * (created here, dropped at close), else a fresh PGlite folder. One per test file, so jest workers never share.
 * The database starts as a copy of one built once per run (test/setup/templates.ts): `empty` (migrated) by default,
 * or `demo` (the seeded demo project).
 */
export interface TestApp {
  app: App;
  url: string;
  baseUrl: string;
  adminKey: string;
  dbKind: 'postgres' | 'pglite';
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GqlResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Runs SQL directly against the test database (for "nothing was written" checks). */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export interface GqlResponse<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
}

export async function startTestApp(env: Record<string, string> = {}, opts: { template?: TemplateName } = {}): Promise<TestApp> {
  const adminKey = 'lp_test_admin_' + randomBytes(16).toString('hex');
  const baseDbUrl = process.env.DATABASE_URL;
  const template = process.env[TEMPLATE_ENV[opts.template ?? 'empty']];
  if (opts.template === 'demo' && !template) throw new Error('startTestApp: no demo template (run the tests through jest.config.js, whose globalSetup builds it)');
  let drop: () => Promise<void>;
  let dbEnv: Record<string, string>;
  if (baseDbUrl) {
    const pg = await createScratchPgDatabase(baseDbUrl, 'loupe_test', { template });
    dbEnv = { DATABASE_URL: pg.url };
    drop = pg.drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-test-'));
    // A data folder named by the caller is used as it is when it exists (a test reopening it), else started from the template.
    const dataDir = env.LOUPE_DATA_DIR ?? join(dir, 'db');
    if (template && !existsSync(dataDir)) cpSync(template, dataDir, { recursive: true });
    dbEnv = { LOUPE_DATA_DIR: dataDir };
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOUPE_ADMIN_KEY: adminKey,
    LOUPE_SEED_DEMO: 'false',
    LOUPE_SCHEDULER: 'false',
    LOG_LEVEL: 'error',
    ...dbEnv,
    ...env,
  });
  const app = await createApp(config);
  const url = app.server.url;
  const gql = async <T>(query: string, variables?: Record<string, unknown>, key: string | null = adminKey): Promise<GqlResponse<T>> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as GqlResponse<T>;
    return { ...body, status: res.status };
  };
  return {
    app,
    url,
    baseUrl: url.replace(/\/graphql$/, ''),
    adminKey,
    dbKind: app.db.kind,
    gql,
    sql: (text, params) => app.db.query(text, params),
    close: async () => {
      await app.close();
      await drop();
    },
  };
}

/** Asserts a GraphQL error with `code` and returns it. */
export function expectError(res: GqlResponse<unknown>, code: string, messageIncludes?: string | RegExp) {
  if (!res.errors?.length) throw new Error(`expected a ${code} error, got data ${JSON.stringify(res.data)}`);
  const e = res.errors[0];
  if (e.extensions?.code !== code) throw new Error(`expected code ${code}, got ${e.extensions?.code}: ${e.message}`);
  if (messageIncludes !== undefined) {
    const ok = typeof messageIncludes === 'string' ? e.message.includes(messageIncludes) : messageIncludes.test(e.message);
    if (!ok) throw new Error(`error message "${e.message}" does not include ${String(messageIncludes)}`);
  }
  if (JSON.stringify(res.errors).includes('    at ')) throw new Error('a stack trace reached the client');
  return e;
}

/** Base64 of little-endian float32, as clients send bulk embeddings. */
export function float32Base64(values: number[]): string {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b.toString('base64');
}

export const CREATE_PROJECT = `mutation($input: CreateProjectInput!) { createProject(input: $input) { id name classes embeddingDim guidelineVersion settings } }`;
export const IMPORT_ITEMS = `mutation($p: ID!, $items: [ItemInput!]!) { importItems(projectId: $p, items: $items) { inserted updated ids } }`;
export const SUBMIT = `mutation($p: ID!, $a: [AnnotationInput!]!) { submitAnnotations(projectId: $p, annotations: $a) {
  inserted duplicates results { index duplicate annotation { id itemId label kind clientMutationId apiKeyId annotator { name kind } } } } }`;
export const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id role projectIds prefix } } }`;
