/**
 * Flag tables and the validation of flag values, shared by the CLI's commands and the engine registry (each
 * engine declares its own flags). A flag is declared once, as a {@link FlagSpec}: its kind, range, default,
 * unit and help text. The help text (src/cli/args.ts), the parser, the range checks (the readers below), the
 * `bench` argv a result records ({@link flagArgv}) and docs/cli.md (tools/write-cli-doc.ts) all come from
 * it. A value outside a flag's range is a UsageError that names the flag, the range and the value.
 */
import { UsageError } from "./errors.js";

/**
 * What a flag's value is: `boolean` (present or not), `int` (a whole number in [min, max]), `number` (a
 * positive decimal up to max, `inf` where allowed), `choice` (one of `choices`), `string`, `path` (a file
 * or folder), `list` (comma-separated values, each of the kind `of`).
 */
export type FlagKind = "boolean" | "int" | "number" | "choice" | "string" | "path" | "list";

/** One flag, declared once. */
export interface FlagSpec {
  kind: FlagKind;
  /** what it is, without its range or default (help renders them from the fields below) */
  description: string;
  /** int: the smallest value (default 1); number: values are above 0 */
  min?: number;
  /** int, number: the largest value */
  max?: number;
  /** the range as help shows it when it is not just min to max, e.g. "1 to the logical cores" */
  range?: string;
  /** choice (and a list of choices): the values it takes */
  choices?: readonly string[];
  /** list: the kind of each comma-separated value */
  of?: Exclude<FlagKind, "list" | "boolean">;
  /** number: `inf` is accepted (read as null) */
  allowInf?: boolean;
  /** unit of an int or number, e.g. "s" */
  unit?: string;
  /** shown in help; the code that reads the flag applies the default itself */
  default?: string | number;
  short?: string;
  multiple?: boolean;
  /** its value is itself a list of flags ("--a '--model x.gguf'"): a next word starting with "-" is its value */
  takesFlags?: boolean;
  /** the engines that take it (set by the engine registry's merge; absent: not an engine flag) */
  engines?: readonly string[];
  /** the description names each engine's meaning itself (a merged flag whose meaning differs by engine) */
  perEngine?: boolean;
}

/** A table of flags by name, in the order help lists them. */
export type FlagTable = Record<string, FlagSpec>;

/** Parsed flag values as node:util parseArgs gives them. */
export type FlagValues = Record<string, unknown>;

/** The type node:util parseArgs reads a flag as. */
export function parserType(spec: FlagSpec): "string" | "boolean" {
  return spec.kind === "boolean" ? "boolean" : "string";
}

/** A flag's range as help shows it: "1 to 100000", "up to 86400 s", "off, auto, cuda"; "" when none. */
export function rangeText(spec: FlagSpec): string {
  if (spec.range !== undefined) return spec.range;
  const unit = spec.unit ? ` ${spec.unit}` : "";
  if (spec.kind === "int") {
    const min = spec.min ?? 1;
    return spec.max === undefined ? `at least ${min}${unit}` : `${min} to ${spec.max}${unit}`;
  }
  if (spec.kind === "number") {
    const inf = spec.allowInf ? ", or inf" : "";
    return spec.max === undefined ? `above 0${unit}${inf}` : `up to ${spec.max}${unit}${inf}`;
  }
  if (spec.kind === "choice") return spec.choices?.join(", ") ?? "";
  if (spec.kind === "list" && spec.choices) return `comma-separated: ${spec.choices.join(", ")}`;
  return "";
}

/** A flag's help text: its description, then its range and default in one parenthesis. */
export function flagHelpText(spec: FlagSpec): string {
  const parts = [rangeText(spec), spec.default !== undefined ? `default: ${spec.default}` : ""];
  const extra = parts.filter((p) => p !== "").join("; ");
  return extra === "" ? spec.description : `${spec.description} (${extra})`;
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

/**
 * A positive decimal flag ("0.5", "2"); `inf` gives null when allowed.
 * @throws UsageError naming the flag and the value.
 */
export function positiveNumberFlag(
  values: Record<string, unknown>,
  name: string,
  fallback: number | null,
  { allowInf = false, max = Number.MAX_SAFE_INTEGER } = {},
): number | null {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim().toLowerCase();
  if (allowInf && (text === "inf" || text === "infinity")) return null;
  const n = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0) || n > max) {
    throw new UsageError(
      `--${name} must be a positive number${allowInf ? " or inf" : ""}${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ""}, got "${String(raw)}"`,
    );
  }
  return n;
}

