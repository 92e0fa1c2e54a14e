/**
 * What the gate, baseline and check-release commands share: reading the baseline of a mode, the engine and
 * capture plan a baseline calls for, and the git lookup of the rebaseline trigger.
 */
import type { CapturePlan, EngineDefinition } from "../engines/definition.js";
import { getEngine } from "../engines/registry.js";
import { changedPathsSince } from "../environment/git.js";
import { countedPlanFor } from "../execute/counted-plan.js";
import { checkRunnable } from "../execute/plan.js";
import type { ChangedPathsFn } from "../gate/staleness.js";
import { readResult } from "../results/io.js";
import type { BenchmarkResult } from "../results/schema.js";
import { ResultFileError } from "../util/errors.js";
import type { FlagValues } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";
import { shellQuote } from "./invocation.js";
import { assertCaptureFlags } from "./run-flags.js";

/**
 * Reads and validates a baseline of `mode` (older schema versions are migrated).
 * @throws ResultFileError (exit 5) when it is missing, not JSON, of another mode, or invalid.
 */
export function readBaseline(path: string, mode: Mode): BenchmarkResult {
  const result = readResult(path);
  if (result.mode !== mode) {
    throw new ResultFileError(path, `field mode: "${result.mode}", but a ${mode} baseline is needed here`);
  }
  return result;
}

/**
 * The engine a baseline was captured with and the capture comparable with it (flags overriding).
 * @param commandFlags the command's own flags.
 * @throws UsageError for a flag the baseline's engine does not take, a bad value, or a capture that cannot
 *   run here (`--counter instructions` without valgrind).
 */
export function capturePlanFor(
  baseline: BenchmarkResult,
  values: FlagValues,
  commandFlags: readonly string[],
): { engine: EngineDefinition; plan: CapturePlan<unknown> } {
  const engine = getEngine(baseline.engine.name);
  assertCaptureFlags(engine, values, commandFlags);
  const plan = engine.captureOptions(baseline, values);
  checkRunnable(engine.name, plan.options);
  return { engine, plan };
}

/**
 * The candidate capture `gate` starts: the capture comparable with the baseline ({@link capturePlanFor}), or,
 * with `--counter instructions` against a baseline that has counts, the counted capture of the baseline's
 * counted shape (its counts are comparable only then).
 * @throws as capturePlanFor.
 */
export function candidatePlanFor(
  baseline: BenchmarkResult,
  values: FlagValues,
  commandFlags: readonly string[],
): { engine: EngineDefinition; plan: CapturePlan<unknown> } {
  const { engine, plan } = capturePlanFor(baseline, values, commandFlags);
  // the flag is validated by capturePlanFor (one of the engine's counters); absent means time
  const counted = values.counter === "instructions" ? countedPlanFor(baseline, plan) : null;
  return { engine, plan: counted ?? plan };
}

/** The git lookup of the rebaseline trigger, in the working folder's repository. */
export const gitChangedPaths: ChangedPathsFn = (commit, pathspecs) => changedPathsSince(commit, pathspecs);

/** The command line of this process as typed: "perf-baseline gate --mode generation". */
export function thisCommand(): string {
  return ["perf-baseline", ...process.argv.slice(2)].map(shellQuote).join(" ");
}
