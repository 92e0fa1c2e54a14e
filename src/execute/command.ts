/**
 * The command executor: runs any command once as a fresh process (no shell: argv as given; a user who wants
 * one writes `sh -c '...'`), in its own folder and environment, with a timeout, and reads the result it
 * prints (or writes to a file) through {@link readCommandOutput}: any format the importers read (src/import/:
 * this tool's result, llama-bench, hyperfine, ...). One side of `ab --a-cmd/--b-cmd` and each tree of
 * `--against` runs through {@link runCommandOnce}; the executor's {@link commandExecutor} takes this tool's
 * results only (a run outcome carries one).
 *
 * Every way a run can go wrong is one line naming the side and the run, exit 7 (EXIT.runFailed): the command
 * cannot start, exits non-zero or by a signal, runs past its timeout, prints nothing, prints something that is
 * not a result. The command runs in a process group of its own, and the whole group is killed on a timeout, on
 * Ctrl-C (the run's signal) and when this process exits, so nothing it started outlives the run.
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { importResultsText } from "../import/registry.js";
import type { ImportedResult } from "../import/types.js";
import type { BenchmarkResult } from "../results/schema.js";
import { EngineError, PerfBaselineError, ResultFileError } from "../util/errors.js";
import { readRegularText } from "../util/read-file.js";
import type { Executor, RunSpec } from "./executor.js";
import type { RunOutcome } from "./outcome.js";

/** The most a command may print (or write) as its output: 64 MiB. More is a failed run. */
export const MAX_COMMAND_OUTPUT_BYTES = 64 * 1024 * 1024;

/** The last characters of a failed command's stderr quoted in its error line. */
const STDERR_TAIL_CHARS = 300;

/** What a command's output holds: the tests found and the format they were written in. */
export interface CommandOutput {
  /** the importer's name (src/import/registry.ts), e.g. "perf-baseline", "llama-bench": both sides of an A/B
   * must print the same */
  format: string;
  /** every test found, in output order (one per test for a tool that runs several); this tool's own results
   * are kept whole in `result` */
  results: ImportedResult[];
}

/**
 * Reads what a command printed through the importers (src/import/registry.ts `importResultsText`): the format
 * is detected from the content.
 * @param source the side and run, named in errors ("side A, block 2").
 * @throws ResultFileError (one line) when the text is empty, of no known format, or a bad file of its format.
 */
export function readCommandOutput(text: string, source: string): CommandOutput {
  if (text.trim() === "") throw new ResultFileError(source, "printed nothing (expected a result)");
  const results = importResultsText(text, source);
  return { format: (results[0] as ImportedResult).format, results };
}

/** One run of a command. */
export interface CommandTarget {
  /** the side and run, named in every error line: "side A, block 3" */
  label: string;
  /** the program and its arguments (no shell) */
  argv: string[];
  /** the folder it runs in */
  cwd: string;
  /** added to this process's environment */
  env: Readonly<Record<string, string>>;
  /** a file the command writes its result to (removed before each run); null: its stdout */
  output: string | null;
  /** the longest a run may take, seconds */
  timeout_s: number;
  /** the result of this test where the output holds several (the result's `test`); else the first */
  test?: string;
  /** is given every test the output held (for a caller that decides per test) */
  onOutput?: (output: CommandOutput) => void;
}

/** How the process ended and what it printed. */
interface Finished {
  stdout: string;
  stderrTail: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** why this process stopped it, if it did */
  stopped: "timeout" | "interrupted" | "too-much-output" | null;
  spawnError: Error | null;
}

/** Process groups of commands still running, killed when this process exits. */
const running = new Set<number>();
let exitHookInstalled = false;

/** Kills a command's whole process group (it is its leader), ignoring one already gone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already exited
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of running) killGroup(pid);
  });
}

/** Spawns the command in a new process group and waits for it, bounded by the timeout and the signal. */
function spawnAndWait(target: CommandTarget, spec: RunSpec): Promise<Finished> {
  installExitHook();
  return new Promise((done) => {
    const [program, ...args] = target.argv as [string, ...string[]];
    const child = spawn(program, args, {
      cwd: target.cwd,
      env: { ...process.env, ...target.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderrTail = "";
    let stopped: Finished["stopped"] = null;
    let spawnError: Error | null = null;
    const stop = (why: NonNullable<Finished["stopped"]>) => {
      stopped ??= why;
      if (child.pid !== undefined) killGroup(child.pid);
    };
    if (child.pid !== undefined) running.add(child.pid);
    const timer = setTimeout(() => stop("timeout"), target.timeout_s * 1000);
    const onAbort = () => stop("interrupted");
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_COMMAND_OUTPUT_BYTES) stop("too-much-output");
      else out.push(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      const text = b.toString("utf8");
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS * 4);
      for (const line of text.split("\n")) if (line.trim() !== "") spec.detail?.(line);
    });
    child.on("error", (err) => {
      spawnError = err;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      spec.signal?.removeEventListener("abort", onAbort);
      if (child.pid !== undefined) {
        killGroup(child.pid); // whatever it left behind in its group
        running.delete(child.pid);
      }
      done({ stdout: Buffer.concat(out).toString("utf8"), stderrTail, code, signal, stopped, spawnError });
    });
  });
}

