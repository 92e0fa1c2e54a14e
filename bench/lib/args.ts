/**
 * Argument parsing of the bench scripts, with the CLI's own flag checks: src/cli/args.ts parses strictly (an
 * unknown flag, a missing value or a stray positional is an error) and src/util/flags.ts validates the values
 * (ranges, choices). `--help` prints the flags with their defaults and exits 0; a bad flag or value prints one
 * line (`bench/<script>.ts: <message>`) on stderr and exits 2, as the CLI does.
 *
 * A script declares each flag once, as an {@link Opt}: its help text, its default and how its value is read.
 * {@link parseScript} returns the values typed.
 */
import { parseArgs } from "node:util";
import { type Command, commandHelp, parseCommandArgs } from "../../src/cli/args.js";
import { EXIT, UsageError } from "../../src/util/errors.js";
import {
  choiceFlag,
  type FlagSpec,
  type FlagValues,
  intFlag,
  positiveNumberFlag,
  stringFlag,
} from "../../src/util/flags.js";
import type { Mode } from "../../src/workload/workload.js";

/** A flag: how --help shows it and how its value is read (and validated). */
export interface Opt<T> {
  spec: FlagSpec;
  /** @throws UsageError naming the flag and the value */
  read(values: FlagValues, name: string): T;
}

/** What --help prints above the flags. */
export interface ScriptInfo {
  /** the script's path from the repository root, e.g. "bench/ab-accuracy.ts": the prefix of every error */
  name: string;
  /** one line: what it measures */
  summary: string;
  /** the command line, e.g. "npx tsx bench/ab-accuracy.ts capture|evaluate [options]" */
  usage: string;
  /** how many positional arguments it takes (default 0) */
  positionals?: number;
}

/** The values of a script's flags, typed by their {@link Opt}s. */
export type OptValues<O extends Record<string, Opt<unknown>>> = { [K in keyof O]: ReturnType<O[K]["read"]> };

function spec(type: FlagSpec["type"], description: string, fallback?: unknown): FlagSpec {
  return {
    type,
    description,
    ...(fallback !== undefined && fallback !== "" ? { default: String(fallback) } : {}),
  };
}

/**
 * A whole number: positive, or non-negative with `allowZero`; `min` raises the floor, `max` caps it.
 * @throws UsageError "--n must be at least 20, got "5"".
 */
export function intOpt(
  description: string,
  fallback: number,
  range: { allowZero?: boolean; min?: number; max?: number } = {},
): Opt<number> {
  const { min, ...checked } = range;
  return {
    spec: spec("string", description, fallback),
    read: (v, n) => {
      const x = intFlag(v, n, fallback, checked);
      if (min !== undefined && x < min) throw new UsageError(`--${n} must be at least ${min}, got "${x}"`);
      return x;
    },
  };
}

/** An optional positive whole number: undefined when absent. */
export function optionalIntOpt(description: string): Opt<number | undefined> {
  return {
    spec: spec("string", description),
    read: (v, n) => (v[n] === undefined ? undefined : intFlag(v, n, 0)),
  };
}

/** A positive decimal number. */
export function positiveOpt(description: string, fallback: number): Opt<number> {
  return {
    spec: spec("string", description, fallback),
    read: (v, n) => positiveNumberFlag(v, n, fallback) as number,
  };
}

/**
 * A decimal number (negative allowed) in [min, max].
 * @throws UsageError "--step must be a number from -0.99 to 1, got "x"".
 */
export function decimalOpt(description: string, fallback: number, min: number, max: number): Opt<number> {
  return {
    spec: spec("string", description, fallback),
    read: (v, n) => (v[n] === undefined ? fallback : decimalOf(String(v[n]), `--${n}`, min, max)),
  };
}

function decimalOf(raw: string, what: string, min: number, max: number): number {
  const text = raw.trim();
  const x = /^[-+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!(x >= min && x <= max))
    throw new UsageError(`${what} must be a number from ${min} to ${max}, got "${raw}"`);
  return x;
}

/** One of `choices`; without a fallback, undefined when absent. */
export function choiceOpt<T extends string>(description: string, choices: readonly T[], fallback: T): Opt<T>;
export function choiceOpt<T extends string>(description: string, choices: readonly T[]): Opt<T | undefined>;
export function choiceOpt<T extends string>(
  description: string,
  choices: readonly T[],
  fallback?: T,
): Opt<T | undefined> {
  return {
    spec: spec("string", `${description} (${choices.join("|")})`, fallback),
    read: (v, n) => (v[n] === undefined ? fallback : choiceFlag(v, n, choices, choices[0] as T)),
  };
}

