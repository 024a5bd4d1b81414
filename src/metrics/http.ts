import type { ApolloServerPlugin } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { log } from '../logger';
import type { LoupeMetrics } from './database-gauges';
import { observeGraphql } from './registry';

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

/** Apollo plugin: observes every GraphQL request's duration by operation type and outcome. */
export function graphqlMetricsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const t0 = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const body = rc.response.body;
          const failed = (rc.errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          observeGraphql(rc.operation?.operation ?? 'unknown', failed ? 'error' : 'ok', seconds);
        },
      };
    },
  };
}
