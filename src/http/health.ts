import type { Request, RequestHandler, Response } from 'express';
import type { Database } from '../db/database';

/** GET /healthz: the process is up and serving HTTP. */
export function healthHandler(): RequestHandler {
  return (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  };
}

/** GET /readyz: 200 once the database answers, 503 (with what failed) while it does not. */
export function readyHandler(db: Pick<Database, 'ready' | 'kind'>): RequestHandler {
  return async (_req: Request, res: Response) => {
    const r = await db.ready();
    res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ready' : 'not ready', database: db.kind, detail: r.detail });
  };
}
