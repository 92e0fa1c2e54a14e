/**
 * Change points of a series: the indices where its level shifted. Pure; randomness only from a seeded PRNG.
 *
 * Method: E-Divisive means with a permutation test, as Apache Otava (formerly DataStax "hunter") and MongoDB's
 * signal-processing-algorithms do it, after Matteson & James, "A Nonparametric Approach for Multiple Change
 * Point Analysis of Multivariate Data", JASA 109 (2014), arXiv:1306.4933.
 *
 * Why E-Divisive rather than PELT: PELT needs a cost model (usually Gaussian) and a penalty per change point
 * that must be tuned to the noise; our series are medians of rounds from machines whose noise differs by an
 * order of magnitude (1 % quiet, 25 % with a compile beside it, see DESIGN.md), are not Gaussian (slow tails)
 * and are short (tens of commits). E-Divisive is distribution-free (it compares distances between points,
 * exponent 1), and its permutation test turns "is this split real" into a p-value whose false-alarm rate is
 * alpha by construction whatever the noise level, which is the property the issue asks for (no change point
 * in flat noise). The cost is O(n^2) per scan and per permutation, fine for the hundreds of points a trend
 * holds (callers cap the window).
 *
 * Procedure (Matteson & James, section 3; signal_processing_algorithms QHatPermutationsSignificanceTester):
 * 1. For a segment x[0..n), for every split tau, q(tau) = tau (n - tau) / n * E(tau) with
 *    E = 2 mean|x_i - y_j| - mean_{i<k}|x_i - x_k| - mean_{j<k}|y_j - y_k| (x left of tau, y right).
 * 2. Among all current segments take the split with the largest q.
 * 3. Permutation test: shuffle that segment `permutations` times (seeded), take each shuffle's largest q;
 *    p = (1 + #{shuffled >= observed}) / (1 + permutations). Accept the split when p < alpha, then repeat on
 *    the new segments; stop at the first split that is not significant.
 */

import { mulberry32, type Rng, randomInt } from "../util/prng.js";
import { median } from "./descriptive.js";

/** Options of {@link eDivisiveMeans}. */
export interface ChangePointOptions {
  /** significance level of the permutation test. Defaults to 0.01. */
  alpha?: number;
  /** shuffles per test. Defaults to 199 (smallest reachable p = 0.005). */
  permutations?: number;
  /** fewest points on either side of a split. Defaults to 3. */
  minSegment?: number;
  /** seed of the shuffles (the result is deterministic). Defaults to 1. */
  seed?: number;
  /** most change points returned. Defaults to 20. */
  maxChangePoints?: number;
}

/** One change point: the level shifted between `index - 1` and `index`. */
export interface ChangePoint {
  /** the first point at the new level (0-based index into the series) */
  index: number;
  /** permutation-test p-value of the split when it was accepted */
  p_value: number;
  /** the q statistic of the split (Matteson & James's q-hat) */
  q: number;
  /** median of the points from the previous change point (or start) up to index - 1 */
  median_before: number;
  /** median of the points from index up to the next change point (or end) */
  median_after: number;
  /** median_after / median_before - 1, a fraction (negative: the level fell) */
  magnitude: number;
}

interface Split {
  tau: number;
  q: number;
}

/**
 * The best split of `x` (largest q-hat) with at least `minSegment` points on each side; null when `x` is too
 * short. O(n^2).
 */
export function bestSplit(x: readonly number[], minSegment: number): Split | null {
  const n = x.length;
  if (n < 2 * minSegment) return null;
  // L[t] = sum_{i<t} |x_i - x_t|, R[t] = sum_{j>t} |x_t - x_j|
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(xi - (x[j] as number));
      right[i] = (right[i] as number) + d;
      left[j] = (left[j] as number) + d;
      total += d;
    }
  }
  let within_left = 0; // sum over pairs i<k<tau
  let between = 0; // sum over i<tau<=j
  let best: Split | null = null;
  for (let tau = 1; tau < n; tau++) {
    // move point tau-1 from the right side to the left side
    const t = tau - 1;
    within_left += left[t] as number;
    between += (right[t] as number) - (left[t] as number);
    if (tau < minSegment || n - tau < minSegment) continue;
    const m = n - tau;
    const within_right = total - within_left - between;
    const e =
      (2 * between) / (tau * m) - within_left / ((tau * (tau - 1)) / 2) - within_right / ((m * (m - 1)) / 2);
    const q = ((tau * m) / n) * e;
    if (!best || q > best.q) best = { tau, q };
  }
  return best;
}

function shuffleInPlace(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

/**
 * Change points of a series by E-Divisive means with a permutation test (see the module comment).
 * @param series the values in order (e.g. one median per commit); non-finite values are not allowed.
 * @returns change points sorted by index; empty for a series shorter than 2 x minSegment.
 * @throws RangeError for a non-finite value or an option out of range.
 */
export function eDivisiveMeans(series: readonly number[], options: ChangePointOptions = {}): ChangePoint[] {
  const alpha = options.alpha ?? 0.01;
  const permutations = options.permutations ?? 199;
  const minSegment = options.minSegment ?? 3;
  const maxChangePoints = options.maxChangePoints ?? 20;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!Number.isInteger(permutations) || permutations < 1)
    throw new RangeError(`permutations must be a positive integer, got ${permutations}`);
  if (!Number.isInteger(minSegment) || minSegment < 2)
    throw new RangeError(`minSegment must be an integer >= 2, got ${minSegment}`);
  series.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`series[${i}] is not a finite number (${v})`);
  });
  const rng = mulberry32(options.seed ?? 1);
  const accepted: Array<{ index: number; p: number; q: number }> = [];
  // segment boundaries: [0, ..., n]
  const bounds = [0, series.length];
  while (accepted.length < maxChangePoints) {
    let cand: { start: number; end: number; split: Split } | null = null;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const start = bounds[s] as number;
      const end = bounds[s + 1] as number;
      const split = bestSplit(series.slice(start, end), minSegment);
      if (split && (!cand || split.q > cand.split.q)) cand = { start, end, split };
    }
    if (!cand) break;
    const seg = series.slice(cand.start, cand.end);
    let atLeast = 0;
    for (let r = 0; r < permutations; r++) {
      shuffleInPlace(seg, rng);
      const s = bestSplit(seg, minSegment);
      if (s && s.q >= cand.split.q) atLeast++;
    }
    const p = (1 + atLeast) / (1 + permutations);
    if (p >= alpha) break;
    const index = cand.start + cand.split.tau;
    accepted.push({ index, p, q: cand.split.q });
    bounds.push(index);
    bounds.sort((a, b) => a - b);
  }
  accepted.sort((a, b) => a.index - b.index);
  return accepted.map((c, i) => {
    const from = i === 0 ? 0 : (accepted[i - 1] as { index: number }).index;
    const to = i + 1 < accepted.length ? (accepted[i + 1] as { index: number }).index : series.length;
    const before = median(series.slice(from, c.index));
    const after = median(series.slice(c.index, to));
    return {
      index: c.index,
      p_value: c.p,
      q: c.q,
      median_before: before,
      median_after: after,
      magnitude: before === 0 ? 0 : after / before - 1,
    };
  });
}
