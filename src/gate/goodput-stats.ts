/**
 * The statistics of the goodput gate (src/gate/goodput.ts): two shares of good requests compared as
 * proportions, and the verdict they give. Pure.
 */
import { normalCdf } from "../stats/index.js";
import type { Verdict } from "./verdict-exit.js";

/** One side's good requests out of its settled ones (completed + failed; a failed request is never good). */
export interface GoodputSide {
  good_requests: number;
  requests: number;
  /** good_requests / requests, a fraction */
  share: number;
}

/** The comparison of two goodput shares. */
export interface GoodputComparison {
  baseline: GoodputSide;
  candidate: GoodputSide;
  /** baseline share - candidate share: the worsening, an absolute fraction (negative when the candidate is better) */
  drop: number;
  /** one-sided p-value of "the candidate's share is lower" (pooled two-proportion z-test) */
  p_value: number;
  /** Wald interval of the drop (unpooled standard error) at the bootstrap confidence of the configuration */
  ci: { low: number; high: number; confidence: number };
  /** the threshold T, an absolute fraction (config `metrics.goodput_share.threshold`, default 0.05) */
  threshold: number;
  alpha: number;
}

/**
 * Compares two goodput shares: the pooled two-proportion z-test, one-sided (H1: the candidate's share is
 * lower), z = (p_b - p_c) / sqrt(p (1 - p) (1/n_b + 1/n_c)) with p the pooled share (Agresti, "Categorical Data
 * Analysis", 3rd ed., section 2.2.3; NIST/SEMATECH e-Handbook 7.3.3), and the Wald interval of p_b - p_c
 * with the unpooled standard error. When both shares are 0 or both 1 the test has no variance: p is 1.
 * @param confidence two-sided confidence of the interval, a fraction.
 */
export function compareShares(
  b: GoodputSide,
  c: GoodputSide,
  threshold: number,
  alpha: number,
  confidence: number,
): GoodputComparison {
  const drop = b.share - c.share;
  const pooled = (b.good_requests + c.good_requests) / (b.requests + c.requests);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / b.requests + 1 / c.requests));
  const p_value = se0 > 0 ? 1 - normalCdf(drop / se0) : 1;
  const se = Math.sqrt((b.share * (1 - b.share)) / b.requests + (c.share * (1 - c.share)) / c.requests);
  const zc = normalQuantile(1 - (1 - confidence) / 2);
  return {
    baseline: b,
    candidate: c,
    drop,
    p_value,
    ci: { low: drop - zc * se, high: drop + zc * se, confidence },
    threshold,
    alpha,
  };
}

/** The standard normal quantile by bisection on {@link normalCdf} (60 halvings: below 1e-15 of [-10, 10]). */
function normalQuantile(q: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The verdict of a comparison: REGRESSION when drop >= T and p < alpha, INCONCLUSIVE when only the size is there. */
export function goodputVerdict(g: GoodputComparison): Verdict {
  if (g.drop >= g.threshold && g.p_value < g.alpha) return "REGRESSION";
  if (g.drop >= g.threshold) return "INCONCLUSIVE";
  return "PASS";
}
