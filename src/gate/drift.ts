/**
 * Between-capture drift. Rounds of one capture share the machine's state of that moment; on a shared machine
 * whole captures drift (here by 10-30 % within minutes under other people's jobs) while their rounds agree.
 * The round-level tests cannot see that, so the gate also treats each capture's median as one observation:
 * a one-sided pooled-variance t-test on the log capture medians of the baseline (its `baseline` block's
 * captures) against the candidate's captures, the variance pooled from both sides. It needs at least three
 * capture medians in all (one degree of freedom); with fewer it cannot be computed and is skipped. Pure.
 */
import { normalCdf } from "../stats/index.js";
import { studentTUpperTail } from "../stats/student-t.js";

/** The capture-level test. */
export interface DriftTest {
  baseline_medians: number[];
  candidate_medians: number[];
  /** pooled standard deviation of log capture medians (about the relative between-capture drift), at least the floor */
  sd_log: number;
  /** degrees of freedom of the estimated drift; null when the floor was used as the known drift (normal) */
  df: number | null;
  t: number;
  /** one-sided p of "candidate captures are slower than the baseline's", beyond the drift between captures */
  p_value: number;
}

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Tests whether the candidate's capture medians lie below the baseline's beyond the drift between captures.
 * @param floorLog the smallest drift (sd of log capture medians) to assume: two or three captures can agree by
 *   chance, but separate processes of the same code differ by a few percent (memory layout, thread placement).
 *   When the captures' own spread is below it, the floor is used as the known drift (a z-test); above it, the
 *   estimate is used with its degrees of freedom (a t-test), so a drifting machine needs a larger drop.
 * @returns null when there are fewer than three medians in all (no degree of freedom for the drift).
 */
export function driftTest(
  baselineMedians: readonly number[],
  candidateMedians: readonly number[],
  floorLog = 0,
): DriftTest | null {
  const nb = baselineMedians.length;
  const nc = candidateMedians.length;
  const df = nb + nc - 2;
  if (nb === 0 || nc === 0 || df < 1) return null;
  const lb = baselineMedians.map(Math.log);
  const lc = candidateMedians.map(Math.log);
  const mb = meanOf(lb);
  const mc = meanOf(lc);
  const ss = lb.reduce((a, x) => a + (x - mb) ** 2, 0) + lc.reduce((a, x) => a + (x - mc) ** 2, 0);
  const estimated = Math.sqrt(ss / df);
  // below the floor the floor is taken as the known drift (normal distribution); above it the estimate
  // rules, with its degrees of freedom
  const known = estimated <= floorLog;
  const sd = known ? floorLog : estimated;
  const se = sd * Math.sqrt(1 / nb + 1 / nc);
  const diff = mb - mc;
  const t =
    se > 0 ? diff / se : diff > 0 ? Number.POSITIVE_INFINITY : diff < 0 ? Number.NEGATIVE_INFINITY : 0;
  return {
    baseline_medians: [...baselineMedians],
    candidate_medians: [...candidateMedians],
    sd_log: sd,
    df: known ? null : df,
    t,
    p_value: known ? normalCdf(-t) : studentTUpperTail(t, df),
  };
}
