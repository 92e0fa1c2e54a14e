/**
 * check-release's instruction verdict of one release test: when the baseline has counts and valgrind is present, a
 * counted capture of the baseline's counted shape gated on its count per token (per call); otherwise the
 * reason it was skipped.
 */
import type { GateConfig } from "../config/gate-config.js";
import type { CapturePlan, EngineDefinition } from "../engines/definition.js";
import { countedPlanFor } from "../execute/counted-plan.js";
import { instructionVerdict } from "../gate/instructions.js";
import { type CountsSkip, coded } from "../gate/reasons.js";
import { countingPlatformProblem, valgrindVersion } from "../instructions/valgrind.js";
import type { ReleaseCounts } from "../report/evidence/release-markdown.js";
import { renderCountsSkipped, renderInstructionReport } from "../report/instructions-text.js";
import type { BenchmarkResult } from "../results/schema.js";
import { runCapture } from "./capture.js";

/** One test's instruction verdict, or why there is none. */
export type CountsVerdict = ReleaseCounts;

/**
 * Runs the counted capture and gates it, or says why not.
 * @param test the release test's name (src/config/release-tests.ts). Defaults to the baseline's mode (the
 *   specification's two tests are named by their mode).
 */
export async function countsVerdict(
  baseline: BenchmarkResult,
  engine: EngineDefinition,
  timedPlan: CapturePlan<unknown>,
  config: GateConfig,
  test: string = baseline.mode,
): Promise<CountsVerdict> {
  const mode = baseline.mode;
  const named = (text: string) => (test === mode ? text : `${test}: ${text}`);
  const skipped = (why: CountsSkip): CountsVerdict => ({
    mode,
    test,
    report: null,
    skipped: coded(why),
    capture: null,
    text: named(renderCountsSkipped(mode, why)),
  });
  const plan = countedPlanFor(baseline, timedPlan);
  if (!plan) return skipped({ code: "skipped_baseline_uncounted" });
  const platform = countingPlatformProblem();
  if (platform) return skipped({ code: "skipped_platform", problem: platform });
  if (valgrindVersion() === null) return skipped({ code: "skipped_no_valgrind" });
  const capture = await runCapture(engine, plan, `${test} instruction count`);
  const report = instructionVerdict(baseline, capture, config);
  if (!report) return skipped({ code: "skipped_capture_uncounted" });
  const text = named(renderInstructionReport(report, "text").trimEnd());
  return { mode, test, report, skipped: null, capture, text };
}
