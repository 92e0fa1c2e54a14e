import { type FlagSpec, flagReader } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";

/** The choices of a --mode flag that can name both modes at once (baseline, check-release). */
export const MODE_SELECTION = ["both", "generation", "embedding"] as const;

/** --mode of a command that runs both modes by default (baseline, check-release). */
export const MODE_SELECTION_FLAG = {
  kind: "choice",
  choices: MODE_SELECTION,
  description: "which modes",
  default: "both",
} as const satisfies FlagSpec;

/** --config of the commands that read the gate's configuration. */
export const CONFIG_FLAG = {
  kind: "path",
  description: "gate configuration file",
  default: "the nearest perf-baseline.config.json: this folder or a folder above",
} as const satisfies FlagSpec;

/** The modes a --mode both|generation|embedding flag selects; "both" when absent. */
export function selectedModes(values: Record<string, unknown>): Mode[] {
  const which = flagReader({ mode: MODE_SELECTION_FLAG }, values).choice("mode", "both");
  return which === "both" ? ["generation", "embedding"] : [which];
}
