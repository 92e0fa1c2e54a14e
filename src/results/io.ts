import type { z } from "zod";
import { atomicWriteText } from "../util/atomic-file.js";
import { ResultFileError } from "../util/errors.js";
import { readRegularText } from "../util/read-file.js";
import { consistencyProblem } from "./consistency.js";
import { migrateToCurrent } from "./migrations.js";
import { joinSamplesFile, withSamplesFile } from "./samples-file.js";
import { type BenchmarkResult, resultSchema, SCHEMA_VERSION } from "./schema.js";

/** "samples.3.elapsed_s: expected number, received string": the first issue of a failed validation. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const field = issue.path.length ? issue.path.map(String).join(".") : "(top level)";
  return `field ${field}: ${issue.message}`;
}

/**
 * Validates a parsed document as a result.
 * @param where the file name to put in the error.
 * @throws ResultFileError naming the file and the first bad field, or the first summary that contradicts the
 *   samples (results/consistency.ts).
 */
export function parseResult(doc: unknown, where: string): BenchmarkResult {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new ResultFileError(where, "not a result object (expected a JSON object)");
  }
  const migrated = migrateToCurrent(doc as Record<string, unknown>, SCHEMA_VERSION);
  if ("error" in migrated) throw new ResultFileError(where, migrated.error);
  const parsed = resultSchema.safeParse(migrated.doc);
  if (!parsed.success) throw new ResultFileError(where, describeIssue(parsed.error));
  const contradiction = consistencyProblem(parsed.data);
  if (contradiction) throw new ResultFileError(where, `contradicts its own samples: ${contradiction}`);
  return parsed.data;
}

/**
 * The largest result file read: 500 MiB. A result of 10^6 generation rounds (`baseline --rounds 100000` with
 * 10 captures) is 356 MB as written by {@link serializeResult} (measured); V8's longest string
 * (buffer.constants.MAX_STRING_LENGTH, 2^29 - 24 characters) is only a little more.
 */
export const MAX_RESULT_BYTES = 500 * 1024 * 1024;

/**
 * The problem of an empty (0-byte) result file: how it most likely happened and how to get the old one back.
 * A shell redirect (`perf-baseline bench ... > docs/baseline-generation.json`) empties its target before the
 * command runs, so a command that fails (a flag typo, Ctrl-C at start-up) leaves 0 bytes behind.
 */
export function emptyResultProblem(path: string): string {
  return `is empty (0 bytes): a redirect \`> ${path}\` of a command that failed emptied it; get the committed one back with \`git checkout -- ${path}\` (or \`git show HEAD:${path}\`), and write results with -o FILE, which replaces the file only when the run succeeds`;
}

/**
 * Reads and validates a result file (a baseline above all) before any use. The path must be a regular file
 * (checked before it is opened: a FIFO or device is refused, never read) of at most {@link MAX_RESULT_BYTES}.
 * @throws ResultFileError for a missing, non-regular, too large or empty file, bad JSON or a schema
 *   violation, naming the file and field.
 */
export function readResult(path: string): BenchmarkResult {
  const text = readRegularText(
    path,
    { maxBytes: MAX_RESULT_BYTES, what: "a result file" },
    (problem, cause) => new ResultFileError(path, problem, { cause }),
  );
  if (text.length === 0) throw new ResultFileError(path, emptyResultProblem(path));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(path, `not valid JSON (${(err as Error).message})`);
  }
  return parseResult(joinSamplesFile(doc, path), path);
}

/** The text a result is written as: pretty JSON with a trailing newline (stable, diff-friendly). */
export function serializeResult(result: BenchmarkResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/**
 * Validates a result and writes it atomically.
 * @throws ResultFileError if the result does not validate (a bug); OutputNotWritableError if the path cannot be written.
 */
export function writeResult(path: string, result: BenchmarkResult): void {
  parseResult(result, "result to write");
  atomicWriteText(path, serializeResult(withSamplesFile(path, result)));
}
