/**
 * Writing baseline files: every new baseline is validated before anything is written, each file is replaced
 * atomically (temp file, fsync, rename), and an existing baseline that no longer validates is copied aside
 * first, never silently lost.
 */
import { constants, copyFileSync, existsSync, statSync } from "node:fs";
import { parseResult, readResult, writeResult } from "../results/io.js";
import type { BenchmarkResult } from "../results/schema.js";
import { OutputNotWritableError, ResultFileError } from "../util/errors.js";

/** What happened to one baseline file. */
export interface BaselineWrite {
  path: string;
  /** where an existing, corrupted baseline was copied before being replaced; null if there was none */
  kept_corrupted_as: string | null;
  /** the validation error of that corrupted file */
  corrupted_problem: string | null;
}

/** A timestamp usable in a file name: 2026-01-31T12-00-00Z. */
export function fileStamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
}

/**
 * Writes baselines, each atomically. All results are validated first, so an invalid result writes nothing.
 * An existing file at a target path that fails validation is copied to `<path>.corrupt-<timestamp>` before the new baseline replaces it.
 * @throws ResultFileError when a result does not validate (nothing is written then), or when something that
 *   is not a regular file (a FIFO, a device) stands at a target path;
 *   OutputNotWritableError when a path cannot be written.
 */
export function writeBaselines(
  entries: ReadonlyArray<{ path: string; result: BenchmarkResult }>,
): BaselineWrite[] {
  for (const e of entries) parseResult(e.result, `baseline for ${e.path}`);
  const stamp = fileStamp();
  const done: BaselineWrite[] = [];
  for (const e of entries) {
    let kept: string | null = null;
    let problem: string | null = null;
    if (existsSync(e.path)) {
      try {
        readResult(e.path);
      } catch (err) {
        if (!(err instanceof ResultFileError)) throw err;
        // a FIFO, device or folder at the path is refused, never copied (copying a FIFO would block)
        if (!statSync(e.path).isFile()) throw err;
        problem = err.message;
        kept = `${e.path}.corrupt-${stamp}`;
        try {
          // byte-for-byte, whatever the file holds; the original stays in place until the rename below
          copyFileSync(e.path, kept, constants.COPYFILE_EXCL);
        } catch (copyErr) {
          throw new OutputNotWritableError(kept, copyErr);
        }
      }
    }
    writeResult(e.path, e.result);
    done.push({ path: e.path, kept_corrupted_as: kept, corrupted_problem: problem });
  }
  return done;
}
