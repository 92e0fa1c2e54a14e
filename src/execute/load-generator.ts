/**
 * The load-generator executor: a serving engine (an OpenAI-compatible server) put under a planned load from
 * this process (./serving.ts, imported when a run needs it). Failed requests fail the run unless tolerated;
 * a server that cannot run the workload at all is a one-line failure.
 */
import type { ServingOptions } from "../engines/openai/options.js";
import type { BenchmarkResult } from "../results/schema.js";
import { EngineError, PerfBaselineError } from "../util/errors.js";
import type { Executor, RunSpec } from "./executor.js";
import type { RunOutcome } from "./outcome.js";

/** A serving run: the server and the load, as the openai engine's options say. */
export interface ServingTarget {
  options: ServingOptions;
}

/**
 * The outcome of a finished serving result: failed requests fail the run (exit 7, the result still printed)
 * unless tolerated; a run the server left (warning `server_unreachable`) fails whatever is tolerated, as its
 * plan was not run; any other partial result was interrupted.
 */
export function servingOutcome(result: BenchmarkResult, tolerateFailures: boolean): RunOutcome {
  const gone = result.warnings.find((w) => w.code === "server_unreachable");
  if (gone) return { state: "failed", error: new EngineError(gone.text), result };
  if (!result.complete) return { state: "interrupted", result };
  const failed = result.serving?.requests.failed ?? 0;
  if (failed > 0 && !tolerateFailures) {
    const sent = result.serving?.requests.sent ?? failed;
    return {
      state: "failed",
      error: new EngineError(
        `${failed} of ${sent} requests failed (see serving.failures in the result; --tolerate-failures accepts them)`,
      ),
      result,
    };
  }
  return { state: "completed", result };
}

/** Runs a serving benchmark and returns its outcome (an interrupt before any result is `interrupted`). */
async function runServing(target: ServingTarget, spec: RunSpec): Promise<RunOutcome> {
  const { runServingBenchmark } = await import("./serving.js");
  try {
    const result = await runServingBenchmark({ ...spec, openai: target.options });
    return servingOutcome(result, target.options.tolerateFailures);
  } catch (err) {
    if (err instanceof PerfBaselineError) {
      if (spec.signal?.aborted) return { state: "interrupted", result: null };
      return { state: "failed", error: err, result: null };
    }
    throw err;
  }
}

/** Puts a server under load from this process. */
export const loadGeneratorExecutor: Executor<ServingTarget> = {
  name: "load-generator",
  summary: "an OpenAI-compatible server put under a planned load from this process",
  run: runServing,
};