/** The last non-empty line of a command's stderr, shortened: the likeliest reason it failed. */
function lastLine(stderrTail: string): string {
  const lines = stderrTail.split("\n").filter((l) => l.trim() !== "");
  const last = lines[lines.length - 1]?.trim() ?? "";
  return last.length > STDERR_TAIL_CHARS ? `...${last.slice(-STDERR_TAIL_CHARS)}` : last;
}

/** The one-line problem of a run that did not end well, or null when it exited 0. */
function processProblem(target: CommandTarget, f: Finished): string | null {
  const said = lastLine(f.stderrTail);
  const tail = said === "" ? "" : ` (its stderr ends: ${said})`;
  if (f.spawnError) {
    const code = (f.spawnError as NodeJS.ErrnoException).code ?? f.spawnError.message;
    return `cannot run ${target.argv[0]} in ${target.cwd} (${code}): check the command and --a-cwd/--b-cwd`;
  }
  if (f.stopped === "timeout")
    return `did not finish within ${target.timeout_s} s (--run-timeout): it was killed${tail}`;
  if (f.stopped === "too-much-output")
    return `printed more than ${MAX_COMMAND_OUTPUT_BYTES / 1024 / 1024} MiB: it was killed`;
  if (f.signal !== null) return `was killed by ${f.signal}${tail}`;
  if (f.code !== 0) return `exited with code ${f.code}${tail}`;
  return null;
}

/** The text the command produced: its stdout, or its output file. */
function outputText(target: CommandTarget, f: Finished): string {
  if (target.output === null) return f.stdout;
  const path = resolve(target.cwd, target.output);
  if (!existsSync(path))
    throw new ResultFileError(target.label, `exited 0 but wrote no ${path} (its output file)`);
  return readRegularText(
    path,
    { maxBytes: MAX_COMMAND_OUTPUT_BYTES, what: "a command's output file" },
    (problem, cause) => new ResultFileError(`${target.label}: ${path}`, problem, { cause }),
  );
}

/** This tool's result of the test asked for (or the first) among those the output holds. */
function pickResult(target: CommandTarget, output: CommandOutput): BenchmarkResult {
  const own = output.results.flatMap((r) => (r.result ? [r.result] : []));
  if (own.length === 0)
    throw new ResultFileError(
      target.label,
      `prints ${output.format}, not this tool's result (ab --a-cmd/--b-cmd reads it)`,
    );
  if (target.test === undefined) return own[0] as BenchmarkResult;
  const found = own.find((r) => r.test === target.test);
  if (found) return found;
  const tests = own.map((r) => r.test ?? "(unnamed)").join(", ");
  throw new ResultFileError(target.label, `holds no test ${target.test} (it holds: ${tests})`);
}

/** How one run of a command ended: what its output holds, or why there is none. */
export type CommandRunOutcome =
  | { state: "completed"; output: CommandOutput }
  | { state: "interrupted" }
  | { state: "failed"; error: EngineError };

/**
 * Runs the command once and reads its output, of any format the importers read.
 * @returns "failed" with one line naming the run (EngineError, exit 7) for a command that cannot start, exits
 *   non-zero, times out, prints nothing or something no importer reads; "interrupted" on the spec's signal.
 */
export async function runCommandOnce(target: CommandTarget, spec: RunSpec): Promise<CommandRunOutcome> {
  if (target.output !== null) rmSync(resolve(target.cwd, target.output), { force: true });
  const finished = await spawnAndWait(target, spec);
  if (finished.stopped === "interrupted") return { state: "interrupted" };
  const problem = processProblem(target, finished);
  if (problem !== null) return { state: "failed", error: new EngineError(`${target.label}: ${problem}`) };
  try {
    const output = readCommandOutput(outputText(target, finished), target.label);
    target.onOutput?.(output);
    return { state: "completed", output };
  } catch (err) {
    if (!(err instanceof PerfBaselineError)) throw err;
    return { state: "failed", error: new EngineError(err.message, { cause: err }) };
  }
}

/** Runs the command once and reads this tool's result from it. */
async function runCommand(target: CommandTarget, spec: RunSpec): Promise<RunOutcome> {
  const once = await runCommandOnce(target, spec);
  if (once.state === "interrupted") return { state: "interrupted", result: null };
  if (once.state === "failed") return { ...once, result: null };
  try {
    return { state: "completed", result: pickResult(target, once.output) };
  } catch (err) {
    if (!(err instanceof PerfBaselineError)) throw err;
    return { state: "failed", error: new EngineError(err.message, { cause: err }), result: null };
  }
}

/** Runs any command as a fresh process and reads the result it prints. */
export const commandExecutor: Executor<CommandTarget> = {
  name: "command",
  summary: "any command, run as a fresh process (no shell), its printed or written result read back",
  check(target) {
    if (target.argv.length === 0) throw new EngineError(`${target.label}: an empty command`);
  },
  run: runCommand,
};
