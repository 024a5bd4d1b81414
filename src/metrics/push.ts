import { hostname } from 'node:os';
import { pushTimeseries } from 'prometheus-remote-write';
import type { RemoteWriteConfig } from '../config';
import { log } from '../logger';
import type { LoupeMetrics } from './database-gauges';

export interface PushResult {
  ok: boolean;
  status: number;
  series: number;
  error?: string;
}

/**
 * Pushes every metric to a Prometheus remote-write endpoint (Prometheus with --web.enable-remote-write-receiver,
 * Mimir, Grafana Cloud, VictoriaMetrics) every `intervalSeconds`, with basic auth when configured. Each sample carries
 * `job="loupe"` and `instance=<host>` (as a scrape would). A push never overlaps the previous one; a failed push is
 * logged and the next one tries again.
 */
export class RemoteWritePusher {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<PushResult> | null = null;
  private lastError: string | null = null;
  readonly labels: Record<string, string>;

  constructor(
    private readonly metrics: LoupeMetrics,
    private readonly config: RemoteWriteConfig,
    labels: Record<string, string> = {},
  ) {
    this.labels = { job: 'loupe', instance: hostname(), ...labels };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.push(), this.config.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a push in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** One push now (the schedule calls this); resolves with the endpoint's answer, never rejects. */
  push(): Promise<PushResult> {
    return (this.inFlight ??= this.pushOnce().finally(() => (this.inFlight = null)));
  }

  private async pushOnce(): Promise<PushResult> {
    const timestamp = Date.now();
    let series = 0;
    try {
      const samples = await this.metrics.samples();
      const timeseries = samples
        .filter((s) => Number.isFinite(s.value))
        .map((s) => ({
          labels: { ...this.labels, ...stringLabels(s.labels), __name__: s.name },
          samples: [{ value: s.value, timestamp }],
        }));
      series = timeseries.length;
      const { username, password } = this.config;
      const r = await pushTimeseries(timeseries, {
        url: this.config.url,
        ...(username !== undefined ? { auth: { username, password: password ?? '' } } : {}),
        // globalThis.fetch ignores the library's `timeout`: bound each request with a signal instead.
        fetch: ((url: string, init: RequestInit) =>
          globalThis.fetch(url, { ...init, signal: AbortSignal.timeout(Math.max(1000, Math.min(30_000, this.config.intervalSeconds * 1000))) })) as never,
      });
      const ok = r.status >= 200 && r.status < 300;
      const result: PushResult = { ok, status: r.status, series, ...(ok ? {} : { error: `${r.status} ${r.statusText} ${r.errorMessage ?? ''}`.trim() }) };
      this.report(result);
      return result;
    } catch (e) {
      const result: PushResult = { ok: false, status: 0, series, error: (e as Error).message };
      this.report(result);
      return result;
    }
  }

  /** Logs a failure once per distinct error, and the recovery. */
  private report(r: PushResult): void {
    if (r.ok) {
      if (this.lastError) log.info('remote write recovered', { url: this.config.url });
      this.lastError = null;
    } else if (r.error !== this.lastError) {
      this.lastError = r.error ?? 'failed';
      log.warn('remote write failed', { url: this.config.url, error: r.error });
    }
  }
}

function stringLabels(labels: Record<string, string | number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}
