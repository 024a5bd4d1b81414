/**
 * The only reader of `process.env`. Parses and validates every variable once and reports all bad ones together.
 */
export type TfBackendChoice = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent Loupe runs on embedded PGlite in {@link Config.dataDir}. */
  databaseUrl?: string;
  dataDir: string;
  /** Raw admin key to install on first start (stored hashed); when absent one is generated and printed once. */
  adminKey?: string;
  bodyLimitBytes: number;
  introspection: boolean;
  landingPage: boolean;
  corsOrigins: string[];
  maxQueryDepth: number;
  maxQueryComplexity: number;
  /** Query text refused before parsing above this many bytes (LOUPE_MAX_QUERY_BYTES, default 100 kB). */
  maxQueryBytes: number;
  /** graphql-js `maxTokens`: parsing stops after this many tokens (LOUPE_MAX_TOKENS, default 10,000). */
  maxTokens: number;
  /** Fields per operation after expanding fragments (LOUPE_MAX_FIELDS, default 5,000). */
  maxFields: number;
  /** Aliased fields per operation after expanding fragments (LOUPE_MAX_ALIASES, default 50). */
  maxAliases: number;
  /** Root fields per operation after expanding fragments (LOUPE_MAX_ROOT_FIELDS, default 20). */
  maxRootFields: number;
  seedDemo: boolean;
  /**
   * The URL Loupe is reached at from outside (LOUPE_PUBLIC_URL, e.g. http://loupe:4000 for a Label Studio in a
   * container), used to build Label Studio connector URLs; absent: the origin of the request that creates one.
   */
  publicUrl?: string;
  tfBackend: TfBackendChoice;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  shutdownGraceMs: number;
  /**
   * How long an idle kept-alive HTTP connection stays open (LOUPE_KEEP_ALIVE_TIMEOUT_MS, default 65 s). Above the idle
   * timeout of the proxies in front of services (60 s for AWS ALB, nginx, GCP), so the proxy, not Loupe, closes an
   * idle connection: a server that closes first races the proxy's next request on that socket (ECONNRESET / 502).
   */
  keepAliveTimeoutMs: number;
  /** Time allowed to receive a request's headers: keepAliveTimeoutMs + 1 s, as Node requires it to be larger. */
  headersTimeoutMs: number;
  /** Compute threads for training and the other CPU-heavy steps (LOUPE_COMPUTE_THREADS, default cores − 1, at least 1). */
  computeThreads?: number;
  /** Runs the projects' job schedules (LOUPE_SCHEDULER); runJob works either way. */
  scheduler: boolean;
  /** When set, GET /metrics wants `Authorization: Bearer <token>` (LOUPE_METRICS_TOKEN). */
  metricsToken?: string;
  /** Prometheus remote write (LOUPE_REMOTE_WRITE_URL, _USERNAME, _PASSWORD, _INTERVAL_SECONDS); absent = no push. */
  remoteWrite?: RemoteWriteConfig;
  /** Requests per second per API key (anonymous requests: per client address), sustained; 0 = no limit (LOUPE_RATE_LIMIT_PER_KEY). */
  rateLimitPerKey: number;
  /** Requests a key may send at once before the per-second limit applies (LOUPE_RATE_LIMIT_BURST; ≤ rateLimitPerKey = no burst). */
  rateLimitBurst: number;
  /** Failed authentications per client address per window before it is refused outright; 0 = no limit (LOUPE_AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerWindow: number;
  /** The window authFailuresPerWindow counts over, in seconds (LOUPE_AUTH_FAILURE_WINDOW_SECONDS, default 60). */
  authFailureWindowSeconds: number;
  /**
   * Proxies in front of Loupe whose X-Forwarded-For is believed (LOUPE_TRUST_PROXY: false = 0, the socket's address;
   * true = 1, the address the nearest proxy appended; or a hop count). Express's `trust proxy` setting.
   */
  trustProxyHops: number;
  /** Outbound webhooks: where they may be sent, how often the sender looks for due deliveries, how it retries. */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /**
   * Hosts (names or addresses) webhooks may be sent to, whatever they resolve to (LOUPE_WEBHOOK_ALLOWED_HOSTS, a comma
   * list). Empty (the default): any host whose every address is public, never loopback, link-local, private or
   * cloud metadata addresses.
   */
  allowedHosts: string[];
  /** Attempts per delivery before it is FAILED (LOUPE_WEBHOOK_MAX_ATTEMPTS, default 8). */
  maxAttempts: number;
  /** How often the sender looks for due deliveries (LOUPE_WEBHOOK_POLL_MS, default 1 s). */
  pollMs: number;
  /**
   * The first retry's delay; each next one doubles it, ±20 % jitter (LOUPE_WEBHOOK_BACKOFF_MS, default 10 minutes:
   * 8 attempts span about 21 hours).
   */
  backoffMs: number;
  /** A delivery attempt's timeout (LOUPE_WEBHOOK_TIMEOUT_MS, default 10 s). */
  timeoutMs: number;
}

