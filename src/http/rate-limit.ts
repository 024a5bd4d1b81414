import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { refuseRequest } from '../metrics/registry';
import type { AuthService, Principal } from '../services/auth.service';

/**
 * A credential that authenticate() looks up: `Bearer <one token>`. Only such a header that resolves to no active key
 * counts as a failed authentication; a malformed header is checked against nothing, so it is no guess (it is an
 * anonymous request, limited per address like any other).
 */
const BEARER = /^Bearer\s+\S+$/i;

interface Limiter {
  consume(key: string): Promise<RateLimiterRes>;
}

/**
 * The per-key limiter: fixed one-second windows of `perSecond` requests per key; a key over that in a window draws on
 * a burst allowance of `burst − perSecond` requests, refilled every ⌈burst / perSecond⌉ seconds
 * (rate-limiter-flexible's BurstyRateLimiter). So up to `burst` requests at once, and at most
 * `perSecond + (burst − perSecond) / ⌈burst / perSecond⌉` a second over time (150 at the defaults 100 and 200).
 * null when perSecond is 0 (no limit).
 */
function perKeyLimiter(perSecond: number, burst: number): Limiter | null {
  if (perSecond <= 0) return null;
  const main = new RateLimiterMemory({ keyPrefix: 'rate', points: perSecond, duration: 1 });
  if (burst <= perSecond) return main;
  const extra = new RateLimiterMemory({ keyPrefix: 'burst', points: burst - perSecond, duration: Math.ceil(burst / perSecond) });
  return new BurstyRateLimiter(main, extra);
}

const retryAfterSeconds = (msBeforeNext: number): number => Math.max(1, Math.ceil(msBeforeNext / 1000));

function refuse(
  res: Response,
  reason: 'rate_limited' | 'auth_rate_limited',
  msBeforeNext: number,
  describe: (seconds: number) => string,
  who: { keyId: string | null; address: string },
): void {
  const seconds = retryAfterSeconds(msBeforeNext);
  const message = describe(seconds);
  refuseRequest(reason, { keyId: who.keyId, address: who.address, message });
  res
    .status(429)
    .setHeader('retry-after', String(seconds))
    .json({ errors: [{ message, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds } }] });
}

/**
 * Rate limits for the endpoints that take bearer keys (/graphql, /export/*), kept in this process's memory: each
 * replica counts on its own, so N replicas behind a load balancer let a key through up to N times the limit.
 *
 * In order, per request:
 * 1. an address with `authFailuresPerWindow` failed authentications in the current window
 *    (LOUPE_AUTH_FAILURE_WINDOW_SECONDS) is refused before its key is looked at — a valid key included, so a refusal
 *    tells a guesser nothing about the key it sent, and a valid key cannot be used to clear the count;
 * 2. the caller is authenticated: `res.locals.principal` when a middleware before this one has set it (null = no
 *    valid key), else services.auth.authenticate, whose result is left in `res.locals.principal` for what follows;
 * 3. a `Bearer <token>` that resolved to no active key counts one failure for the address;
 * 4. the request counts against its key (anonymous ones against their address) in the per-key limiter.
 * Refusals are HTTP 429 with `Retry-After` (whole seconds, ≥ 1) and
 * `{errors: [{message, extensions: {code: 'RATE_LIMITED', retryAfterSeconds}}]}`, counted by refuseRequest as
 * `rate_limited` or `auth_rate_limited`.
 *
 * The client address is `req.ip`: the socket's, or X-Forwarded-For's as Express's `trust proxy` (LOUPE_TRUST_PROXY) reads it.
 */
export function rateLimitMiddleware(
  config: Pick<Config, 'rateLimitPerKey' | 'rateLimitBurst' | 'authFailuresPerWindow' | 'authFailureWindowSeconds'>,
  auth: Pick<AuthService, 'authenticate'>,
): RequestHandler {
  const perKey = perKeyLimiter(config.rateLimitPerKey, config.rateLimitBurst);
  const maxFailures = config.authFailuresPerWindow;
  const window = config.authFailureWindowSeconds;
  const failures = maxFailures > 0 ? new RateLimiterMemory({ keyPrefix: 'authfail', points: maxFailures, duration: window }) : null;
  const burst = Math.max(config.rateLimitBurst, config.rateLimitPerKey);

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    if (failures) {
      const seen = await failures.get(address);
      if (seen && seen.consumedPoints >= maxFailures && seen.msBeforeNext > 0) {
        return refuse(
          res,
          'auth_rate_limited',
          seen.msBeforeNext,
          (s) => `too many failed authentications from this address: ${maxFailures} per ${window} s (LOUPE_AUTH_FAILURES_PER_MINUTE); retry after ${s} s`,
          { keyId: null, address },
        );
      }
    }
    let principal = res.locals.principal as Principal | null | undefined;
    if (principal === undefined) {
      principal = await auth.authenticate(req.headers.authorization);
      res.locals.principal = principal;
    }
    if (!principal && failures && BEARER.test(req.headers.authorization?.trim() ?? '')) await failures.penalty(address, 1);
    if (perKey) {
      try {
        await perKey.consume(principal ? `key:${principal.keyId}` : `address:${address}`);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        const per = principal ? 'API key' : 'client address without a valid API key';
        return refuse(
          res,
          'rate_limited',
          e.msBeforeNext,
          (s) => `rate limit exceeded: ${config.rateLimitPerKey} requests per second per ${per}, bursts up to ${burst} (LOUPE_RATE_LIMIT_PER_KEY, LOUPE_RATE_LIMIT_BURST); retry after ${s} s`,
          { keyId: principal?.keyId ?? null, address },
        );
      }
    }
    next();
  };
}
