import { Database } from '../db/database';
import { findCurrentGold } from '../db/repositories/gold.repository';
import { findItemsByRef } from '../db/repositories/item.repository';
import { badInput, clip, conflict, listed } from '../errors';
import { AnnotationService } from './annotation.service';
import { Principal } from './auth.service';
import { matchItemRefs, splitItemRefs } from './item-refs';
import { MAX_BATCH } from './item.service';
import { checkName } from './names';
import { ProjectService } from './project.service';

export interface GoldItemData {
  itemId?: string | null;
  externalId?: string | null;
  label: string;
}

/** Gold items: items with a known answer (GOLD annotations) that annotators and methods are measured against. */
export class GoldService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly annotations: AnnotationService,
  ) {}

  /**
   * Marks items as gold (known answers) by `annotator` (default "gold"), in one transaction, all or nothing. The latest
   * GOLD annotation of an item is its gold answer. Idempotent: an item already gold with the same answer, or named
   * twice in the call with the same answer (by id and by externalId), writes nothing and counts as `unchanged`; a
   * different answer for an item that is already gold is a CONFLICT unless `replace` is true. QA_LEAD and ADMIN.
   */
  async addGoldItems(
    p: Principal,
    projectId: string,
    items: GoldItemData[],
    annotator = 'gold',
    replace = false,
  ): Promise<{ added: number; unchanged: number; itemIds: string[] }> {
    if (!Array.isArray(items) || items.length === 0) throw badInput('items', 'must contain at least one item');
    if (items.length > MAX_BATCH) throw badInput('items', `at most ${MAX_BATCH} items per call, got ${items.length}`);
    checkName(annotator, 'annotator');
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'gold:manage', sql);
      const refs = splitItemRefs(items, 'items');
      items.forEach((it, i) => {
        if (!project.classes.includes(it.label)) throw badInput(`items[${i}].label`, `"${clip(it.label)}" is not one of the project's classes (${listed(project.classes)})`);
      });
      const itemIds = matchItemRefs(items, await findItemsByRef(sql, project.id, refs.ids, refs.externalIds), 'items');
      const goldRows = await findCurrentGold(sql, project.id, [...new Set(itemIds)]);
      const current = new Map<string, string>();
      for (const r of goldRows) if (!current.has(r.item_id)) current.set(r.item_id, project.classes[r.label]);
      const firstAt = new Map<string, number>();
      const write: number[] = [];
      items.forEach((it, i) => {
        const id = itemIds[i];
        const j = firstAt.get(id);
        if (j !== undefined) {
          if (items[j].label !== it.label) throw badInput(`items[${i}].label`, `names the same item as items[${j}] with another answer ("${clip(it.label)}" vs "${clip(items[j].label)}")`);
          return;
        }
        firstAt.set(id, i);
        const gold = current.get(id);
        if (gold === it.label) return;
        if (gold !== undefined && !replace) {
          throw conflict(`items[${i}].label`, `item ${id} is already gold with answer "${clip(gold)}"; send replace: true to change it to "${clip(it.label)}"`);
        }
        write.push(i);
      });
      if (write.length === 0) return { added: 0, unchanged: items.length, itemIds };
      // A replaced answer given under another annotator name is retracted, so the item keeps one gold answer (under
      // the same name the new annotation replaces it by itself).
      const rewritten = new Set(write.map((i) => itemIds[i]));
      const stale = goldRows.filter((r) => rewritten.has(r.item_id) && r.annotator !== annotator).map((r) => r.id);
      if (stale.length) await this.annotations.retractIn(sql, p, project.id, stale);
      const res = await this.annotations.submitIn(
        sql,
        p,
        project.id,
        write.map((i) => ({ itemId: itemIds[i], label: items[i].label, annotator, annotatorKind: 'HUMAN' as const, kind: 'GOLD' as const })),
      );
      return { added: res.inserted, unchanged: items.length - res.inserted, itemIds };
    });
  }
}
