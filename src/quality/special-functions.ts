/**
 * Special functions for the drift tests: log-gamma, the regularized incomplete gamma function (χ² survival
 * function), the one-sided Smirnov distribution and the two-sided Kolmogorov–Smirnov distribution of D_n for
 * finite n (`scipy.stats.kstwo`).
 *
 * Accuracy (checked against scipy 1.10 reference values in test/quality/drift.test.ts):
 * - {@link logGamma}: Lanczos (g = 7, 9 terms) with reflection, relative error ≲ 2e-15 for x > 0.
 * - {@link regularizedGammaP} / {@link regularizedGammaQ}: power series (x < a + 1) or modified-Lentz
 *   continued fraction (x ≥ a + 1), each converging to 1e-15 relative; the exp(a·ln x − x − lnΓ(a)) prefactor
 *   loses ≈ |a·ln x|·1e-16 relative, i.e. ≲ 1e-11 for a ≤ 10⁴. The tail that is computed directly (Q from the
 *   continued fraction) keeps full relative accuracy down to 1e-300.
 * - {@link smirnovSf}: the Birnbaum–Tingey sum of positive terms in log space with compensated summation of
 *   log C(n, j): relative error ≲ 1e-11 for n ≤ 10⁶ (scipy uses double-double arithmetic; the difference is far
 *   below the 1e-6 tolerance of our tests).
 * - {@link kolmogorovSmirnovSf}: the method selection of Simard & L'Ecuyer (2011) as used by
 *   `scipy.stats.kstwo.sf` (Ruben–Gambino closed forms, the Durbin matrix algorithm as in Marsaglia–Tsang–Wang,
 *   Pomeranz's recursion, the Pelz–Good asymptotic series, and 2·Smirnov for the upper tail). Because the same
 *   method is chosen for the same (n, x), results agree with scipy to ≈ 1e-12 relative; the Pelz–Good branch is
 *   itself an approximation with absolute error ≈ 1e-5 to 1e-8 depending on n (Simard & L'Ecuyer §3).
 *
 * The Pomeranz, Durbin-matrix and Pelz–Good routines follow the structure of SciPy's
 * `scipy/stats/_ksstats.py` (Copyright (c) 2001-2002 Enthought, Inc. 2003-2023, SciPy Developers;
 * BSD-3-Clause), re-written for typed arrays. Everything else is written from the cited papers.
 */

/** Largest finite magnitude we let intermediate Kolmogorov products reach before rescaling (2^128). */
const SCALE_UP = 2 ** 128;
/** Smallest magnitude before rescaling (2^-128). */
const SCALE_DOWN = 2 ** -128;
/** log of the smallest normal double (cephes MINLOG): exp of anything below it underflows. */
const MIN_LOG = -708.3964185322641;
/** Convergence tolerance of the incomplete-gamma series and continued fraction (a few ulps). */
const GAMMA_EPS = 1e-15;
/** Iteration cap of the incomplete-gamma expansions (convergence takes O(sqrt(a)) steps). */
const GAMMA_MAX_ITER = 100000;
/** Lentz's "tiny" to avoid division by zero in the continued fraction. */
const LENTZ_TINY = 1e-300;

const LANCZOS_G = 7;
const LANCZOS_COEF = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LOG_SQRT_2PI = 0.9189385332046727;

/**
 * Natural log of the gamma function, ln Γ(x), for x > 0 (Lanczos approximation, g = 7, n = 9; reflection for
 * x < 0.5). Relative error ≲ 2e-15. Cost O(1).
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Γ(x)Γ(1−x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS_COEF[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS_COEF.length; i++) a += LANCZOS_COEF[i] / (z + i);
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln of the common prefactor x^a e^{−x} / Γ(a) of the incomplete-gamma expansions. */
function gammaPrefactorLog(a: number, x: number): number {
  return a * Math.log(x) - x - logGamma(a);
}

