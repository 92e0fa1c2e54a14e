/**
 * What a run comes to, as data (a union keyed by state, as tinybench's task results are), and the one
 * function that maps it to the process exit code.
 */
import type { BenchmarkResult } from "../results/schema.js";
import { EXIT, InterruptedError, type PerfBaselineError } from "../util/errors.js";

/** The outcome of one benchmark run. */
export type RunOutcome =
  /** every planned round (request) ran */
  | { state: "completed"; result: BenchmarkResult }
  /** stopped by the user (Ctrl-C): `result` is the partial result (`complete: false`) when a round finished */
  | { state: "interrupted"; result: BenchmarkResult | null }
  /**
   * the engine, the model or the server failed: `error` says how (one line, with its exit code); `result` is
   * what was measured when there is something worth printing (a serving run whose failures were not tolerated)
   */
  | { state: "failed"; error: PerfBaselineError; result: BenchmarkResult | null };

/** The exit code of an outcome: 0 completed, 130 interrupted, else the error's code (6 model, 7 engine...). */
export function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.state === "completed") return EXIT.ok;
  if (outcome.state === "interrupted") return EXIT.interrupted;
  return outcome.error.exitCode;
}

/**
 * The result of a run that had to complete (a gate's or a baseline's capture).
 * @throws InterruptedError (exit 130) when it was interrupted; the run's own error when it failed.
 */
export function completedResult(outcome: RunOutcome): BenchmarkResult {
  if (outcome.state === "completed") return outcome.result;
  if (outcome.state === "interrupted") throw new InterruptedError("interrupted before the capture finished");
  throw outcome.error;
}
