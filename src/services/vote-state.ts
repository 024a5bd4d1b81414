import type { ItemVoteColumns, LockedItem } from '../db/repositories/annotation.repository';

/**
 * A locked item's vote counts, current votes and reviews as submit changes them: submitAnnotations' fast path for
 * current labels. The touched items are locked, so what they store is current; the votes just inserted are applied
 * to it ({@link applyVote}) and the items are written in one UPDATE ({@link itemVoteColumns}), without re-reading
 * their annotations. Gives exactly what recomputeCurrentLabels gives (the tests compare both). A REVIEW inserted now
 * has created_at = now(); it replaces the stored review when now() is later, or at the same instant when its class
 * index is lower, the order recomputeCurrentLabels uses.
 */
export interface ItemState {
  counts: number[];
  /** Annotator ids with a current vote, sorted (as stored); voteIds and voteLabels in the same order. */
  voters: string[];
  voteIds: string[];
  voteLabels: number[];
  reviewLabel: number | null;
  reviewOrder: number;
  /** The lowest class of a REVIEW this call writes (they share created_at = now()), or null. */
  newReview: number | null;
}

/** The state of a locked item as stored (its `votes` column decoded), counts padded to `numClasses`. */
export function itemState(r: Pick<LockedItem, 'votes' | 'review_label' | 'review_order'>, numClasses: number): ItemState {
  const [c, voters, voteIds, voteLabels] = r.votes.split('|');
  const counts = c ? c.split(':').map(Number) : [];
  while (counts.length < numClasses) counts.push(0);
  return {
    counts,
    voters: voters ? voters.split(':') : [],
    voteIds: voteIds ? voteIds.split(':') : [],
    voteLabels: voteLabels ? voteLabels.split(':').map(Number) : [],
    reviewLabel: r.review_label,
    reviewOrder: Number(r.review_order),
    newReview: null,
  };
}

/**
 * Applies the vote `annotationId` (class `label`) of `annotatorId` to the item's state: it replaces the annotator's
 * current vote there, whose id it returns (null when the annotator had none). Voters stay sorted by annotator id,
 * the order recomputeCurrentLabels writes.
 */
export function applyVote(st: ItemState, annotatorId: string, annotationId: string, label: number): string | null {
  let replaced: string | null = null;
  const k = st.voters.indexOf(annotatorId);
  if (k >= 0) {
    replaced = st.voteIds[k];
    st.counts[st.voteLabels[k]]--;
    st.voteIds[k] = annotationId;
    st.voteLabels[k] = label;
  } else {
    let at = st.voters.length;
    while (at > 0 && st.voters[at - 1] > annotatorId) at--;
    st.voters.splice(at, 0, annotatorId);
    st.voteIds.splice(at, 0, annotationId);
    st.voteLabels.splice(at, 0, label);
  }
  st.counts[label]++;
  return replaced;
}

/**
 * The items' new vote columns: the review label (a REVIEW written now replaces the stored one as {@link ItemState}
 * says), else the majority of the votes (ties → lowest class index), with the winner's count and the vote total.
 */
export function itemVoteColumns(states: ReadonlyMap<string, ItemState>): ItemVoteColumns {
  const n = states.size;
  const c: ItemVoteColumns = {
    ids: new Array<string>(n),
    counts: new Array<number[]>(n),
    voters: new Array<string[]>(n),
    voteIds: new Array<string[]>(n),
    voteLabels: new Array<number[]>(n),
    totals: new Array<number>(n),
    reviewLabels: new Array<number | null>(n),
    reviewNow: new Array<boolean>(n),
    labels: new Array<number | null>(n),
    winners: new Array<number | null>(n),
    sources: new Array<string | null>(n),
  };
  let j = 0;
  for (const [id, s] of states) {
    const replaces =
      s.newReview !== null && (s.reviewOrder > 0 || (s.reviewOrder === 0 && (s.reviewLabel === null || s.newReview < s.reviewLabel)));
    const review = replaces ? s.newReview : s.reviewLabel;
    let total = 0;
    let best = -1;
    for (let k = 0; k < s.counts.length; k++) {
      total += s.counts[k];
      if (s.counts[k] > 0 && (best < 0 || s.counts[k] > s.counts[best])) best = k;
    }
    c.ids[j] = id;
    c.counts[j] = s.counts;
    c.voters[j] = s.voters;
    c.voteIds[j] = s.voteIds;
    c.voteLabels[j] = s.voteLabels;
    c.totals[j] = total;
    c.reviewLabels[j] = review;
    c.reviewNow[j] = replaces;
    c.labels[j] = review ?? (best >= 0 ? best : null);
    c.winners[j] = best >= 0 ? s.counts[best] : null;
    c.sources[j] = review !== null ? 'REVIEW' : best >= 0 ? 'MAJORITY_VOTE' : null;
    j++;
  }
  return c;
}