/** Series for P(a, x) = γ(a, x)/Γ(a); converges fast for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < GAMMA_MAX_ITER; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * GAMMA_EPS) break;
  }
  return sum * Math.exp(gammaPrefactorLog(a, x));
}

/** Continued fraction for Q(a, x) = Γ(a, x)/Γ(a) (modified Lentz); converges fast for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / LENTZ_TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < LENTZ_TINY) d = LENTZ_TINY;
    c = b + an / c;
    if (Math.abs(c) < LENTZ_TINY) c = LENTZ_TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < GAMMA_EPS) break;
  }
  return Math.exp(gammaPrefactorLog(a, x)) * h;
}

/**
 * Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a) = (1/Γ(a)) ∫₀ˣ t^{a−1} e^{−t} dt, for a > 0, x ≥ 0.
 * Cost O(√a) iterations.
 */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/**
 * Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x) = Γ(a, x)/Γ(a), for a > 0, x ≥ 0. Computed directly
 * (not as 1 − P) in the upper tail, so tiny values keep their relative accuracy. Cost O(√a) iterations.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/**
 * Survival function of the χ² distribution with `dof` degrees of freedom: P(χ²_dof ≥ x) = Q(dof/2, x/2)
 * (`scipy.stats.chi2.sf`). Returns 1 for x ≤ 0. Cost O(√dof).
 */
export function chi2Sf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(dof / 2, x / 2);
}

/** Multiplies p by 2^e without overflowing in the power (Math.pow(2, e) alone overflows for |e| > 1023). */
function ldexp(p: number, e: number): number {
  while (e > 1000) { p *= 2 ** 1000; e -= 1000; }
  while (e < -1000) { p *= 2 ** -1000; e += 1000; }
  return p * 2 ** e;
}

/** Clips a probability to [0, 1]. */
function clipProb(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** n above which the Smirnov sum is replaced by the asymptotic e^{−(6nx+1)²/(18n)} (as cephes). */
const SMIRNOV_MAX_COMPUTE_N = 1000000;

/**
 * One-sided Smirnov survival function P(D⁺_n ≥ x), with D⁺_n = sup_t (F_n(t) − F(t)) for a sample of size n
 * (`scipy.special.smirnov(n, x)`).
 *
 * Birnbaum & Tingey (1951): P(D⁺_n ≥ x) = x · Σ_{j=0}^{⌈n(1−x)⌉−1} C(n, j) (x + j/n)^{j−1} (1 − x − j/n)^{n−j}.
 * All terms are positive (no cancellation); each is evaluated in log space. Special cases as cephes:
 * x ≤ 1/n: 1 − x(1+x)^{n−1}; x ≥ 1 − 1/n: (1 − x)^n; n > 10⁶: e^{−(6nx+1)²/(18n)} (Miller).
 * Cost O(n) worst case, usually far fewer terms (stops when the remaining terms are below 1 ulp of the sum).
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n) || !(x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  const nxfl = Math.floor(nx);
  const alpha = nx - nxfl;
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    return clipProb(1 - x * Math.pow(1 + x, n - 1));
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxfl >= n - 1) return clipProb(Math.pow(1 - x, n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    // As cephes: exp directly for small p, otherwise sf = 1 − cdf with cdf = −expm1(logp).
    return clipProb(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  // Terms j = 0 .. lastJ, the j with 1 − x − j/n > 0.
  const lastJ = n - nxfl - 1;
  // Compensated running sum of log C(n, j) (Neumaier) keeps its error at a few ulps of log n per step.
  let logC = 0;
  let logCc = 0;
  let sum = 0;
  let sumC = 0;
  const vmid = n / 2;
  for (let j = 0; j <= lastJ; j++) {
    if (j > 0) {
      const inc = Math.log((n - j + 1) / j);
      const t = logC + inc;
      logCc += Math.abs(logC) >= Math.abs(inc) ? (logC - t) + inc : (inc - t) + logC;
      logC = t;
    }
    const t1 = j / n + x; // x + j/n
    const t2 = (n - j) / n - x; // 1 − x − j/n
    const logA = logC + logCc + (j - 1) * Math.log(t1) + (n - j) * Math.log(t2);
    const a = Math.exp(logA);
    const s = sum + a;
    sumC += Math.abs(sum) >= a ? (sum - s) + a : (a - s) + sum;
    sum = s;
    if (a > 0) {
      if (4 * (lastJ + 1 - j) * a < Number.EPSILON * sum && j !== lastJ) break;
    } else if (j > vmid) {
      break;
    }
  }
  return clipProb(x * (sum + sumC));
}

/** ln(n!/nⁿ) by Stirling's series (as scipy: removes n·ln n up front to avoid cancellation). */
const STIRLING_COEFFS = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const y = rn / n;
  let poly = 0;
  for (let i = 0; i < STIRLING_COEFFS.length; i++) poly = poly * y + STIRLING_COEFFS[i];
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** Square matrix product C = A·B for m×m row-major Float64Arrays (C must not alias A or B). */
function matMul(a: Float64Array, b: Float64Array, c: Float64Array, m: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const io = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[io + k];
      if (aik === 0) continue;
      const ko = k * m;
      for (let j = 0; j < m; j++) c[io + j] += aik * b[ko + j];
    }
  }
}

