/**
 * Generative label model for weak supervision: learns each labeling function's accuracy without gold labels.
 */
import { ROW_SUM_TOLERANCE } from './internal/constants';
import { QualityInputError } from './matrix';
import { ABSTAIN as ABSTAIN_LABEL, checkCardinality, type LfMatrix, type LfMatrixInput, toLfMatrix } from './lf-analysis';

/** Local copy of the abstain value: hot loops read a constant, not a property of the imported module. */
const ABSTAIN = ABSTAIN_LABEL;

/** Options of {@link fitLabelModel} (camelCase of Snorkel `LabelModel.fit` arguments where they apply). */
export interface LabelModelOptions {
  /**
   * Seed (Snorkel's `seed`). The fit is deterministic (initialised at majority vote, no random restarts), so the
   * result does not depend on it; it is validated and kept for API parity and for any future randomised step.
   */
  seed?: number;
  /** Fixed class prior P(y = c) (Snorkel's `class_balance`), length K, summing to 1. Learned when omitted. */
  classBalance?: ReadonlyArray<number> | Float64Array;
  /** Maximum number of EM iterations (Snorkel's `n_epochs`; here one epoch = one EM sweep). Default 100. */
  nEpochs?: number;
  /** EM stops when no accuracy moves by more than this in one iteration. Default 1e-6. */
  tol?: number;
}

/** A fitted label model (a value: `fitLabelModel` returns a new one and never reads an earlier fit). */
export interface LabelModel {
  /** Number of classes K. */
  readonly cardinality: number;
  /** Estimated accuracy of each LF, P(vote = y | y, LF votes), length m (a copy: editing it changes nothing). */
  readonly lfAccuracies: Float64Array;
  /** Class prior P(y = c), length K (learned, the given `classBalance`, or uniform when no LF emits every class; a copy). */
  readonly classBalance: Float64Array;
  /** EM iterations run (stage 1). */
  readonly nIter: number;
  /** Whether the accuracies moved less than `tol` before `nEpochs` ran out. */
  readonly converged: boolean;
  /**
   * Posterior P(y = c | votes of row i) for a label matrix with the same m LFs and K classes (N × K rows).
   * A row where every LF abstains gets the class balance.
   */
  predictProba(L: LfMatrixInput): number[][];
}

/** Pseudo-counts added to each LF's right / wrong totals (Laplace's rule): keeps accuracies off 0 and 1 (finite log-odds weights). */
const PRIOR_RIGHT = 1;
const PRIOR_WRONG = 1;
/**
 * Accuracies are kept at least this far above chance (1/K): LFs are assumed better than random (Dawid–Skene's and
 * data programming's identifiability assumption), so EM cannot turn an LF's votes into evidence against their class.
 */
const ACCURACY_MARGIN = 0.01;
const DEFAULT_N_EPOCHS = 100;
const DEFAULT_TOL = 1e-6;

/**
 * The distinct non-empty vote patterns of L with their multiplicities: pattern u's votes are
 * `lf[start[u]..start[u+1])` with labels `label[...]`, seen `count[u]` times. Rows where every LF abstains are
 * dropped (they carry no information for the fit). Real label matrices repeat patterns heavily, so EM sweeps
 * over the patterns instead of the rows.
 */
interface Votes {
  n: number;
  m: number;
  start: Int32Array;
  lf: Int32Array;
  label: Int32Array;
  count: Float64Array;
}

/** Groups the rows of L by vote pattern (open-addressing hash on the sparse votes). O(N·m) expected. */
function toVotes(lm: LfMatrix): Votes {
  const { rows: n, cols: m, data } = lm;
  let nnz = 0;
  for (let t = 0; t < data.length; t++) if (data[t] !== ABSTAIN) nnz++;
  const start = new Int32Array(n + 1);
  const lf = new Int32Array(nnz);
  const label = new Int32Array(nnz);
  const count = new Float64Array(n);
  let size = 16;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  let u = 0;
  let p = 0; // end of the stored patterns; the current row is written at p tentatively
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let q = p;
    let h = 0x811c9dc5 | 0;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v === ABSTAIN) continue;
      lf[q] = j;
      label[q] = v;
      q++;
      h = Math.imul(h ^ j, 0x01000193);
      h = Math.imul(h ^ (v + 1), 0x01000193);
    }
    const len = q - p;
    if (len === 0) continue;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    let slot = h & mask;
    let found = -1;
    while (table[slot] !== -1) {
      const cand = table[slot];
      const a = start[cand];
      if (start[cand + 1] - a === len) {
        let t = 0;
        while (t < len && lf[a + t] === lf[p + t] && label[a + t] === label[p + t]) t++;
        if (t === len) { found = cand; break; }
      }
      slot = (slot + 1) & mask;
    }
    if (found >= 0) { count[found]++; continue; }
    table[slot] = u;
    start[u] = p;
    start[u + 1] = q;
    count[u] = 1;
    u++;
    p = q;
  }
  return { n: u, m, start: start.subarray(0, u + 1), lf: lf.subarray(0, p), label: label.subarray(0, p), count: count.subarray(0, u) };
}

