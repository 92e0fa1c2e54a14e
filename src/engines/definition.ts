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
import { type FlagTable, type FlagValues, flagReader } from "../util/flags.js";
import { type LengthDistribution, nominalLength, parseLengthDistribution } from "../workload/distribution.js";
import { MODES, type Mode } from "../workload/workload.js";

/** Defaults of the specification's commands. */
export const DEFAULT_ROUNDS = 30;
export const DEFAULT_WARMUP = 3;
export const DEFAULT_MAX_NEW_TOKENS = 64;
/** Upper bounds of the run's shape. */
export const RUN_LIMITS = { rounds: 100_000, warmup: 10_000, max_new_tokens: 32_768 } as const;

/** --rounds, --warmup and --max-new-tokens: the shape of a run, whatever the engine. */
export const SHAPE_FLAGS = {
  rounds: {
    kind: "int",
    min: 1,
    max: RUN_LIMITS.rounds,
    description:
      "measured rounds; openai: the default request count; bench --counter instructions: 1 unless given (counts are deterministic)",
    default: DEFAULT_ROUNDS,
  },
  warmup: {
    kind: "int",
    min: 0,
    max: RUN_LIMITS.warmup,
    description: "uncounted rounds run first; bench --counter instructions: 0 unless given",
    default: DEFAULT_WARMUP,
  },
  "max-new-tokens": {
    kind: "int",
    min: 0,
    max: RUN_LIMITS.max_new_tokens,
    description:
      "tokens generated per round, end-of-generation notwithstanding; 0: prompt processing only (llama-bench -n 0; local engines); openai: also drawn per request, uniform:MIN:MAX, normal:MEAN:SD or lognormal:MEDIAN:SIGMA",
    default: DEFAULT_MAX_NEW_TOKENS,
  },
} as const satisfies FlagTable;

/** --mode of a command that runs one mode. */
export const MODE_FLAG = {
  kind: "choice",
  choices: MODES,
  description: "what to measure",
  default: "generation",
} as const satisfies FlagTable[string];

/**
 * The table a `bench` command line a result records is checked against: --engine, --mode, the shape and
 * the engine's own `flags`.
 */
export function benchArgvTable(flags: FlagTable): FlagTable {
  return {
    engine: { kind: "string", description: "engine" },
    mode: MODE_FLAG,
    ...SHAPE_FLAGS,
    ...flags,
  };
}

/**
 * The shape of a run from its flags, each absent flag taking `fallback` (the defaults, or a baseline's).
 * @param maxRounds the largest --rounds (a serving capture allows as many as --num-requests).
 * @throws UsageError naming the flag and its range.
 */
export function shapeFromFlags(
  values: FlagValues,
  mode: Mode,
  fallback: { rounds: number; warmup: number; maxNewTokens: number },
  maxRounds: number = RUN_LIMITS.rounds,
): RunShape {
  const read = flagReader({ ...SHAPE_FLAGS, rounds: { ...SHAPE_FLAGS.rounds, max: maxRounds } }, values);
  const raw = values["max-new-tokens"];
  // a distribution (uniform:MIN:MAX, ...): serving engines draw each request's length from it
  const distribution =
    mode === "generation" && typeof raw === "string" && raw.includes(":")
      ? parseLengthDistribution("--max-new-tokens", raw, { min: 1, max: RUN_LIMITS.max_new_tokens })
      : undefined;
  return {
    mode,
    rounds: read.int("rounds", fallback.rounds),
    warmup: read.int("warmup", fallback.warmup),
    maxNewTokens:
      mode !== "generation"
        ? 0
        : distribution
          ? nominalLength(distribution)
          : read.int("max-new-tokens", fallback.maxNewTokens),
    ...(distribution ? { maxNewTokensDistribution: distribution } : {}),
  };
}

/** The engine-independent plan of a run. */
export interface RunShape {
  mode: Mode;
  /** measured rounds (a serving engine: the default request count) */
  rounds: number;
  /** uncounted rounds first */
  warmup: number;
  /** new tokens per generation round (0 for embedding); with a distribution, its nominal length */
  maxNewTokens: number;
  /**
   * `--max-new-tokens uniform:MIN:MAX` (normal, lognormal): each request's length drawn from it (serving
   * engines only; local engines refuse it). Absent for a fixed count.
   */
  maxNewTokensDistribution?: LengthDistribution;
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
  flags: FlagTable;
  /** flags this engine takes only in a capture against a baseline (gate, check-release) */
  captureFlags?: FlagTable;
  /** flags of `flags` this engine refuses when given (shared flag tables): not named as its flags elsewhere */
  refusedFlags?: readonly string[];
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
  /**
   * The `perf-baseline bench` arguments that make the same run (recorded as a capture's invocation), built
   * with flagArgv (src/util/flags.ts) from {@link SHAPE_FLAGS}, --mode, --engine and `flags`: a flag the
   * tables do not declare is an Error.
   */
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