/**
 * P(D_n ≤ d) by Durbin's matrix formula in the form of Marsaglia, Tsang & Wang (2003): write nd = k − h with
 * k = ⌈nd⌉, 0 ≤ h < 1; build the (2k−1)×(2k−1) matrix H; P = n!/nⁿ · (Hⁿ)_{kk}, with exponents tracked
 * separately to avoid overflow. Cost O(k³ log n).
 */
function kolmogornDurbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac; // 1/(j−1)!
    fac /= j;
    v[j - 1] = (1 - Math.pow(h, j)) * fac; // (1 − h^j)/j!
  }
  const tt = Math.pow(Math.max(2 * h - 1, 0), m) - 2 * Math.pow(h, m);
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) {
    for (let r = 0; r <= m - i; r++) H[(i - 1 + r) * m + i] = w[r];
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  let P = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let tmp = new Float64Array(m * m);
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  const kk = (k - 1) * m + (k - 1);
  while (nn > 0) {
    if (nn % 2 === 1) {
      matMul(P, H, tmp, m);
      [P, tmp] = [tmp, P];
      expnt += hExpnt;
    }
    matMul(H, H, tmp, m);
    [H, tmp] = [tmp, H];
    hExpnt *= 2;
    if (Math.abs(H[kk]) > SCALE_UP) {
      for (let t = 0; t < H.length; t++) H[t] /= SCALE_UP;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = P[kk];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clipProb(p);
}

/** Row interval [j1, j2] of Pomeranz's recursion (0-based, clipped to [0, n]). */
function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/**
 * P(D_n ≤ x) by Pomeranz's (1974) recursion: 2n+1 convolutions of a sparse row with truncated Poisson-like
 * weights (g/n)^m/m!, (2g/n)^m/m!, ((1−2g)/n)^m/m! where g = min(frac(nx), 1 − frac(nx)); P = n!·V[2n+1, n].
 * Cost O(n · (nx)²).
 */
function kolmogornPomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  const gn = g / n;
  const g2n = (2 * g) / n;
  const g12n = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gn) / m;
    twogpower[m] = (twogpower[m - 1] * g2n) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * g12n) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let expnt = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gpower : i % 2 === 1 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = full convolution of a = V0[k1−V0s : k1−V0s+ln2] with b = pw[0 : ln2] (truncated to the arrays).
      const aStart = k1 - V0s;
      const lenA = Math.max(0, Math.min(ln2, npwrs - aStart));
      const lenB = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let maxV = 0;
      for (let idx = 0; idx < convLen; idx++) {
        const kc = convStart + idx;
        let s = 0;
        const lo = Math.max(0, kc - lenB + 1);
        const hi = Math.min(kc, lenA - 1);
        for (let q = lo; q <= hi; q++) s += V0[aStart + q] * pw[kc - q];
        V1[idx] = s;
        if (s > maxV) maxV = s;
      }
      if (maxV > 0 && maxV < SCALE_DOWN) {
        for (let q = 0; q < npwrs; q++) V1[q] *= SCALE_UP;
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > SCALE_UP) {
      ans *= SCALE_DOWN;
      expnt += 128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clipProb(ans);
}

