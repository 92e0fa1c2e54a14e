/**
 * One capture for `baseline`, `gate` and `check-release`: a run of an engine whose result must be complete.
 * It records, as its invocation, the `perf-baseline bench` command that makes the same capture.
 */
import type { CapturePlan, EngineDefinition } from "../engines/definition.js";
import { completedResult } from "../execute/outcome.js";
import { runBenchmark } from "../execute/run-benchmark.js";
import type { BenchmarkResult } from "../results/schema.js";
import { printWarnings } from "../results/warnings.js";
import { interruptible } from "./interrupt.js";
import { invocationOf } from "./invocation.js";
import { detail, roundProgress, status } from "./progress.js";

/**
 * Runs one capture and returns its complete result (its warnings printed on stderr).
 * @param label shown in progress and status lines ("candidate capture 1").
 * @throws InterruptedError (130) on Ctrl-C; the run's error (6, 7, ...) when it failed.
 */
export async function runCapture(
  engine: EngineDefinition,
  plan: CapturePlan<unknown>,
  label: string,
): Promise<BenchmarkResult> {
  status(`${label}: ${plan.shape.mode}, ${engine.describe(plan.options, plan.shape)}`);
  const progress = roundProgress(label, process.stderr, plan.shape);
  try {
    const outcome = await interruptible((signal) =>
      runBenchmark(engine.name, plan.options, {
        ...plan.shape,
        invocation: invocationOf(["perf-baseline", "bench"], engine.benchArgv(plan.options, plan.shape)),
        status,
        detail,
        onRound: progress.onRound,
        signal,
      }),
    );
    progress.done();
    const result = completedResult(outcome);
    printWarnings(result.warnings);
    return result;
  } finally {
    progress.done();
  }
}
