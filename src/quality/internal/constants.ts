/**
 * Numeric constants of confident learning and of the probability-matrix checks, each named once here
 * (the counterpart of cleanlab's `cleanlab/internal/constants.py`).
 */

/** Rows of a probability matrix must sum to 1 within this tolerance (float32 inputs carry ~1e-7 per entry). */
export const ROW_SUM_TOLERANCE = 1e-4;

/** cleanlab's fuzzy-equality margin: a probability within this of a class threshold counts as confident. */
export const FLOATING_POINT_COMPARISON = 1e-6;
/** Lower bound of confident thresholds (cleanlab: 2 × the comparison margin, so a threshold minus the margin stays > 0). */
export const CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 * FLOATING_POINT_COMPARISON;
/**
 * Lower bound of clipped ratios and weights (cleanlab's CLIPPING_LOWER_BOUND): self-confidence and entropy
 * ratios of the label quality scores, and CROWDLAB's error ratios and weights, stay positive.
 */
export const CLIPPING_LOWER_BOUND = 1e-6;
/** Threshold given to a class absent from the labels: above any probability, so nobody is counted into it. */
export const MISSING_CLASS_THRESHOLD = 2;
/** Denominators are clipped from below to this tiny value (cleanlab's TINY_VALUE) instead of dividing by zero. */
export const TINY_VALUE = 1e-100;
/** Off-diagonal noise rates are clipped into [0, this] (cleanlab: a noise rate is never 1). */
export const MAX_NOISE_RATE = 0.9999;
/** The latent prior py is clipped to at least this before renormalising (no class has probability 0). */
export const MIN_PY = 1e-5;

/** A probability above this cannot pass the row-sum check; used as a cheap range bound in the fast validation pass. */
export const PROB_UPPER_BOUND = 2;

/**
 * A probability above this is its row's unique maximum, since the row sums to at most 1 + ROW_SUM_TOLERANCE
 * (the 1e-12 covers rounding of the validated sum). Lets the hot loops skip the argmax for most rows.
 */
export const MAJORITY = 0.5 + ROW_SUM_TOLERANCE / 2 + 1e-12;
