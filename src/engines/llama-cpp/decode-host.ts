/**
 * The decode host: what owns llama.cpp for the llama-cpp engine (every C call happens here) and answers its
 * requests, each round synchronously. It runs in the decode worker (decode-worker.ts, a worker thread: the
 * engine's normal place) or, for a run counted under callgrind, on the engine process's main thread
 * (engine.ts): callgrind does not see the worker thread's calls into llama.cpp made through koffi (measured
 * with valgrind 3.19 and koffi 3.3.4: `--toggle-collect=llama_decode` counted nothing from the worker and
 * the same call from the main thread), and a counted run times nothing, so it loses nothing there.
 *
 * Requests: init, generate, embed, dispose (each gets a value or throws), and the synchronous ones
 * (tokenize, embedding-input). llama.cpp's warnings and errors go to the host's `log`.
 */
import { readFileSync } from "node:fs";
import koffi from "koffi";
import { GGML_LOG_LEVEL, GgmlLogCallback, type LlamaCppApi, loadLlamaCpp } from "./ffi.js";
import type { InitReply, RpcRequest, WorkerRequest } from "./protocol.js";
import { LlamaCppSession } from "./session.js";

/** The loaded CPU variant (e.g. "sapphirerapids"), read from this process's mappings. */
function cpuBackendVariant(): string | null {
  try {
    return readFileSync("/proc/self/maps", "utf8").match(/libggml-cpu-([\w-]+)\.so/)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** A decode host: requests in, values out; errors are thrown (see errorOf). */
export interface DecodeHost {
  /** Answers one request: init returns InitReply, generate/embed their outcomes, dispose null. */
  handle(req: WorkerRequest): unknown;
  /** Answers a synchronous request: the token ids. */
  rpc(req: RpcRequest): Int32Array;
}

/**
 * A decode host for this thread.
 * @param log llama.cpp's warnings and errors, one line each
 */
export function createDecodeHost(log: (line: string) => void): DecodeHost {
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
    if (level === GGML_LOG_LEVEL.WARN || level === GGML_LOG_LEVEL.ERROR) log(line);
  }

  function init(req: Extract<WorkerRequest, { type: "init" }>): InitReply {
    logCallback = koffi.register(onLog, koffi.pointer(GgmlLogCallback));
    api = loadLlamaCpp(req.libDir, logCallback, req.cpuVariant);
    api.llama_backend_init();
    lastError = null;
    session = new LlamaCppSession(api, {
      modelPath: req.modelPath,
      mode: req.mode,
      threads: req.threads,
      contextSize: req.contextSize,
      batchSize: req.batchSize,
      ...(req.ubatchSize !== null ? { ubatchSize: req.ubatchSize } : {}),
      ...(req.parallel !== undefined ? { parallel: req.parallel } : {}),
      ...(req.greedy ? { greedy: req.greedy } : {}),
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
    if (!session)
      throw new Error("the llama-cpp decode host has no model loaded (init failed or was not sent)");
    return session;
  }

  return {
    handle(req: WorkerRequest): unknown {
      if (req.type === "init") return init(req);
      if (req.type === "generate" && req.parallel !== undefined)
        return need().generateParallel(req.prompt, req.maxNewTokens, req.parallel, req.depth);
      if (req.type === "generate")
        return need().generate(req.prompt, req.maxNewTokens, req.depth, req.greedy);
      if (req.type === "embed") {
        const s = need();
        return s.embed(req.wrap ? req.inputs.map((t) => s.embeddingInput(t)) : req.inputs);
      }
      session?.dispose();
      session = null;
      // llama.cpp has one logger per process: hand it back only if it is still this host's (another
      // engine in this process may have installed its own since)
      if (api && logCallback !== null) {
        const current: [bigint | null] = [null];
        api.ggml_log_get(current, [null]);
        if (current[0] === logCallback)
          api.llama_log_set(req.restoreLogger.callback, req.restoreLogger.userData);
      }
      if (logCallback !== null) koffi.unregister(logCallback);
      logCallback = null;
      return null;
    },
    rpc(req: RpcRequest): Int32Array {
      const tokens = need().tokenize(req.text);
      return req.type === "tokenize" ? tokens : need().embeddingInput(tokens);
    },
  };
}
