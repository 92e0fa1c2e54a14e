/**
 * The supervisor of the engine process: starts it, hands it one run, relays its progress, and turns every
 * way it can end into a RunOutcome. A native abort (GGML_ASSERT), a kill by the OOM killer or a process that
 * stops answering becomes one line with the right exit code (6 while the model loads, 7 after) and the last
 * line llama.cpp printed; nothing is written from a run that failed. Core dumps are switched off for it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseResult } from "../../results/io.js";
import { EngineError, ModelFileError, PerfBaselineError } from "../../util/errors.js";
import type { RunOutcome } from "../outcome.js";
import type { LocalRunRequest } from "./local-run.js";
import type { FromEngine, ToEngine } from "./messages.js";

/** How the engine process is started and watched. */
export interface SupervisorOptions {
  /** a command that runs the engine process (e.g. valgrind and its flags); node and the script follow it */
  wrapper?: readonly string[];
  /** no message (heartbeats included) for this long and the process is killed, ms. Defaults to 120 000. */
  stallTimeoutMs?: number;
  /** after a stop request, how long the round in flight may take before the process is killed, ms. Defaults to 120 000. */
  stopGraceMs?: number;
  /** extra environment variables of the engine process */
  env?: Record<string, string>;
  /** the node arguments of the engine process instead of engineProcessCommand() (e.g. a compiled child.js) */
  childCommand?: readonly string[];
  /**
   * Called once the engine process has loaded the model, before its first round, with its pid; the rounds
   * start when it resolves. A rejection (a PerfBaselineError; anything else becomes an EngineError) kills the
   * process and fails the run with it. A counted run switches callgrind's instrumentation on here.
   */
  beforeRounds?: (pid: number) => Promise<void>;
}

/** The caller's side of a run: progress callbacks and the interrupt signal. */
export interface SupervisedHooks {
  /** detail lines: loading, llama.cpp's log */
  detail?: (line: string) => void;
  onRound?: (done: number, total: number, warmup: boolean) => void;
  signal?: AbortSignal;
}

const TAIL_LINES = 40;

/** The node arguments that run the engine process script (TypeScript through tsx when run from the sources). */
export function engineProcessCommand(): string[] {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    // tsx resolved from this package, not from the working folder (a run may start anywhere)
    return ["--import", import.meta.resolve("tsx"), fileURLToPath(new URL("./child.ts", here))];
  }
  return [fileURLToPath(new URL("./child.js", here))];
}