/**
 * Fits a generative label model to a label matrix without gold labels: a one-coin Dawid–Skene model (one
 * symmetric accuracy per LF plus a class prior), estimated by EM initialised at majority vote.
 *
 * Model. y_i ~ Categorical(π) (π: K); each LF j, when it votes, says the true class with probability a_j and each
 * other class with probability (1 − a_j)/(K − 1), independently of the other LFs given y. Abstains carry no
 * information about y (they contribute no factor), so a row where every LF abstains gets π. Posterior (N × K):
 *   P(y_i = c | L_i) ∝ π_c · Π_{j : L_ij ≠ −1} (a_j if L_ij = c else (1 − a_j)/(K − 1)),
 * i.e. log-odds voting: score_ic = log π_c + Σ_{j : L_ij = c} w_j with w_j = log(a_j (K − 1) / (1 − a_j)).
 *
 * Fit, in two stages:
 * 1. Accuracies by EM with π held at the given `classBalance`, else uniform. Start from the majority-vote soft
 *    labels q_i (ties split evenly); M-step a_j = max(1/K + ACCURACY_MARGIN, (Σ_{i : L_ij ≠ −1} q_i(L_ij) + 1) /
 *    (#votes_j + 2)); E-step q_i = posterior above; repeat until no a_j moves by more than `tol`.
 * 2. Unless `classBalance` is given: π_c = mean of q_i(c) over the rows where some LF that emitted every one of
 *    the K classes voted, q_i being the posterior under a flat prior from those LFs' votes (a_j from stage 1). One
 *    step, not the mixture-weight MLE: with weakly identified accuracies (one LF, or LFs that never overlap) that
 *    MLE runs to a corner (all one class); the one-step mean stays near uniform there and is within ~0.02 of the
 *    MLE when the LFs are informative.
 *
 * Why this shape. (a) EM started at majority vote moves towards accuracy-weighted voting with a class prior, the
 * Bayes rule for conditionally independent sources, instead of drifting below majority vote as Snorkel's SGD
 * matrix completion often does (0.864 against majority vote's 0.935 on 100,000 × 10 LFs with a 30/70 balance).
 * (b) A unipolar LF (one that only ever emits one class, e.g. a keyword rule) makes the joint likelihood of
 * accuracies and prior degenerate: "every example is that class and the LF is always right" fits its votes
 * perfectly. With π held fixed in stage 1 a unipolar LF's own votes are neutral and its accuracy is learned from
 * its agreements with other LFs; π is then estimated only from LFs that can vote every class. (c) Accuracies are
 * kept above chance (the usual identifiability assumption of Dawid–Skene and data programming), so a vote is never
 * counted against its own class; without this, EM inverts LFs that mostly meet other LFs in conflicts (YouTube spam
 * fixture, accuracy on rows with a vote: joint EM 0.66, this fit 0.97, majority vote 0.91, Snorkel 0.81).
 * (d) One symmetric accuracy rather than a full confusion matrix per LF: with abstains uninformative, a full
 * confusion matrix gives a unipolar LF no weight at all. Correlated LFs are not modelled (as in majority vote).
 *
 * Reading the output: `lfAccuracies[j]` estimates P(LF j is right | it votes) (1/K = chance). Without gold an
 * accuracy is only learned from agreements with other LFs: an LF that never votes, or never overlaps another LF,
 * stays near its prior 1/2 (never below 1/K + ACCURACY_MARGIN). `classBalance` is the prior used;
 * `predictProba(L)` the posteriors (argmax = predicted label).
 *
 * References: Dawid & Skene, "Maximum likelihood estimation of observer error-rates using the EM algorithm",
 * JRSS C 1979 (one-coin variant: Zhang et al., "Spectral methods meet EM", NeurIPS 2014); Ratner et al., "Data
 * programming", NeurIPS 2016; Ratner et al., "Training complex models with multi-task weak supervision", AAAI 2019
 * (Snorkel's LabelModel, for comparison).
 *
 * Cost: O(N·m) to read L and group its rows by vote pattern, then O(nnz_U + U·K) per EM iteration, where U ≤ N is
 * the number of distinct non-empty vote patterns and nnz_U their votes; at most `nEpochs` iterations.
 * Extra memory O(nnz + N) (sparse votes and a hash table; no N × K buffer during the fit).
 *
 * @param L label matrix N × m, −1 (or null/NaN) = abstain, otherwise class indices in 0..cardinality−1
 * @param cardinality number of classes K ≥ 2
 * @param options `{seed, classBalance, nEpochs, tol}`
 */
