/**
 * The plan of a matrix run (`bench` with flags given as comma-separated lists, as llama-bench sweeps them):
 * the combinations of the lists, and the interleaved order their runs take. Pure.
 *
 * Every combination runs `repetitions` blocks, each a fresh engine with its own warmup and a share of the
 * combination's measured rounds (the shares add up to --rounds). Repetition r runs every combination once, in
 * the declared order rotated by r (with two combinations: AB, BA, AB, ...; the order `ab` gives its two sides,
 * src/gate/paired.ts blockOrder), so that what drifts over the run's minutes falls on every combination alike
 * and no combination always runs first after a model load.
 */
import { UsageError } from "../util/errors.js";

/** At most this many combinations in one matrix run. */
export const MAX_COMBINATIONS = 64;
/** Blocks per combination when --repetitions is not given (fewer when --rounds is smaller). */
export const DEFAULT_REPETITIONS = 3;

/** One flag given as a list: its name (without "--") and its values, in the order given. */
export interface MatrixAxis {
  flag: string;
  values: readonly string[];
}

/** One combination: a value of every axis, in the axes' order. */
export interface Combination {
  /** 0-based, in the declared order */
  index: number;
  /** [flag, value] of each axis */
  values: ReadonlyArray<readonly [string, string]>;
}

/** One run of the schedule: a block of one combination. */
export interface MatrixBlock {
  /** 0-based repetition (a pass over every combination) */
  repetition: number;
  /** the combination's index */
  combination: number;
  /** measured rounds of this block */
  rounds: number;
}

/**
 * Every combination of the axes, the first axis varying slowest (as nested loops in the axes' order), each
 * axis's values in the order given.
 * @throws UsageError when there are more than {@link MAX_COMBINATIONS}.
 */
export function matrixCombinations(axes: readonly MatrixAxis[]): Combination[] {
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > MAX_COMBINATIONS)
    throw new UsageError(
      `${axes.map((a) => `--${a.flag} ${a.values.join(",")}`).join(" ")} make ${count} combinations: a matrix run takes at most ${MAX_COMBINATIONS}`,
    );
  let combos: Array<Array<readonly [string, string]>> = [[]];
  for (const axis of axes)
    combos = combos.flatMap((c) => axis.values.map((v) => [...c, [axis.flag, v] as const]));
  return combos.map((values, index) => ({ index, values }));
}

/**
 * The measured rounds of each of `repetitions` blocks: `rounds` split as evenly as it goes, the first blocks
 * one round longer when it does not divide (10 in 3: 4, 3, 3).
 * @throws RangeError when a block would get no round (repetitions above rounds; the flag check prevents it).
 */
export function blockRounds(rounds: number, repetitions: number): number[] {
  if (repetitions < 1 || repetitions > rounds)
    throw new RangeError(`cannot split ${rounds} rounds into ${repetitions} blocks`);
  const base = Math.floor(rounds / repetitions);
  return Array.from({ length: repetitions }, (_, r) => base + (r < rounds % repetitions ? 1 : 0));
}

/**
 * The order of the runs: repetition r runs the combinations in the declared order rotated by r (combination
 * (r + p) mod n at position p), each with repetition r's share of `rounds` ({@link blockRounds}).
 * @param combinations how many combinations (at least 1).
 */
export function matrixSchedule(combinations: number, repetitions: number, rounds: number): MatrixBlock[] {
  const shares = blockRounds(rounds, repetitions);
  return shares.flatMap((share, repetition) =>
    Array.from({ length: combinations }, (_, p) => ({
      repetition,
      combination: (repetition + p) % combinations,
      rounds: share,
    })),
  );
}

/** The default number of repetitions: {@link DEFAULT_REPETITIONS}, or fewer when there are fewer rounds. */
export function defaultRepetitions(rounds: number): number {
  return Math.min(DEFAULT_REPETITIONS, rounds);
}

/** "--threads 2 --prompt-tokens 512": a combination as the flags that make it. */
export function describeCombination(c: Combination): string {
  return c.values.map(([f, v]) => `--${f} ${v}`).join(" ");
}
