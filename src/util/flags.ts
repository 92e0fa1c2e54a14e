/**
 * Flag definitions and the validation of flag values, shared by the CLI's commands and the engine registry
 * (each engine declares its own flags). Every numeric flag has a range; a value outside it is a UsageError
 * that names the flag, the range and the value.
 */
import { UsageError } from "./errors.js";

/** One flag: its type, help text and default as shown in --help. */
export interface FlagSpec {
  type: "string" | "boolean";
  description: string;
  /** shown in help; the code that reads the flag applies the default itself */
  default?: string;
  short?: string;
  multiple?: boolean;
  /** its value is itself a list of flags ("--a '--model x.gguf'"): a next word starting with "-" is its value */
  takesFlags?: boolean;
}

/** Parsed flag values as node:util parseArgs gives them. */
export type FlagValues = Record<string, unknown>;

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
