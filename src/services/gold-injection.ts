import { createHash } from 'node:crypto';
import type { Sql } from '../db/database';
import { createRng } from '../quality/rng';
import type { SelectInputs, SelectResult } from '../sampling';
import type { ItemView } from './item.service';
import { effectiveSettings } from './settings';
import { CURRENT } from './annotation-slots';

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
  /** The labeled rows without the chosen gold rows (they are selectable, like pool items). */
  labeled: number[];
  seed: number;
}

/**
 * Chooses the gold items of one nextBatch: each of the `size` slots is gold with probability goldRate (seeded by the
 * annotator and how many annotations it has made, so it changes from batch to batch and replays in tests), drawn
 * from the gold items (items with a GOLD annotation) among the selection's rows that this annotator has not
 * annotated, that no other annotator holds a lease on, and that the latest model predicted when there is one (as
 * pool items must be).
 */
export async function planGold(
  sql: Sql,
  a: {
    projectId: string;
    settings: Record<string, unknown>;
    annotator: string;
    rowIds: readonly string[];
    labeled: number[];
    leasedByOthers: ReadonlySet<string>;
    mine: ReadonlySet<string>;
    size: number;
    /** The project's classes. */
    classes: readonly string[];
    /** The latest model version's predictions when the selection uses them (predProbs given), else null. */
    latest: { classes: readonly string[]; probs: ReadonlyMap<string, Float32Array> } | null;
    /** The selection's N × K probabilities: the chosen gold rows are filled in from `latest`, as pool rows are. */
    predProbs: Float32Array | null;
  },
): Promise<GoldPlan> {
  const seed = createHash('sha256').update(`${a.annotator}\u0000${a.mine.size}`, 'utf8').digest().readUInt32LE(0);
  const none: GoldPlan = { rows: [], ids: new Set(), labeled: a.labeled, seed };
  const rate = goldRateOf(a.settings);
  if (rate === 0 || a.labeled.length === 0) return none;
  const rng = createRng(seed);
  let g = 0;
  for (let s = 0; s < a.size; s++) if (rng.next() < rate) g++;
  if (g === 0) return none;
  const gold = new Set(
    (await sql.query<{ item_id: string }>(`SELECT DISTINCT item_id FROM annotation WHERE project_id = $1 AND kind = 'GOLD' AND ${CURRENT('annotation')}`, [a.projectId])).map((r) => r.item_id),
  );
  const eligible = a.labeled.filter((i) => {
    const id = a.rowIds[i];
    return gold.has(id) && !a.mine.has(id) && !a.leasedByOthers.has(id) && (a.predProbs === null || a.latest === null || a.latest.probs.has(id));
  });
  if (eligible.length === 0) return none;
  // Seeded partial Fisher–Yates: g distinct eligible rows.
  g = Math.min(g, eligible.length);
  for (let t = 0; t < g; t++) {
    const u = t + rng.int(eligible.length - t);
    [eligible[t], eligible[u]] = [eligible[u], eligible[t]];
  }
  const rows = eligible.slice(0, g);
  const chosen = new Set(rows);
  if (a.predProbs && a.latest) {
    const k = a.classes.length;
    const col = a.latest.classes.map((c) => a.classes.indexOf(c));
    for (const i of rows) {
      const pr = a.latest.probs.get(a.rowIds[i])!;
      a.predProbs.fill(0, i * k, (i + 1) * k);
      for (let j = 0; j < pr.length; j++) if (col[j] >= 0) a.predProbs[i * k + col[j]] = pr[j];
    }
  }
  return { rows, ids: new Set(rows.map((i) => a.rowIds[i])), labeled: a.labeled.filter((i) => !chosen.has(i)), seed };
}

/**
 * Runs the selection with gold items mixed in: `size − g` items from the pool, then the g gold items scored by the
 * same strategy (their scores, criteria and reason come from the same selectBatch call shape as the pool's), merged so
 * that the batch stays ordered by score wherever the pool picks are (a gold item goes to a random position among the
 * places that keep that order; anywhere when the strategy's order is not by score, e.g. RANDOM).
 */
export function mixGold(plan: GoldPlan, inputs: SelectInputs, select: (inputs: SelectInputs, size: number) => SelectResult, size: number): SelectResult {
  const g = plan.rows.length;
  if (g === 0) return select(inputs, size);
  const first = g < size ? select(inputs, size - g) : null;
  const already = [...((inputs.alreadySelected as number[] | undefined) ?? []), ...(first?.items.map((s) => s.index) ?? [])];
  const second = select({ ...inputs, candidates: plan.rows, alreadySelected: already }, g);
  const items = first ? [...first.items] : [];
  const rng = createRng(plan.seed ^ 0x5bd1e995);
  for (const it of second.items) {
    const ok: number[] = [];
    for (let j = 0; j <= items.length; j++) {
      if ((j === 0 || items[j - 1].score >= it.score) && (j === items.length || it.score >= items[j].score)) ok.push(j);
    }
    const pos = ok.length ? ok[rng.int(ok.length)] : rng.int(items.length + 1);
    items.splice(pos, 0, it);
  }
  const head = first ?? second;
  const poolCandidates = Array.isArray(inputs.candidates) ? inputs.candidates.length : head.candidateCount;
  return { ...head, items, candidateCount: first ? first.candidateCount : poolCandidates };
}

/** A served item as a labeling tool sees it: a gold item shows no label (like the unlabeled pool items beside it). */
export function blindGold(plan: GoldPlan, item: ItemView): ItemView {
  return plan.ids.has(item.id) ? { ...item, currentLabel: null } : item;
}
