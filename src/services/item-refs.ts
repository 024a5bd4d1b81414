import type { Sql } from '../db/database';
import { findItemsByRef } from '../db/repositories/item.repository';
import { badInput, clip, notFound } from '../errors';
import { isUuid } from './ids';

/** A reference to an item of a project: exactly one of its id and its externalId. */
export interface ItemRef {
  itemId?: string | null;
  externalId?: string | null;
}

const given = (v: string | null | undefined): v is string => v !== undefined && v !== null;

/**
 * Checks each reference names exactly one of itemId and externalId and that ids are UUIDs (a malformed id names no
 * item: NOT_FOUND), and collects them; errors name `${field}[i].itemId` / `.externalId`.
 */
export function splitItemRefs(refs: ReadonlyArray<ItemRef>, field: string): { ids: string[]; externalIds: string[] } {
  const ids = new Set<string>();
  const exts = new Set<string>();
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    const hasId = given(r.itemId);
    if (hasId === given(r.externalId)) throw badInput(`${field}[${i}].itemId`, 'give exactly one of itemId and externalId');
    if (hasId) {
      if (!isUuid(r.itemId)) throw notFound(`item ${clip(r.itemId)}`, `${field}[${i}].itemId`);
      ids.add(r.itemId!);
    } else exts.add(r.externalId!);
  }
  return { ids: [...ids], externalIds: [...exts] };
}

/**
 * The item id of each reference, given the project's items found for them (`{id, external_id}` rows); NOT_FOUND
 * naming `${field}[i]` for one that names no item of the project (the first such), then, with `distinct`,
 * BAD_USER_INPUT for two that name the same item.
 */
export function matchItemRefs(refs: ReadonlyArray<ItemRef>, found: ReadonlyArray<{ id: string; external_id: string }>, field: string, opts: { distinct?: boolean } = {}): string[] {
  const byId = new Set(found.map((r) => r.id));
  const byExt = new Map(found.map((r) => [r.external_id, r.id]));
  const out: string[] = new Array(refs.length);
  const seen = opts.distinct ? new Map<string, number>() : null;
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    let id: string | undefined;
    if (given(r.itemId)) {
      if (!byId.has(r.itemId)) throw notFound(`item ${clip(r.itemId)}`, `${field}[${i}].itemId`);
      id = r.itemId;
    } else {
      id = byExt.get(r.externalId!);
      if (!id) throw notFound(`item with externalId "${clip(r.externalId)}"`, `${field}[${i}].externalId`);
    }
    out[i] = id;
  }
  if (seen) {
    for (let i = 0; i < out.length; i++) {
      const j = seen.get(out[i]);
      if (j !== undefined) throw badInput(`${field}[${i}]`, `names the same item as ${field}[${j}]`);
      seen.set(out[i], i);
    }
  }
  return out;
}

/** The item id of each reference ({@link splitItemRefs}, one query, {@link matchItemRefs}). */
export async function resolveItemRefs(sql: Sql, projectId: string, refs: ReadonlyArray<ItemRef>, field: string, opts: { distinct?: boolean } = {}): Promise<string[]> {
  const { ids, externalIds } = splitItemRefs(refs, field);
  return matchItemRefs(refs, await findItemsByRef(sql, projectId, ids, externalIds), field, opts);
}
