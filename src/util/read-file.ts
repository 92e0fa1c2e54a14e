/**
 * Reading the files the tool is given (results, baselines, configs, models, cache entries) safely: each path is
 * checked to be a regular file BEFORE it is opened (stat follows symbolic links), so that a FIFO, a device, a
 * directory or a socket gets a one-line error naming the path instead of a read that blocks forever (a FIFO
 * with no writer) or never ends (/dev/zero). The open itself uses O_NONBLOCK, and the opened descriptor is
 * checked again (fstat: the same inode, still a regular file), so a path swapped for a FIFO between the two
 * checks cannot block either. Every whole-file read is bounded by a size suited to the file's kind.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";

/** Makes the caller's error (its class carries the exit code) from a one-line problem. */
export type FileProblem = (problem: string, cause?: unknown) => Error;

/** "a FIFO (named pipe)", "a directory", ...: what a stat says a path is. */
export function describeFileKind(st: Stats): string {
  if (st.isFile()) return "a regular file";
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

/** "file not found", "cannot be read (EACCES)", ...: an errno from stat, open or read as a problem. */
export function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "file not found";
  if (code === "ELOOP") return "cannot be read (a loop of symbolic links)";
  if (code === "ENOTDIR") return "file not found (a folder on its path is a file)";
  return `cannot be read (${code ?? String(err)})`;
}

function notRegular(st: Stats): string {
  return `is ${describeFileKind(st)}, not a regular file`;
}

/**
 * Checks, without opening it, that `path` (after following symbolic links) is a regular file.
 * @param fail makes the error to throw from a one-line problem ("file not found", "is a FIFO (named pipe), not a regular file").
 * @returns its stat.
 * @throws what `fail` returns.
 */
export function statRegularFile(path: string, fail: FileProblem): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw fail(describeReadError(err), err);
  }
  if (!st.isFile()) throw fail(notRegular(st));
  return st;
}

/**
 * Opens a regular file for reading: stat first (a FIFO, device, directory or socket is refused before any
 * open), then open with O_RDONLY | O_NONBLOCK | O_NOCTTY, then fstat the descriptor: it must be the same
 * inode and still a regular file (the path may have been replaced in between). The caller closes `fd`.
 * @returns the descriptor and the file's size in bytes at open time.
 * @throws what `fail` returns, for a missing, unreadable or non-regular file.
 */
export function openRegularFile(path: string, fail: FileProblem): { fd: number; size: number } {
  const before = statRegularFile(path, fail);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw fail(describeReadError(err), err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail(notRegular(st));
    if (st.ino !== before.ino || st.dev !== before.dev) throw fail("was replaced while being opened");
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** "356 MB", "1 MiB"-style figure for a size limit in an error message. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(bytes % (1 << 20) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(bytes % (1 << 10) === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}

/** What a bounded read needs to know. */
export interface ReadBound {
  /** the largest size accepted, in bytes */
  maxBytes: number;
  /** the kind of file, for the error ("a result file") */
  what: string;
}

/**
 * Reads a whole regular file, refusing one larger than `bound.maxBytes` before reading it (and stopping at
 * `maxBytes + 1` bytes should it grow while being read).
 * @returns the file's bytes.
 * @throws what `fail` returns: not found, unreadable, not a regular file, or too large.
 */
export function readRegularFile(path: string, bound: ReadBound, fail: FileProblem): Buffer {
  const { fd, size } = openRegularFile(path, fail);
  const tooLarge = (n: number) =>
    fail(`is ${n} bytes, more than ${formatBytes(bound.maxBytes)}: too large for ${bound.what}`);
  try {
    if (size > bound.maxBytes) throw tooLarge(size);
    // one byte more than expected, so that a file that grows past the bound is noticed
    const buf = Buffer.allocUnsafe(Math.min(size, bound.maxBytes) + 1);
    let got = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, got, buf.length - got, null);
      } catch (err) {
        throw fail(describeReadError(err), err);
      }
      if (n === 0) break;
      got += n;
      if (got === buf.length) {
        if (got > bound.maxBytes) throw tooLarge(got);
        throw fail(`grew while being read (from ${size} bytes): read it when nothing writes to it`);
      }
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * `text` without a leading UTF-8 byte-order mark (U+FEFF, which editors on Windows put at the start of files
 * they save): JSON.parse refuses it ("Unexpected token"), although the file is valid JSON after it.
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * {@link readRegularFile} decoded as UTF-8, a leading byte-order mark skipped ({@link stripBom}).
 * @throws what `fail` returns.
 */
export function readRegularText(path: string, bound: ReadBound, fail: FileProblem): string {
  return stripBom(readRegularFile(path, bound, fail).toString("utf8"));
}
