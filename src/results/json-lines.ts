/**
 * Results as JSON Lines (https://jsonlines.org): one compact result per line, each followed by a newline, as
 * a matrix run of `bench` prints them. A single result keeps its pretty one-document form (./io.ts).
 */
import { atomicWriteText } from "../util/atomic-file.js";
import { parseResult } from "./io.js";
import type { BenchmarkResult } from "./schema.js";

/** The results as JSON Lines: one compact JSON document per line, in the order given. */
export function serializeResultLines(results: readonly BenchmarkResult[]): string {
  return results.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/**
 * Validates the results and writes them as JSON Lines, atomically (all lines or no file).
 * @throws ResultFileError if a result does not validate (a bug); OutputNotWritableError if the path cannot be written.
 */
export function writeResultLines(path: string, results: readonly BenchmarkResult[]): void {
  for (const [i, r] of results.entries()) parseResult(r, `result ${i + 1} to write`);
  atomicWriteText(path, serializeResultLines(results));
}
