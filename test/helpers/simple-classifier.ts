/**
 * A small, dependency-free classifier for tests that need out-of-sample predicted probabilities:
 * multinomial logistic regression (softmax) on standardised features, trained by full-batch Adam with an L2
 * penalty, plus a seeded K-fold cross-validation that returns out-of-fold probabilities.
 * Deterministic: same data, options and seed → same probabilities.
 */
import { createRng } from '../../src/quality/rng';

export interface SoftmaxOptions {
  /** Full-batch Adam steps (default 150). */
  iterations?: number;
  /** Adam step size (default 0.05). */
  learningRate?: number;
  /** L2 penalty on the weights, not the biases (default 1e-3). */
  l2?: number;
}

/** A fitted model: standardisation and weights (d + 1 rows incl. bias, k columns). */
export interface SoftmaxModel {
  mean: Float64Array;
  scale: Float64Array;
  weights: Float64Array;
  d: number;
  k: number;
}

/** Fits softmax regression on rows `idx` of X (n×d row-major) with labels y in 0..k-1. */
export function fitSoftmax(x: Float64Array, d: number, y: ArrayLike<number>, k: number, idx: ArrayLike<number>, opts: SoftmaxOptions = {}): SoftmaxModel {
  const { iterations = 150, learningRate = 0.05, l2 = 1e-3 } = opts;
  const m = idx.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let r = 0; r < m; r++) for (let f = 0; f < d; f++) mean[f] += x[idx[r] * d + f];
  for (let f = 0; f < d; f++) mean[f] /= m;
  for (let r = 0; r < m; r++) for (let f = 0; f < d; f++) { const z = x[idx[r] * d + f] - mean[f]; scale[f] += z * z; }
  for (let f = 0; f < d; f++) { const sd = Math.sqrt(scale[f] / m); scale[f] = sd > 1e-12 ? 1 / sd : 0; }
  // standardised design with a bias column
  const dd = d + 1;
  const z = new Float64Array(m * dd);
  for (let r = 0; r < m; r++) {
    for (let f = 0; f < d; f++) z[r * dd + f] = (x[idx[r] * d + f] - mean[f]) * scale[f];
    z[r * dd + d] = 1;
  }
  const w = new Float64Array(dd * k);
  const g = new Float64Array(dd * k);
  const m1 = new Float64Array(dd * k);
  const m2 = new Float64Array(dd * k);
  const p = new Float64Array(k);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (let it = 1; it <= iterations; it++) {
    g.fill(0);
    for (let r = 0; r < m; r++) {
      const o = r * dd;
      let mx = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let f = 0; f < dd; f++) s += z[o + f] * w[f * k + c];
        p[c] = s;
        if (s > mx) mx = s;
      }
      let tot = 0;
      for (let c = 0; c < k; c++) { p[c] = Math.exp(p[c] - mx); tot += p[c]; }
      const yr = y[idx[r]];
      for (let c = 0; c < k; c++) {
        const err = p[c] / tot - (c === yr ? 1 : 0);
        for (let f = 0; f < dd; f++) g[f * k + c] += err * z[o + f];
      }
    }
    for (let t = 0; t < g.length; t++) {
      const isBias = Math.floor(t / k) === d;
      const grad = g[t] / m + (isBias ? 0 : l2 * w[t]);
      m1[t] = b1 * m1[t] + (1 - b1) * grad;
      m2[t] = b2 * m2[t] + (1 - b2) * grad * grad;
      const mh = m1[t] / (1 - b1 ** it);
      const vh = m2[t] / (1 - b2 ** it);
      w[t] -= (learningRate * mh) / (Math.sqrt(vh) + eps);
    }
  }
  return { mean, scale, weights: w, d, k };
}

/** Predicted probabilities of rows `idx` of X, written to out[idx[r] * k + c]. */
export function predictSoftmaxInto(model: SoftmaxModel, x: Float64Array, idx: ArrayLike<number>, out: Float64Array): void {
  const { mean, scale, weights: w, d, k } = model;
  const zrow = new Float64Array(d + 1);
  const p = new Float64Array(k);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    for (let f = 0; f < d; f++) zrow[f] = (x[i * d + f] - mean[f]) * scale[f];
    zrow[d] = 1;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let f = 0; f <= d; f++) s += zrow[f] * w[f * k + c];
      p[c] = s;
      if (s > mx) mx = s;
    }
    let tot = 0;
    for (let c = 0; c < k; c++) { p[c] = Math.exp(p[c] - mx); tot += p[c]; }
    for (let c = 0; c < k; c++) out[i * k + c] = p[c] / tot;
  }
}

/**
 * Out-of-fold predicted probabilities (n×k, row-major) by `folds`-fold cross-validation over a seeded
 * shuffle of the rows, fitting on the (noisy) labels y.
 */
export function crossValPredictProba(
  x: Float64Array, n: number, d: number, y: ArrayLike<number>, k: number, folds = 5, seed = 0, opts: SoftmaxOptions = {},
): Float64Array {
  const rng = createRng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  const out = new Float64Array(n * k);
  for (let f = 0; f < folds; f++) {
    const test = order.filter((_, r) => r % folds === f);
    const train = order.filter((_, r) => r % folds !== f);
    predictSoftmaxInto(fitSoftmax(x, d, y, k, train, opts), x, test, out);
  }
  return out;
}
