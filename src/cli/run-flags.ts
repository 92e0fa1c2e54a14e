/**
 * The flags of a benchmark run, defined once for every command that runs one: `bench` and `baseline` take
 * them with their defaults, `gate` and `check-release` with the baseline's values as defaults (their help is
 * generated from the same definitions). The shape flags are src/engines/definition.ts's SHAPE_FLAGS; engine
 * flags come from the engine registry.
 */
import {
  DEFAULT_MAX_NEW_TOKENS,
  DEFAULT_ROUNDS,
  DEFAULT_WARMUP,
  type EngineDefinition,
  type RunShape,
  SHAPE_FLAGS,
  shapeFromFlags,
} from "../engines/definition.js";
import {
  allEngineFlags,
  assertEngineFlags,
  DEFAULT_ENGINE,
  engineNames,
  getEngine,
} from "../engines/registry.js";
import { COUNTED_SHAPE } from "../execute/counted-plan.js";
import { checkRunnable } from "../execute/plan.js";
import { type FlagTable, type FlagValues, flagReader } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";

export {
  DEFAULT_MAX_NEW_TOKENS,
  DEFAULT_ROUNDS,
  DEFAULT_WARMUP,
  RUN_LIMITS,
  SHAPE_FLAGS,
} from "../engines/definition.js";

/** --engine, with the registry's names. */
export function engineFlag(): FlagTable {
  return {
    engine: { kind: "choice", choices: engineNames(), description: "engine", default: DEFAULT_ENGINE },
  };
}

/** Every flag of a run: engine, shape and each engine's own. */
export function runFlags(): FlagTable {
  return { ...engineFlag(), ...SHAPE_FLAGS, ...allEngineFlags() };
}

/** The run flags of a capture made against a baseline: each defaults to the baseline's value. */
export function captureFlags(): FlagTable {
  const flags: FlagTable = { ...SHAPE_FLAGS, ...allEngineFlags("capture") };
  return Object.fromEntries(
    Object.entries(flags).map(([k, f]) => [
      k,
      f.kind === "boolean" ? f : { ...f, default: "the baseline's" },
    ]),
  );
}

/**
 * The flags of a command's table that are its own: not a run's, not a capture's (those are checked against
 * the chosen engine). Derived from the table, so that no list restates it.
 */
export function ownFlagNames(table: FlagTable): string[] {
  const run = { ...runFlags(), ...captureFlags() };
  return Object.keys(table).filter((k) => !(k in run));
}

/**
 * The shape of a run from its flags.
 * @param opts.counted a counted run (`bench --counter instructions`): counts are deterministic, so --rounds and
 *   --warmup default to the counted shape of src/execute/counted-plan.ts (1 measured round, no warmup: the
 *   shape of a baseline's counted capture) instead of 30 and 2; given flags still apply.
 * @throws UsageError naming the flag and its range.
 */
export function runShapeFromFlags(
  values: FlagValues,
  mode: Mode,
  opts: { counted?: boolean } = {},
): RunShape {
  return shapeFromFlags(values, mode, {
    rounds: opts.counted ? COUNTED_SHAPE.rounds : DEFAULT_ROUNDS,
    warmup: opts.counted ? COUNTED_SHAPE.warmup : DEFAULT_WARMUP,
    maxNewTokens: DEFAULT_MAX_NEW_TOKENS,
  });
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
  const engine = getEngine(flagReader(engineFlag(), values).choice("engine", DEFAULT_ENGINE));
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