/** --mode: generation or embedding. */
export function modeOpt(fallback: Mode): Opt<Mode> {
  return choiceOpt("what to measure", ["generation", "embedding"], fallback);
}

/** --mode of a script that can measure both modes in one run. */
export function modesOpt(fallback: Mode | "both"): Opt<Mode | "both"> {
  return choiceOpt("what to measure", ["generation", "embedding", "both"], fallback);
}

/** The modes a {@link modeOrBoth} value stands for, generation first. */
export function modesOf(m: Mode | "both"): Mode[] {
  return m === "both" ? ["generation", "embedding"] : [m];
}

/** A string, or `fallback` (undefined when none) when absent. */
export function textOpt(description: string): Opt<string | undefined>;
export function textOpt(description: string, fallback: string): Opt<string>;
export function textOpt(description: string, fallback?: string): Opt<string | undefined> {
  return { spec: spec("string", description, fallback), read: (v, n) => stringFlag(v, n) ?? fallback };
}

/** An on/off switch (false when absent). */
export function boolOpt(description: string): Opt<boolean> {
  return { spec: spec("boolean", description), read: (v, n) => v[n] === true };
}

/**
 * A comma-separated list; empty items are dropped and each item is checked by `item` (identity by default).
 * @param item returns the item's value; throws UsageError for a bad item.
 */
export function listOpt<T = string>(
  description: string,
  fallback: string,
  item: (s: string, flagName: string) => T = (s) => s as T,
): Opt<T[]> {
  return {
    spec: spec("string", description, fallback),
    read: (v, n) =>
      String(v[n] ?? fallback)
        .split(",")
        .filter((s) => s.trim() !== "")
        .map((s) => item(s, `--${n}`)),
  };
}

/** A list item that must be a decimal in [min, max]. */
export function decimalItem(min: number, max: number): (s: string, what: string) => number {
  return (s, what) => decimalOf(s, what, min, max);
}

/** A list item that must be a whole number in [min, max]. */
export function intItem(min: number, max: number): (s: string, what: string) => number {
  return (s, what) => {
    const n = /^\d+$/.test(s.trim()) ? Number(s) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n >= min && n <= max))
      throw new UsageError(`${what}: ${s} is not in ${min}..${max}`);
    return n;
  };
}

/** A list item that must be one of `known` (arm names and the like). */
export function knownItem(known: readonly string[], what = "item"): (s: string, flagName: string) => string {
  return (s, flagName) => {
    if (!known.includes(s))
      throw new UsageError(`${flagName}: unknown ${what} "${s}" (known: ${known.join(", ")})`);
    return s;
  };
}

/** Prints one line, `<script>: <message>`, on stderr and exits 2 (a bad flag or argument). */
export function usageExit(info: ScriptInfo, message: string): never {
  const prefix = `${info.name}: `;
  process.stderr.write(`${prefix}${message.startsWith(prefix) ? message.slice(prefix.length) : message}\n`);
  process.exit(EXIT.usage);
}

/**
 * Parses `argv` (default: this process's arguments) against `opts` and reads every value. `--help` or `-h`
 * prints the help on stdout and exits 0; a UsageError (unknown flag, bad value, stray argument) exits 2
 * with one line.
 */
export function parseScript<O extends Record<string, Opt<unknown>>>(
  info: ScriptInfo,
  opts: O,
  argv: string[] = process.argv.slice(2),
): { values: OptValues<O>; positionals: string[] } {
  const flags: Record<string, FlagSpec> = {};
  for (const [name, o] of Object.entries(opts)) flags[name] = o.spec;
  const command: Command = { ...info, flags, run: async () => EXIT.ok };
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(commandHelp(command));
    process.exit(EXIT.ok);
  }
  try {
    const { values, positionals } = parseCommandArgs(command, argv, info.positionals ?? 0);
    const out: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(opts)) out[name] = o.read(values, name);
    return { values: out as OptValues<O>, positionals };
  } catch (err) {
    if (err instanceof UsageError) usageExit(info, err.message);
    throw err;
  }
}

/**
 * Reads one string flag from `argv` without judging the others (they belong to whichever script reads them
 * next): for a script that hands its arguments to another one (gate-accuracy's `--counter instructions`).
 */
export function peekFlag(argv: readonly string[], name: string): string | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: { [name]: { type: "string" } },
    strict: false,
    allowPositionals: true,
  });
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}
