import { Database } from '../db/database';
import { decodeFloat32, encodeFloat32 } from '../db/float32';
import { annotatorExists } from '../db/repositories/annotator.repository';
import { ItemFilterSpec, ItemRow, countItems, findItem, findItemPage, upsertItems } from '../db/repositories/item.repository';
import { badInput, clip, forbidden, listed, notFound } from '../errors';
import { Principal } from './auth.service';
import { isUuid } from './ids';
import { checkPageSize, Page, pageOf, PageStart } from './page';
import { ProjectService, ProjectView } from './project.service';
import { depthOf, effectiveSettings } from './settings';
import { enqueueEvent } from './webhook-outbox';

export const MAX_BATCH = 10_000;
const MAX_EXTERNAL_ID = 512;
/** Largest item `data`, as serialized JSON in UTF-8 (1 MiB). */
export const MAX_DATA_BYTES = 1_048_576;
/** Deepest nesting of objects and arrays in an item's `data`. */
export const MAX_DATA_DEPTH = 32;
export { ITEM_SELECT } from '../db/repositories/item.repository';

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface ItemData {
  externalId: string;
  text?: string | null;
  data?: Record<string, unknown> | null;
  embedding?: number[] | null;
  /** base64 of little-endian float32, for bulk imports. */
  embeddingBase64?: string | null;
}

export interface ImportResult {
  inserted: number;
  updated: number;
  /** Item ids in input order. */
  ids: string[];
  /** Items of this call left without an embedding in a project with an embedding dimension (0 in one without). */
  withoutEmbedding: number;
}

export interface CurrentLabelView {
  label: string;
  voteShare: number;
  votes: number;
  source: 'MAJORITY_VOTE' | 'REVIEW';
}

export interface ItemView {
  id: string;
  projectId: string;
  externalId: string;
  text: string | null;
  data: Record<string, unknown> | null;
  embedding: Float32Array | null;
  createdAt: Date;
  updatedAt: Date;
  currentLabel: CurrentLabelView | null;
}

