/**
 * The engine process: started by the supervisor (./supervisor.ts) with an IPC channel, it runs one local
 * benchmark and reports over typed messages. Ctrl-C reaches the whole process group; this process ignores
 * SIGINT and stops when the supervisor says so, so that the round in flight finishes and the partial result
 * survives. It exits when the supervisor goes away.
 */
import { getLocalEngine } from "../../engines/registry.js";
import { PerfBaselineError } from "../../util/errors.js";
import { runLocalBenchmark } from "./local-run.js";
import { type FromEngine, HEARTBEAT_MS, type ToEngine } from "./messages.js";

function send(message: FromEngine): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

const stop = new AbortController();
let started = false;
/** resolves on "start_rounds" (or on "stop", which then ends the run before its first round) */
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});

async function run(request: Extract<ToEngine, { type: "run" }>["request"], hold: boolean): Promise<void> {
  const engine = getLocalEngine(request.engine);
  if (!engine) {
    await send({ type: "error", message: `no local engine named "${request.engine}"`, exit_code: 70 });
    return;
  }
  try {
    const create = await engine.load();
    const result = await runLocalBenchmark(create, request, {
      status: (line) => void send({ type: "status", line }),
      log: (line) => void send({ type: "llama_log", line }),
      onModelLoaded: () => void send({ type: "model_loaded" }),
      onRound: (done, total, warmup) => void send({ type: "round", done, total, warmup }),
      signal: stop.signal,
      beforeRounds: hold
        ? async () => {
            await send({ type: "ready" });
            await released;
          }
        : undefined,
    });
    await send({ type: "done", result, stopped: stop.signal.aborted });
  } catch (err) {
    if (err instanceof PerfBaselineError) {
      await send({ type: "error", message: err.message, exit_code: err.exitCode });
    } else {
      const e = err as Error;
      await send({
        type: "error",
        message: `internal error in the engine process: ${e?.stack ?? String(err)}`,
        exit_code: 70,
      });
    }
  }
}

process.on("SIGINT", () => {
  // the supervisor decides: it sends "stop" on the first Ctrl-C and kills this process on the second
});
let finished = false;
process.on("disconnect", () => {
  if (!finished) process.exit(130);
});
process.on("message", (message: ToEngine) => {
  if (message.type === "stop") {
    stop.abort();
    release();
  } else if (message.type === "start_rounds") release();
  else if (message.type === "run" && !started) {
    started = true;
    void run(message.request, message.hold === true).then(() => {
      finished = true;
      clearInterval(heartbeat);
      process.exit(0);
    });
  }
});
const heartbeat = setInterval(() => void send({ type: "heartbeat" }), HEARTBEAT_MS);