export function fitLabelModel(L: LfMatrixInput, cardinality: number, options: LabelModelOptions = {}): LabelModel {
  const fn = 'fitLabelModel';
  const k = checkCardinality(cardinality, fn);
  const { seed, nEpochs = DEFAULT_N_EPOCHS, tol = DEFAULT_TOL } = options;
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new QualityInputError(fn, 'seed', `must be a finite number, got ${String(seed)}`);
  }
  if (!Number.isInteger(nEpochs) || nEpochs < 0) throw new QualityInputError(fn, 'nEpochs', `must be a non-negative integer, got ${String(nEpochs)}`);
  if (typeof tol !== 'number' || !(tol >= 0)) throw new QualityInputError(fn, 'tol', `must be a non-negative number, got ${String(tol)}`);
  let fixedPi: Float64Array | null = null;
  if (options.classBalance !== undefined && options.classBalance !== null) {
    const cb = options.classBalance;
    if (!(cb instanceof Float64Array) && !Array.isArray(cb)) throw new QualityInputError(fn, 'classBalance', 'must be number[] or Float64Array');
    if (cb.length !== k) throw new QualityInputError(fn, 'classBalance', `has length ${cb.length}, expected cardinality ${k}`);
    let s = 0;
    for (let c = 0; c < k; c++) {
      const v = cb[c];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new QualityInputError(fn, 'classBalance', `entry ${c} is ${String(v)}, not a finite non-negative number`);
      s += v;
    }
    if (Math.abs(s - 1) > ROW_SUM_TOLERANCE) throw new QualityInputError(fn, 'classBalance', `does not sum to 1 (sum ${s})`);
    fixedPi = Float64Array.from(cb);
  }
  const lm = toLfMatrix(L, fn, 'L', k);
  const fit = fitLabelModelInner(toVotes(lm), k, fixedPi, nEpochs, tol);
  return makeModel(k, lm.cols, fit.acc, fit.pi, fit.nIter, fit.converged);
}

interface Fit { acc: Float64Array; pi: Float64Array; nIter: number; converged: boolean }

/** Two-stage EM on the sparse votes (see {@link fitLabelModel}). Assumes valid input. */
function fitLabelModelInner(v: Votes, k: number, fixedPi: Float64Array | null, nEpochs: number, tol: number): Fit {
  const { n, m, start, lf, label, count } = v;
  const floor = 1 / k + ACCURACY_MARGIN;
  const acc = new Float64Array(m);
  const pi = fixedPi ? Float64Array.from(fixedPi) : new Float64Array(k).fill(1 / k);
  const right = new Float64Array(m); // Σ q_i(L_ij) over j's votes
  const votes = new Float64Array(m); // #votes of j
  const w = new Float64Array(m);
  const logPi = new Float64Array(k);
  const s = new Float64Array(k);
  const counts = new Int32Array(k);
  const seen = new Uint8Array(m * k); // polarity flags

  // Initial M-step from majority vote: q_i = 1/|ties| on the most-voted classes.
  for (let i = 0; i < n; i++) {
    const a = start[i];
    const b = start[i + 1];
    const cnt = count[i];
    counts.fill(0);
    for (let t = a; t < b; t++) counts[label[t]]++;
    let best = 0;
    for (let c = 0; c < k; c++) if (counts[c] > best) best = counts[c];
    let ties = 0;
    for (let c = 0; c < k; c++) if (counts[c] === best) ties++;
    const p = cnt / ties;
    for (let t = a; t < b; t++) {
      const j = lf[t];
      votes[j] += cnt;
      seen[j * k + label[t]] = 1;
      if (counts[label[t]] === best) right[j] += p;
    }
  }
  updateAccuracies(acc, right, votes, floor);

  // Stage 1: accuracies, π fixed.
  for (let c = 0; c < k; c++) logPi[c] = Math.log(pi[c]);
  let nIter = 0;
  let converged1 = false;
  for (let it = 0; it < nEpochs && !converged1; it++) {
    nIter++;
    setWeights(w, acc, k);
    right.fill(0);
    // E-step fused with the M-step sums, per distinct vote pattern; q is never stored.
    for (let i = 0; i < n; i++) {
      const a = start[i];
      const b = start[i + 1];
      const cnt = count[i];
      posteriorFromVotes(s, logPi, w, lf, label, a, b, null);
      for (let t = a; t < b; t++) right[lf[t]] += cnt * s[label[t]];
    }
    converged1 = updateAccuracies(acc, right, votes, floor) <= tol;
  }

  // Stage 2: π = mean posterior under a flat prior, from the votes of LFs that emitted every class.
  if (!fixedPi) {
    const full = new Uint8Array(m);
    let anyFull = false;
    for (let j = 0; j < m; j++) {
      let all = 1;
      for (let c = 0; c < k; c++) if (!seen[j * k + c]) all = 0;
      full[j] = all;
      if (all) anyFull = true;
    }
    if (anyFull) {
      setWeights(w, acc, k);
      logPi.fill(-Math.log(k));
      const piSum = new Float64Array(k);
      let rows = 0;
      for (let i = 0; i < n; i++) {
        const a = start[i];
        const b = start[i + 1];
        let has = false;
        for (let t = a; t < b && !has; t++) if (full[lf[t]]) has = true;
        if (!has) continue;
        const cnt = count[i];
        rows += cnt;
        posteriorFromVotes(s, logPi, w, lf, label, a, b, full);
        for (let c = 0; c < k; c++) piSum[c] += cnt * s[c];
      }
      for (let c = 0; c < k; c++) pi[c] = piSum[c] / rows;
    }
  }
  return { acc, pi, nIter, converged: converged1 };
}