export interface RemoteWriteConfig {
  url: string;
  username?: string;
  password?: string;
  intervalSeconds: number;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) {
      problems.push(`${name}=${raw}: expected an integer in ${min}..${max}`);
      return def;
    }
    return v;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}=${raw}: expected true or false`);
    return def;
  };
  const size = (name: string, def: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
    if (!m) {
      problems.push(`${name}=${raw}: expected a size such as 64mb`);
      return def;
    }
    return Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()];
  };
  const oneOf = <T extends string>(name: string, def: T, allowed: readonly T[]): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}=${raw}: expected one of ${allowed.join(', ')}`);
      return def;
    }
    return raw as T;
  };

  const hops = (name: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return 0;
    if (/^(1|true|yes|on)$/i.test(raw)) return 1;
    if (/^(0|false|no|off)$/i.test(raw)) return 0;
    const v = Number(raw);
    if (Number.isInteger(v) && v >= 0 && v <= 10) return v;
    problems.push(`${name}=${raw}: expected true, false or a number of proxies in 0..10`);
    return 0;
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL: expected a postgres:// URL');
  const adminKey = env.LOUPE_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < 24) problems.push('LOUPE_ADMIN_KEY: must be at least 24 characters');

  const publicUrl = env.LOUPE_PUBLIC_URL ? env.LOUPE_PUBLIC_URL.replace(/\/+$/, '') : undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/.test(publicUrl)) {
    problems.push(`LOUPE_PUBLIC_URL=${publicUrl}: expected an http:// or https:// URL without query or fragment`);
  }

  const config: Config = {
    port: int('PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir: env.LOUPE_DATA_DIR || '.data/pglite',
    adminKey,
    bodyLimitBytes: size('LOUPE_BODY_LIMIT', 64 * 1024 ** 2),
    introspection: bool('LOUPE_INTROSPECTION', true),
    landingPage: bool('LOUPE_LANDING_PAGE', true),
    corsOrigins: (env.LOUPE_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    maxQueryDepth: int('LOUPE_MAX_QUERY_DEPTH', 12, 1, 100),
    maxQueryComplexity: int('LOUPE_MAX_QUERY_COMPLEXITY', 50_000, 1, 10_000_000),
    maxQueryBytes: size('LOUPE_MAX_QUERY_BYTES', 100 * 1024),
    maxTokens: int('LOUPE_MAX_TOKENS', 10_000, 10, 10_000_000),
    maxFields: int('LOUPE_MAX_FIELDS', 5_000, 1, 10_000_000),
    maxAliases: int('LOUPE_MAX_ALIASES', 50, 0, 1_000_000),
    maxRootFields: int('LOUPE_MAX_ROOT_FIELDS', 20, 1, 100_000),
    seedDemo: bool('LOUPE_SEED_DEMO', true),
    publicUrl,
    tfBackend: oneOf('LOUPE_TF_BACKEND', 'auto', ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const),
    logLevel: oneOf('LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const),
    shutdownGraceMs: int('LOUPE_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    keepAliveTimeoutMs: int('LOUPE_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 3_600_000),
    headersTimeoutMs: 0,
    computeThreads: env.LOUPE_COMPUTE_THREADS ? int('LOUPE_COMPUTE_THREADS', 1, 1, 64) : undefined,
    scheduler: bool('LOUPE_SCHEDULER', true),
    metricsToken: env.LOUPE_METRICS_TOKEN || undefined,
    rateLimitPerKey: int('LOUPE_RATE_LIMIT_PER_KEY', 100, 0, 1_000_000),
    rateLimitBurst: int('LOUPE_RATE_LIMIT_BURST', 200, 0, 1_000_000),
    authFailuresPerWindow: int('LOUPE_AUTH_FAILURES_PER_MINUTE', 20, 0, 1_000_000),
    authFailureWindowSeconds: int('LOUPE_AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
    trustProxyHops: hops('LOUPE_TRUST_PROXY'),
    webhooks: {
      allowedHosts: (env.LOUPE_WEBHOOK_ALLOWED_HOSTS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
      maxAttempts: int('LOUPE_WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      pollMs: int('LOUPE_WEBHOOK_POLL_MS', 1_000, 10, 3_600_000),
      backoffMs: int('LOUPE_WEBHOOK_BACKOFF_MS', 600_000, 1, 86_400_000),
      timeoutMs: int('LOUPE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 600_000),
    },
  };
  config.headersTimeoutMs = config.keepAliveTimeoutMs + 1_000;
  const rwUrl = env.LOUPE_REMOTE_WRITE_URL || undefined;
  const rwInterval = int('LOUPE_REMOTE_WRITE_INTERVAL_SECONDS', 30, 1, 3600);
  if (rwUrl) {
    if (!/^https?:\/\/[^/\s]+/.test(rwUrl)) problems.push('LOUPE_REMOTE_WRITE_URL: expected an http:// or https:// URL');
    const username = env.LOUPE_REMOTE_WRITE_USERNAME || undefined;
    const password = env.LOUPE_REMOTE_WRITE_PASSWORD || undefined;
    if ((username === undefined) !== (password === undefined)) problems.push('LOUPE_REMOTE_WRITE_USERNAME and LOUPE_REMOTE_WRITE_PASSWORD: set both or neither');
    config.remoteWrite = { url: rwUrl, username, password, intervalSeconds: rwInterval };
  } else if (env.LOUPE_REMOTE_WRITE_USERNAME || env.LOUPE_REMOTE_WRITE_PASSWORD) {
    problems.push('LOUPE_REMOTE_WRITE_USERNAME/PASSWORD: set LOUPE_REMOTE_WRITE_URL too');
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
