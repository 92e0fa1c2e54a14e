/**
 * The flags of a benchmark run, defined once for every command that runs one: `bench` and `baseline` take
 * them with their defaults, `gate` and `check-release` with the baseline's values as defaults (their help is
 * generated from the same definitions). Engine flags come from the engine registry.
 */
import type { EngineDefinition, RunShape } from "../engines/definition.js";
import {
  allEngineFlags,
  assertEngineFlags,
  DEFAULT_ENGINE,
  engineNames,
  getEngine,
} from "../engines/registry.js";
import { checkRunnable } from "../execute/plan.js";
import { choiceFlag, type FlagSpec, type FlagValues, intFlag } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";

/** Defaults of the seed's commands. */
export const DEFAULT_ROUNDS = 30;
export const DEFAULT_WARMUP = 3;
export const DEFAULT_MAX_NEW_TOKENS = 64;
/** Upper bounds of the run's shape. */
export const RUN_LIMITS = { rounds: 100_000, warmup: 10_000, max_new_tokens: 32_768 } as const;

/** --rounds, --warmup and --max-new-tokens. */
export const SHAPE_FLAGS: Record<string, FlagSpec> = {
  rounds: {
    type: "string",
    description: `measured rounds (1 to ${RUN_LIMITS.rounds}; openai: the default request count)`,
    default: String(DEFAULT_ROUNDS),
  },
  warmup: {
    type: "string",
    description: `uncounted rounds run first (0 to ${RUN_LIMITS.warmup})`,
    default: String(DEFAULT_WARMUP),
  },
  "max-new-tokens": {
    type: "string",
    description: `tokens generated per round, end-of-generation notwithstanding (1 to ${RUN_LIMITS.max_new_tokens})`,
    default: String(DEFAULT_MAX_NEW_TOKENS),
  },
};

/** --engine, with the registry's names. */
export function engineFlag(): Record<string, FlagSpec> {
  return {
    engine: { type: "string", description: `engine: ${engineNames().join(", ")}`, default: DEFAULT_ENGINE },
  };
}

/** Every flag of a run: engine, shape and each engine's own. */
export function runFlags(): Record<string, FlagSpec> {
  return { ...engineFlag(), ...SHAPE_FLAGS, ...allEngineFlags() };
}

/** The run flags of a capture made against a baseline: each defaults to the baseline's value. */
export function captureFlags(): Record<string, FlagSpec> {
  const flags: Record<string, FlagSpec> = { ...SHAPE_FLAGS, ...allEngineFlags("capture") };
  return Object.fromEntries(
    Object.entries(flags).map(([k, f]) => [k, f.type === "string" ? { ...f, default: "the baseline's" } : f]),
  );
}

/**
 * The shape of a run from its flags.
 * @throws UsageError naming the flag and its range.
 */
export function runShapeFromFlags(values: FlagValues, mode: Mode): RunShape {
  return {
    mode,
    rounds: intFlag(values, "rounds", DEFAULT_ROUNDS, { max: RUN_LIMITS.rounds }),
    warmup: intFlag(values, "warmup", DEFAULT_WARMUP, { allowZero: true, max: RUN_LIMITS.warmup }),
    maxNewTokens:
      mode === "generation"
        ? intFlag(values, "max-new-tokens", DEFAULT_MAX_NEW_TOKENS, { max: RUN_LIMITS.max_new_tokens })
        : 0,
  };
}

/**
 * The engine chosen by --engine and its validated options; a flag the engine does not take is an error.
 * @param commandFlags the command's own flags (allowed whatever the engine).
 * @throws UsageError for an unknown engine, a flag of another engine, a bad value, or a run that cannot run
 *   here (`--counter instructions` without valgrind).
 */
export function engineRunFromFlags(
  values: FlagValues,
  shape: RunShape,
  commandFlags: readonly string[],
): { engine: EngineDefinition; options: unknown } {
  const engine = getEngine(choiceFlag(values, "engine", engineNames(), DEFAULT_ENGINE));
  assertEngineFlags(engine, values, [...commandFlags, "engine", ...Object.keys(SHAPE_FLAGS)]);
  const options = engine.optionsFromFlags(values, shape);
  checkRunnable(engine.name, options);
  return { engine, options };
}

/**
 * Checks that a capture's flags are the baseline engine's.
 * @throws UsageError "--concurrency applies to --engine openai, not llama-cpp".
 */
export function assertCaptureFlags(
  engine: EngineDefinition,
  values: FlagValues,
  commandFlags: readonly string[],
) {
  assertEngineFlags(engine, values, [...commandFlags, ...Object.keys(SHAPE_FLAGS)], "capture");
}
