import { choiceFlag } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";

/** The choices of a --mode flag that can name both modes at once (baseline, check-release). */
export const MODE_SELECTION = ["both", "generation", "embedding"] as const;

/** The modes a --mode both|generation|embedding flag selects; "both" when absent. */
export function selectedModes(values: Record<string, unknown>): Mode[] {
  const which = choiceFlag(values, "mode", MODE_SELECTION, "both");
  return which === "both" ? ["generation", "embedding"] : [which];
}
