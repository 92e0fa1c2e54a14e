import { EXIT, PerfBaselineError } from "../util/errors.js";

/**
 * A history store that cannot be opened, reached, migrated or written. The message names the store (a
 * postgres URL without its password) and the fix. (To move into src/util/errors.ts with the other classes.)
 */
export class HistoryStoreError extends PerfBaselineError {
  constructor(location: string, problem: string, options?: { cause?: unknown }) {
    super(`history store ${location}: ${problem}`, EXIT.output, options);
  }
}

/** The short cause of a driver or file-system error: its code, else its first line. */
export function causeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const msg = (err instanceof Error ? err.message.split("\n")[0] : String(err)) ?? "";
  return typeof code === "string" && code !== "" && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
