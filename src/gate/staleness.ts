/**
 * The seed's rebaseline trigger: "establish baselines before each major runtime or compiler update" and
 * "rerun baseline for changes in core or tokenizer/tokenization path". A baseline is stale when the engine or
 * runtime versions differ from the candidate's, or when files changed since the baseline's commit under the
 * configured core and tokenizer paths. Pure: git is reached through the function it is handed.
 */

import type { GateConfig } from "../config/gate-config.js";
import type { PathsSince } from "../environment/git.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { FieldDifference } from "./comparability.js";
import { type Coded, coded, type StaleFinding } from "./reasons.js";

/**
 * Paths changed since `commit` under `pathspecs` (environment/git.ts changedPathsSince): the paths, or why it
 * cannot be told (the commit is not in the repository, or git cannot read the repository: its reason). null
 * is read as an unknown commit.
 */
export type ChangedPathsFn = (commit: string, pathspecs: readonly string[]) => PathsSince | null;

/** Why the baseline has no git commit: the reason its `git_unavailable` warning recorded, if any. */
function noCommitReason(baseline: BenchmarkResult): string | null {
  const w = baseline.warnings.find((x) => x.code === "git_unavailable");
  return w && typeof w.reason === "string" ? w.reason : null;
}

/** Whether a baseline should be recaptured, and why. */
export interface StaleReport {
  stale: boolean;
  /** one line per reason, e.g. "engine.versions.node_llama_cpp 3.21.1 -> 3.22.0" */
  reasons: string[];
  /** what could not be checked, e.g. a baseline without a git commit or a shallow clone */
  unchecked: string[];
  /** the reasons as codes (src/gate/reasons.ts), in the same order */
  coded_reasons: Coded<StaleFinding>[];
  /** what could not be checked, as codes, in the same order */
  coded_unchecked: Coded<StaleFinding>[];
}

/** The path check: what changed under the core and tokenizer paths, or why it could not be told. */
function pathFindings(
  baseline: BenchmarkResult,
  config: GateConfig,
  changedPaths: ChangedPathsFn | undefined,
): { reasons: StaleFinding[]; unchecked: StaleFinding[] } {
  const reasons: StaleFinding[] = [];
  const unchecked: StaleFinding[] = [];
  const commit = baseline.git?.commit;
  const groups = [
    ["core", config.rebaseline.core],
    ["tokenizer", config.rebaseline.tokenizer],
  ] as const;
  if (!changedPaths) {
    unchecked.push({ code: "paths_not_checked_files_only" });
  } else if (!commit) {
    const why = noCommitReason(baseline);
    unchecked.push(
      why ? { code: "paths_not_checked_no_commit", why } : { code: "paths_not_checked_no_commit" },
    );
  } else {
    for (const [group, paths] of groups) {
      if (paths.length === 0) continue;
      const changed = changedPaths(commit, paths);
      if (changed === null || "unknown_commit" in changed)
        unchecked.push({ code: "paths_not_checked_unknown_commit", group, commit });
      else if ("unavailable" in changed) {
        // git cannot read the repository at all: one finding for both groups, with git's reason
        unchecked.push({ code: "paths_not_checked_git_unavailable", reason: changed.unavailable });
        break;
      } else if (changed.length > 0) reasons.push({ code: "path_changed", group, commit, paths: changed });
    }
  }
  return { reasons, unchecked };
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
  const paths = pathFindings(baseline, config, changedPaths);
  const reasons = [
    ...versionChanges.map((d): StaleFinding => ({ code: "version_changed", ...d })),
    ...paths.reasons,
  ].map(coded);
  const unchecked = paths.unchecked.map(coded);
  return {
    stale: reasons.length > 0,
    reasons: reasons.map((r) => r.text),
    unchecked: unchecked.map((u) => u.text),
    coded_reasons: reasons,
    coded_unchecked: unchecked,
  };
}
