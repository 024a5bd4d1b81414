/**
 * What a labelIssues run decides, without I/O: the scoring inputs of a model version, the flagged items as issues
 * with their suggested labels, and which issues are refreshed, opened, re-opened, kept closed or removed.
 */
import { decodeFloat32 } from '../db/float32';
import type { DetectedIssue } from '../db/repositories/label-issue.repository';
import { alignRowInto } from '../quality/label-table';

/** A model version and, for the labeled items it predicted, their labels and probabilities. */
export interface ScoringInputs {
  version: { id: string; classes: string[] } | null;
  itemIds: string[];
  labels: Int32Array;
  /** Row-major N×K, each row renormalised to sum to 1 (stored as float32). */
  probs: Float64Array;
  k: number;
}

/** The scoring inputs of a version from its predicted labeled items (stored float32 rows, in id order). */
export function scoringInputs(v: { id: string; classes: string[] } | null, rows: ReadonlyArray<{ id: string; label: number; probs: Uint8Array }>): ScoringInputs {
  if (!v) return { version: null, itemIds: [], labels: new Int32Array(0), probs: new Float64Array(0), k: 0 };
  const k = v.classes.length;
  const n = rows.length;
  const labels = new Int32Array(n);
  const probs = new Float64Array(n * k);
  const itemIds: string[] = new Array(n);
  const same = Int32Array.from({ length: k }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    itemIds[i] = r.id;
    labels[i] = r.label;
    alignRowInto(same, decodeFloat32(r.probs)!.subarray(0, k), probs, i * k, k);
  }
  return { version: { id: v.id, classes: v.classes }, itemIds, labels, probs, k };
}

/**
 * The flagged items (mask[i] ≠ 0) as issues: the suggested label is the most probable class, or the runner-up where
 * that is the given label; the score is clipped to [0, 1].
 */
export function flaggedIssues(inputs: ScoringInputs, mask: ArrayLike<number>, scores: ArrayLike<number>): DetectedIssue[] {
  const { k, probs, labels, itemIds } = inputs;
  const out: DetectedIssue[] = [];
  for (let i = 0; i < itemIds.length; i++) {
    if (!mask[i]) continue;
    const given = labels[i];
    let best = -1;
    let second = -1;
    for (let j = 0; j < k; j++) {
      const v = probs[i * k + j];
      if (best < 0 || v > probs[i * k + best]) { second = best; best = j; } else if (second < 0 || v > probs[i * k + second]) second = j;
    }
    out.push({ itemId: itemIds[i], given, suggested: best === given ? second : best, score: Math.min(1, Math.max(0, scores[i])) });
  }
  return out;
}

/** What a detection run does with each flagged item and each OPEN issue. */
export interface IssueSetPlan {
  /** Flagged items with an OPEN issue: refreshed in place. */
  refresh: DetectedIssue[];
  /** New OPEN issues, with the resolved issue each re-opens (null: first time flagged). */
  insert: Array<DetectedIssue & { reopenedFrom: string | null }>;
  /** Flagged items whose resolved issue stays closed. */
  keptClosed: number;
  /** OPEN issues whose item is no longer flagged. */
  stale: string[];
}

/**
 * Plans the new issue set from the flagged items, the OPEN issues, each flagged item's last resolved issue and its
 * labeling-annotation count now. A resolved issue stays closed unless the item got a labeling annotation since
 * (more than `votes_at_resolution`) or the suggested label changed.
 */
export function planIssueSet(
  flagged: readonly DetectedIssue[],
  open: ReadonlyArray<{ id: string; item_id: string }>,
  lastResolved: ReadonlyMap<string, { id: string; suggested_label: number; votes_at_resolution: number }>,
  votesOf: ReadonlyMap<string, number>,
): IssueSetPlan {
  const openItems = new Set(open.map((r) => r.item_id));
  const plan: IssueSetPlan = { refresh: [], insert: [], keptClosed: 0, stale: [] };
  for (const f of flagged) {
    if (openItems.has(f.itemId)) {
      plan.refresh.push(f);
      continue;
    }
    const last = lastResolved.get(f.itemId);
    if (last) {
      const newAnnotation = (votesOf.get(f.itemId) ?? 0) > last.votes_at_resolution;
      if (!newAnnotation && last.suggested_label === f.suggested) {
        plan.keptClosed++;
        continue;
      }
    }
    plan.insert.push({ ...f, reopenedFrom: last?.id ?? null });
  }
  const flaggedSet = new Set(flagged.map((f) => f.itemId));
  plan.stale = open.filter((r) => !flaggedSet.has(r.item_id)).map((r) => r.id);
  return plan;
}
