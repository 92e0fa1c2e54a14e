/**
 * The engine-process executor: a local engine run in a fresh, supervised engine process (./supervisor.ts),
 * so that a native abort, an OOM kill or a hang becomes one line and an exit code, never a lost terminal.
 * The run plan picks it for every local engine run that counts time.
 */
import type { Executor, RunSpec } from "../executor.js";
import { type LocalTarget, targetModel } from "../local-target.js";
import type { RunOutcome } from "../outcome.js";
import type { LocalRunRequest } from "./local-run.js";
import { runSupervised, type SupervisorOptions } from "./supervisor.js";

/**
 * The engine process's request for a local target and a spec.
 * @param model the target's resolved model.
 */
export function localRunRequest(
  target: LocalTarget,
  model: LocalRunRequest["model"],
  spec: RunSpec,
): LocalRunRequest {
  return {
    engine: target.engine.name,
    model,
    options: target.options,
    shape: spec,
    invocation: spec.invocation,
    ...(target.device ? { device: target.device } : {}),
  };
}

/**
 * Resolves the target's model and runs it in a supervised engine process.
 * @param opts how the process is started and watched (a counted run wraps it in callgrind).
 */
export async function runInEngineProcess(
  target: LocalTarget,
  spec: RunSpec,
  opts: SupervisorOptions = {},
): Promise<RunOutcome> {
  const resolved = targetModel(target, spec.detail, spec);
  if ("failed" in resolved) return resolved.failed;
  return runSupervised(localRunRequest(target, resolved.model, spec), spec, opts);
}

/** Runs a local engine's benchmark in a supervised engine process. */
export const engineProcessExecutor: Executor<LocalTarget> = {
  name: "engine-process",
  summary: "a local engine in a supervised engine process (a native abort or a hang becomes one line)",
  run: (target, spec) => runInEngineProcess(target, spec),
};
