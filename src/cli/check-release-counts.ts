/**
 * check-release's instruction verdict of one mode: when the baseline has counts and valgrind is present, a
 * counted capture of the baseline's counted shape gated on its count per token (per call); otherwise a line
 * that says why it was skipped.
 */
import type { GateConfig } from "../config/gate-config.js";
import type { CapturePlan, EngineDefinition } from "../engines/definition.js";
import { countedPlanFor } from "../execute/counted-plan.js";
import type { InstructionGateReport } from "../gate/instructions.js";
import { countingPlatformProblem, valgrindVersion } from "../instructions/valgrind.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { Mode } from "../workload/workload.js";
import { runCapture } from "./capture.js";
import { instructionVerdict, renderInstructionReport } from "./instruction-gate.js";

/** One mode's instruction verdict, or why there is none. */
export interface CountsVerdict {
  mode: Mode;
  /** null when skipped */
  report: InstructionGateReport | null;
  capture: BenchmarkResult | null;
  /** the text printed */
  text: string;
}

/** Runs the counted capture and gates it, or says why not. */
export async function countsVerdict(
  baseline: BenchmarkResult,
  engine: EngineDefinition,
  timedPlan: CapturePlan<unknown>,
  config: GateConfig,
): Promise<CountsVerdict> {
  const mode = baseline.mode;
  const skipped = (why: string): CountsVerdict => ({
    mode,
    report: null,
    capture: null,
    text: `${mode} instructions: skipped: ${why}`,
  });
  const plan = countedPlanFor(baseline, timedPlan);
  if (!plan) return skipped("the baseline has no instruction counts (recapture it with valgrind installed)");
  const platform = countingPlatformProblem();
  if (platform) return skipped(platform);
  if (valgrindVersion() === null) return skipped("valgrind not found (apt-get install valgrind)");
  const capture = await runCapture(engine, plan, `${mode} instruction count`);
  const report = instructionVerdict(baseline, capture, config);
  if (!report) return skipped("the counted capture has no counts");
  return { mode, report, capture, text: renderInstructionReport(report, "text").trimEnd() };
}

/** The markdown section of the instruction verdicts (empty when there are none). */
export function countsMarkdown(verdicts: readonly CountsVerdict[]): string {
  if (verdicts.length === 0) return "";
  const lines = ["", "## Instruction counts", ""];
  for (const v of verdicts) {
    if (!v.report) lines.push(`- ${v.text}`);
    else lines.push(`- **${v.mode}: ${v.report.verdict}**`, ...v.report.reasons.map((r) => `  - ${r}`));
  }
  return `${lines.join("\n")}\n`;
}
