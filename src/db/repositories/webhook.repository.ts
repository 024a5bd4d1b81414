import type { Sql } from '../database';

/** A webhook as stored, without its secret. */
export interface WebhookRow {
  id: string;
  project_id: string;
  url: string;
  events: string[];
  active: boolean;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type DeliveryStatus = 'PENDING' | 'SENT' | 'FAILED';

/** A delivery as the API lists it (without its body). */
export interface WebhookDeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  /** created_at in microseconds since 1970, as text (the page cursor). */
  cursor_us: string;
}

/** A delivery claimed for sending, with what sending it needs. */
export interface DueDeliveryRow {
  id: string;
  project_id: string;
  webhook_id: string;
  type: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
  active: boolean;
}

const COLS = `id, project_id, url, events, active, failing_since, created_at, updated_at`;
const DELIVERY_COLS = `id, webhook_id, event_id, type, status, attempts, next_attempt_at, last_status_code, last_latency_ms, last_error,
  created_at, sent_at, ((extract(epoch FROM created_at) * 1000000)::bigint)::text AS cursor_us`;

/** Writes a new webhook. */
export async function insertWebhook(sql: Sql, projectId: string, w: { url: string; events: readonly string[]; secret: string }): Promise<WebhookRow> {
  const [row] = await sql.query<WebhookRow>(
    `INSERT INTO webhook (project_id, url, events, secret) VALUES ($1, $2, $3::text[], $4) RETURNING ${COLS}`,
    [projectId, w.url, w.events, w.secret],
  );
  return row;
}

/** The project's webhooks, oldest first. */
export function listWebhooks(sql: Sql, projectId: string): Promise<WebhookRow[]> {
  return sql.query<WebhookRow>(`SELECT ${COLS} FROM webhook WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
}

/** The webhook of that id (in any project: the caller checks access to its project), or null. */
export async function findWebhook(sql: Sql, id: string): Promise<WebhookRow | null> {
  const [row] = await sql.query<WebhookRow>(`SELECT ${COLS} FROM webhook WHERE id = $1`, [id]);
  return row ?? null;
}

/** Changes what is given (null = unchanged); reactivating clears failing_since. */
export async function updateWebhook(
  sql: Sql,
  projectId: string,
  id: string,
  w: { url: string | null; events: readonly string[] | null; secret: string | null; active: boolean | null },
): Promise<WebhookRow> {
  const [row] = await sql.query<WebhookRow>(
    `UPDATE webhook SET url = COALESCE($3, url), events = COALESCE($4::text[], events), secret = COALESCE($5, secret),
       active = COALESCE($6, active), failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END, updated_at = now()
     WHERE project_id = $1 AND id = $2 RETURNING ${COLS}`,
    [projectId, id, w.url, w.events, w.secret, w.active],
  );
  return row;
}

/** Deletes the webhook and its deliveries. */
export async function deleteWebhook(sql: Sql, projectId: string, id: string): Promise<void> {
  await sql.query(`DELETE FROM webhook WHERE project_id = $1 AND id = $2`, [projectId, id]);
}

/** True when an active webhook of the project subscribes to `type`. */
export async function hasSubscriber(sql: Sql, projectId: string, type: string): Promise<boolean> {
  const rows = await sql.query(`SELECT 1 FROM webhook WHERE project_id = $1 AND active AND $2 = ANY(events) LIMIT 1`, [projectId, type]);
  return rows.length > 0;
}

/** One PENDING delivery of `body` per active webhook of the project subscribed to `type`; how many were written. */
export async function insertDeliveries(sql: Sql, projectId: string, eventId: string, type: string, body: string): Promise<number> {
  const rows = await sql.query(
    `INSERT INTO webhook_delivery (project_id, webhook_id, event_id, type, body)
     SELECT project_id, id, $2, $3, $4 FROM webhook WHERE project_id = $1 AND active AND $3 = ANY(events)
     RETURNING id`,
    [projectId, eventId, type, body],
  );
  return rows.length;
}

/** The webhook's deliveries, newest first, after the cursor position when given. */
export function findDeliveryPage(sql: Sql, projectId: string, webhookId: string, after: { us: string; id: string } | null, limit: number): Promise<WebhookDeliveryRow[]> {
  const params: unknown[] = [projectId, webhookId, limit];
  let where = `project_id = $1 AND webhook_id = $2`;
  if (after) {
    params.push(after.us, after.id);
    where += ` AND (created_at, id) < (timestamptz 'epoch' + ($4::bigint * interval '1 microsecond'), $5::uuid)`;
  }
  return sql.query<WebhookDeliveryRow>(
    `SELECT ${DELIVERY_COLS} FROM webhook_delivery WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $3`,
    params,
  );
}

/** How many deliveries the webhook has. */
export async function countDeliveries(sql: Sql, projectId: string, webhookId: string): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_delivery WHERE project_id = $1 AND webhook_id = $2`, [projectId, webhookId]);
  return n;
}