function specOf(table: FlagTable, name: string, kinds: readonly FlagKind[]): FlagSpec {
  const spec = table[name];
  if (spec === undefined || !kinds.includes(spec.kind))
    throw new Error(`flag --${name} is not a ${kinds.join(" or ")} flag of this table`);
  return spec;
}

/** Reads the flags of one table: each value checked against its own declaration (kind, range, choices). */
export interface FlagReader {
  /**
   * An int flag in [min, max] of its spec.
   * @throws UsageError "--rounds must be a positive integer up to 100000, got "0"", or "--window must be at
   *   least 10, got "5"" below a min above 1.
   */
  int(name: string, fallback: number): number;
  /** An int flag, or undefined when absent. */
  optionalInt(name: string, fallback?: number): number | undefined;
  /** A positive number up to the spec's max; null for `inf` where allowed. */
  number(name: string, fallback: number | null): number | null;
  /** One of the spec's choices. */
  choice<T extends string>(name: string, fallback: T): T;
  /** A string or path flag, or undefined. */
  string(name: string): string | undefined;
  /** A boolean flag: true when given. */
  boolean(name: string): boolean;
  /** A list flag's values (split on commas, blanks dropped), or undefined when absent. */
  list(name: string): string[] | undefined;
}

/**
 * A reader of `values` against `table`. Asking for a flag the table does not declare (or of another kind)
 * is a bug, thrown as an Error.
 */
export function flagReader(table: FlagTable, values: FlagValues): FlagReader {
  const int = (name: string, fallback: number) => {
    const s = specOf(table, name, ["int"]);
    const min = s.min ?? 1;
    const n = intFlag(values, name, fallback, { allowZero: min <= 0, max: s.max });
    if (values[name] !== undefined && n < min)
      throw new UsageError(`--${name} must be at least ${min}, got "${n}"`);
    return n;
  };
  return {
    int,
    optionalInt: (name, fallback) => (values[name] === undefined ? fallback : int(name, 0)),
    number(name, fallback) {
      const s = specOf(table, name, ["number"]);
      return positiveNumberFlag(values, name, fallback, { allowInf: s.allowInf === true, max: s.max });
    },
    choice<T extends string>(name: string, fallback: T): T {
      const s = specOf(table, name, ["choice"]);
      return choiceFlag(values, name, (s.choices ?? []) as readonly T[], fallback);
    },
    string(name) {
      specOf(table, name, ["string", "path"]);
      return stringFlag(values, name);
    },
    boolean(name) {
      specOf(table, name, ["boolean"]);
      return values[name] === true;
    },
    list(name) {
      specOf(table, name, ["list"]);
      const raw = stringFlag(values, name);
      return raw
        ?.split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
    },
  };
}

/**
 * The command line of some flags of `table`: `--name value` for each value given, `--name` for a boolean
 * true, nothing for undefined or false. Naming a flag the table does not declare is a bug (an Error), so
 * that a recorded command line only ever holds flags the command takes.
 */
export function flagArgv(
  table: FlagTable,
  entries: ReadonlyArray<readonly [string, string | number | boolean | undefined]>,
): string[] {
  const argv: string[] = [];
  for (const [name, value] of entries) {
    const spec = table[name];
    if (spec === undefined) throw new Error(`flag --${name} is not declared in this table`);
    if (value === undefined || value === false) continue;
    if (value === true) {
      if (spec.kind !== "boolean") throw new Error(`flag --${name} takes a value`);
      argv.push(`--${name}`);
    } else argv.push(`--${name}`, String(value));
  }
  return argv;
}
