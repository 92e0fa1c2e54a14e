/**
 * The instruction counts of `perf-baseline baseline`: where valgrind is present (or `--counter instructions`
 * asks for it), one short counted capture per mode after the timed ones, whose `instructions` block is added
 * to the pooled baseline (its wall time stays the timed captures'). `--counter time` skips it.
 */
import type { EngineDefinition } from "../engines/definition.js";
import { canCount, countedShape, withCounter } from "../execute/counted-plan.js";
import { withCounts } from "../instructions/block.js";
import { countingPlatformProblem, valgrindVersion } from "../instructions/valgrind.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { FlagValues } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";
import { runCapture } from "./capture.js";
import { status } from "./progress.js";

/** The timed captures' options: counting off (the counts come from a capture of their own). */
export function timedOptions(engineName: string, options: unknown): unknown {
  return canCount(engineName) ? withCounter(options, "time") : options;
}

/**
 * Adds a counted capture's block to each pooled baseline, when counting applies.
 * @throws the counted capture's errors (UsageError when `--counter instructions` was given without valgrind,
 *   which the flag check already reported).
 */
export async function addCounts(
  values: FlagValues,
  runs: ReadonlyArray<{ mode: Mode; engine: EngineDefinition; plan: { options: unknown } }>,
  pooled: Array<{ path: string; result: BenchmarkResult }>,
): Promise<void> {
  if (values.counter === "time") return;
  for (const r of runs) {
    if (!canCount(r.engine.name)) continue;
    if (countingPlatformProblem() !== null || valgrindVersion() === null) {
      status(`${r.mode} baseline: instruction counts skipped: valgrind not found (apt-get install valgrind)`);
      continue;
    }
    const plan = { shape: countedShape(r.mode), options: withCounter(r.plan.options, "instructions") };
    const counted = await runCapture(r.engine, plan, `baseline ${r.mode} instruction count`);
    const entry = pooled.find((p) => p.result.mode === r.mode);
    if (entry) entry.result = withCounts(entry.result, counted);
  }
}
