import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { OutputNotWritableError } from "./errors.js";
import { resolveOutputTarget } from "./output-path.js";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/** Writes all of `buf` to `fd`, waiting out EAGAIN (standard output may be a non-blocking pipe). */
function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // the reader is behind: wait 5 ms
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
        writeAll(streamFd, buf.subarray(0, n));
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
 * the temp file is flushed and renamed over the target. On any failure the temp file is removed and whatever
 * was at the target before is left as it was. The target is `path` after following symbolic links (the link
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
    mkdirSync(dirname(dest), { recursive: true });
    fd = openSync(tmp, "wx");
  } catch (err) {
    throw new OutputNotWritableError(path, err);
  }
  try {
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, dest);
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
  atomicWriteWith(path, (fd) => {
    writeSync(fd, text);
  });
}
