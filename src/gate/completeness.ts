/**
 * Partial results are not gated silently. A result with `"complete": false` comes from an interrupted run
 * (Ctrl-C, a server that stopped answering): its rounds are the first ones only, often the warm-up-affected
 * ones, so its median is not the run's. The gate and `compare` refuse it unless the user allows it
 * explicitly (--allow-incomplete), and then the report says which result was partial. Pure.
 */
import type { BenchmarkResult } from "../results/schema.js";
import { ResultFileError } from "../util/errors.js";
import { type GateReason, incompleteText, reasonText } from "./reasons.js";

/** The flag that lets the gate use a partial result. */
export const ALLOW_INCOMPLETE_FLAG = "--allow-incomplete";

/** '"complete": false, 3 rounds measured': what a partial result holds, for messages. */
export function describeIncomplete(result: BenchmarkResult): string {
  return incompleteText(result.samples.length);
}

/**
 * Checks that a result is complete, or that the user allowed a partial one.
 * @param source the file (or "candidate run") to name in the message.
 * @param allow true when the user passed {@link ALLOW_INCOMPLETE_FLAG}.
 * @returns null for a complete result; for an allowed partial one, the note the report carries (code
 *   "partial_result").
 * @throws ResultFileError (exit 5) for a partial result that was not allowed, naming it, why and the fix.
 */
export function partialNote(
  result: BenchmarkResult,
  source: string,
  allow: boolean,
): Extract<GateReason, { code: "partial_result" }> | null {
  if (result.complete) return null;
  if (!allow) {
    throw new ResultFileError(
      source,
      `is a partial result (${describeIncomplete(result)}), which the gate refuses: recapture it, or pass ${ALLOW_INCOMPLETE_FLAG} to gate it anyway`,
    );
  }
  return { code: "partial_result", source, rounds: result.samples.length };
}

/**
 * {@link partialNote} as the line the report carries.
 * @throws ResultFileError as partialNote.
 */
export function checkComplete(result: BenchmarkResult, source: string, allow: boolean): string | null {
  const note = partialNote(result, source, allow);
  return note === null ? null : reasonText(note);
}
