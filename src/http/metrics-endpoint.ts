import type { Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { log } from '../logger';
import type { LoupeMetrics } from '../metrics/database-gauges';

/**
 * GET /metrics: the Prometheus text exposition. When `token` is set (LOUPE_METRICS_TOKEN) the scraper must send
 * `Authorization: Bearer <token>`; project and annotator names are in the labels.
 */
export function metricsHandler(metrics: LoupeMetrics, token?: string): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return async (req: Request, res: Response) => {
    if (expected) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('metrics need Authorization: Bearer <LOUPE_METRICS_TOKEN>\n');
        return;
      }
    }
    try {
      const m = await metrics.metrics();
      res.set('Content-Type', m.contentType).send(m.body);
    } catch (e) {
      log.error('metrics scrape failed', { error: (e as Error).message });
      res.status(500).type('text/plain').send('metrics unavailable\n');
    }
  };
}
