import type { Request, Response } from 'express';
import { once } from 'node:events';
import { ErrorCode, LoupeError } from '../errors';
import { log } from '../logger';
import type { Services } from '../services/services';
import { ExportFormat, exportChunks } from './writers';

const FILE_RE = /^([0-9a-fA-F-]{36})\.(jsonl|csv)$/;
const STATUS: Record<ErrorCode, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };
const CONTENT_TYPE: Record<ExportFormat, string> = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

function fail(res: Response, code: ErrorCode, message: string): void {
  res.status(STATUS[code]).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * `GET /export/<snapshotId>.jsonl` and `.csv`: a snapshot streamed page by page, with the same bearer-key auth and the
 * same rules as GraphQL (no key → 401; a snapshot out of the key's scope or missing → 404; a role without
 * snapshots:read → 403), errors as `{errors: [{message, extensions: {code}}]}`. The JSONL body hashes to the snapshot's
 * contentHash, also sent as the `x-content-sha256` header.
 */
export function exportSnapshotHandler(services: Services) {
  return async (req: Request, res: Response): Promise<void> => {
    const principal = await services.auth.authenticate(req.headers.authorization);
    if (!principal) return fail(res, 'UNAUTHENTICATED', 'missing or invalid API key: send Authorization: Bearer <key>');
    const m = FILE_RE.exec(String(req.params.file));
    if (!m) return fail(res, 'NOT_FOUND', `export ${String(req.params.file)} not found: ask for /export/<snapshotId>.jsonl or .csv`);
    const [, id, format] = m as unknown as [string, string, ExportFormat];
    let snapshot;
    try {
      snapshot = await services.snapshots.access(principal, id.toLowerCase(), 'snapshots:read', 'snapshotId');
    } catch (e) {
      if (e instanceof LoupeError) return fail(res, e.code, e.message);
      throw e;
    }
    res.status(200);
    res.setHeader('content-type', CONTENT_TYPE[format]);
    res.setHeader('content-disposition', `attachment; filename="${snapshot.id}.${format}"`);
    res.setHeader('x-content-sha256', snapshot.contentHash);
    res.setHeader('cache-control', 'no-store');
    let closed = false;
    res.on('close', () => (closed = true));
    try {
      for await (const chunk of exportChunks(services.snapshots.exportPages(snapshot.id), format)) {
        if (closed) return;
        if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
    } catch (e) {
      log.error('snapshot export failed', { snapshot: snapshot.id, message: (e as Error).message });
      res.destroy(e as Error);
    }
  };
}
