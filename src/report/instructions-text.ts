/** The instruction gate's report (src/gate/instructions.ts) as text. Pure. */
import type { InstructionGateReport } from "../gate/instructions.js";
import { type CountsSkip, reasonText } from "../gate/reasons.js";
import type { Mode } from "../workload/workload.js";

/** The report as text lines, the verdict first. */
export function renderInstructionGate(r: InstructionGateReport): string {
  return [`${r.mode} instructions: ${r.verdict}`, ...r.reasons.map((l) => `  ${l}`)].join("\n");
}

/** The report in a stdout format: JSON for "json", text otherwise. */
export function renderInstructionReport(r: InstructionGateReport, format: string): string {
  return format === "json" ? `${JSON.stringify(r, null, 2)}\n` : `${renderInstructionGate(r)}\n`;
}

/** "generation instructions: skipped: valgrind not found (apt-get install valgrind)" */
export function renderCountsSkipped(mode: Mode, skip: CountsSkip): string {
  return `${mode} instructions: skipped: ${reasonText(skip)}`;
}
