/**
 * The run pipeline's entry: an engine from the registry, its validated options and the run's spec in, a
 * RunOutcome out. Local engines run in a supervised engine process; the openai engine in this process.
 */
import type { RunSpec } from "../engines/definition.js";
import { getEngine } from "../engines/registry.js";
import type { RunOutcome } from "./outcome.js";

/**
 * Runs one benchmark.
 * @param engine a registry name ("node-llama-cpp", "openai", ...).
 * @param options what that engine's optionsFromFlags or captureOptions returned.
 * @throws UsageError for an unknown engine; everything the run itself meets is in the outcome.
 */
export function runBenchmark(engine: string, options: unknown, spec: RunSpec): Promise<RunOutcome> {
  return getEngine(engine).run(options, spec);
}
