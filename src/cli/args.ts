import { parseArgs } from "node:util";
import { UsageError } from "../util/errors.js";
import { type FlagSpec, type FlagTable, flagHelpText, parserType } from "../util/flags.js";

export {
  choiceFlag,
  type FlagSpec,
  type FlagTable,
  type FlagValues,
  flagReader,
  intFlag,
  optionalIntFlag,
  positiveNumberFlag,
  stringFlag,
} from "../util/flags.js";

/** A command: its flags and what it does. Commands are loaded lazily so that `compare` never loads the addon. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagTable;
  /** how many positional arguments it takes (default 0) */
  positionals?: number;
  /** Runs the command and returns the process exit code. */
  run(
    values: Record<string, string | boolean | string[] | undefined>,
    positionals: string[],
  ): Promise<number>;
}

/** How a flag's value is shown after its name: " <N>", " <PATH>", " <A,B>", " <value>"; "" for a boolean. */
export function flagValueName(spec: FlagSpec): string {
  const names: Record<FlagSpec["kind"], string> = {
    boolean: "",
    int: " <N>",
    number: " <X>",
    choice: " <value>",
    string: " <value>",
    path: " <PATH>",
    list: " <A,B,...>",
  };
  return names[spec.kind];
}

/**
 * A flag's meaning as help and docs/cli.md show it: its description, range and default, prefixed with the
 * engines that take it when `withEngines` and not every engine does (`allEngines`).
 */
export function flagMeaning(spec: FlagSpec, allEngines?: readonly string[]): string {
  const engines = spec.engines;
  const some =
    allEngines !== undefined &&
    engines !== undefined &&
    !spec.perEngine &&
    engines.length < allEngines.length;
  return `${some ? `${engines.join(", ")}: ` : ""}${flagHelpText(spec)}`;
}

/**
 * Help text of a command, flags aligned, ranges and defaults rendered from the flags' specs.
 * @param allEngines the registry's engine names: an engine flag some engines take names them.
 */
export function commandHelp(cmd: Command, allEngines?: readonly string[]): string {
  const rows = Object.entries(cmd.flags).map(([name, f]) => {
    const left = `  ${f.short ? `-${f.short}, ` : ""}--${name}${flagValueName(f)}`;
    return [left, flagMeaning(f, allEngines)] as const;
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
      type: parserType(f),
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
    const takesFlags = a.startsWith("--") && cmd.flags[a.slice(2)]?.takesFlags === true;
    if (flag?.type === "string" && next !== undefined && (/^-\d/.test(next) || takesFlags)) {
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
    throw new UsageError(`${cmd.name}: ${parseErrorText(cmd, (err as Error).message)} (see --help)`);
  }
}

/** Edit distance (Levenshtein) between two short strings. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * node:util parseArgs' message in the CLI's words: an unknown flag is named, with the closest flag the command
 * has when one is within two edits ("unknown flag --round (did you mean --rounds?)"); other messages keep
 * their first line.
 */
export function parseErrorText(cmd: Command, message: string): string {
  const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
  if (!unknown) return message.split("\n")[0] as string;
  const given = unknown[2] as string;
  const near = Object.keys(cmd.flags)
    .map((name) => ({ name, d: editDistance(given, name) }))
    .filter((c) => c.d <= 2)
    .sort((x, y) => x.d - y.d)[0];
  return `unknown flag ${unknown[1]}${given}${near ? ` (did you mean --${near.name}?)` : ""}`;
}
