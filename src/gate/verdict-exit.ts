/** The four verdicts every gate gives, and the exit code of each. */
import { EXIT } from "../util/errors.js";

/** The four verdicts. */
export type Verdict = "PASS" | "REGRESSION" | "INCONCLUSIVE" | "INCOMPARABLE";

/** Exit code of each verdict (src/util/errors.ts EXIT). */
export const VERDICT_EXIT: Record<Verdict, number> = {
  PASS: EXIT.ok,
  REGRESSION: EXIT.regression,
  INCONCLUSIVE: EXIT.inconclusive,
  INCOMPARABLE: EXIT.incomparable,
};
