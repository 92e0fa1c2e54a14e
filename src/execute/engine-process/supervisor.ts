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
  const stallMs = opts.stallTimeoutMs ?? 120_000;
  const graceMs = opts.stopGraceMs ?? 120_000;
  const plain: LocalRunRequest = {
    engine: request.engine,
    model: request.model,
    options: request.options,
    shape: {
      mode: request.shape.mode,
      rounds: request.shape.rounds,
      warmup: request.shape.warmup,
      maxNewTokens: request.shape.maxNewTokens,
    },
    invocation: request.invocation,
  };
  return new Promise<RunOutcome>((resolve) => {
    const child = spawnEngine(opts);
    const tail: string[] = [];
    const remember = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    let modelLoaded = false;
    let reported: FromEngine | null = null;
    let stallTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let stallReason: string | null = null;
    let setupError: PerfBaselineError | null = null;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const onExit = () => kill();
    process.on("exit", onExit);
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stallReason = `stopped answering for ${Math.round(stallMs / 1000)} s`;
        kill();
      }, stallMs);
    };
    const onAbort = () => {
      if (child.connected) child.send({ type: "stop" } satisfies ToEngine);
      graceTimer = setTimeout(kill, graceMs);
    };
    hooks.signal?.addEventListener("abort", onAbort, { once: true });

    let stderrRest = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      const text = stderrRest + chunk;
      const lines = text.split("\n");
      stderrRest = lines.pop() ?? "";
      for (const l of lines) remember(l);
      if (process.env.PERF_BASELINE_DEBUG) process.stderr.write(chunk);
    });
    // native code that prints to stdout must never reach ours (it carries only the JSON result)
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      for (const l of chunk.split("\n")) if (l.trim() !== "") remember(l);
    });

    child.on("message", (m: FromEngine) => {
      armStall();
      switch (m.type) {
        case "status":
          hooks.detail?.(m.line);
          break;
        case "llama_log":
          remember(m.line);
          hooks.detail?.(`llama.cpp: ${m.line}`);
          break;
        case "model_loaded":
          modelLoaded = true;
          break;
        case "ready": {
          const pid = child.pid;
          const before = opts.beforeRounds;
          if (before === undefined || pid === undefined) {
            if (child.connected) child.send({ type: "start_rounds" } satisfies ToEngine);
            break;
          }
          before(pid).then(
            () => {
              if (child.connected) child.send({ type: "start_rounds" } satisfies ToEngine);
            },
            (err: unknown) => {
              setupError =
                err instanceof PerfBaselineError
                  ? err
                  : new EngineError(`could not start the rounds: ${(err as Error)?.message ?? String(err)}`);
              kill();
            },
          );
          break;
        }
        case "round":
          hooks.onRound?.(m.done, m.total, m.warmup);
          break;
        case "done":
        case "error":
          reported = m;
          break;
        default:
          break;
      }
    });

    child.on("error", (err) => {
      remember(String(err.message));
    });

    child.on("exit", (code, signal) => {
      clearTimeout(stallTimer);
      clearTimeout(graceTimer);
      process.off("exit", onExit);
      hooks.signal?.removeEventListener("abort", onAbort);
      if (stderrRest !== "") remember(stderrRest);
      const interrupted = hooks.signal?.aborted === true;
      const r = reported as FromEngine | null;
      if (r?.type === "done") {
        if (r.result === null) return resolve({ state: "interrupted", result: null });
        try {
          const result = parseResult(r.result, "the engine process's result");
          return resolve(
            result.complete && !r.stopped ? { state: "completed", result } : { state: "interrupted", result },
          );
        } catch (err) {
          return resolve({ state: "failed", error: err as PerfBaselineError, result: null });
        }
      }
      if (interrupted) return resolve({ state: "interrupted", result: null });
      if (setupError !== null) return resolve({ state: "failed", error: setupError, result: null });
      if (r?.type === "error") {
        return resolve({
          state: "failed",
          error: new PerfBaselineError(r.message, r.exit_code),
          result: null,
        });
      }
      const cause = causeLine(tail);
      const how =
        stallReason ??
        (signal
          ? `was killed by ${signal}${signal === "SIGKILL" ? " (out of memory?)" : ""}`
          : `exited with code ${code}`);
      const said = cause ? `; llama.cpp's last words: ${cause}` : "";
      if (!modelLoaded && stallReason === null && signal !== "SIGKILL") {
        return resolve({
          state: "failed",
          error: new ModelFileError(
            request.model.path,
            `llama.cpp could not load it: the engine process ${how}${said}`,
          ),
          result: null,
        });
      }
      resolve({
        state: "failed",
        error: new EngineError(
          `the engine process ${how} ${modelLoaded ? "while running" : "while loading"} ${request.engine}${said}`,
        ),
        result: null,
      });
    });

    armStall();
    child.send({ type: "run", request: plain, hold: opts.beforeRounds !== undefined } satisfies ToEngine);
    if (hooks.signal?.aborted) onAbort();
  });
}
