/**
 * The seed's rebaseline trigger: "establish baselines before each major runtime or compiler update" and
 * "rerun baseline for changes in core or tokenizer/tokenization path". A baseline is stale when the engine or
 * runtime versions differ from the candidate's, or when files changed since the baseline's commit under the
 * configured core and tokenizer paths. Pure: git is reached through the function it is handed.
 */

import type { GateConfig } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { FieldDifference } from "./comparability.js";

/** Paths changed since `commit` under `pathspecs`, or null when it cannot be told (see environment/git.ts). */
export type ChangedPathsFn = (commit: string, pathspecs: readonly string[]) => string[] | null;

/** Whether a baseline should be recaptured, and why. */
export interface StaleReport {
  stale: boolean;
  /** one line per reason, e.g. "engine.versions.node_llama_cpp 3.21.1 -> 3.22.0" */
  reasons: string[];
  /** what could not be checked, e.g. a baseline without a git commit or a shallow clone */
  unchecked: string[];
}

const MAX_LISTED = 5;

function listPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, MAX_LISTED).join(", ");
  return paths.length > MAX_LISTED ? `${shown} and ${paths.length - MAX_LISTED} more` : shown;
}

/**
 * Decides whether `baseline` is stale for `candidate`.
 * @param versionChanges engine/runtime version differences from checkComparability().versions.
 * @param changedPaths how to ask git; omit it to skip the path check (reported as unchecked).
 */
export function checkStaleness(
  baseline: BenchmarkResult,
  versionChanges: readonly FieldDifference[],
  config: GateConfig,
  changedPaths?: ChangedPathsFn,
): StaleReport {
  const reasons = versionChanges.map((d) => `${d.field} ${d.baseline} -> ${d.candidate}`);
  const unchecked: string[] = [];
  const commit = baseline.git?.commit;
  const groups = [
    ["core", config.rebaseline.core],
    ["tokenizer", config.rebaseline.tokenizer],
  ] as const;
  if (!changedPaths) {
    unchecked.push("core/tokenizer paths not checked (comparing files only)");
  } else if (!commit) {
    unchecked.push("core/tokenizer paths not checked: the baseline records no git commit");
  } else {
    for (const [name, paths] of groups) {
      if (paths.length === 0) continue;
      const changed = changedPaths(commit, paths);
      if (changed === null) {
        unchecked.push(
          `${name} paths not checked: commit ${commit.slice(0, 12)} is not in this repository (a shallow clone? fetch the full history)`,
        );
      } else if (changed.length > 0) {
        reasons.push(
          `${name} path changed since baseline commit ${commit.slice(0, 12)}: ${listPaths(changed)}`,
        );
      }
    }
  }
  return { stale: reasons.length > 0, reasons, unchecked };
}
