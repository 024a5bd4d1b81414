import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLError, parse } from 'graphql';
import { refuseRequest } from '../metrics/registry';
import type { Principal } from '../services/auth.service';
import type { Services } from '../services/services';
import { checkQueryLimits, DEFAULT_ONE_PER_OPERATION, LimitRefusal, QueryLimits } from './query-limits';

/**
 * What stands in front of Apollo on /graphql (GET and POST; other methods go on, Apollo answers them):
 *   1. the caller: the Authorization header is authenticated before anything else; no valid key is HTTP 401
 *      UNAUTHENTICATED without the query being parsed, so a request without a key costs one hash and one lookup;
 *   2. the query's shape: text size (before parsing), tokens (the parser stops at `maxTokens`), then the linear-time
 *      measures of query-limits.ts (fragment cycles, fields, aliases and root fields after expanding fragments,
 *      depth, one costly root field per operation); a refusal is HTTP 400 GRAPHQL_VALIDATION_FAILED naming the limit.
 * Verdicts are kept per query text in a small LRU, as Apollo keeps parsed documents, so a client repeating the same
 * query (the ingest path) does not pay a second parse. The principal is left in `res.locals` for Apollo's context.
 * Every refusal is counted and logged by refuseRequest.
 */

export interface GateLimits extends QueryLimits {
  maxQueryBytes: number;
  maxTokens: number;
}

export interface GateOptions {
  limits: GateLimits;
  /** Query texts whose verdicts are kept (LRU); 0 turns the cache off. */
  cacheEntries?: number;
  /** Total characters of cached query texts. */
  cacheChars?: number;
}

/** Same words as the resolvers' own check (requirePrincipal), so clients see one message for a missing key. */
export const UNAUTHENTICATED_MESSAGE = 'missing or invalid API key: send Authorization: Bearer <key>';

/** The caller the gate authenticated for this request, or null (requests the gate did not look at). */
export function gatePrincipal(res: Response): Principal | null {
  return (res.locals.principal as Principal | undefined) ?? null;
}

type Verdict = (LimitRefusal | { reason: 'query_too_large' | 'too_many_tokens'; message: string }) | null;

/** A least-recently-used map of query text → verdict, bounded by entries and by total characters. */
class VerdictCache {
  private readonly map = new Map<string, Verdict>();
  private chars = 0;
  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get(q: string): Verdict | undefined {
    const v = this.map.get(q);
    if (v === undefined) return undefined;
    this.map.delete(q);
    this.map.set(q, v);
    return v;
  }

  set(q: string, v: Verdict): void {
    if (this.maxEntries <= 0 || q.length > this.maxChars / 4) return;
    if (this.map.delete(q)) this.chars -= q.length;
    this.map.set(q, v);
    this.chars += q.length;
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}

/** The verdict on one query text, measured without the cache. */
export function judgeQuery(query: string, limits: GateLimits): Verdict {
  if (query.length > limits.maxQueryBytes / 3 && Buffer.byteLength(query) > limits.maxQueryBytes) {
    return { reason: 'query_too_large', message: `query text is ${Buffer.byteLength(query)} bytes; the limit is ${limits.maxQueryBytes} (LOUPE_MAX_QUERY_BYTES)` };
  }
  let doc;
  try {
    doc = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (e) {
    if (e instanceof GraphQLError && /contains more th\w+ \d+ tokens/.test(e.message)) {
      return { reason: 'too_many_tokens', message: `query has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens} (LOUPE_MAX_TOKENS)` };
    }
    // Other syntax errors: Apollo parses again (bounded by the same maxTokens) and answers GRAPHQL_PARSE_FAILED.
    return null;
  }
  return checkQueryLimits(doc, limits);
}

/** The query texts of a request: a GET's `query` parameter, a POST body's `query`, each element of a batch. */
function queriesOf(req: Request): string[] {
  if (req.method === 'GET') {
    const q = (req.query as Record<string, unknown> | undefined)?.query;
    return typeof q === 'string' ? [q] : [];
  }
  const body: unknown = req.body;
  const list = Array.isArray(body) ? body : [body];
  const out: string[] = [];
  for (const b of list) {
    const q = b !== null && typeof b === 'object' ? (b as { query?: unknown }).query : undefined;
    if (typeof q === 'string') out.push(q);
  }
  return out;
}

function send(res: Response, status: number, code: string, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function graphqlGate(services: Pick<Services, 'auth'>, opts: GateOptions): RequestHandler {
  const limits: GateLimits = { ...opts.limits, onePerOperation: opts.limits.onePerOperation ?? DEFAULT_ONE_PER_OPERATION };
  const cache = new VerdictCache(opts.cacheEntries ?? 1000, opts.cacheChars ?? 8 * 1024 * 1024);
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    // A middleware before this one (the rate limiter) may have authenticated the caller already: undefined = not yet.
    let principal = res.locals.principal as Principal | null | undefined;
    if (principal === undefined) {
      try {
        principal = await services.auth.authenticate(req.headers.authorization);
      } catch (e) {
        return next(e);
      }
    }
    if (!principal) {
      refuseRequest('unauthenticated', { address: req.ip });
      return send(res, 401, 'UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
    }
    res.locals.principal = principal;
    for (const q of queriesOf(req)) {
      let v = cache.get(q);
      if (v === undefined) {
        v = judgeQuery(q, limits);
        cache.set(q, v);
      }
      if (v) {
        refuseRequest(v.reason, { keyId: principal.keyId, address: req.ip, message: v.message });
        return send(res, 400, 'GRAPHQL_VALIDATION_FAILED', v.message);
      }
    }
    next();
  };
}