/** The line of llama.cpp's last words most worth showing: an assert or an error, else the last line. */
export function causeLine(lines: readonly string[]): string | null {
  const meaningful = lines
    .map((l) => l.trim())
    .filter(
      (l) =>
        l !== "" && !/^(Aborted|Segmentation fault|#\d+|\[New LWP|ptrace|No stack|Could not attach)/.test(l),
    );
  const strong = [...meaningful]
    .reverse()
    .find((l) => /GGML_ASSERT|GGML_ABORT|error|failed|invalid/i.test(l));
  // the build machine's source path says nothing to the user: "src/llama-model.cpp:1226: GGML_ASSERT(...)"
  const line = (strong ?? meaningful.at(-1))?.replace(/^\S*\/llama\.cpp\/(?=\S)/, "") ?? null;
  return line === null ? null : line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function spawnEngine(opts: SupervisorOptions): ChildProcess {
  const node = [process.execPath, ...(opts.childCommand ?? engineProcessCommand())];
  const argv = [...(opts.wrapper ?? []), ...node];
  const env = { ...process.env, ...(opts.env ?? {}) };
  const stdio: ["ignore", "pipe", "pipe", "ipc"] = ["ignore", "pipe", "pipe", "ipc"];
  if (process.platform === "linux") {
    // no core file from an abort inside llama.cpp: "ulimit -c 0", then exec (the IPC channel is inherited)
    return spawn("/bin/sh", ["-c", 'ulimit -c 0; exec "$0" "$@"', ...argv], {
      stdio,
      env,
      serialization: "advanced",
    });
  }
  return spawn(argv[0] as string, argv.slice(1), { stdio, env, serialization: "advanced" });
}

/**
 * Runs one local benchmark in a fresh engine process.
 * @returns completed (with the validated result), interrupted (with the partial result when a measured round
 *   finished) or failed (ModelFileError exit 6 when llama.cpp rejected or aborted on the model while loading
 *   it, EngineError exit 7 for anything after that, including an OOM kill or a process that stopped answering).
 */
export function runSupervised(
  request: LocalRunRequest,
  hooks: SupervisedHooks,
  opts: SupervisorOptions = {},
): Promise<RunOutcome> {
  return new Promise<RunOutcome>((resolve) => {
    new Supervision(spawnEngine(opts), request, hooks, opts, resolve).start();
  });
}

/** The request as plain data: exactly its fields (a caller's extra properties never cross). */
function plainRequest(request: LocalRunRequest): LocalRunRequest {
  const { mode, rounds, warmup, maxNewTokens } = request.shape;
  return {
    engine: request.engine,
    model: request.model,
    options: request.options,
    shape: { mode, rounds, warmup, maxNewTokens },
    invocation: request.invocation,
    ...(request.device ? { device: request.device } : {}),
  };
}

/** What the supervisor saw of the engine process by the time it exited. */
interface Seen {
  /** its last lines (stderr, stray stdout, llama.cpp's log) */
  tail: readonly string[];
  modelLoaded: boolean;
  /** its last word: the run's end ("done") or its error */
  reported: Extract<FromEngine, { type: "done" | "error" }> | null;
  /** why the supervisor killed it for silence, if it did */
  stallReason: string | null;
  /** the held run's beforeRounds failure, if any */
  setupError: PerfBaselineError | null;
  interrupted: boolean;
}

/** One engine process watched from its start to its exit: messages, output, silence, interrupts. */
class Supervision {
  private readonly tail: string[] = [];
  private modelLoaded = false;
  private reported: Seen["reported"] = null;
  private stallTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private stallReason: string | null = null;
  private setupError: PerfBaselineError | null = null;
  private stderrRest = "";
  private readonly stallMs: number;
  private readonly onProcessExit = () => this.kill();
  private readonly onAbort = () => {
    this.send({ type: "stop" });
    this.graceTimer = setTimeout(() => this.kill(), this.opts.stopGraceMs ?? 120_000);
  };

  constructor(
    private readonly child: ChildProcess,
    private readonly request: LocalRunRequest,
    private readonly hooks: SupervisedHooks,
    private readonly opts: SupervisorOptions,
    private readonly resolve: (outcome: RunOutcome) => void,
  ) {
    this.stallMs = opts.stallTimeoutMs ?? 120_000;
  }

  /** Wires the process's events, hands it the run and arms the stall timer. */
  start(): void {
    process.on("exit", this.onProcessExit);
    this.hooks.signal?.addEventListener("abort", this.onAbort, { once: true });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.onStderr(chunk));
    // native code that prints to stdout must never reach ours (it carries only the JSON result)
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      for (const l of chunk.split("\n")) if (l.trim() !== "") this.remember(l);
    });
    this.child.on("message", (m: FromEngine) => this.onMessage(m));
    this.child.on("error", (err) => this.remember(String(err.message)));
    this.child.on("exit", (code, signal) => this.onExit(code, signal));
    this.armStall();
    const hold = this.opts.beforeRounds !== undefined;
    this.child.send({ type: "run", request: plainRequest(this.request), hold } satisfies ToEngine);
    if (this.hooks.signal?.aborted) this.onAbort();
  }

  private send(message: ToEngine): void {
    if (this.child.connected) this.child.send(message);
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private armStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stallReason = `stopped answering for ${Math.round(this.stallMs / 1000)} s`;
      this.kill();
    }, this.stallMs);
  }

  private onStderr(chunk: string): void {
    const lines = (this.stderrRest + chunk).split("\n");
    this.stderrRest = lines.pop() ?? "";
    for (const l of lines) this.remember(l);
    if (process.env.PERF_BASELINE_DEBUG) process.stderr.write(chunk);
  }

  private onMessage(m: FromEngine): void {
    this.armStall();
    if (m.type === "status") this.hooks.detail?.(m.line);
    else if (m.type === "llama_log") {
      this.remember(m.line);
      this.hooks.detail?.(`llama.cpp: ${m.line}`);
    } else if (m.type === "model_loaded") this.modelLoaded = true;
    else if (m.type === "ready") this.onReady();
    else if (m.type === "round") this.hooks.onRound?.(m.done, m.total, m.warmup);
    else if (m.type === "done" || m.type === "error") this.reported = m;
  }

  /** A held run is loaded: the caller's beforeRounds, then the rounds (or the process killed on its failure). */
  private onReady(): void {
    const pid = this.child.pid;
    const before = this.opts.beforeRounds;
    if (before === undefined || pid === undefined) {
      this.send({ type: "start_rounds" });
      return;
    }
    before(pid).then(
      () => this.send({ type: "start_rounds" }),
      (err: unknown) => {
        this.setupError =
          err instanceof PerfBaselineError
            ? err
            : new EngineError(`could not start the rounds: ${(err as Error)?.message ?? String(err)}`);
        this.kill();
      },
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.stallTimer);
    clearTimeout(this.graceTimer);
    process.off("exit", this.onProcessExit);
    this.hooks.signal?.removeEventListener("abort", this.onAbort);
    if (this.stderrRest !== "") this.remember(this.stderrRest);
    const seen: Seen = {
      tail: this.tail,
      modelLoaded: this.modelLoaded,
      reported: this.reported,
      stallReason: this.stallReason,
      setupError: this.setupError,
      interrupted: this.hooks.signal?.aborted === true,
    };
    this.resolve(exitOutcome(seen, this.request, code, signal));
  }
}

