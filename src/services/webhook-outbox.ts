import type { Sql } from '../db/database';
import { hasSubscriber, insertDeliveries } from '../db/repositories/webhook.repository';
import { uuidv7 } from './ids';

/** Every event a webhook may subscribe to. */
export const WEBHOOK_EVENTS = [
  'item.created',
  'annotation.created',
  'item.completed',
  'label_issue.created',
  'label_issue.resolved',
  'model_version.created',
  'job.finished',
  'drift.detected',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What every delivery's body holds; `id` is the event's (the same for every webhook it goes to: receivers dedupe on it). */
export interface WebhookBody<D = unknown> {
  id: string;
  type: WebhookEvent;
  timestamp: string;
  projectId: string;
  data: D;
}

/**
 * Writes the event to the outbox inside the caller's transaction: one PENDING delivery per active webhook of the
 * project subscribed to `type`, so the event is sent only if the change commits, and sent after a crash when it did.
 * `data` is built only when some webhook subscribes (one cheap indexed query otherwise). Returns the deliveries written.
 */
export async function enqueueEvent<D>(sql: Sql, projectId: string, type: WebhookEvent, data: D | (() => D)): Promise<number> {
  if (!(await hasSubscriber(sql, projectId, type))) return 0;
  const id = uuidv7();
  const body: WebhookBody<D> = {
    id,
    type,
    timestamp: new Date().toISOString(),
    projectId,
    data: typeof data === 'function' ? (data as () => D)() : data,
  };
  return insertDeliveries(sql, projectId, id, type, JSON.stringify(body));
}
