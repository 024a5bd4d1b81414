import { createHmac } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookConfig } from '../config';
import { Database } from '../db/database';
import { claimDueDeliveries, DueDeliveryRow, markDeliveryFailed, markDeliveryRefused, markDeliverySent } from '../db/repositories/webhook.repository';
import { log } from '../logger';
import { isPublicAddress, urlProblem } from './webhook-url';

/** Deliveries one sender claims at a time. */
const BATCH = 20;
/** A webhook whose attempts have all failed for this long is deactivated. */
const DEACTIVATE_AFTER_MS = 24 * 3600 * 1000;
/** Response body characters kept (as the error of a failed attempt). */
const MAX_KEPT = 1024;

/** `X-Loupe-Signature` of `body` sent at unix second `t`: `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** The delay before attempt `attempts + 1` after `attempts` failed ones: base · 2^(attempts−1), ±20 % jitter. */
export function retryDelayMs(attempts: number, baseMs: number, random = Math.random): number {
  return Math.round(baseMs * 2 ** Math.max(0, attempts - 1) * (0.8 + 0.4 * random()));
}

interface Attempt {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** A DNS lookup that refuses names resolving to any address that is not public (checked on the address connected to). */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 4);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || addresses.length === 0) {
      const e = Object.assign(new Error(`host ${hostname} resolves to ${bad?.address ?? 'nothing'}, not a public address`), { code: 'EADDRNOTALLOWED' });
      return callback(e, '', 4);
    }
    if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
};

/** POSTs `body` once: no redirect is followed (a 3xx is a failed attempt), at most `timeoutMs`. */
function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, checkAddresses: boolean, signal: AbortSignal): Promise<Attempt> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    let done = false;
    const finish = (a: Omit<Attempt, 'latencyMs'>) => {
      if (done) return;
      done = true;
      resolve({ ...a, latencyMs: Date.now() - t0 });
    };
    const req = request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
        signal,
        ...(checkAddresses ? { lookup: publicOnlyLookup } : {}),
      },
      (res) => {
        const code = res.statusCode ?? 0;
        let kept = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (kept.length < MAX_KEPT) kept += chunk.slice(0, MAX_KEPT - kept.length);
        });
        res.on('end', () => finish({ statusCode: code, error: code >= 200 && code < 300 ? null : `HTTP ${code}${kept ? `: ${kept}` : ''}` }));
        res.on('error', (e) => finish({ statusCode: code, error: e.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => finish({ statusCode: null, error: e.message }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/**
 * The background loop that sends the outbox: every `pollMs` it claims the due PENDING deliveries (skipping those
 * another replica holds), POSTs each signed body, and records SENT on a 2xx; otherwise it retries with exponential
 * backoff and jitter until `maxAttempts`, then FAILED. At-least-once: a sender killed mid-send sends again later.
 */
export class WebhookSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** Aborts the sends in flight when the sender stops (each is recorded as a failed attempt, retried later). */
  private readonly abort = new AbortController();

  constructor(
    private readonly db: Database,
    private readonly config: WebhookConfig,
  ) {
    setMaxListeners(0, this.abort.signal); // one listener per send in flight
  }

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((e) => log.warn('webhook sender failed', { error: (e as Error).message }))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.config.pollMs);
    this.timer.unref();
  }

  /** Sends what is due now; resolves when every claimed delivery is recorded. */
  async tick(): Promise<void> {
    for (;;) {
      const due = await this.db.transaction((sql) => claimDueDeliveries(sql, BATCH, this.config.timeoutMs * 3));
      if (due.length === 0) return;
      await Promise.all(due.map((d) => this.send(d)));
      if (due.length < BATCH || this.stopped) return;
    }
  }

  private async send(d: DueDeliveryRow): Promise<void> {
    const hosts = this.config.allowedHosts;
    const refused = d.active ? urlProblem(d.url, hosts) : 'webhook inactive';
    if (refused) {
      await this.db.transaction((sql) => markDeliveryRefused(sql, d.project_id, d.id, refused));
      return;
    }
    const t = Math.floor(Date.now() / 1000);
    const headers = {
      'user-agent': 'Loupe-Webhooks/1',
      'x-loupe-event': d.type,
      'x-loupe-delivery': d.id,
      'x-loupe-signature': signature(d.secret, t, d.body),
    };
    const a = await post(d.url, headers, d.body, this.config.timeoutMs, hosts.length === 0, this.abort.signal);
    const attempts = d.attempts + 1;
    if (a.error === null) {
      await this.db.transaction((sql) => markDeliverySent(sql, d.project_id, d.id, a.statusCode!, a.latencyMs));
      return;
    }
    const retryInMs = attempts >= this.config.maxAttempts ? null : retryDelayMs(attempts, this.config.backoffMs);
    log.debug('webhook delivery failed', { delivery: d.id, attempts, error: a.error });
    await this.db.transaction((sql) =>
      markDeliveryFailed(sql, d.project_id, d.id, { statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error!, retryInMs, deactivateAfterMs: DEACTIVATE_AFTER_MS }),
    );
  }

  /** Stops polling, aborts the sends in flight and waits for them to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('shutdown'));
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
