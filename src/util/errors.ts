/**
 * Typed errors users can act on. Each carries a one-line message that names the problem and, where there
 * is one, the fix; the CLI's single top-level handler prints `perf-baseline: <message>` and exits with
 * `exitCode`. Anything that is not a PerfBaselineError is a bug and is printed with its stack.
 */

/** Process exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** gate verdict REGRESSION */
  regression: 1,
  /** bad flags or arguments */
  usage: 2,
  /** gate verdict INCONCLUSIVE */
  inconclusive: 3,
  /** gate verdict INCOMPARABLE (or a stale baseline) */
  incomparable: 4,
  /** a result or baseline file that is missing or invalid */
  badResultFile: 5,
  /** a model file that is missing or invalid */
  badModel: 6,
  /** the engine or server failed during a run */
  runFailed: 7,
  /** an output path that cannot be written */
  output: 8,
  /** interrupted (Ctrl-C); partial results written where possible */
  interrupted: 130,
} as const;

/** Line breaks, control characters and invisible ones (format characters such as a byte-order mark). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * A message made one printable line: line breaks become `\n`, `\r`, tabs `\t`, and every other control or
 * invisible character (U+FEFF byte-order mark, zero-width and direction marks) its `\u{...}` escape, so that
 * an excerpt of a file or a server's answer quoted in a message can neither break the line nor hide.
 */
export function oneLine(message: string): string {
  return message.replace(
    UNPRINTABLE,
    (c) => ESCAPES[c] ?? `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}}`,
  );
}

/** Base class of every error the CLI reports as one line (the message is passed through {@link oneLine}). */
export class PerfBaselineError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(oneLine(message), options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A flag or argument with a value the tool cannot use. */
export class UsageError extends PerfBaselineError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** A model path that is missing, not GGUF, truncated or lacks metadata the engine needs. */
export class ModelFileError extends PerfBaselineError {
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`model ${path}: ${problem}`, EXIT.badModel, options);
    this.path = path;
  }
}

/** A result or baseline file that is missing, not JSON or fails the schema. */
export class ResultFileError extends PerfBaselineError {
  readonly path: string;
  constructor(path: string, problem: string, options?: { cause?: unknown }) {
    super(`${path}: ${problem}`, EXIT.badResultFile, options);
    this.path = path;
  }
}

/** The engine failed while loading or running. */
export class EngineError extends PerfBaselineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.runFailed, options);
  }
}

/** Errno codes of a disk that cannot take the data (full, over quota, failing), and what they mean. */
const DISK_FULL: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  EFBIG: "file too large for the file system",
};

/**
 * An output path (result file, model, evidence folder, report) that cannot be written. On a full disk
 * (ENOSPC, EDQUOT, EIO, EFBIG) the message says so and that the previous file was kept (the writes are
 * atomic: see src/util/atomic-file.ts).
 */
export class OutputNotWritableError extends PerfBaselineError {
  constructor(path: string, cause: unknown) {
    const reason =
      cause instanceof Error && "code" in cause
        ? String((cause as NodeJS.ErrnoException).code)
        : String(cause);
    const disk = DISK_FULL[reason];
    super(
      disk
        ? `cannot write ${path} (${reason}: ${disk}): nothing was written, any previous file is kept; free space and run again`
        : `cannot write ${path} (${reason}): choose a writable path`,
      EXIT.output,
      { cause },
    );
  }
}

/** The user interrupted the run (Ctrl-C) before it could finish. */
export class InterruptedError extends PerfBaselineError {
  constructor(message = "interrupted") {
    super(message, EXIT.interrupted);
  }
}

/** A gate configuration file that is missing, not JSON, or has a bad or unknown field (a usage error). */
export class ConfigFileError extends PerfBaselineError {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`, EXIT.usage);
  }
}

/** Captures handed to the baseline pool that are not comparable with each other: a bug in the caller. */
export class CapturesDisagreeError extends Error {}

/**
 * A history store that cannot be opened, reached, migrated or written. The message names the store (a
 * postgres URL without its password) and the fix.
 */
export class HistoryStoreError extends PerfBaselineError {
  constructor(location: string, problem: string, options?: { cause?: unknown }) {
    super(`history store ${location}: ${problem}`, EXIT.output, options);
  }
}
