/**
 * The Wilcoxon signed-rank test of paired differences (one-sample location test of "the differences are
 * centred at zero"), one- or two-sided. Exact null distribution for up to {@link SIGNED_RANK_EXACT_MAX_N}
 * non-zero differences (mid-ranks for ties, enumerated on doubled ranks so they stay integers), else the normal
 * approximation with tie correction and continuity correction.
 *
 * Source: Wilcoxon (1945), "Individual comparisons by ranking methods", Biometrics Bulletin 1(6); zeros dropped
 * as in Wilcoxon's original procedure (scipy.stats.wilcoxon zero_method="wilcox"); tie variance correction
 * from Hollander, Wolfe & Chicken, Nonparametric Statistical Methods (3rd ed.), section 3.1.
 */
import { normalCdf } from "./inference.js";

/** Largest count of non-zero differences whose p-value is computed exactly. */
export const SIGNED_RANK_EXACT_MAX_N = 50;

/** "less": the differences tend below zero; "greater": above; "two-sided": either. */
export type SignedRankAlternative = "less" | "greater" | "two-sided";

/** The outcome of {@link wilcoxonSignedRank}. */
export interface SignedRankResult {
  /** sum of the ranks of the positive differences (mid-ranks on ties) */
  w_plus: number;
  /** non-zero differences used */
  n: number;
  /** zero differences dropped */
  zeros: number;
  p_value: number;
  method: "exact" | "normal";
}

/** Mid-ranks (1-based) of |d| for non-zero d, in the order given. */
function midRanks(abs: readonly number[]): number[] {
  const order = abs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(abs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (
      j + 1 < order.length &&
      (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]
    )
      j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[(order[k] as readonly [number, number])[1]] = r;
    i = j + 1;
  }
  return ranks;
}

/** P(W+ <= w) and P(W+ >= w) under the null, exactly, for doubled integer ranks `r2` and doubled w. */
function exactTails(r2: readonly number[], w2: number): { lower: number; upper: number } {
  const total = r2.reduce((a, b) => a + b, 0);
  // counts[s] = number of sign assignments whose doubled positive-rank sum is s (as probabilities: / 2^n)
  let dist = new Float64Array(total + 1);
  dist[0] = 1;
  for (const r of r2) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= total; s++) {
      const p = dist[s] as number;
      if (p === 0) continue;
      next[s] = (next[s] as number) + p / 2;
      next[s + r] = (next[s + r] as number) + p / 2;
    }
    dist = next;
  }
  let lower = 0;
  let upper = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= w2) lower += dist[s] as number;
    if (s >= w2) upper += dist[s] as number;
  }
  return { lower: Math.min(1, lower), upper: Math.min(1, upper) };
}

/**
 * Wilcoxon signed-rank test of paired differences `d` (e.g. per-block log ratios candidate/baseline).
 * @param alternative "less" tests whether the differences tend below zero (a slower candidate).
 * @returns p-value 1 and n 0 when every difference is zero or there are none.
 * @throws RangeError for a non-finite difference.
 */
export function wilcoxonSignedRank(
  d: readonly number[],
  alternative: SignedRankAlternative = "two-sided",
): SignedRankResult {
  for (const x of d) if (!Number.isFinite(x)) throw new RangeError(`difference ${x} is not finite`);
  const nz = d.filter((x) => x !== 0);
  const zeros = d.length - nz.length;
  const n = nz.length;
  if (n === 0) return { w_plus: 0, n: 0, zeros, p_value: 1, method: "exact" };
  const ranks = midRanks(nz.map(Math.abs));
  const wPlus = nz.reduce((acc, x, i) => (x > 0 ? acc + (ranks[i] as number) : acc), 0);
  let lower: number;
  let upper: number;
  let method: "exact" | "normal";
  if (n <= SIGNED_RANK_EXACT_MAX_N) {
    const t = exactTails(
      ranks.map((r) => Math.round(2 * r)),
      Math.round(2 * wPlus),
    );
    lower = t.lower;
    upper = t.upper;
    method = "exact";
  } else {
    const mu = (n * (n + 1)) / 4;
    const counts = new Map<number, number>();
    for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
    let tie = 0;
    for (const t of counts.values()) tie += t * t * t - t;
    const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tie / 48);
    lower = sd > 0 ? normalCdf((wPlus - mu + 0.5) / sd) : 1;
    upper = sd > 0 ? 1 - normalCdf((wPlus - mu - 0.5) / sd) : 1;
    method = "normal";
  }
  const p =
    alternative === "less"
      ? lower
      : alternative === "greater"
        ? upper
        : Math.min(1, 2 * Math.min(lower, upper));
  return { w_plus: wPlus, n, zeros, p_value: p, method };
}
