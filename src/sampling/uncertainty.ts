/**
 * Uncertainty sampling scores from one model's predicted probabilities (Lewis & Gale 1994; Settles 2009,
 * "Active Learning Literature Survey", §3.1). Each function returns one score per row; the TSDoc says which
 * direction means "more worth labeling".
 */
import { Matrix, MatrixInput, QualityInputError, toProbMatrix } from '../quality/matrix';

/**
 * Least-confidence score of each row: `1 − max_k p[i, k]`.
 *
 * Shapes: predProbs N × K (rows sum to 1) → Float64Array N in [0, 1 − 1/K].
 * Read: higher = the model is less sure of its top class = more worth labeling.
 * Reference: Culotta & McCallum (2005), "Reducing labeling effort for structured prediction tasks"; modAL
 * `classifier_uncertainty`. Cost: O(N·K).
 */
export function leastConfidence(predProbs: MatrixInput): Float64Array {
  const p = toProbMatrix(predProbs, 'leastConfidence');
  return leastConfidenceInner(p);
}

/**
 * Margin of each row: `p(1) − p(2)`, the gap between the two most probable classes (1 when K = 1).
 *
 * Shapes: predProbs N × K → Float64Array N in [0, 1].
 * Read: lower = the model hesitates between two classes = more worth labeling (margin sampling picks the
 * smallest margins). Reference: Scheffer, Decomain & Wrobel (2001), "Active hidden Markov models for information
 * extraction"; modAL `classifier_margin`. Cost: O(N·K).
 */
export function margin(predProbs: MatrixInput): Float64Array {
  const p = toProbMatrix(predProbs, 'margin');
  return marginInner(p);
}

/**
 * Shannon entropy of each row's predicted distribution: `H_i = −Σ_k p[i, k] · log p[i, k]` (0·log 0 = 0),
 * in nats, or in the given `base` (scipy.stats.entropy's `base`; `base = K` gives a value in [0, 1]).
 *
 * Shapes: predProbs N × K → Float64Array N in [0, log K].
 * Read: higher = the probability mass is spread over more classes = more worth labeling.
 * Reference: Shannon (1948); Settles & Craven (2008) for its use in active learning; modAL `classifier_entropy`.
 * Cost: O(N·K).
 */
export function entropy(predProbs: MatrixInput, options: { base?: number } = {}): Float64Array {
  const p = toProbMatrix(predProbs, 'entropy');
  const { base } = options;
  if (base !== undefined && (typeof base !== 'number' || !(base > 0) || base === 1 || !Number.isFinite(base))) {
    throw new QualityInputError('entropy', 'options.base', `must be a positive number other than 1 (got ${String(base)})`);
  }
  return entropyInner(p, base === undefined ? 1 : 1 / Math.log(base));
}

/** 1 − max p per row. Assumes a valid probability matrix. */
export function leastConfidenceInner(p: Matrix): Float64Array {
  const { rows, cols, data } = p;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let best = -Infinity;
    for (let j = 0; j < cols; j++) if (data[o + j] > best) best = data[o + j];
    out[i] = 1 - best;
  }
  return out;
}

/** p(1) − p(2) per row (1 when K = 1). Assumes a valid probability matrix. */
export function marginInner(p: Matrix): Float64Array {
  const { rows, cols, data } = p;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let b1 = -Infinity;
    let b2 = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      if (v > b1) { b2 = b1; b1 = v; } else if (v > b2) b2 = v;
    }
    out[i] = cols > 1 ? b1 - b2 : 1;
  }
  return out;
}

/** −Σ p ln p · scale per row. Assumes a valid probability matrix. */
export function entropyInner(p: Matrix, scale: number): Float64Array {
  const { rows, cols, data } = p;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let h = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      if (v > 0) h -= v * Math.log(v);
    }
    out[i] = h * scale;
  }
  return out;
}

/**
 * The two most probable classes of row i: `[top class, second class]` (ties: the lower class index first;
 * second = -1 when K = 1). Used for readable reasons.
 */
export function topTwoClasses(p: Matrix, i: number): [number, number] {
  const { cols, data } = p;
  const o = i * cols;
  let c1 = -1;
  let c2 = -1;
  for (let j = 0; j < cols; j++) {
    const v = data[o + j];
    if (c1 < 0 || v > data[o + c1]) { c2 = c1; c1 = j; } else if (c2 < 0 || v > data[o + c2]) c2 = j;
  }
  return [c1, c2];
}
