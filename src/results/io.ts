import { readFileSync } from "node:fs";
import type { z } from "zod";
import { atomicWriteText } from "../util/atomic-file.js";
import { ResultFileError } from "../util/errors.js";
import { migrateToCurrent } from "./migrations.js";
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
 * @throws ResultFileError naming the file and the first bad field.
 */
export function parseResult(doc: unknown, where: string): BenchmarkResult {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new ResultFileError(where, "not a result object (expected a JSON object)");
  }
  const migrated = migrateToCurrent(doc as Record<string, unknown>, SCHEMA_VERSION);
  if ("error" in migrated) throw new ResultFileError(where, migrated.error);
  const parsed = resultSchema.safeParse(migrated.doc);
  if (!parsed.success) throw new ResultFileError(where, describeIssue(parsed.error));
  return parsed.data;
}

/**
 * Reads and validates a result file (a baseline above all) before any use.
 * @throws ResultFileError for a missing file, bad JSON or a schema violation, naming the file and field.
 */
export function readResult(path: string): BenchmarkResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ResultFileError(path, code === "ENOENT" ? "file not found" : `cannot be read (${code})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(path, `not valid JSON (${(err as Error).message})`);
  }
  return parseResult(doc, path);
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
  atomicWriteText(path, serializeResult(result));
}
