/**
 * The decode worker: a worker thread that owns llama.cpp (every C call of the llama-cpp engine happens
 * here) and runs each round synchronously, so that no token crosses threads and no JavaScript event loop
 * sits between two llama_decode calls. Started by engine.ts; protocol below.
 *
 * Messages from the engine (parentPort): init, generate, embed, dispose; each gets one reply with the same
 * id, `{ id, ok: true, value }` or `{ id, ok: false, error: { name, message } }`. llama.cpp's warnings and
 * errors arrive unsolicited as `{ log: line }`. Tokenizing is synchronous for the engine: it posts on
 * `rpcPort` and blocks on `rpcFlag` (Atomics.wait) until the reply is on the port.
 */
import { readFileSync } from "node:fs";
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import koffi from "koffi";
import { PerfBaselineError } from "../../util/errors.js";
import { GGML_LOG_LEVEL, GgmlLogCallback, type LlamaCppApi, loadLlamaCpp } from "./ffi.js";
import { LlamaCppSession, type SessionInfo } from "./session.js";

/** What engine.ts passes as workerData. */
export interface WorkerData {
  /** the sync-RPC port (tokenize) */
  rpcPort: MessagePort;
  /** Int32Array(1) over a SharedArrayBuffer: set to 1 and notified when a sync reply is on rpcPort */
  rpcFlag: SharedArrayBuffer;
}

/** Requests to the worker. */
export type WorkerRequest =
  | {
      id: number;
      type: "init";
      libDir: string;
      modelPath: string;
      mode: "generation" | "embedding";
      threads: number;
      contextSize: number;
      batchSize: number;
    }
  | { id: number; type: "generate"; prompt: Int32Array; maxNewTokens: number }
  | { id: number; type: "embed"; inputs: Int32Array[] }
  | {
      id: number;
      type: "dispose";
      /** the log callback to give llama.cpp back (engine.ts decides: see restoreLogger there) */
      restoreLogger: { callback: bigint | null; userData: bigint | null };
    };

/** What init returns. */
export interface InitReply {
  versions: LlamaCppApi["versions"];
  info: SessionInfo;
  cpu_backend_variant: string | null;
  /** this worker's log callback and the one it replaced (native pointers) */
  logger: { own: bigint; previous: { callback: bigint | null; userData: bigint | null } | null };
}

/** A synchronous request on the RPC port. */
export interface RpcRequest {
  type: "tokenize" | "embedding-input";
  text: string;
}

/** A failure reported across the thread boundary. */
export interface WorkerError {
  name: string;
  message: string;
}

const port = parentPort;
if (!port) throw new Error("decode-worker.ts runs only as a worker thread (see engine.ts)");
const data = workerData as WorkerData;
const flag = new Int32Array(data.rpcFlag);

let api: LlamaCppApi | null = null;
let session: LlamaCppSession | null = null;
let lastError: string | null = null;
let pendingLine = "";
let logCallback: bigint | null = null;

/** llama.cpp log lines: warnings and errors go to the engine; the last error is kept for messages. */
function onLog(level: number, text: string | null): void {
  if (level === GGML_LOG_LEVEL.CONT) pendingLine += text ?? "";
  else pendingLine = text ?? "";
  if (!pendingLine.endsWith("\n")) return;
  const line = pendingLine.trimEnd();
  pendingLine = "";
  if (level === GGML_LOG_LEVEL.ERROR) lastError = line;
  if (level === GGML_LOG_LEVEL.WARN || level === GGML_LOG_LEVEL.ERROR) port?.postMessage({ log: line });
}

/** The loaded CPU variant (e.g. "sapphirerapids"), read from this process's mappings. */
function cpuBackendVariant(): string | null {
  try {
    return readFileSync("/proc/self/maps", "utf8").match(/libggml-cpu-([\w-]+)\.so/)?.[1] ?? null;
  } catch {
    return null;
  }
}

function init(req: Extract<WorkerRequest, { type: "init" }>): InitReply {
  logCallback = koffi.register(onLog, koffi.pointer(GgmlLogCallback));
  api = loadLlamaCpp(req.libDir, logCallback);
  api.llama_backend_init();
  lastError = null;
  session = new LlamaCppSession(api, {
    modelPath: req.modelPath,
    mode: req.mode,
    threads: req.threads,
    contextSize: req.contextSize,
    batchSize: req.batchSize,
    lastError: () => lastError,
  });
  return {
    versions: api.versions,
    info: session.info,
    cpu_backend_variant: cpuBackendVariant(),
    logger: { own: logCallback, previous: api.previousLogger },
  };
}

function need(): LlamaCppSession {
  if (!session) throw new Error("the decode worker has no model loaded (init failed or was not sent)");
  return session;
}

function errorOf(err: unknown): WorkerError {
  if (err instanceof PerfBaselineError) return { name: err.name, message: err.message };
  const e = err as Error;
  return { name: "Error", message: e?.message ?? String(err) };
}

port.on("message", (req: WorkerRequest) => {
  try {
    let value: unknown;
    if (req.type === "init") value = init(req);
    else if (req.type === "generate") value = need().generate(req.prompt, req.maxNewTokens);
    else if (req.type === "embed") value = need().embed(req.inputs);
    else {
      session?.dispose();
      session = null;
      // llama.cpp has one logger per process: hand it back only if it is still this worker's (another
      // engine in this process may have installed its own since)
      if (api && logCallback !== null) {
        const current: [bigint | null] = [null];
        api.ggml_log_get(current, [null]);
        if (current[0] === logCallback)
          api.llama_log_set(req.restoreLogger.callback, req.restoreLogger.userData);
      }
      if (logCallback !== null) koffi.unregister(logCallback);
      logCallback = null;
      value = null;
    }
    port.postMessage({ id: req.id, ok: true, value });
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, error: errorOf(err) });
  }
});

data.rpcPort.on("message", (req: RpcRequest) => {
  let reply: { ok: true; value: Int32Array } | { ok: false; error: WorkerError };
  try {
    const tokens = need().tokenize(req.text);
    reply = { ok: true, value: req.type === "tokenize" ? tokens : need().embeddingInput(tokens) };
  } catch (err) {
    reply = { ok: false, error: errorOf(err) };
  }
  data.rpcPort.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
