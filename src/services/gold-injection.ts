import { createHash } from 'node:crypto';
import type { Sql } from '../db/database';
import { createRng } from '../quality/rng';
import type { SelectResult } from '../sampling';
import type { ItemView } from './item.service';
import { effectiveSettings } from './settings';
import { findGoldItemsByKey } from '../db/repositories/annotation.repository';

/** Share of a nextBatch that is gold items when the project's settings give no `goldRate`. */
export const DEFAULT_GOLD_RATE = effectiveSettings({}).goldRate;

/** The project's gold injection rate: settings.goldRate in [0, 1], else {@link DEFAULT_GOLD_RATE}. */
export function goldRateOf(settings: Record<string, unknown>): number {
  return effectiveSettings(settings).goldRate;
}

/** The gold items mixed into one nextBatch. */
export interface GoldPlan {
  /** Row indices (into the selection's rows) of the gold items to serve. */
  rows: number[];
  /** Their item ids. */
  ids: Set<string>;
  seed: number;
}

/** A batch without gold. */
export const NO_GOLD: GoldPlan = { rows: [], ids: new Set(), seed: 0 };

/**
 * Chooses the gold items of one nextBatch: each of the `size` slots is gold with probability goldRate (seeded by the
 * annotator and how many annotations it has made, so it changes from batch to batch and replays in tests), drawn
 * from the gold items (items with a GOLD annotation) among the selection's labeled rows that no annotation of this
 * API key touches (under any annotator name), that no other annotator holds a lease on, and that the latest model
 * predicted when the selection uses predictions (as pool items must be).
 */
export async function planGold(
  sql: Sql,
  a: {
    projectId: string;
    settings: Record<string, unknown>;
    annotator: string;
    /** The caller's API key. */
    keyId: string;
    rowIds: readonly string[];
    labeled: readonly number[];
    leasedByOthers: ReadonlySet<string>;
    mine: ReadonlySet<string>;
    size: number;
    /** Item ids the latest model predicted when the selection uses predictions, else null. */
    predicted: ReadonlyMap<string, unknown> | null;
  },
): Promise<GoldPlan> {
  const seed = createHash('sha256').update(`${a.annotator}\u0000${a.mine.size}`, 'utf8').digest().readUInt32LE(0);
  const none: GoldPlan = { ...NO_GOLD, seed };
  const rate = goldRateOf(a.settings);
  if (rate === 0 || a.labeled.length === 0) return none;
  const rng = createRng(seed);
  let g = 0;
  for (let s = 0; s < a.size; s++) if (rng.next() < rate) g++;
  if (g === 0) return none;
  const rows = await findGoldItemsByKey(sql, a.projectId, a.keyId);
  const gold = new Set(rows.filter((r) => !r.by_key).map((r) => r.item_id));
  const eligible = a.labeled.filter((i) => {
    const id = a.rowIds[i];
    return gold.has(id) && !a.mine.has(id) && !a.leasedByOthers.has(id) && (a.predicted === null || a.predicted.has(id));
  });
  if (eligible.length === 0) return none;
  // Seeded partial Fisher–Yates: g distinct eligible rows.
  g = Math.min(g, eligible.length);
  for (let t = 0; t < g; t++) {
    const u = t + rng.int(eligible.length - t);
    [eligible[t], eligible[u]] = [eligible[u], eligible[t]];
  }
  const chosen = eligible.slice(0, g);
  return { rows: chosen, ids: new Set(chosen.map((i) => a.rowIds[i])), seed };
}

/**
 * Puts the plan's gold items into a selection made from the pool alone: each takes the place of a pick drawn at
 * random and shows that pick's scores, criteria and reason, so a batch reads the same — values, order, count — with
 * or without gold. The replaced picks stay in the pool for later batches; `candidateCount` stays the pool's.
 */
export function mixGold(plan: GoldPlan, res: SelectResult): SelectResult {
  const g = Math.min(plan.rows.length, res.items.length);
  if (g === 0) return res;
  const rng = createRng(plan.seed ^ 0x5bd1e995);
  const slots = res.items.map((_, j) => j);
  for (let t = 0; t < g; t++) {
    const u = t + rng.int(slots.length - t);
    [slots[t], slots[u]] = [slots[u], slots[t]];
  }
  const items = [...res.items];
  for (let t = 0; t < g; t++) items[slots[t]] = { ...items[slots[t]], index: plan.rows[t] };
  return { ...res, items };
}

/** A served item as a labeling tool sees it: a gold item shows no label (like the unlabeled pool items beside it). */
export function blindGold(plan: GoldPlan, item: ItemView): ItemView {
  return plan.ids.has(item.id) ? { ...item, currentLabel: null } : item;
}
