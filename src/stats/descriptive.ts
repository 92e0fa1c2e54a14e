/**
 * Descriptive statistics for timing samples (latencies in ms, throughputs in tokens/s, ...).
 *
 * Every function is pure: inputs are never mutated, and the result is in the same unit as the input values
 * unless stated otherwise. A statistic that is undefined for an empty sample throws a `RangeError`; so does
 * a `NaN` in the input, since it has no place in an ordering.
 */

/** The 1.4826 factor that makes the MAD a consistent estimator of the standard deviation for normal data. */
const MAD_TO_SIGMA = 1.4826;

/** Summary of one sample; snake_case keys because it is written as is into JSON results. */
export type Summary = {
  /** Number of values. */
  n: number;
  /** Smallest value (input unit). */
  min: number;
  /** Largest value (input unit). */
  max: number;
  /** Arithmetic mean (input unit). */
  mean: number;
  /** Median (input unit). */
  median: number;
  /** Raw median absolute deviation, without the 1.4826 factor (input unit). */
  mad: number;
  /** 1.4826 * mad / |median| (dimensionless); `Infinity` (serialised as `null` by JSON) if median is 0 < mad. */
  robust_cv: number;
  /** Sample standard deviation with n-1 in the denominator, 0 for n = 1 (input unit). */
  stddev: number;
  /** 10th percentile, numpy "linear" method (input unit). */
  p10: number;
  /** 90th percentile, numpy "linear" method (input unit). */
  p90: number;
  /** 99th percentile, numpy "linear" method (input unit). */
  p99: number;
};

function checkSample(xs: ArrayLike<number>, what: string): void {
  if (xs.length === 0) throw new RangeError(`${what} is undefined for an empty sample`);
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) throw new RangeError(`${what}: value at index ${i} is NaN`);
  }
}

