import {
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { OutputNotWritableError } from "./errors.js";
import { resolveOutputTarget } from "./output-path.js";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/** The most consecutive writes that may make no progress (0 bytes, or EAGAIN every 5 ms: 10 s) before giving up. */
const MAX_STALLED_WRITES = 2000;

/**
 * Writes ALL of `data` to `fd`: a short write (a nearly full disk writes what fits and returns its count) is
 * followed by another write of the rest, which then fails with the real cause (ENOSPC, EDQUOT, EIO). EAGAIN
 * (standard output may be a non-blocking pipe) is waited out, 5 ms at a time; a write that makes no progress
 * 2,000 times in a row fails with EIO (never loops forever).
 * @param data text (written as UTF-8) or bytes.
 * @throws the errno error of the failing write (code ENOSPC, EDQUOT, EIO, ...).
 */
export function writeAllSync(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  let stalled = 0;
  while (off < buf.length) {
    let n = 0;
    try {
      n = writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // the reader is behind: wait 5 ms
    }
    if (n > 0) stalled = 0;
    else if (++stalled > MAX_STALLED_WRITES)
      throw Object.assign(new Error(`write made no progress at byte ${off} of ${buf.length}`), {
        code: "EIO",
      });
    off += n;
  }
}

/**
 * Flushes a folder's entries (a rename or a new file in it) to the disk: fsync of the folder itself. A file
 * system that cannot sync folders (EINVAL, EISDIR, EPERM on some) is accepted as it is.
 * @throws the errno error of open or fsync otherwise (EIO, ENOSPC).
 */
export function syncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    if (UNSYNCABLE.has(String((err as NodeJS.ErrnoException).code))) return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!UNSYNCABLE.has(String((err as NodeJS.ErrnoException).code))) throw err;
  } finally {
    closeSync(fd);
  }
}

/** Errors of a folder fsync that mean "this file system does not sync folders", not a failure. */
const UNSYNCABLE = new Set(["EINVAL", "EISDIR", "EPERM", "EACCES", "ENOTSUP", "EBADF"]);

/** The most folders {@link makeDirsSync} creates or walks up (deeper paths are refused, never looped over). */
const MAX_DIR_DEPTH = 256;

/**
 * Creates `dir` and any missing parents (mkdir -p) in a bounded number of steps: it walks up to the nearest
 * existing folder (at most 256 levels), then creates each missing level once, in order. Unlike
 * `mkdirSync(dir, { recursive: true })`, which loops forever where mkdir says ENOENT for a folder that exists
 * (under /proc/self), every failure ends: the error of the first mkdir that fails, or ENOTDIR when an existing
 * level is not a folder.
 * @throws the errno error (code ENOENT, EACCES, ENOTDIR, ENOSPC, ...).
 */
export function makeDirsSync(dir: string): void {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (st) {
      if (!st.isDirectory())
        throw Object.assign(new Error(`ENOTDIR: ${current} is not a folder`), { code: "ENOTDIR" });
      break;
    }
    missing.push(current);
    const parent = dirname(current);
    if (parent === current || missing.length > MAX_DIR_DEPTH)
      throw Object.assign(new Error(`ENOENT: no existing folder above ${dir}`), { code: "ENOENT" });
    current = parent;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/**
 * Writes to standard output or error: `write` fills a private temp file first, which is then copied to the
 * stream, so that a write that fails half-way puts nothing on the stream (and `write` may seek).
 */
function writeToStream(streamFd: number, name: string, write: (fd: number) => void): void {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), "perf-baseline-out-"));
  } catch (err) {
    throw new OutputNotWritableError(name, err);
  }
  try {
    const tmp = join(dir, "out");
    const fd = openSync(tmp, "w+");
    try {
      write(fd);
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = 0;
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        writeAllSync(streamFd, buf.subarray(0, n));
        pos += n;
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof Error && "code" in err) throw new OutputNotWritableError(name, err);
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a file atomically: `write` gets a file descriptor of a temp file beside the target; when it returns,
 * the temp file is flushed (fsync) and renamed over the target, and the folder is synced. On any failure (a
 * full disk: ENOSPC, EDQUOT, EIO) the temp file is removed and whatever was at the target before is left as
 * it was. `write` must write everything it means to (use {@link writeAllSync}: a bare writeSync may write
 * only part of its buffer on a nearly full disk). The target is `path` after following symbolic links (the link
 * stays, its target is replaced); `-` and /dev/stdout write standard output (/dev/stderr standard error)
 * instead; a device, FIFO, directory or socket at the target is refused, never renamed over.
 * @throws OutputNotWritableError when the target is not a regular file or the folder cannot be created or written.
 */
export function atomicWriteWith(path: string, write: (fd: number) => void): void {
  const target = resolveOutputTarget(path);
  if (target.kind === "stream") {
    writeToStream(target.fd, target.name, write);
    return;
  }
  const dest = target.path;
  let fd: number;
  const tmp = tempPathFor(dest);
  try {
    makeDirsSync(dirname(dest));
    fd = openSync(tmp, "wx");
  } catch (err) {
    throw new OutputNotWritableError(path, err);
  }
  try {
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, dest);
    syncDirSync(dirname(dest));
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
 * Writes text to `path` atomically (temp file, fsync, rename); see {@link atomicWriteWith} for links and streams.
 * @throws OutputNotWritableError when the target cannot be written.
 */
export function atomicWriteText(path: string, text: string): void {
  atomicWriteWith(path, (fd) => writeAllSync(fd, text));
}
