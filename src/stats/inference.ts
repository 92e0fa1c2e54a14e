/**
 * Inferential statistics for comparing a candidate run against a baseline: the Mann-Whitney U test and a
 * seeded percentile-bootstrap confidence interval for the ratio of medians. Pure functions; inputs are
 * never mutated, and the same inputs (and seed) always give the same output.
 */

import { mulberry32, randomInt } from "../util/prng.js";
import { isAscending, median, medianInPlace, percentile } from "./descriptive.js";

/** Alternative hypothesis of the Mann-Whitney U test, about the sample `x` relative to `y`. */
export type Alternative = "less" | "greater" | "two-sided";

/** Result of {@link mannWhitneyU}. */
export type MannWhitneyResult = {
  /** U statistic of x: the number of pairs (x_i, y_j) with x_i > y_j, plus 0.5 per tied pair. */
  u: number;
  /**
   * Continuity-corrected, tie-corrected standard score of `u` under H0, oriented like `u` (positive when
   * x tends to be larger); the asymptotic p-value is Phi(z) for "less", Phi(-z) for "greater" and
   * 2 * Phi(-|z|) for "two-sided". Reported on the exact path too, for information.
   */
  z: number;
  /** p-value in [0, 1]. */
  p_value: number;
  /** True if `p_value` comes from the exact permutation distribution, false for the normal approximation. */
  exact: boolean;
};

/** Options of {@link bootstrapRatioCi}. */
export type BootstrapOptions = {
  /** Seed of the mulberry32 generator (an integer; default 1). */
  seed?: number;
  /** Number of bootstrap resamples (a positive integer; default 2000). */
  iterations?: number;
  /** Two-sided confidence level, a fraction in (0, 1) (default 0.95). */
  confidence?: number;
};

/** Result of {@link bootstrapRatioCi}. */
export type BootstrapRatioCi = {
  /** median(candidate) / median(baseline) (dimensionless). */
  ratio: number;
  /** Lower bound of the percentile-bootstrap interval for the ratio. */
  low: number;
  /** Upper bound of the percentile-bootstrap interval for the ratio. */
  high: number;
  /** Number of resamples used. */
  iterations: number;
  /** Confidence level used, a fraction in (0, 1). */
  confidence: number;
  /** Seed used. */
  seed: number;
};

/** Largest size of each sample for which the exact distribution of U is used (when there are no ties). */
const EXACT_MAX_N = 20;

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * Complementary error function, accurate to a few 1e-15 relative for x >= 0 (and to about 1e-16 absolute
 * for x < 0). For 0 <= x < 1.5 it is 1 - erf(x) with erf from the all-positive series
 * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1*3*...*(2n+1)); for x >= 1.5 it is the Laplace
 * continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated
 * bottom-up from a fixed depth of 150, which has converged to double precision for x >= 1.5.
 */
function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x2) * sum;
  }
  if (x > 27) return 0; // exp(-x^2) underflows
  let f = x;
  for (let k = 150; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/**
 * Standard normal cumulative distribution function Phi(z) = P(Z <= z) = erfc(-z / sqrt(2)) / 2.
 * Accurate to better than 1e-15 absolute, and to about 1e-14 relative in the lower tail.
 * @param z a standard score (dimensionless); NaN gives NaN, -Infinity gives 0, Infinity gives 1.
 * @returns the probability, in [0, 1].
 */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function checkSample(xs: ArrayLike<number>, what: string, name: string): void {
  if (xs.length === 0) throw new RangeError(`${what}: ${name} is empty`);
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) throw new RangeError(`${what}: ${name}[${i}] is NaN`);
  }
}

/**
 * Number of arrangements of the pooled sample (m values of x, n of y, all distinct) giving each U in
 * 0..m*n, where U counts the pairs with x > y. Recurrence on the largest value: if it belongs to x it
 * beats all n values of y, so c(m, n, k) = c(m-1, n, k-n) + c(m, n-1, k). All counts are integers below
 * C(40, 20) < 2^53 for m, n <= 20, so they are exact in doubles.
 */