/** w_j = log(a_j (K − 1) / (1 − a_j)): the log-odds a vote adds to its class. */
function setWeights(w: Float64Array, acc: Float64Array, k: number): void {
  for (let j = 0; j < acc.length; j++) w[j] = Math.log(acc[j] * (k - 1)) - Math.log(1 - acc[j]);
}

/**
 * Writes into `s` the posterior over classes for the votes t in [a, b) (only LFs with `use[j]` when given).
 * A class with prior 0 keeps probability 0.
 */
function posteriorFromVotes(
  s: Float64Array, logPi: Float64Array, w: Float64Array, lf: Int32Array, label: Int32Array,
  a: number, b: number, use: Uint8Array | null,
): void {
  const k = s.length;
  for (let c = 0; c < k; c++) s[c] = logPi[c];
  for (let t = a; t < b; t++) {
    const j = lf[t];
    if (use === null || use[j]) s[label[t]] += w[j];
  }
  let mx = -Infinity;
  for (let c = 0; c < k; c++) if (s[c] > mx) mx = s[c];
  let z = 0;
  for (let c = 0; c < k; c++) { const e = Math.exp(s[c] - mx); s[c] = e; z += e; }
  const inv = 1 / z;
  for (let c = 0; c < k; c++) s[c] *= inv;
}

/** M-step for the accuracies (Laplace pseudo-counts, floored above chance); returns the largest change. */
function updateAccuracies(acc: Float64Array, right: Float64Array, votes: Float64Array, floor: number): number {
  let delta = 0;
  for (let j = 0; j < acc.length; j++) {
    let a = (right[j] + PRIOR_RIGHT) / (votes[j] + PRIOR_RIGHT + PRIOR_WRONG);
    if (a < floor) a = floor;
    const d = Math.abs(a - acc[j]);
    if (d > delta) delta = d;
    acc[j] = a;
  }
  return delta;
}

function makeModel(k: number, m: number, acc: Float64Array, pi: Float64Array, nIter: number, converged: boolean): LabelModel {
  const accIn = Float64Array.from(acc);
  const piIn = Float64Array.from(pi);
  const w = new Float64Array(m);
  setWeights(w, accIn, k);
  const logPi = new Float64Array(k);
  for (let c = 0; c < k; c++) logPi[c] = Math.log(piIn[c]);
  return Object.freeze({
    cardinality: k,
    lfAccuracies: Float64Array.from(acc),
    classBalance: Float64Array.from(pi),
    nIter,
    converged,
    predictProba(L: LfMatrixInput): number[][] {
      const fn = 'LabelModel.predictProba';
      const lm = toLfMatrix(L, fn, 'L', k);
      if (lm.cols !== m && lm.rows > 0) throw new QualityInputError(fn, 'L', `has ${lm.cols} columns, but the model was fitted on ${m} LFs`);
      return posteriorInner(lm, k, w, logPi, piIn);
    },
  });
}

/** Posterior rows for a validated label matrix. */
function posteriorInner(lm: LfMatrix, k: number, w: Float64Array, logPi: Float64Array, pi: Float64Array): number[][] {
  const { rows: n, cols: m, data } = lm;
  const s = new Float64Array(k);
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    for (let c = 0; c < k; c++) s[c] = logPi[c];
    let any = false;
    for (let j = 0; j < m; j++) {
      const v = data[o + j];
      if (v !== ABSTAIN) { s[v] += w[j]; any = true; }
    }
    const row: number[] = new Array(k);
    if (!any) {
      for (let c = 0; c < k; c++) row[c] = pi[c];
    } else {
      let mx = -Infinity;
      for (let c = 0; c < k; c++) if (s[c] > mx) mx = s[c];
      let z = 0;
      for (let c = 0; c < k; c++) { const e = Math.exp(s[c] - mx); s[c] = e; z += e; }
      for (let c = 0; c < k; c++) row[c] = s[c] / z;
    }
    out[i] = row;
  }
  return out;
}