const PI2 = Math.PI * Math.PI;
const PI4 = PI2 * PI2;
const PI6 = PI4 * PI2;
const SQRT2PI = Math.sqrt(2 * Math.PI);
/** exp() of anything below this underflows; Pelz–Good returns 0 there (z ≲ 0.0417). */
const PELZ_GOOD_MIN_LOG = -708;

/**
 * Pelz & Good (1976) approximation of P(D_n ≤ x): the Li-Chien/Korolyuk expansion
 * K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^{3/2}, z = x√n, with each K_i transformed by the Jacobi theta
 * functional equation into a rapidly converging series for small z. Cost O(z).
 */
function kolmogornPelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < PELZ_GOOD_MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z2 * z6;
  let K0 = 0;
  let K1 = 0;
  let K2 = 0;
  let K3 = 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = Math.pow(q, 8 * k);
    K0 = K0 * qp + 1;
    K1 = K1 * qp + (k1a + k1b * m2);
    K2 = K2 * qp + (k2a + k2b * m2 + k2c * m4);
    K3 = K3 * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  K0 *= q * SQRT2PI;
  K1 *= q * SQRT2PI;
  K2 *= q * SQRT2PI;
  K3 *= q * SQRT2PI;
  K0 /= z;
  K1 /= 6 * z4;
  K2 /= 72 * z6 * z;
  K3 /= 6480 * z6 * z4;
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k >= 1; k--) {
    const k2 = k * k;
    const qk = Math.pow(q, k2);
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K2 += (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  K3 += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  return K0 + K1 / Math.sqrt(n) + K2 / n + K3 / (n * Math.sqrt(n));
}

/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic for finite n:
 * P(D_n ≥ x), D_n = sup_t |F_n(t) − F(t)| (`scipy.stats.kstwo.sf(x, n)`).
 *
 * Method selection of Simard & L'Ecuyer (2011), "Computing the two-sided Kolmogorov–Smirnov distribution",
 * J. Stat. Softw. 39(11), as in scipy: nx ≤ 1 or nx ≥ n−1: Ruben–Gambino closed forms; x ≥ 1/2: 2·Smirnov
 * (exact); n ≤ 140: Durbin matrix (nx² ≤ 0.754693), Pomeranz (nx² ≤ 4), else 2·Smirnov; n > 140:
 * 0 for nx² ≥ 370, 2·Smirnov for nx² ≥ 2.2, otherwise 1 − CDF by Durbin (n ≤ 10⁵ and n·x^{3/2} ≤ 1.4) or
 * Pelz–Good. Cost: at most O(n) (Smirnov sum) or O(k³ log n) with k = ⌈nx⌉ (Durbin, only for small k).
 */
export function kolmogorovSmirnovSf(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n) || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clipProb(1 - prob);
  }
  if (t >= n - 1) return clipProb(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clipProb(2 * smirnovSf(n, x));
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clipProb(1 - kolmogornDurbinCdf(n, x));
    if (nxsquared <= 4) return clipProb(1 - kolmogornPomeranzCdf(n, x));
    return clipProb(2 * smirnovSf(n, x));
  }
  if (nxsquared >= 370) return 0;
  if (nxsquared >= 2.2) return clipProb(2 * smirnovSf(n, x));
  let cdf: number;
  if (nxsquared >= 18) cdf = 1;
  else if (n <= 100000 && n * Math.pow(x, 1.5) <= 1.4) cdf = kolmogornDurbinCdf(n, x);
  else cdf = kolmogornPelzGoodCdf(n, x);
  return clipProb(1 - clipProb(cdf));
}
