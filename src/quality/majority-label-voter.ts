/**
 * Majority vote over labeling functions (Snorkel `MajorityLabelVoter.predict_proba` semantics).
 */
import { ABSTAIN as ABSTAIN_LABEL, checkCardinality, type LfMatrix, type LfMatrixInput, toLfMatrix } from './lf-analysis';

/** Local copy of the abstain value: hot loops read a constant, not a property of the imported module. */
const ABSTAIN = ABSTAIN_LABEL;

/** Result of {@link majorityLabelVoter}. */
export interface MajorityLabelVoterResult {
  /** N rows of K probabilities: 1 on the most-voted class, split evenly among tied classes; uniform when all abstain. */
  predictProba: number[][];
}

/**
 * Majority-vote probabilistic labels: Snorkel's `MajorityLabelVoter(cardinality=K).predict_proba(L)`, exactly.
 *
 * For each example i, count_ic = #{j : L_ij = c} over non-abstaining LFs; with T_i = argmax_c count_ic (all
 * classes that reach the maximum), predictProba_ic = 1/|T_i| for c ∈ T_i, else 0. A row where every LF abstains has
 * all counts 0, so every class ties and the row is uniform (1/K).
 *
 * Reading it: a 1 is a clear majority; fractional rows are ties (0.5/0.5 for K = 2); uniform rows carry no vote.
 * Every LF has the same weight: see `fitLabelModel` for a model that weighs LFs by their estimated accuracy.
 *
 * Reference: Ratner et al., "Snorkel: Rapid Training Data Creation with Weak Supervision", VLDB 2018 (baseline);
 * semantics of snorkel `labeling.model.MajorityLabelVoter` (0.10). `L` entries `null`/NaN are read as abstain.
 *
 * Cost: O(N·(m + K)) time; O(K) scratch besides the N × K output.
 *
 * @param L label matrix N × m, −1 (or null/NaN) = abstain, otherwise class indices in 0..cardinality−1
 * @param cardinality number of classes K ≥ 2
 */
export function majorityLabelVoter(L: LfMatrixInput, cardinality: number): MajorityLabelVoterResult {
  const fn = 'majorityLabelVoter';
  const k = checkCardinality(cardinality, fn);
  const lm = toLfMatrix(L, fn, 'L', k);
  return { predictProba: majorityVoteProbaInner(lm, k) };
}

/** Inner routine: assumes a validated matrix with values in −1..k−1. */
function majorityVoteProbaInner(lm: LfMatrix, k: number): number[][] {
  const { rows: n, cols: m, data } = lm;
  const counts = new Int32Array(k);
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    counts.fill(0);
    const o = i * m;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v !== ABSTAIN) counts[v]++;
    }
    let best = 0;
    for (let c = 0; c < k; c++) if (counts[c] > best) best = counts[c];
    let ties = 0;
    for (let c = 0; c < k; c++) if (counts[c] === best) ties++;
    const p = 1 / ties; // numpy: ones / row sum, the same float
    const row: number[] = new Array(k);
    for (let c = 0; c < k; c++) row[c] = counts[c] === best ? p : 0;
    out[i] = row;
  }
  return out;
}
