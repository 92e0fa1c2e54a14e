/**
 * The evidence folder of one release check: new or empty (evidence of two runs must never mix), its files
 * written into a staging folder beside it and renamed into place once complete, so that a check that fails
 * half-way leaves no half-written folder.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { atomicWriteText, makeDirsSync, syncDirSync } from "../../util/atomic-file.js";
import { OutputNotWritableError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";

/** The folders an evidence folder holds besides its top-level files. */
export const EVIDENCE_SUBFOLDERS = ["captures", "baselines"] as const;

/**
 * Refuses an evidence folder that already holds files, or whose report cannot be written: checked before
 * anything runs.
 * @throws OutputNotWritableError naming the folder.
 */
export function assertEvidenceFolder(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new OutputNotWritableError(dir, "ENOTDIR");
    entries = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") entries = [];
    else if (err instanceof OutputNotWritableError) throw err;
    else throw new OutputNotWritableError(dir, err);
  }
  if (entries.length > 0)
    throw new OutputNotWritableError(
      dir,
      `it already holds ${entries.length} entr${entries.length === 1 ? "y" : "ies"} of another run; evidence of two runs must not mix: give a new or empty folder`,
    );
  assertWritablePath(join(dir, "report.md"));
}

/** An evidence folder being written: files go to its staging folder until {@link EvidenceFolder.publish}. */
export class EvidenceFolder {
  private constructor(
    /** the evidence folder as the user sees it */
    readonly dir: string,
    /** where the files are written until the folder is complete */
    readonly staging: string,
  ) {}

  /**
   * A new, empty staging folder beside `dir` (same file system, so that the final rename is atomic), with
   * its subfolders.
   * @throws OutputNotWritableError when it cannot be made.
   */
  static stage(dir: string): EvidenceFolder {
    const parent = dirname(resolve(dir));
    try {
      makeDirsSync(parent);
      const staging = mkdtempSync(join(parent, `.${basename(resolve(dir))}.partial-`));
      for (const sub of EVIDENCE_SUBFOLDERS) mkdirSync(join(staging, sub));
      return new EvidenceFolder(dir, staging);
    } catch (err) {
      throw new OutputNotWritableError(dir, err);
    }
  }

  /** Writes a file of the folder, atomically; `relative` is its path inside the folder. */
  write(relative: string, text: string): void {
    atomicWriteText(join(this.staging, relative), text);
  }

  /** Moves the complete staging folder to `dir` (an empty `dir` that exists is replaced). */
  publish(): void {
    try {
      if (existsSync(this.dir)) rmdirSync(this.dir);
      renameSync(this.staging, this.dir);
      syncDirSync(dirname(resolve(this.dir)));
    } catch (err) {
      throw new OutputNotWritableError(this.dir, err);
    }
  }

  /** Removes the staging folder (nothing, once published). */
  discard(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }
}
