/**
 * The run pipeline's entry: an engine from the registry, its validated options and the run's spec in, a
 * RunOutcome out. The run plan (./plan.ts) picks the executor: local engines run in a supervised engine
 * process (under callgrind when they count instructions), serving engines under the load generator.
 */
import type { Executor, RunSpec } from "./executor.js";
import type { RunOutcome } from "./outcome.js";
import { planRun, type RunTesting } from "./plan.js";
import { runPlanned } from "./registry.js";

/**
 * Runs one benchmark.
 * @param engine a registry name ("node-llama-cpp", "openai", ...).
 * @param options what that engine's optionsFromFlags or captureOptions returned.
 * @param testing what only tests and bench scripts add (a device wrapping the engine); never the CLI.
 * @throws UsageError for an unknown engine or an executor that cannot run here (see planRun); everything
 *   the run itself meets is in the outcome (see {@link Executor.run}).
 */
export function runBenchmark(
  engine: string,
  options: unknown,
  spec: RunSpec,
  testing?: RunTesting,
): Promise<RunOutcome> {
  return runPlanned(planRun(engine, options, testing), spec);
}