/**
 * The outcome of an engine process that exited: what it reported when it reported, else the way it ended
 * (killed, crashed, silent) as one line with llama.cpp's last words.
 */
function exitOutcome(
  seen: Seen,
  request: Pick<LocalRunRequest, "engine" | "model">,
  code: number | null,
  signal: NodeJS.Signals | null,
): RunOutcome {
  const r = seen.reported;
  if (r?.type === "done") return reportedOutcome(r);
  if (seen.interrupted) return { state: "interrupted", result: null };
  if (seen.setupError !== null) return { state: "failed", error: seen.setupError, result: null };
  if (r?.type === "error")
    return { state: "failed", error: new PerfBaselineError(r.message, r.exit_code), result: null };
  const cause = causeLine(seen.tail);
  const how =
    seen.stallReason ??
    (signal
      ? `was killed by ${signal}${signal === "SIGKILL" ? " (out of memory?)" : ""}`
      : `exited with code ${code}`);
  const said = cause ? `; llama.cpp's last words: ${cause}` : "";
  if (!seen.modelLoaded && seen.stallReason === null && signal !== "SIGKILL") {
    const why = `llama.cpp could not load it: the engine process ${how}${said}`;
    return { state: "failed", error: new ModelFileError(request.model.path, why), result: null };
  }
  const when = seen.modelLoaded ? "while running" : "while loading";
  const error = new EngineError(`the engine process ${how} ${when} ${request.engine}${said}`);
  return { state: "failed", error, result: null };
}

/** The outcome of a run the engine process reported done: its result validated, complete or partial. */
function reportedOutcome(r: Extract<FromEngine, { type: "done" }>): RunOutcome {
  if (r.result === null) return { state: "interrupted", result: null };
  try {
    const result = parseResult(r.result, "the engine process's result");
    return result.complete && !r.stopped ? { state: "completed", result } : { state: "interrupted", result };
  } catch (err) {
    return { state: "failed", error: err as PerfBaselineError, result: null };
  }
}
