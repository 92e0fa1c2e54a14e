/**
 * What an engine is to the rest of the tool: its flags, how flags become validated options, how a run is
 * derived from a baseline (the gate's capture), the `bench` command line a result records, and a line that
 * describes a run. An engine only describes: it never runs itself. Where and how a run happens (a supervised
 * engine process, callgrind, a load generator) is the executors' (src/execute/), which the run plan picks
 * by the engine's kind: the registry's local engines (with their factory, ./local/define.ts) and serving
 * engines (./openai/definition.ts). Every engine is one file that exports one definition and one entry in
 * ./registry.ts; the run pipeline, the gate and the reports hold no engine-name branches.
 */

import type { BenchmarkResult } from "../results/schema.js";
import type { FlagSpec, FlagValues } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";

/** The engine-independent plan of a run. */
export interface RunShape {
  mode: Mode;
  /** measured rounds (a serving engine: the default request count) */
  rounds: number;
  /** uncounted rounds first */
  warmup: number;
  /** new tokens per generation round (0 for embedding) */
  maxNewTokens: number;
}

/** A capture comparable with a baseline: its shape (from the baseline, flags overriding) and engine options. */
export interface CapturePlan<O> {
  shape: RunShape;
  options: O;
}

/** One engine. `O` is its validated options. */
export interface EngineDefinition<O = unknown> {
  /** the name results record in engine.name and --engine takes */
  name: string;
  /** one line for --help */
  summary: string;
  /** flags only this engine takes (shared names with other engines are merged in help) */
  flags: Record<string, FlagSpec>;
  /** flags this engine takes only in a capture against a baseline (gate, check-release) */
  captureFlags?: Record<string, FlagSpec>;
  /**
   * Validated options from the flags of `bench`.
   * @throws UsageError naming the flag.
   */
  optionsFromFlags(values: FlagValues, shape: RunShape): O;
  /**
   * The capture the gate (or check-release) runs against `baseline`: the baseline's shape and settings, each
   * overridable by a flag.
   * @throws UsageError for a flag this engine does not take or a value it cannot use.
   */
  captureOptions(baseline: BenchmarkResult, values: FlagValues): CapturePlan<O>;
  /** The `perf-baseline bench` arguments that make the same run (recorded as a capture's invocation). */
  benchArgv(options: O, shape: RunShape): string[];
  /** "30 rounds", "200 requests to http://127.0.0.1:8080/v1/": for status lines. */
  describe(options: O, shape: RunShape): string;
}

/**
 * Erases a definition's option type for the registry (options only ever travel from a definition's
 * optionsFromFlags/captureOptions back to the same definition).
 */
export function defineEngine<O>(definition: EngineDefinition<O>): EngineDefinition<unknown> {
  return definition as unknown as EngineDefinition<unknown>;
}
