import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { OutputNotWritableError } from "./errors.js";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/**
 * Writes a file atomically: `write` gets a file descriptor of a temp file beside `path`; when it returns,
 * the temp file is flushed and renamed over `path`. On any failure the temp file is removed and whatever
 * was at `path` before is left as it was.
 * @throws OutputNotWritableError when the folder cannot be created or written.
 */
export function atomicWriteWith(path: string, write: (fd: number) => void): void {
  let fd: number;
  const tmp = tempPathFor(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, "wx");
  } catch (err) {
    throw new OutputNotWritableError(path, err);
  }
  try {
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    if (err instanceof Error && "code" in err) throw new OutputNotWritableError(path, err);
    throw err;
  }
}

/**
 * Writes text to `path` atomically (temp file, fsync, rename).
 * @throws OutputNotWritableError when the target cannot be written.
 */
export function atomicWriteText(path: string, text: string): void {
  atomicWriteWith(path, (fd) => {
    writeSync(fd, text);
  });
}