function uCounts(m: number, n: number): Float64Array {
  // prev[j] holds c(i-1, j, .) and cur[j] holds c(i, j, .), each of length (i-1)*j+1 or i*j+1.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j++) {
      const row = new Float64Array(i * j + 1);
      const fromX = prev[j] as Float64Array; // largest is an x: k - j
      const fromY = cur[j - 1] as Float64Array; // largest is a y: k
      for (let k = 0; k < fromY.length; k++) row[k] = fromY[k] as number;
      for (let k = 0; k < fromX.length; k++) row[k + j] = (row[k + j] as number) + (fromX[k] as number);
      cur.push(row);
    }
    prev = cur;
  }
  return prev[n] as Float64Array;
}

/** P(U >= u) under H0 from the exact counts. */
function exactSf(counts: Float64Array, u: number): number {
  let total = 0;
  let tail = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k] as number;
    total += c;
    if (k >= u) tail += c;
  }
  return tail / total;
}

function clamp01(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/**
 * Mann-Whitney U (Wilcoxon rank-sum) test of x against y, matching scipy.stats.mannwhitneyu with
 * `use_continuity=True`: "less" tests H1 "x tends to be smaller than y", "greater" the opposite, and
 * "two-sided" either.
 *
 * The exact permutation distribution of U is used when both samples have at most 20 values and the pooled
 * sample has no ties (scipy's "exact" method: P(U' >= U) for the statistic of the tested direction, doubled
 * for "two-sided"). Otherwise the normal approximation (scipy's "asymptotic" method): mu = n1*n2/2,
 * sigma = sqrt(n1*n2/12 * ((n+1) - sum(t^3 - t)/(n(n-1)))) over the tie groups t, and a 0.5 continuity
 * correction towards mu. If every value is tied, sigma is 0 and the test returns z = 0, p = 1.
 *
 * @param x first sample (any unit, the same as `y`); not mutated.
 * @param y second sample; not mutated.
 * @param alternative the alternative hypothesis, about x relative to y.
 * @returns U of x, z, the p-value clamped to [0, 1], and whether it is exact.
 * @throws RangeError if either sample is empty or contains NaN, or if `alternative` is unknown.
 */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alternative: Alternative,
): MannWhitneyResult {
  checkSample(x, "mannWhitneyU", "x");
  checkSample(y, "mannWhitneyU", "y");
  if (alternative !== "less" && alternative !== "greater" && alternative !== "two-sided") {
    throw new RangeError(`mannWhitneyU: unknown alternative ${JSON.stringify(alternative)}`);
  }
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;

  // Each sample sorted once (a native Float64Array sort), then merged: each tie group of the pooled sample
  // (t values, tx of them from x) at ranks start+1..end adds tx * midrank to the rank sum of x and t^3 - t
  // to the tie term. O(n log n) in time, two typed copies in memory. Midranks are half-integers and every
  // partial sum is below 2^53 for n < 10^7, so the sums are exact whatever the order of summation.
  const xs = Float64Array.from(x);
  const ys = Float64Array.from(y);
  if (!isAscending(xs)) xs.sort();
  if (!isAscending(ys)) ys.sort();
  let rankSumX = 0;
  let tieTerm = 0;
  let hasTies = false;
  let largestGroup = 0;
  let i = 0;
  let j = 0;
  for (let start = 0; start < n; ) {
    const xi = i < n1 ? (xs[i] as number) : Number.POSITIVE_INFINITY;
    const yj = j < n2 ? (ys[j] as number) : Number.POSITIVE_INFINITY;
    const v = i < n1 && (j >= n2 || xi <= yj) ? xi : yj;
    let tx = 0;
    while (i < n1 && xs[i] === v) {
      i++;
      tx++;
    }
    let ty = 0;
    while (j < n2 && ys[j] === v) {
      j++;
      ty++;
    }
    const t = tx + ty;
    const end = start + t;
    rankSumX += tx * ((start + 1 + end) / 2);
    if (t > 1) {
      hasTies = true;
      tieTerm += t * t * t - t;
    }
    largestGroup = Math.max(largestGroup, t);
    start = end;
  }
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;

  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  let z = 0;
  if (largestGroup < n) {
    const sigma = Math.sqrt(variance);
    const d = u1 - mu;
    if (alternative === "less") z = (d + 0.5) / sigma;
    else if (alternative === "greater") z = (d - 0.5) / sigma;
    else z = (Math.sign(d) * Math.max(0, Math.abs(d) - 0.5)) / sigma;
  }

  if (!hasTies && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) {
    const counts = uCounts(n1, n2);
    let p: number;
    if (alternative === "greater") p = exactSf(counts, u1);
    else if (alternative === "less") p = exactSf(counts, u2);
    else p = 2 * exactSf(counts, Math.max(u1, u2));
    return { u: u1, z, p_value: clamp01(p), exact: true };
  }

  let p: number;
  if (largestGroup === n) p = 1;
  else if (alternative === "less") p = normalCdf(z);
  else if (alternative === "greater") p = normalCdf(-z);
  else p = 2 * normalCdf(-Math.abs(z));
  return { u: u1, z, p_value: clamp01(p), exact: false };
}