/**
 * Claims up to `limit` due PENDING deliveries (skipping those another sender holds) by moving their next attempt
 * `leaseMs` ahead, so a sender that dies mid-send leaves them to be sent again once the lease ends.
 */
export function claimDueDeliveries(sql: Sql, limit: number, leaseMs: number): Promise<DueDeliveryRow[]> {
  return sql.query<DueDeliveryRow>(
    `WITH due AS (
       SELECT id FROM webhook_delivery WHERE status = 'PENDING' AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE webhook_delivery d SET next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due WHERE d.id = due.id
       RETURNING d.id, d.project_id, d.webhook_id, d.type, d.body, d.attempts
     )
     SELECT c.*, w.url, w.secret, w.active FROM claimed c JOIN webhook w ON w.id = c.webhook_id AND w.project_id = c.project_id`,
    [limit, leaseMs],
  );
}

/** Records a successful attempt: SENT, and the webhook no longer failing. */
export async function markDeliverySent(sql: Sql, projectId: string, id: string, statusCode: number, latencyMs: number): Promise<void> {
  const [row] = await sql.query<{ webhook_id: string }>(
    `UPDATE webhook_delivery SET status = 'SENT', attempts = attempts + 1, sent_at = now(), last_status_code = $3,
       last_latency_ms = $4, last_error = NULL
     WHERE project_id = $1 AND id = $2 RETURNING webhook_id`,
    [projectId, id, statusCode, latencyMs],
  );
  if (row) await sql.query(`UPDATE webhook SET failing_since = NULL WHERE project_id = $1 AND id = $2 AND failing_since IS NOT NULL`, [projectId, row.webhook_id]);
}

/**
 * Records a failed attempt: retried after `retryInMs`, or FAILED when `retryInMs` is null. The webhook is marked
 * failing from its first failure, and deactivated once it has been failing for `deactivateAfterMs`.
 */
export async function markDeliveryFailed(
  sql: Sql,
  projectId: string,
  id: string,
  r: { statusCode: number | null; latencyMs: number | null; error: string; retryInMs: number | null; deactivateAfterMs: number },
): Promise<void> {
  const [row] = await sql.query<{ webhook_id: string }>(
    `UPDATE webhook_delivery SET attempts = attempts + 1, last_status_code = $3, last_latency_ms = $4, last_error = left($5, 1024),
       status = CASE WHEN $6::bigint IS NULL THEN 'FAILED' ELSE 'PENDING' END,
       next_attempt_at = CASE WHEN $6::bigint IS NULL THEN next_attempt_at ELSE now() + $6::bigint * interval '1 millisecond' END
     WHERE project_id = $1 AND id = $2 RETURNING webhook_id`,
    [projectId, id, r.statusCode, r.latencyMs, r.error, r.retryInMs],
  );
  if (!row) return;
  await sql.query(
    `UPDATE webhook SET failing_since = COALESCE(failing_since, now()),
       active = active AND (failing_since IS NULL OR failing_since > now() - $3::bigint * interval '1 millisecond')
     WHERE project_id = $1 AND id = $2`,
    [projectId, row.webhook_id, r.deactivateAfterMs],
  );
}

/** Records that the delivery was not attempted (its webhook is inactive, or its address not allowed): FAILED. */
export async function markDeliveryRefused(sql: Sql, projectId: string, id: string, error: string): Promise<void> {
  await sql.query(
    `UPDATE webhook_delivery SET status = 'FAILED', last_error = left($3, 1024) WHERE project_id = $1 AND id = $2`,
    [projectId, id, error],
  );
}
