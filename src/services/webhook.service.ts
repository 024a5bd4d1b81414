import { randomBytes } from 'node:crypto';
import { Database } from '../db/database';
import {
  countDeliveries,
  deleteWebhook,
  findDeliveryPage,
  findWebhook,
  insertWebhook,
  listWebhooks,
  updateWebhook,
  WebhookDeliveryRow,
  WebhookRow,
} from '../db/repositories/webhook.repository';
import { badInput, notFound } from '../errors';
import { AuthService, Principal } from './auth.service';
import { isUuid } from './ids';
import { checkPageSize, Page, pageOf, PageStart } from './page';
import { ProjectService } from './project.service';
import { WEBHOOK_EVENTS, WebhookEvent } from './webhook-outbox';
import { urlProblem } from './webhook-url';

export interface WebhookView {
  id: string;
  projectId: string;
  url: string;
  events: string[];
  active: boolean;
  /** Since when every attempt has failed; null when the last one succeeded (or none was made). */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDeliveryView {
  id: string;
  webhookId: string;
  eventId: string;
  type: string;
  status: 'PENDING' | 'SENT' | 'FAILED';
  attempts: number;
  /** The next attempt's time while PENDING; null once SENT or FAILED. */
  nextAttemptAt: Date | null;
  responseCode: number | null;
  latencyMs: number | null;
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface WebhookInput {
  url?: string | null;
  events?: string[] | null;
  secret?: string | null;
  active?: boolean | null;
}

/** Longest webhook URL and secret. */
const MAX_URL = 2048;
const MIN_SECRET = 16;
const MAX_SECRET = 256;
/** Most webhooks per project. */
const MAX_WEBHOOKS = 20;

const toView = (r: WebhookRow): WebhookView => ({
  id: r.id,
  projectId: r.project_id,
  url: r.url,
  events: r.events,
  active: r.active,
  failingSince: r.failing_since && new Date(r.failing_since),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

const toDeliveryView = (r: WebhookDeliveryRow): WebhookDeliveryView => ({
  id: r.id,
  webhookId: r.webhook_id,
  eventId: r.event_id,
  type: r.type,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'PENDING' ? new Date(r.next_attempt_at) : null,
  responseCode: r.last_status_code,
  latencyMs: r.last_latency_ms,
  error: r.last_error,
  createdAt: new Date(r.created_at),
  sentAt: r.sent_at && new Date(r.sent_at),
});

function checkUrl(url: unknown, allowedHosts: readonly string[]): string {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL) throw badInput('input.url', `must have 1–${MAX_URL} characters`);
  const problem = urlProblem(url, allowedHosts);
  if (problem) throw badInput('input.url', problem);
  return url;
}

function checkEvents(events: unknown): WebhookEvent[] {
  if (!Array.isArray(events) || events.length === 0) throw badInput('input.events', `must name at least one event: ${WEBHOOK_EVENTS.join(', ')}`);
  const known = new Set<string>(WEBHOOK_EVENTS);
  events.forEach((e, i) => {
    if (typeof e !== 'string' || !known.has(e)) throw badInput(`input.events[${i}]`, `unknown event "${String(e).slice(0, 80)}"; known events: ${WEBHOOK_EVENTS.join(', ')}`);
  });
  return [...new Set(events as WebhookEvent[])];
}

function checkSecret(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET || secret.length > MAX_SECRET) {
    throw badInput('input.secret', `must have ${MIN_SECRET}–${MAX_SECRET} characters`);
  }
  return secret;
}

/** Webhook subscriptions of a project and their deliveries (ADMIN and ML_ENGINEER). */
export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly allowedHosts: readonly string[] = [],
  ) {}

  /** A new webhook; `secret` is the signing secret given, or the one generated (shown only in this answer). */
  async create(p: Principal, projectId: string, input: WebhookInput): Promise<{ webhook: WebhookView; secret: string | null }> {
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'webhooks:manage', sql);
      const url = checkUrl(input.url, this.allowedHosts);
      const events = checkEvents(input.events);
      const given = input.secret === undefined || input.secret === null ? null : checkSecret(input.secret);
      if ((await listWebhooks(sql, project.id)).length >= MAX_WEBHOOKS) throw badInput('projectId', `at most ${MAX_WEBHOOKS} webhooks per project`);
      const secret = given ?? `whsec_${randomBytes(24).toString('base64url')}`;
      const row = await insertWebhook(sql, project.id, { url, events, secret });
      return { webhook: toView(row), secret: given === null ? secret : null };
    });
  }

  async list(p: Principal, projectId: string): Promise<WebhookView[]> {
    const project = await this.projects.access(p, projectId, 'webhooks:manage');
    return (await this.db.read((sql) => listWebhooks(sql, project.id))).map(toView);
  }

  async update(p: Principal, id: string, input: WebhookInput): Promise<WebhookView> {
    return this.db.transaction(async (sql) => {
      const w = await this.accessWebhook(p, id, sql);
      const url = input.url === undefined || input.url === null ? null : checkUrl(input.url, this.allowedHosts);
      const events = input.events === undefined || input.events === null ? null : checkEvents(input.events);
      const secret = input.secret === undefined || input.secret === null ? null : checkSecret(input.secret);
      return toView(await updateWebhook(sql, w.project_id, w.id, { url, events, secret, active: input.active ?? null }));
    });
  }

  async delete(p: Principal, id: string): Promise<WebhookView> {
    return this.db.transaction(async (sql) => {
      const w = await this.accessWebhook(p, id, sql);
      await deleteWebhook(sql, w.project_id, w.id);
      return toView(w);
    });
  }

  /** The webhook's deliveries, newest first. */
  async deliveries(p: Principal, webhookId: string, first: number, after: PageStart<{ us: string; id: string }>): Promise<Page<WebhookDeliveryView, { us: string; id: string }>> {
    const w = await this.accessWebhook(p, webhookId, this.db, 'webhookId');
    checkPageSize(first);
    const start = after();
    const [rows, total] = await this.db.read(async (sql) => [await findDeliveryPage(sql, w.project_id, w.id, start, first + 1), await countDeliveries(sql, w.project_id, w.id)] as const);
    return pageOf(rows, first, total, toDeliveryView, (r) => ({ us: r.cursor_us, id: r.id }));
  }

  /** The webhook, when it exists in a project the caller may manage webhooks of; a webhook out of scope is NOT_FOUND. */
  private async accessWebhook(p: Principal, id: string, sql: Parameters<typeof findWebhook>[0], field = 'id'): Promise<WebhookRow> {
    const w = isUuid(id) ? await findWebhook(sql, id) : null;
    if (!w || !AuthService.inScope(p, w.project_id)) throw notFound(`webhook ${id}`, field);
    await this.projects.access(p, w.project_id, 'webhooks:manage', sql === this.db ? undefined : sql);
    return w;
  }
}
