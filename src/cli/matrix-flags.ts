/**
 * `bench`'s matrix flags: the workload and engine-setting flags llama-bench sweeps take a comma-separated
 * list (`--threads 1,2 --prompt-tokens 128,512`), each value checked on its own with the flag's own range and
 * error, then every combination checked whole. The plan of the runs is src/execute/matrix.ts.
 */
import type { EngineDefinition, RunShape } from "../engines/definition.js";
import { DEFAULT_ENGINE, getLocalEngine } from "../engines/registry.js";
import {
  type Combination,
  defaultRepetitions,
  describeCombination,
  type MatrixAxis,
  matrixCombinations,
} from "../execute/matrix.js";
import { UsageError } from "../util/errors.js";
import { type FlagSpec, type FlagTable, type FlagValues, flagReader, rangeText } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";
import { engineFlag, engineRunFromFlags, RUN_LIMITS, runShapeFromFlags } from "./run-flags.js";

/** The flags that take a list, in the order combinations nest (the first varies slowest). */
export const MATRIX_FLAGS = [
  "threads",
  "embedding-threads",
  "batch-size",
  "ubatch-size",
  "prompt-tokens",
  "depth",
  "max-new-tokens",
  "input-texts",
  "parallel",
] as const;

/** --repetitions: blocks per combination of a matrix run. */
export const REPETITIONS_FLAG: FlagSpec = {
  kind: "int",
  min: 1,
  max: RUN_LIMITS.rounds,
  range: "1 to --rounds",
  description:
    "matrix runs (a flag given as a list): blocks per combination, each a fresh engine with its own warmup and a share of --rounds; the order of the combinations rotates from block to block",
  default: "3, or --rounds when fewer",
};

/**
 * `table` with its matrix flags shown as lists: kind `list` of their own kind, the range of each value, and
 * the description saying what a list does. Only help and docs/cli.md read these kinds; values are read with
 * the engines' own tables.
 */
export function withMatrixFlags(table: FlagTable): FlagTable {
  return Object.fromEntries(
    Object.entries(table).map(([name, spec]) => {
      if (!(MATRIX_FLAGS as readonly string[]).includes(name) || spec.kind !== "int") return [name, spec];
      const range = rangeText(spec);
      const listed: FlagSpec = {
        ...spec,
        kind: "list",
        of: "int",
        range: range === "" ? "comma-separated" : `comma-separated, each ${range}`,
        description: `${spec.description}; several values run a matrix (local engines; docs/engines.md, Matrix runs)`,
      };
      return [name, listed];
    }),
  );
}

/**
 * The flags given as lists (a value with a comma), in {@link MATRIX_FLAGS} order, each with its values in the
 * order given.
 * @throws UsageError for an empty value ("1,", "1,,2") or a value given twice.
 */
export function matrixAxes(values: FlagValues): MatrixAxis[] {
  const axes: MatrixAxis[] = [];
  for (const flag of MATRIX_FLAGS) {
    const raw = values[flag];
    if (typeof raw !== "string" || !raw.includes(",")) continue;
    const parts = raw.split(",").map((p) => p.trim());
    if (parts.includes(""))
      throw new UsageError(`--${flag} "${raw}": a list is values separated by commas, none of them empty`);
    const twice = parts.find((p, i) => parts.indexOf(p) !== i);
    if (twice !== undefined) throw new UsageError(`--${flag} ${raw}: ${twice} is given twice`);
    axes.push({ flag, values: parts });
  }
  return axes;
}

/** One combination, ready to run. */
export interface MatrixEntry {
  combination: Combination;
  engine: EngineDefinition;
  options: unknown;
  shape: RunShape;
}

/** What {@link planMatrix} gives: the entries in declared order and the blocks per combination. */
export interface MatrixPlan {
  entries: MatrixEntry[];
  repetitions: number;
}

/** How a `bench` command line's run is read: its mode, whether it counts, its own flags. */
export interface BenchReading {
  mode: Mode;
  counted: boolean;
  commandFlags: readonly string[];
}

function readRun(values: FlagValues, how: BenchReading) {
  const shape = runShapeFromFlags(values, how.mode, { counted: how.counted });
  return { shape, ...engineRunFromFlags(values, shape, how.commandFlags) };
}

/** What `read` returns; its one-line UsageError prefixed with `prefix` ("--threads 1,0: ..."). */
export function prefixed<T>(prefix: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${prefix}: ${err.message}`);
    throw err;
  }
}

/**
 * The matrix of a `bench` command line, or null when no flag is a list (one run, as before). Each value of a
 * list is checked alone (the other lists' flags at their defaults), then each combination whole.
 * @throws UsageError "--threads 1,0: --threads must be ... got "0"", a list with a serving engine, more than
 *   64 combinations, a bad --repetitions.
 */
export function planMatrix(values: FlagValues, how: BenchReading): MatrixPlan | null {
  const axes = matrixAxes(values);
  if (axes.length === 0) {
    if (values.repetitions !== undefined)
      throw new UsageError(
        "--repetitions applies to a matrix run (a flag given as a comma-separated list, e.g. --threads 1,2)",
      );
    return null;
  }
  const engineName = flagReader(engineFlag(), values).choice("engine", DEFAULT_ENGINE);
  if (getLocalEngine(engineName) === undefined) {
    const a = axes[0] as MatrixAxis;
    throw new UsageError(
      `--${a.flag} ${a.values.join(",")}: lists run a matrix on the local engines only; --engine ${engineName} sweeps load with --concurrency lists`,
    );
  }
  const without = (flags: readonly string[]) => {
    const v = { ...values };
    for (const f of flags) delete v[f];
    return v;
  };
  const others = (axis: MatrixAxis) => axes.filter((a) => a !== axis).map((a) => a.flag);
  for (const axis of axes)
    for (const value of axis.values)
      prefixed(`--${axis.flag} ${axis.values.join(",")}`, () =>
        readRun({ ...without(others(axis)), [axis.flag]: value }, how),
      );
  const entries = matrixCombinations(axes).map((combination) =>
    prefixed(describeCombination(combination), () => ({
      combination,
      ...readRun({ ...values, ...Object.fromEntries(combination.values) }, how),
    })),
  );
  const rounds = (entries[0] as MatrixEntry).shape.rounds;
  return { entries, repetitions: repetitionsOf(values, rounds, how.counted) };
}

/**
 * --repetitions of a matrix run: at most --rounds (every block runs a measured round); 1 for a counted run.
 * @throws UsageError naming the flag and the reason.
 */
function repetitionsOf(values: FlagValues, rounds: number, counted: boolean): number {
  const read = flagReader({ repetitions: REPETITIONS_FLAG }, values);
  const k = read.int("repetitions", counted ? 1 : defaultRepetitions(rounds));
  if (counted && k > 1)
    throw new UsageError(
      "--repetitions applies to timed runs: a counted run's counts are deterministic (one block per combination)",
    );
  if (k > rounds)
    throw new UsageError(
      `--repetitions ${k} is more than --rounds ${rounds}: every block needs a measured round`,
    );
  return k;
}
