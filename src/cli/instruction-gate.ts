/**
 * The instruction-count side of `gate` and `check-release` (see src/gate/instructions.ts for the rule).
 */
import type { GateConfig } from "../config/gate-config.js";
import { gateInstructions, type InstructionGateReport } from "../gate/instructions.js";
import { VERDICT_EXIT } from "../gate/verdict.js";
import { renderInstructionGate } from "../report/instructions-text.js";
import type { BenchmarkResult } from "../results/schema.js";

/** True when a result's wall-time figures come from a counted run under valgrind (never time-gated). */
export function timedUnderValgrind(r: BenchmarkResult): boolean {
  return r.instructions !== undefined && !r.instructions.wall_time_comparable;
}

/**
 * The instruction verdict of a candidate against a baseline; INCOMPARABLE when only one of them has counts.
 * @returns null when neither has counts
 */
export function instructionVerdict(
  baseline: BenchmarkResult,
  candidate: BenchmarkResult,
  config: GateConfig,
): InstructionGateReport | null {
  const threshold = config.instruction_thresholds[baseline.mode];
  const report = gateInstructions(baseline, candidate, threshold);
  if (report) return report;
  if (!baseline.instructions && !candidate.instructions) return null;
  const missing = baseline.instructions ? "the candidate" : "the baseline";
  return {
    kind: "instructions",
    verdict: "INCOMPARABLE",
    mode: baseline.mode,
    unit: baseline.mode === "generation" ? "output_token" : "embedding_call",
    threshold,
    baseline_per_unit: baseline.instructions?.per_unit ?? 0,
    candidate_per_unit: candidate.instructions?.per_unit ?? 0,
    change: 0,
    grew_most: null,
    differences: [
      {
        field: "instructions",
        baseline: baseline.instructions ? "counted" : "absent",
        candidate: candidate.instructions ? "counted" : "absent",
      },
    ],
    hardware_differs: false,
    reasons: [
      `${missing} has no instruction counts: recapture it with --counter instructions (valgrind: apt-get install valgrind)`,
    ],
  };
}

/** The exit code of an instruction verdict. */
export function instructionExit(r: InstructionGateReport): number {
  return VERDICT_EXIT[r.verdict];
}

/** The report in a stdout format: JSON for "json", text otherwise. */
export function renderInstructionReport(r: InstructionGateReport, format: string): string {
  return format === "json" ? `${JSON.stringify(r, null, 2)}\n` : `${renderInstructionGate(r)}\n`;
}
