/**
 * Inputs of selectBatch built from a model version's stored outputs: the committee matrices (VOTE_ENTROPY,
 * KL_CONSENSUS) and ActiveLab scores (RELABEL_OR_NEW). Pure: typed arrays in, matrices out.
 */
import { activeLabScores } from '../quality/active-lab';

/** A model version's committee: item id → members × versionClasses votes, `members` members. */
export interface StoredCommittee {
  classes: readonly string[];
  committee: ReadonlyMap<string, Float32Array>;
  members: number;
}

/**
 * The committee as selectBatch takes it: one n × k matrix per member (the built-in model's fold models), over the
 * project's `classes`, row i = `ids[i]`. Rows without committee votes (items the committee did not score, gold items)
 * repeat `predProbs` (n × k) in every member: no disagreement. O(members · n · k).
 */
export function committeeMatrices(
  latest: StoredCommittee,
  classes: readonly string[],
  ids: readonly string[],
  predProbs: Float32Array,
): Array<{ rows: number; cols: number; data: Float32Array }> {
  const n = ids.length;
  const k = classes.length;
  const kv = latest.classes.length;
  const col = latest.classes.map((c) => classes.indexOf(c));
  const members = Array.from({ length: latest.members }, () => ({ rows: n, cols: k, data: predProbs.slice() }));
  for (let i = 0; i < n; i++) {
    const c = latest.committee.get(ids[i]);
    if (!c) continue;
    for (let m = 0; m < latest.members; m++) {
      const d = members[m].data;
      d.fill(0, i * k, (i + 1) * k);
      for (let j = 0; j < kv; j++) if (col[j] >= 0) d[i * k + col[j]] = c[m * kv + j];
    }
  }
  return members;
}

/** One labeled item's current votes: voters and their labels, each joined by ':' (empty text when none). */
export interface CastVotes {
  id: string;
  voters: string;
  labels: string;
}

/**
 * ActiveLab scores (cleanlab's get_active_learning_scores) of the `pool` rows on one scale, labeled rows (from their
 * current votes `cast`, one column per annotator) and unlabeled ones alike: lower = a label is worth more. Rows
 * outside the pool get 1, the worst score (they are not candidates); `annotationCounts` = each pool row's votes.
 * `predProbs` is n × k. O(n · k + votes).
 */
export function relabelInputs(
  ids: readonly string[],
  pool: readonly number[],
  votes: ReadonlyMap<string, number>,
  predProbs: Float32Array,
  k: number,
  cast: readonly CastVotes[],
): { activeLabScores: Float64Array; annotationCounts: Int32Array } {
  const n = ids.length;
  const labeledRows = labeledPoolRows(ids, pool, votes);
  const unlabeledRows = pool.filter((i) => (votes.get(ids[i]) ?? 0) === 0);
  const counts = new Int32Array(n);
  for (const i of pool) counts[i] = votes.get(ids[i]) ?? 0;
  const probsOf = (idx: number[]) => {
    const data = new Float64Array(idx.length * k);
    idx.forEach((i, r) => {
      for (let j = 0; j < k; j++) data[r * k + j] = predProbs[i * k + j];
    });
    return { rows: idx.length, cols: k, data };
  };
  let labelsMulti: { rows: number; cols: number; data: Float64Array } | null = null;
  if (labeledRows.length) {
    const byId = new Map(cast.map((r) => [r.id, r]));
    const col = new Map<string, number>();
    for (const r of cast) for (const a of r.voters ? r.voters.split(':') : []) if (!col.has(a)) col.set(a, col.size);
    const m = Math.max(col.size, 1);
    const data = new Float64Array(labeledRows.length * m).fill(NaN);
    labeledRows.forEach((i, r) => {
      const c = byId.get(ids[i]);
      if (!c || !c.voters) return;
      const ls = c.labels.split(':');
      c.voters.split(':').forEach((a, t) => (data[r * m + col.get(a)!] = Number(ls[t])));
    });
    labelsMulti = { rows: labeledRows.length, cols: m, data };
  }
  const res = labelsMulti
    ? activeLabScores(labelsMulti, probsOf(labeledRows), unlabeledRows.length ? probsOf(unlabeledRows) : null)
    : activeLabScores(null, null, probsOf(unlabeledRows));
  const scores = new Float64Array(n).fill(1);
  labeledRows.forEach((i, r) => (scores[i] = res.scores[r]));
  unlabeledRows.forEach((i, r) => (scores[i] = res.scoresUnlabeled[r]));
  return { activeLabScores: scores, annotationCounts: counts };
}

/** The labeled rows among `pool` (at least one vote): the rows whose cast votes relabelInputs needs. */
export function labeledPoolRows(ids: readonly string[], pool: readonly number[], votes: ReadonlyMap<string, number>): number[] {
  return pool.filter((i) => (votes.get(ids[i]) ?? 0) > 0);
}
