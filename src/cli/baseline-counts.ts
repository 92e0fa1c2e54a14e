/**
 * The instruction counts of `perf-baseline baseline`: where valgrind is present (or `--counter instructions`
 * asks for it), one short counted capture per counted release test (src/config/release-tests.ts `counted`)
 * after the timed ones, of the test's own flags (a depth, a prompt length) in the counted shape, whose
 * `instructions` block is added to the test's pooled baseline (its wall time stays the timed captures').
 * `--counter time` skips it.
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
 * Adds a counted capture's block to each counted test's pooled baseline (`runs[i]` is `pooled[i]`'s), when
 * counting applies.
 * @throws the counted capture's errors (UsageError when `--counter instructions` was given without valgrind,
 *   which the flag check already reported).
 */
export async function addCounts(
  values: FlagValues,
  runs: ReadonlyArray<{
    test: { name: string };
    mode: Mode;
    counted: boolean;
    engine: EngineDefinition;
    plan: { options: unknown };
  }>,
  pooled: Array<{ path: string; result: BenchmarkResult }>,
): Promise<void> {
  if (values.counter === "time") return;
  for (const [i, r] of runs.entries()) {
    if (!r.counted || !canCount(r.engine.name)) continue;
    const name = r.test.name;
    if (countingPlatformProblem() !== null || valgrindVersion() === null) {
      status(`${name} baseline: instruction counts skipped: valgrind not found (apt-get install valgrind)`);
      continue;
    }
    const plan = { shape: countedShape(r.mode), options: withCounter(r.plan.options, "instructions") };
    const counted = await runCapture(r.engine, plan, `baseline ${name} instruction count`);
    const entry = pooled[i];
    if (entry) entry.result = withCounts(entry.result, counted);
  }
}
