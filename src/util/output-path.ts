import { accessSync, constants, existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { OutputNotWritableError } from "./errors.js";
import { describeFileKind } from "./read-file.js";

/** Where an output path really writes. */
export type OutputTarget =
  /** standard output (`-`, /dev/stdout) or standard error (/dev/stderr): written in place, never renamed over */
  | { kind: "stream"; fd: 1 | 2; name: string }
  /** a regular file (existing or not) at `path`, the end of any chain of symbolic links: replaced atomically */
  | { kind: "file"; path: string };

/** Paths that mean a standard stream (as `-` means standard output), before any link is followed. */
const STREAM_PATHS: Record<string, 1 | 2> = {
  "-": 1,
  "/dev/stdout": 1,
  "/dev/fd/1": 1,
  "/proc/self/fd/1": 1,
  "/dev/stderr": 2,
  "/dev/fd/2": 2,
  "/proc/self/fd/2": 2,
};

/** The most symbolic links followed (Linux's own limit, MAXSYMLINKS). */
const MAX_LINKS = 40;

/** True when `path` names standard output or standard error rather than a file (`-`, /dev/stdout, /dev/stderr). */
export function isStandardStream(path: string): boolean {
  return resolveOutputTarget(path).kind === "stream";
}

/**
 * Where writing `path` really goes: `-`, /dev/stdout (and /dev/fd/1, /proc/self/fd/1) mean standard output,
 * /dev/stderr standard error; a symbolic link is followed to its final target (which may not exist yet), so
 * that an atomic write replaces the target and keeps the link; an existing target that is not a regular file
 * (a device such as /dev/null, a FIFO, a directory, a socket) is refused, never renamed over.
 * @throws OutputNotWritableError naming the path and what stands there; for a loop of links (ELOOP).
 */
export function resolveOutputTarget(path: string): OutputTarget {
  let current = path === "-" ? "-" : resolve(path);
  for (let hops = 0; ; hops++) {
    const fd = STREAM_PATHS[current];
    if (fd !== undefined)
      return { kind: "stream", fd, name: fd === 1 ? "standard output" : "standard error" };
    if (hops > MAX_LINKS) throw new OutputNotWritableError(path, "ELOOP");
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { kind: "file", path: current }; // a new file (or a dangling link's target)
      throw new OutputNotWritableError(path, err);
    }
    if (st.isSymbolicLink()) {
      let link: string;
      try {
        link = readlinkSync(current);
      } catch (err) {
        throw new OutputNotWritableError(path, err);
      }
      const next = resolve(dirname(current), link);
      if (!existsSync(next) && existsSync(current)) {
        // a "magic" link of /proc (pipe:[123], a deleted file): what it leads to is only known to stat
        const target = statSync(current);
        if (!target.isFile()) throw notAFile(path, describeFileKind(target));
        return { kind: "file", path: realpathSync(current) };
      }
      current = next;
      continue;
    }
    if (!st.isFile()) throw notAFile(path, describeFileKind(st));
    return { kind: "file", path: current };
  }
}

function notAFile(path: string, kind: string): OutputNotWritableError {
  return new OutputNotWritableError(
    path,
    `it is ${kind}, not a regular file; give a file path, or - for standard output`,
  );
}

/**
 * Checks, before any work is done, that `path` can be written: `-` and /dev/stdout are standard output;
 * otherwise the final target of any symbolic links is a regular file or does not exist yet (a device, a FIFO,
 * a directory or a socket is refused), and its nearest existing folder is writable. Catches a bad --output
 * at start, not after a ten-minute run.
 * @throws OutputNotWritableError naming the path.
 */
export function assertWritablePath(path: string): void {
  const target = resolveOutputTarget(path);
  if (target.kind === "stream") return;
  const abs = target.path;
  let dir = dirname(abs);
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("ENOTDIR"), { code: "ENOTDIR" });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new OutputNotWritableError(path, err);
  }
}