/** An ascending copy; the input is left as it is. */
function sortedCopy(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

/**
 * The k-th smallest (0-based) of `a[lo..hi]`, moving it to a[k] and everything smaller before it
 * (Hoare's quickselect with a median-of-three pivot; expected O(n)).
 */
function selectKth(a: Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as the pivot
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/**
 * Median of a scratch array, which it reorders: quickselect of the middle value(s), O(n) expected, instead
 * of a full sort. The same value as the median of the sorted array.
 * @param buf a non-empty array without NaN (any unit); reordered.
 */
export function medianInPlace(buf: Float64Array): number {
  const n = buf.length;
  const mid = n >> 1;
  const upper = selectKth(buf, mid);
  if (n % 2 === 1) return upper;
  // the largest of the lower half, which quickselect left before index mid
  let lower = buf[0] as number;
  for (let i = 1; i < mid; i++) if ((buf[i] as number) > lower) lower = buf[i] as number;
  return (lower + upper) / 2;
}

function medianOfSorted(s: ArrayLike<number>): number {
  const n = s.length;
  const mid = n >> 1;
  const upper = s[mid] as number;
  if (n % 2 === 1) return upper;
  const lower = s[mid - 1] as number;
  return (lower + upper) / 2;
}

/** numpy's default "linear" percentile on an ascending array; p in [0, 100]. */
function percentileOfSorted(s: Float64Array, p: number): number {
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  const a = s[lo] as number;
  const b = s[hi] as number;
  const t = h - lo;
  if (t === 0 || a === b) return a;
  // Same two-sided lerp as numpy, so that the result is exact at both ends of the interval.
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

function meanOf(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

function stddevOf(xs: readonly number[], m: number): number {
  if (xs.length < 2) return 0;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

function madOf(xs: ArrayLike<number>, med: number): number {
  const dev = new Float64Array(xs.length);
  for (let i = 0; i < dev.length; i++) dev[i] = Math.abs((xs[i] as number) - med);
  return medianInPlace(dev);
}

/** True when `xs` is in ascending order (one pass; lets an already sorted sample skip a sort or selection). */
export function isAscending(xs: ArrayLike<number>): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i - 1] as number) > (xs[i] as number)) return false;
  return true;
}

/** The median of a sample: the middle of it when it is already sorted, else by selection on a copy. */
function medianOf(xs: ArrayLike<number>): number {
  return isAscending(xs) ? medianOfSorted(xs) : medianInPlace(Float64Array.from(xs));
}

function robustCvOf(med: number, madValue: number): number {
  if (madValue === 0) return 0;
  if (med === 0) return Number.POSITIVE_INFINITY;
  return (MAD_TO_SIGMA * madValue) / Math.abs(med);
}

/** The sum of the values; 0 for none. */
export function sum(xs: readonly number[]): number {
  let total = 0;
  for (const x of xs) total += x;
  return total;
}

/**
 * Median: the middle value, or the mean of the two middle values for an even count.
 * @param xs the sample (any unit); not mutated.
 * @returns the median, in the unit of `xs`.
 * @throws RangeError if `xs` is empty or contains NaN.
 */
export function median(xs: ArrayLike<number>): number {
  checkSample(xs, "median");
  return medianOf(xs);
}

/**
 * Arithmetic mean.
 * @param xs the sample (any unit); not mutated.
 * @returns the mean, in the unit of `xs`.
 * @throws RangeError if `xs` is empty or contains NaN.
 */
export function mean(xs: readonly number[]): number {
  checkSample(xs, "mean");
  return meanOf(xs);
}

/**
 * Sample standard deviation (Bessel-corrected, n-1 in the denominator); 0 for a single value.
 * @param xs the sample (any unit); not mutated.
 * @returns the standard deviation, in the unit of `xs`.
 * @throws RangeError if `xs` is empty or contains NaN.
 */
export function stddev(xs: readonly number[]): number {
  checkSample(xs, "stddev");
  return stddevOf(xs, meanOf(xs));
}

/**
 * Raw median absolute deviation: median(|x - median(xs)|), without the 1.4826 normal-consistency factor.
 * @param xs the sample (any unit); not mutated.
 * @returns the MAD, in the unit of `xs`.
 * @throws RangeError if `xs` is empty or contains NaN.
 */
export function mad(xs: ArrayLike<number>): number {
  checkSample(xs, "mad");
  return madOf(xs, medianOf(xs));
}

/**
 * Robust coefficient of variation: 1.4826 * mad / |median|, a dimensionless spread that ignores outliers.
 * The absolute value of the median keeps it non-negative for negative data.
 * @param xs the sample (any unit); not mutated.
 * @returns the robust CV (a fraction, not a percentage); 0 if the MAD is 0 (including median = MAD = 0),
 *   `Infinity` if the median is 0 and the MAD is positive.
 * @throws RangeError if `xs` is empty or contains NaN.
 */
export function robustCv(xs: ArrayLike<number>): number {
  checkSample(xs, "robustCv");
  const med = medianOf(xs);
  return robustCvOf(med, madOf(xs, med));
}

/**
 * Percentile with linear interpolation between the closest ranks (numpy's default "linear" method,
 * i.e. the value at 0-based fractional index (n-1) * p / 100 of the sorted sample).
 * @param xs the sample (any unit); not mutated.
 * @param p the percentile, in [0, 100] (a percentage, not a fraction).
 * @returns the percentile, in the unit of `xs`.
 * @throws RangeError if `xs` is empty or contains NaN, or if `p` is outside [0, 100] or NaN.
 */
export function percentile(xs: readonly number[], p: number): number {
  checkSample(xs, "percentile");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100], got ${p}`);
  return percentileOfSorted(sortedCopy(xs), p);
}

/**
 * All the descriptive statistics of a sample at once (one sort instead of one per statistic).
 * @param xs the sample (any unit); not mutated.
 * @returns a {@link Summary}; every field except `n` and `robust_cv` is in the unit of `xs`.
 * @throws RangeError if `xs` is empty or contains NaN.
 */
export function summarize(xs: readonly number[]): Summary {
  checkSample(xs, "summarize");
  const s = sortedCopy(xs);
  const m = meanOf(xs);
  const med = medianOfSorted(s);
  const madValue = madOf(xs, med);
  return {
    n: s.length,
    min: s[0] as number,
    max: s[s.length - 1] as number,
    mean: m,
    median: med,
    mad: madValue,
    robust_cv: robustCvOf(med, madValue),
    stddev: stddevOf(xs, m),
    p10: percentileOfSorted(s, 10),
    p90: percentileOfSorted(s, 90),
    p99: percentileOfSorted(s, 99),
  };
}
