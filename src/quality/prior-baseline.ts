/**
 * The baseline every classifier must beat: predicting the label frequencies for every item. Its log loss is the
 * entropy of the label prior, H = −Σ_k p_k ln p_k (p_k = share of the labels in class k); a model whose
 * cross-validated log loss is above H does worse than knowing nothing about the items.
 */

/** Log probabilities are clipped here (scikit-learn's log_loss bound). */
const LOG_EPS = 1e-15;

/**
 * Entropy of the label frequencies, −Σ_k p_k ln p_k in nats, from per-class counts (classes with 0 count add
 * nothing). 0 for a single class or no labels. O(k).
 */
export function labelPriorEntropy(counts: ArrayLike<number>): number {
  let n = 0;
  for (let c = 0; c < counts.length; c++) n += counts[c];
  if (n <= 0) return 0;
  let h = 0;
  for (let c = 0; c < counts.length; c++) if (counts[c] > 0) h -= (counts[c] / n) * Math.log(counts[c] / n);
  return h;
}

/**
 * Mean −ln p_i(y_i) over rows of an n × k row-major probability matrix (clipped at 1e-15), and the per-class
 * label counts, for comparison with {@link labelPriorEntropy}. O(n).
 */
export function meanLogLoss(labels: ArrayLike<number>, probs: ArrayLike<number>, k: number): { logLoss: number; counts: number[] } {
  const counts = new Array<number>(k).fill(0);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    counts[labels[i]]++;
    s -= Math.log(Math.min(Math.max(probs[i * k + labels[i]], LOG_EPS), 1));
  }
  return { logLoss: labels.length ? s / labels.length : NaN, counts };
}

/**
 * The warning for a model whose log loss exceeds the prior's entropy (null otherwise), quoting both numbers.
 * `what` says which log loss it is ("cross-validated log loss", "log loss on the 40 labeled items it predicted").
 */
export function worseThanPriorWarning(logLoss: number, priorEntropy: number, what = 'cross-validated log loss'): string | null {
  if (!Number.isFinite(logLoss) || logLoss <= priorEntropy) return null;
  return `${what} ${logLoss.toFixed(4)} is worse than the label prior's entropy ${priorEntropy.toFixed(4)} (predicting the label frequencies for every item)`;
}
