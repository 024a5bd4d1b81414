/**
 * Query by committee: disagreement among C models (here the K-fold models of cross-validation) about each row
 * (Seung, Opper & Sompolinsky 1992; Settles 2009, §3.2).
 */
import { Matrix, MatrixInput, QualityInputError, toProbMatrix } from '../quality/matrix';

/** Validates a committee: a non-empty array of probability matrices, all N × K. */
export function toCommittee(committee: ReadonlyArray<MatrixInput>, fn: string, arg = 'committee'): Matrix[] {
  if (!Array.isArray(committee) || committee.length === 0) {
    throw new QualityInputError(fn, arg, 'must be a non-empty array of predProbs matrices (one per committee member)');
  }
  const out: Matrix[] = [];
  for (let c = 0; c < committee.length; c++) {
    const m = toProbMatrix(committee[c], fn, `${arg}[${c}]`);
    if (c > 0 && (m.rows !== out[0].rows || m.cols !== out[0].cols)) {
      throw new QualityInputError(fn, `${arg}[${c}]`, `is ${m.rows} × ${m.cols}, but ${arg}[0] is ${out[0].rows} × ${out[0].cols}`);
    }
    out.push(m);
  }
  return out;
}

/**
 * Vote entropy of each row: every member votes for its most probable class (ties → lowest class index, as
 * numpy's argmax), `V(i, k)` = number of votes for class k, and
 * `VE_i = −Σ_k (V(i,k)/C) · log(V(i,k)/C)` (0·log 0 = 0), in nats.
 *
 * Shapes: committee = C matrices N × K → Float64Array N in [0, log min(C, K)].
 * Read: higher = the members vote for different classes = more worth labeling; 0 = unanimous.
 * Reference: Dagan & Engelson (1995), "Committee-based sampling for training probabilistic classifiers";
 * modAL `vote_entropy`. Cost: O(C·N·K).
 */
export function voteEntropy(committee: ReadonlyArray<MatrixInput>): Float64Array {
  return voteEntropyInner(toCommittee(committee, 'voteEntropy'));
}

/**
 * Mean Kullback–Leibler divergence of each member from the consensus (the members' mean distribution):
 * `P̄(i,·) = (1/C) Σ_c P_c(i,·)`, `KL_i = (1/C) Σ_c Σ_k P_c(i,k) · log(P_c(i,k) / P̄(i,k))` (0·log 0 = 0), in nats.
 *
 * Shapes: committee = C matrices N × K → Float64Array N, ≥ 0 (at most log C).
 * Read: higher = the members' distributions disagree = more worth labeling; 0 = identical predictions.
 * Equals the generalised Jensen–Shannon divergence of the members with equal weights.
 * Reference: McCallum & Nigam (1998), "Employing EM and pool-based active learning for text classification".
 * Cost: O(C·N·K).
 */
export function klToConsensus(committee: ReadonlyArray<MatrixInput>): Float64Array {
  return klToConsensusInner(toCommittee(committee, 'klToConsensus'));
}

/** Vote entropy per row. Assumes a validated committee. */
export function voteEntropyInner(members: Matrix[]): Float64Array {
  const C = members.length;
  const { rows, cols } = members[0];
  const out = new Float64Array(rows);
  const votes = new Int32Array(cols);
  for (let i = 0; i < rows; i++) {
    votes.fill(0);
    const o = i * cols;
    for (let c = 0; c < C; c++) {
      const d = members[c].data;
      let best = 0;
      for (let j = 1; j < cols; j++) if (d[o + j] > d[o + best]) best = j;
      votes[best]++;
    }
    let h = 0;
    for (let j = 0; j < cols; j++) {
      if (votes[j] > 0) {
        const f = votes[j] / C;
        h -= f * Math.log(f);
      }
    }
    out[i] = h;
  }
  return out;
}

/** Vote counts of row i (for readable reasons): Int32Array K. Assumes a validated committee. */
export function votesOf(members: Matrix[], i: number): Int32Array {
  const cols = members[0].cols;
  const votes = new Int32Array(cols);
  const o = i * cols;
  for (const m of members) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (m.data[o + j] > m.data[o + best]) best = j;
    votes[best]++;
  }
  return votes;
}

/** Mean KL to the consensus per row. Assumes a validated committee. */
export function klToConsensusInner(members: Matrix[]): Float64Array {
  const C = members.length;
  const { rows, cols } = members[0];
  const out = new Float64Array(rows);
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    mean.fill(0);
    for (let c = 0; c < C; c++) {
      const d = members[c].data;
      for (let j = 0; j < cols; j++) mean[j] += d[o + j];
    }
    for (let j = 0; j < cols; j++) mean[j] /= C;
    let kl = 0;
    for (let c = 0; c < C; c++) {
      const d = members[c].data;
      for (let j = 0; j < cols; j++) {
        const v = d[o + j];
        if (v > 0) kl += v * Math.log(v / mean[j]); // mean[j] ≥ v / C > 0 here
      }
    }
    const r = kl / C;
    out[i] = r > 0 ? r : 0; // rounding can give −1e-17 for identical members
  }
  return out;
}