function checkPositiveSample(xs: ArrayLike<number>, name: string, positive: boolean): void {
  if (xs.length === 0) throw new RangeError(`bootstrapRatioCi: ${name} is empty`);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i] as number;
    if (!Number.isFinite(v)) throw new RangeError(`bootstrapRatioCi: ${name}[${i}] is not finite (${v})`);
    if (positive && !(v > 0)) {
      throw new RangeError(`bootstrapRatioCi: ${name}[${i}] must be > 0 (it is divided by), got ${v}`);
    }
  }
}

/**
 * Largest sample size resampled value by value (O(n) per resample). Above it the resample's median is drawn
 * from its order-statistic distribution in O(1) (see {@link OrderStatisticMedian}): the same bootstrap
 * distribution, other random numbers. Below it the draws replay exactly what earlier versions computed.
 */
export const DIRECT_RESAMPLE_MAX_N = 1000;

/** Median of `src` resampled with replacement into `buf` (same length), drawing n indices from `rng`. */
function resampledMedian(src: ArrayLike<number>, buf: Float64Array, rng: () => number): number {
  const n = src.length;
  for (let i = 0; i < n; i++) buf[i] = src[randomInt(rng, n)] as number;
  return medianInPlace(buf);
}

/** A standard normal deviate (Box-Muller, one of the pair). */
function normalDeviate(rng: () => number): number {
  const u = 1 - rng(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A Gamma(shape, 1) deviate for shape >= 1: Marsaglia and Tsang (2000), "A simple method for generating
 * gamma variables", ACM TOMS 26(3), with the squeeze-free acceptance test.
 */
function gammaDeviate(shape: number, rng: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normalDeviate(rng);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) deviate for a, b >= 1: G(a) / (G(a) + G(b)). */
function betaDeviate(a: number, b: number, rng: () => number): number {
  const ga = gammaDeviate(a, rng);
  return ga / (ga + gammaDeviate(b, rng));
}

/**
 * The median of a bootstrap resample of a large sample, drawn in O(1) from its exact distribution. A
 * resample is n indices floor(n U_k) of i.i.d. uniforms U_k into the sorted sample, and the map from U to
 * the value is non-decreasing, so the resample's m-th smallest value is sorted[floor(n U_(m))], where the
 * m-th order statistic of n uniforms is Beta(m, n - m + 1) (David and Nagaraja, "Order Statistics", 3rd ed.,
 * section 2.2). For an even n the next one, U_(m+1), is U_(m) plus (1 - U_(m)) times the smallest of n - m
 * uniforms, 1 - V^(1/(n-m)). This is the bootstrap distribution of the median that Maritz and Jarrett (1978)
 * wrote down exactly; here it is sampled, one Beta deviate (two Gamma) per resample instead of n draws.
 */
class OrderStatisticMedian {
  private readonly sorted: Float64Array;
  constructor(src: ArrayLike<number>) {
    const copy = Float64Array.from(src);
    this.sorted = isAscending(copy) ? copy : copy.sort();
  }
  draw(rng: () => number): number {
    const s = this.sorted;
    const n = s.length;
    const at = (u: number) => s[Math.min(n - 1, Math.floor(n * u))] as number;
    if (n % 2 === 1) {
      const m = (n + 1) / 2;
      return at(betaDeviate(m, n - m + 1, rng));
    }
    const m = n / 2;
    const u1 = betaDeviate(m, n - m + 1, rng);
    const u2 = u1 + (1 - u1) * (1 - (1 - rng()) ** (1 / (n - m)));
    return (at(u1) + at(u2)) / 2;
  }
}

/** How {@link bootstrapMedianSampler} draws a resample's median. */
export type ResampleMethod = "direct" | "order-statistic";

/**
 * A sampler of the median of one bootstrap resample (with replacement, same size) of `src`: "direct" draws
 * n indices and takes the median of the values (O(n) per draw); "order-statistic" draws the median from its
 * exact distribution (O(1) per draw after one sort; see OrderStatisticMedian in this file). Both have the same
 * distribution; they consume the generator differently.
 * @param src the sample (any unit); not mutated; non-empty, finite.
 * @param method defaults to "direct" up to {@link DIRECT_RESAMPLE_MAX_N} values, "order-statistic" above.
 * @returns a function drawing one resampled median (unit of `src`) from the generator it is given.
 */
export function bootstrapMedianSampler(
  src: ArrayLike<number>,
  method: ResampleMethod = src.length > DIRECT_RESAMPLE_MAX_N ? "order-statistic" : "direct",
): (rng: () => number) => number {
  if (method === "order-statistic") {
    const os = new OrderStatisticMedian(src);
    return (rng) => os.draw(rng);
  }
  const buf = new Float64Array(src.length);
  return (rng) => resampledMedian(src, buf, rng);
}

/**
 * Percentile-bootstrap confidence interval for the ratio of medians median(candidate) / median(baseline)
 * (for latencies, a ratio above 1 is a slowdown). Each iteration resamples the baseline and then the
 * candidate, each with replacement and at its own size, from one mulberry32(seed) stream; the bounds are
 * the (1-confidence)/2 and (1+confidence)/2 quantiles (numpy "linear" method) of the resampled ratios.
 * The same inputs and seed always give the same output.
 *
 * Cost: a sample of at most {@link DIRECT_RESAMPLE_MAX_N} values is resampled value by value (n draws and a
 * quickselect per iteration, O(n)); a larger one has its resampled median drawn from the exact order-statistic
 * distribution (one sort, then O(1) per iteration), so 10^6 values per side take well under a second.
 *
 * @param baseline baseline sample (any unit, the same as `candidate`); every value finite and > 0.
 * @param candidate candidate sample; every value finite.
 * @param opts `seed` (integer, default 1), `iterations` (positive integer, default 2000) and
 *   `confidence` (fraction in (0, 1), default 0.95).
 * @returns the point ratio (dimensionless), the interval [low, high], and the settings used.
 * @throws RangeError if a sample is empty or has a non-finite value, if a baseline value is <= 0, or if
 *   an option is out of range.
 */
export function bootstrapRatioCi(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  opts: BootstrapOptions = {},
): BootstrapRatioCi {
  const seed = opts.seed ?? 1;
  const iterations = opts.iterations ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  checkPositiveSample(baseline, "baseline", true);
  checkPositiveSample(candidate, "candidate", false);
  if (!Number.isSafeInteger(seed))
    throw new RangeError(`bootstrapRatioCi: seed must be an integer, got ${seed}`);
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`bootstrapRatioCi: iterations must be a positive integer, got ${iterations}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`bootstrapRatioCi: confidence must be in (0, 1), got ${confidence}`);
  }

  const ratio = median(candidate) / median(baseline);
  const rng = mulberry32(seed);
  const baselineMedian = bootstrapMedianSampler(baseline);
  const candidateMedian = bootstrapMedianSampler(candidate);
  const ratios: number[] = new Array(iterations);
  for (let it = 0; it < iterations; it++) {
    const b = baselineMedian(rng);
    const c = candidateMedian(rng);
    ratios[it] = c / b;
  }
  const tail = (100 * (1 - confidence)) / 2;
  return {
    ratio,
    low: percentile(ratios, tail),
    high: percentile(ratios, 100 - tail),
    iterations,
    confidence,
    seed,
  };
}
