/**
 * The in-process executor: a local engine run in the caller's own process, without a supervisor. A native
 * abort here would take the caller with it, so the run plan never picks it for the CLI: it is what unit tests
 * with the fake engine (test/support/fake-engine.ts) use, through the same pipeline as the engine process.
 */
import { PerfBaselineError } from "../util/errors.js";
import { localRunRequest } from "./engine-process/executor.js";
import { runLocalBenchmark } from "./engine-process/local-run.js";
import type { Executor, RunSpec } from "./executor.js";
import { type LocalTarget, targetModel } from "./local-target.js";
import type { RunOutcome } from "./outcome.js";

/** Runs a local engine's benchmark in this process. */
export const inProcessExecutor: Executor<LocalTarget> = {
  name: "in-process",
  summary: "a local engine in this process, unsupervised (tests with the fake engine)",
  async run(target: LocalTarget, spec: RunSpec): Promise<RunOutcome> {
    const resolved = targetModel(target, spec.detail, spec);
    if ("failed" in resolved) return resolved.failed;
    try {
      const create = await target.engine.load();
      const result = await runLocalBenchmark(create, localRunRequest(target, resolved.model, spec), {
        status: spec.detail,
        log: (line) => spec.detail?.(`llama.cpp: ${line}`),
        onRound: spec.onRound,
        signal: spec.signal,
      });
      if (result === null) return { state: "interrupted", result: null };
      const stopped = spec.signal?.aborted === true;
      return result.complete && !stopped ? { state: "completed", result } : { state: "interrupted", result };
    } catch (err) {
      if (err instanceof PerfBaselineError) return { state: "failed", error: err, result: null };
      throw err;
    }
  },
};