export interface ItemFilterData {
  labeled?: boolean | null;
  label?: string | null;
  annotator?: string | null;
  externalId?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** An item's position in the items order: created_at in microseconds since 1970 (decimal text), then id. */
export interface ItemKey {
  us: string;
  id: string;
}

/** A page of items, oldest first. */
export type ItemPage = Page<ItemView, ItemKey>;

/** Whether the project refuses items without an embedding (settings.requireEmbedding; default false). */
export function requireEmbeddingOf(project: Pick<ProjectView, 'settings'>): boolean {
  return effectiveSettings(project.settings).requireEmbedding;
}

/**
 * Labeling tools work blind: they read only leased items and never an item's current label, so neither gold items
 * nor other annotators' answers can steer them.
 */
export function isTool(p: Principal): boolean {
  return p.role === 'LABELING_TOOL';
}

function viewFor(p: Principal, r: ItemRow): ItemView {
  const v = toItemView(r);
  return isTool(p) ? { ...v, currentLabel: null } : v;
}

export function toItemView(r: ItemRow): ItemView {
  return {
    id: r.id,
    projectId: r.project_id,
    externalId: r.external_id,
    text: r.text,
    data: r.data,
    embedding: decodeFloat32(r.embedding),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    currentLabel:
      r.current_label_name !== null && r.label_source !== null
        ? { label: r.current_label_name, voteShare: Number(r.label_share), votes: r.label_votes, source: r.label_source }
        : null,
  };
}

/** Parses one item's embedding (list or base64) to float32 of the project's dimension, or throws naming the field. */
function parseEmbedding(it: ItemData, i: number, dim: number | null): Buffer | null {
  const hasList = it.embedding !== undefined && it.embedding !== null;
  const hasB64 = it.embeddingBase64 !== undefined && it.embeddingBase64 !== null;
  if (!hasList && !hasB64) return null;
  const field = `items[${i}].${hasList ? 'embedding' : 'embeddingBase64'}`;
  if (hasList && hasB64) throw badInput(`items[${i}].embedding`, 'give embedding or embeddingBase64, not both');
  if (dim === null) throw badInput(field, 'the project has no embedding dimension (set embeddingDim first)');
  let v: Float32Array;
  if (hasList) {
    const list = it.embedding!;
    if (list.length !== dim) throw badInput(field, `has length ${list.length}, the project's embeddingDim is ${dim}`);
    v = Float32Array.from(list);
  } else {
    const s = it.embeddingBase64!;
    if (!BASE64_RE.test(s)) throw badInput(field, 'is not valid base64');
    const buf = Buffer.from(s, 'base64');
    if (buf.byteLength !== dim * 4) {
      throw badInput(field, `decodes to ${buf.byteLength} bytes, expected ${dim * 4} (${dim} little-endian float32)`);
    }
    v = new Float32Array(dim);
    for (let k = 0; k < dim; k++) v[k] = buf.readFloatLE(k * 4);
  }
  for (let k = 0; k < dim; k++) {
    if (!Number.isFinite(v[k])) throw badInput(field, `value ${k} is not finite (NaN or Infinity)`);
  }
  return encodeFloat32(v);
}

export class ItemService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  async importItems(p: Principal, projectId: string, items: ItemData[]): Promise<ImportResult> {
    if (!Array.isArray(items) || items.length === 0) throw badInput('items', 'must contain at least one item');
    if (items.length > MAX_BATCH) throw badInput('items', `at most ${MAX_BATCH} items per call, got ${items.length}`);
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'items:import', sql);
      const n = items.length;
      const ext: string[] = new Array(n);
      const texts: (string | null)[] = new Array(n);
      const datas: (string | null)[] = new Array(n);
      const embs: (Buffer | null)[] = new Array(n);
      const seen = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const it = items[i];
        const e = it.externalId;
        if (typeof e !== 'string' || e.length === 0) throw badInput(`items[${i}].externalId`, 'must not be empty');
        if (e.length > MAX_EXTERNAL_ID) throw badInput(`items[${i}].externalId`, `at most ${MAX_EXTERNAL_ID} characters`);
        const prev = seen.get(e);
        if (prev !== undefined) throw badInput(`items[${i}].externalId`, `duplicate of items[${prev}].externalId "${clip(e)}" in the same call`);
        seen.set(e, i);
        if (it.data !== undefined && it.data !== null && (typeof it.data !== 'object' || Array.isArray(it.data))) {
          throw badInput(`items[${i}].data`, 'must be a JSON object');
        }
        if (it.data && depthOf(it.data, MAX_DATA_DEPTH) > MAX_DATA_DEPTH) throw badInput(`items[${i}].data`, `nests deeper than ${MAX_DATA_DEPTH} levels`);
        ext[i] = e;
        texts[i] = it.text ?? null;
        datas[i] = it.data ? JSON.stringify(it.data) : null;
        const dataBytes = datas[i] === null ? 0 : Buffer.byteLength(datas[i]!, 'utf8');
        if (dataBytes > MAX_DATA_BYTES) throw badInput(`items[${i}].data`, `is ${dataBytes} bytes as JSON; at most ${MAX_DATA_BYTES}`);
        embs[i] = parseEmbedding(it, i, project.embeddingDim);
      }
      const rows: { id: string; external_id: string; inserted: boolean; no_embedding: boolean }[] = [];
      const size = (i: number) => (texts[i]?.length ?? 0) + (datas[i]?.length ?? 0) + (embs[i]?.byteLength ?? 0);
      for (const [s, e] of this.db.bulkRanges(n, size)) {
        const whole = s === 0 && e === n;
        const part = whole
          ? await upsertItems(sql, project.id, ext, texts, datas, embs)
          : await upsertItems(sql, project.id, ext.slice(s, e), texts.slice(s, e), datas.slice(s, e), embs.slice(s, e));
        for (const r of part) rows.push(r);
      }
      const byExt = new Map(rows.map((r) => [r.external_id, r]));
      let inserted = 0;
      for (const r of rows) if (r.inserted) inserted++;
      let withoutEmbedding = 0;
      if (project.embeddingDim !== null) {
        const missing = ext.findIndex((e) => byExt.get(e)!.no_embedding);
        if (missing >= 0 && requireEmbeddingOf(project)) {
          throw badInput(`items[${missing}].embedding`, `required: the project's settings.requireEmbedding is true and item "${clip(ext[missing])}" has no embedding`);
        }
        for (const r of rows) if (r.no_embedding) withoutEmbedding++;
      }
      if (inserted > 0) {
        await enqueueEvent(sql, project.id, 'item.created', () => ({
          items: rows.filter((r) => r.inserted).map((r) => ({ id: r.id, externalId: r.external_id })),
        }));
      }
      return { inserted, updated: rows.length - inserted, ids: ext.map((e) => byExt.get(e)!.id), withoutEmbedding };
    });
  }

  /** One item, by its id or by its externalId (exactly one of the two). */
  async item(p: Principal, projectId: string, ref: { id?: string | null; externalId?: string | null }): Promise<ItemView> {
    const byId = ref.id !== undefined && ref.id !== null;
    const byExt = ref.externalId !== undefined && ref.externalId !== null;
    if (byId === byExt) throw badInput(byId ? 'externalId' : 'id', 'give exactly one of id and externalId');
    const project = await this.projects.access(p, projectId, 'items:read');
    const field = byId ? 'id' : 'externalId';
    const key = byId ? ref.id! : ref.externalId!;
    if (byId && !isUuid(key)) throw notFound(`item ${clip(key)}`, field);
    const row = await findItem(this.db, project.id, field, key, isTool(p));
    if (!row) throw notFound(byId ? `item ${clip(key)}` : `item with externalId "${clip(key)}"`, field);
    return viewFor(p, row);
  }

  /** The project's items that match the filter, oldest first (created_at, then id), `first` of them after `after`. */
  async items(p: Principal, projectId: string, filter: ItemFilterData | null | undefined, first = 50, after: PageStart<ItemKey> = () => null): Promise<ItemPage> {
    const project = await this.projects.access(p, projectId, 'items:read');
    checkPageSize(first);
    const annotator = filter?.annotator;
    if (annotator !== undefined && annotator !== null && !(await annotatorExists(this.db, project.id, annotator))) {
      throw notFound(`annotator "${clip(annotator)}"`, 'filter.annotator');
    }
    const spec = this.filterSpec(project, filter ?? {}, isTool(p));
    const start = after();
    return this.db.read(async (sql) => {
      const rows = await findItemPage(sql, project.id, spec, start, first + 1);
      const n = await countItems(sql, project.id, spec);
      return pageOf(rows, first, n, (r) => viewFor(p, r), (r) => ({ us: r.cursor_us, id: r.id }));
    });
  }

  /** The filter, checked: labeling tools see no labels (only leased items); a label must be one of the classes. */
  private filterSpec(project: ProjectView, f: ItemFilterData, tool: boolean): ItemFilterSpec {
    if (tool) {
      for (const k of ['labeled', 'label', 'annotator'] as const) {
        if (f[k] !== undefined && f[k] !== null) throw forbidden(`labeling tools see no labels: filter.${k} is not available to them`, `filter.${k}`);
      }
    }
    let label: number | null = null;
    if (f.label !== undefined && f.label !== null) {
      label = project.classes.indexOf(f.label);
      if (label < 0) throw badInput('filter.label', `"${clip(f.label)}" is not one of the project's classes (${listed(project.classes)})`);
    }
    return {
      leasedOnly: tool,
      labeled: f.labeled,
      label,
      annotator: f.annotator,
      externalId: f.externalId,
      createdAfter: f.createdAfter,
      createdBefore: f.createdBefore,
    };
  }
}
