/** The instruction gate's report (src/gate/instructions.ts) as text. Pure. */
import type { InstructionGateReport } from "../gate/instructions.js";

/** The report as text lines, the verdict first. */
export function renderInstructionGate(r: InstructionGateReport): string {
  return [`${r.mode} instructions: ${r.verdict}`, ...r.reasons.map((l) => `  ${l}`)].join("\n");
}
