import type { Verdict } from "./verdict-exit.js";

/** When modes disagree, the overall verdict is the first of these that occurs. */
export const VERDICT_PRECEDENCE: readonly Verdict[] = ["REGRESSION", "INCOMPARABLE", "INCONCLUSIVE", "PASS"];

/** The overall verdict of several gates. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  return VERDICT_PRECEDENCE.find((v) => verdicts.includes(v)) ?? "PASS";
}
