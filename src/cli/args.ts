import { parseArgs } from "node:util";
import { UsageError } from "../util/errors.js";

/** One flag of a command: its type, help text and default as shown in --help. */
export interface FlagSpec {
  type: "string" | "boolean";
  description: string;
  /** shown in help; the command applies defaults itself */
  default?: string;
  short?: string;
  multiple?: boolean;
}

/** A command: its flags and what it does. Commands are loaded lazily so that `compare` never loads the addon. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** how many positional arguments it takes (default 0) */
  positionals?: number;
  /** Runs the command and returns the process exit code. */
  run(
    values: Record<string, string | boolean | string[] | undefined>,
    positionals: string[],
  ): Promise<number>;
}

/** Help text of a command, flags aligned, defaults shown. */
export function commandHelp(cmd: Command): string {
  const rows = Object.entries(cmd.flags).map(([name, f]) => {
    const left = `  ${f.short ? `-${f.short}, ` : ""}--${name}${f.type === "string" ? " <value>" : ""}`;
    const def = f.default !== undefined ? ` (default: ${f.default})` : "";
    return [left, `${f.description}${def}`] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 2;
  const lines = rows.map(([l, r]) => `${l.padEnd(width)}${r}`);
  return `${cmd.summary}\n\nUsage: ${cmd.usage}\n\nOptions:\n${lines.join("\n")}\n  -h, --help${" ".repeat(Math.max(1, width - 12))}show this help\n`;
}

/**
 * Parses argv strictly: an unknown flag, a missing value or a stray positional is a UsageError.
 * @param maxPositionals how many positional arguments the command takes.
 */
export function parseCommandArgs(cmd: Command, argv: string[], maxPositionals = 0) {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, f] of Object.entries(cmd.flags)) {
    options[name] = {
      type: f.type,
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  // "--rounds -5" reads as a value, so that it gets the flag's own message rather than "ambiguous".
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    const flag = a.startsWith("--") ? options[a.slice(2)] : undefined;
    if (flag?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > maxPositionals) {
      throw new UsageError(
        `${cmd.name}: unexpected argument "${parsed.positionals[maxPositionals]}" (see --help)`,
      );
    }
    return parsed as {
      values: Record<string, string | boolean | string[] | undefined>;
      positionals: string[];
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${cmd.name}: ${(err as Error).message.split("\n")[0]} (see --help)`);
  }
}

/**
 * A flag value as a positive integer (or non-negative with `allowZero`).
 * @throws UsageError "--rounds must be a positive integer, got 1.5".
 */
export function intFlag(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  { allowZero = false, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const n = /^[-+]?\d+$/.test(text) ? Number(text) : Number.NaN;
  const min = allowZero ? 0 : 1;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const what = allowZero ? "a non-negative integer" : "a positive integer";
    throw new UsageError(
      `--${name} must be ${what}${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ""}, got "${text}"`,
    );
  }
  return n;
}

/** An optional positive-integer flag: undefined when absent. */
export function optionalIntFlag(values: Record<string, unknown>, name: string): number | undefined {
  return values[name] === undefined ? undefined : intFlag(values, name, 0);
}

/** A flag value that must be one of `choices`. */
export function choiceFlag<T extends string>(
  values: Record<string, unknown>,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got "${String(raw)}"`);
  }
  return raw as T;
}

/** A string flag, or undefined. */
export function stringFlag(values: Record<string, unknown>, name: string): string | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw === "") throw new UsageError(`--${name} needs a value`);
  return raw;
}
