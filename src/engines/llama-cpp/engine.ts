/**
 * The llama-cpp engine: llama.cpp's C API through koffi, on the prebuilt libraries node-llama-cpp installs
 * (or `--llama-lib DIR`), with the decode loop in a worker thread (decode-worker.ts): one llama_decode and
 * one greedy pick per token in a synchronous loop, a persistent ggml threadpool attached, every token
 * timestamped where it is sampled. By default the greedy pick is an argmax over the logits in WebAssembly with
 * SIMD (argmax.ts GreedyMethod "argmax", about 10 us per token). It measures llama.cpp, not a binding's scheduling
 * (notes/engine-performance.md). Same Engine contract and same outputs as the node-llama-cpp engine.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type {
  EmbeddingRound,
  Engine,
  EngineIdentity,
  EngineSettings,
  GenerationRound,
  SyntheticInputs,
  SyntheticShape,
} from "../../measure/engine-contract.js";
import { EngineError, ModelFileError, type PerfBaselineError, UsageError } from "../../util/errors.js";
import { SYNTHETIC_SALT, syntheticTokens } from "../../workload/workload.js";
import { LOCAL_LIMITS } from "../local/settings.js";
import type { LlamaEngineOptions } from "../node-llama-cpp/engine.js";
import { LLAMA_CPP_RELEASE } from "./abi.js";
import { argmaxKernel, DEFAULT_GREEDY_METHOD, GREEDY_DESCRIPTION, type GreedyMethod } from "./argmax.js";
import type { DecodeHost } from "./decode-host.js";
import { LIBRARY_FILES } from "./ffi.js";
import {
  errorOf,
  type InitReply,
  type RpcRequest,
  type WorkerData,
  type WorkerError,
  type WorkerRequest,
} from "./protocol.js";
import type { EmbeddingOutcome, GenerationOutcome } from "./session.js";

/** The engine's name in results. */
export const LLAMA_CPP_ENGINE_NAME = "llama-cpp";

/**
 * Thread defaults of this engine (notes/engine-performance.md, "llama-cpp engine"): with a persistent
 * threadpool two threads are worth measuring again; until then the node-llama-cpp engine's defaults.
 */
export const LLAMA_CPP_DEFAULT_GENERATION_THREADS = 1;
/** See {@link LLAMA_CPP_DEFAULT_GENERATION_THREADS}. */
export const LLAMA_CPP_DEFAULT_EMBEDDING_THREADS = 1;
/** Tokens per batch (n_batch = n_ubatch): the whole prompt or embedding input in one llama_decode. */
export const LLAMA_CPP_DEFAULT_BATCH_SIZE = 512;
/** Upper bound of --threads / --embedding-threads (ggml's GGML_MAX_N_THREADS). */
export const LLAMA_CPP_MAX_THREADS = 512;
/** Upper bound of --parallel (sequences decoded together, parallel.ts). */
export const LLAMA_CPP_MAX_PARALLEL = LOCAL_LIMITS.parallel.max;
/** How long a synchronous tokenize may wait for the worker (it is busy only during a round). */
const RPC_TIMEOUT_MS = 120_000;

/** Options of {@link createLlamaCppEngine}: those of createLlamaEngine plus the library folder. */
export interface LlamaCppEngineOptions extends LlamaEngineOptions {
  /**
   * `--llama-lib DIR`: a folder with another build of the same llama.cpp release (libggml-base.so,
   * libggml(.v0.4.0).so, libllama(.v0.4.0).so, the CPU backend libggml-cpu*.so). Defaults to the prebuilt
   * libraries of node-llama-cpp's platform package for this machine.
   */
  llamaLib?: string;
  /**
   * Run llama.cpp on the calling thread instead of a worker thread: for runs counted under callgrind, which
   * does not see a worker thread's calls through koffi (decode-host.ts). Default false.
   */
  inThread?: boolean;
  /**
   * Load only this CPU variant of ggml (libggml-cpu-NAME.so, e.g. "ivybridge") where the library folder has
   * it; a folder without it (a build with one libggml-cpu.so) loads as usual. Counted runs pin the variant
   * (instructions/valgrind.ts countedCpuVariant). Default: ggml picks the best variant for this CPU.
   */
  cpuVariant?: string;
  /**
   * How each generated token is picked greedily (argmax.ts GreedyMethod; all give the same tokens):
   * "argmax" over the logits in WebAssembly (the default: the fastest decode), llama.cpp's "backend" sampler
   * inside llama_decode (the least harness per token, a slower decode), or llama.cpp's CPU "sampler" after
   * llama_decode. Counted runs use the
   * sampler, whose instructions callgrind counts as the committed baselines' counts include them.
   */
  greedy?: GreedyMethod;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string, from: string): string | null {
  let dir = dirname(from);
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      const parsed = JSON.parse(readFileSync(pj, "utf8")) as { name?: string; version?: string };
      if (parsed.name === name) return parsed.version ?? null;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The prebuilt llama.cpp libraries node-llama-cpp installed for this platform, found the way node-llama-cpp
 * finds them: its `@node-llama-cpp/<platform>-<arch>` package's getBinsDir(), folder `<platform>-<arch>`.
 * @throws EngineError when node-llama-cpp or its platform package is not installed.
 */
export async function defaultLlamaLibDir(): Promise<{ dir: string; source: string }> {
  const platform = `${process.platform}-${process.arch}`;
  const pkg = `@node-llama-cpp/${platform}`;
  try {
    const nlc = require.resolve("node-llama-cpp");
    const entry = createRequire(nlc).resolve(pkg);
    const mod = (await import(pathToFileURL(entry).href)) as {
      getBinsDir(): { binsDir: string; packageVersion: string };
    };
    const { binsDir, packageVersion: version } = mod.getBinsDir();
    return {
      dir: join(binsDir, platform),
      source: `node-llama-cpp ${packageVersion("node-llama-cpp", nlc) ?? "?"} prebuilt (${pkg} ${version})`,
    };
  } catch (err) {
    throw new EngineError(
      `cannot find node-llama-cpp's prebuilt llama.cpp libraries for ${platform} (${pkg}): reinstall node-llama-cpp or pass --llama-lib DIR`,
      { cause: err },
    );
  }
}

function checkCount(flag: string, n: number, max: number): number {
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`${flag} must be an integer from 1 to ${max}, got ${n}`);
  return n;
}

/** Resolves and checks the --llama-lib folder. */
function checkLibDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--llama-lib ${dir} is not a folder`);
  if (!LIBRARY_FILES.llama.some((f) => existsSync(join(dir, f))))
    throw new UsageError(`--llama-lib ${dir} has no ${LIBRARY_FILES.llama.join(" or ")}`);
  return dir;
}

/**
 * The worker thread, started from source (.ts, through tsx's loader: under tsx, vitest or the CLI's bin)
 * or from compiled JavaScript (.js next to this file).
 */
function startWorker(workerData: WorkerData, transfer: MessagePort[]): Worker {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    const workerUrl = new URL("./decode-worker.ts", here).href;
    // tsx's ESM API (the .mjs beside the CommonJS entry require.resolve finds): register, then import
    const tsxApi = pathToFileURL(require.resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl)}); });`;
    return new Worker(boot, { eval: true, workerData, transferList: transfer });
  }
  return new Worker(new URL("./decode-worker.js", here), { workerData, transferList: transfer });
}

/** A request without its id (distributes Omit over the union). */
type WorkerRequestBody = WorkerRequest extends infer R
  ? R extends WorkerRequest
    ? Omit<R, "id">
    : never
  : never;

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WorkerError };

/**
 * llama.cpp's log callbacks this process's llama-cpp workers installed: every one ever (koffi callback
 * pointers) and those of workers still running. llama.cpp has one logger per process, so a worker hands it
 * back on dispose; never to a callback of a worker that has gone (it is unregistered: calling it would
 * crash), then to llama.cpp's default (stderr) instead.
 */
const loggersEver = new Set<bigint>();
const loggersLive = new Set<bigint>();

/** What a disposing worker gives llama.cpp's logger back to. */
function restoreLogger(previous: InitReply["logger"]["previous"]): {
  callback: bigint | null;
  userData: bigint | null;
} {
  if (!previous?.callback) return { callback: null, userData: null };
  if (loggersEver.has(previous.callback) && !loggersLive.has(previous.callback))
    return { callback: null, userData: null };
  return previous;
}

/** Rebuilds a typed error thrown in the worker. */
function toError(e: WorkerError, modelPath: string): PerfBaselineError {
  if (e.name === "UsageError") return new UsageError(e.message);
  if (e.name === "ModelFileError") return new ModelFileError(modelPath, e.message);
  return new EngineError(e.name === "EngineError" ? e.message : `llama-cpp engine: ${e.message}`);
}

/** The main-thread side: tokens cached, rounds posted to the worker. */
export class LlamaCppEngine implements Engine {
  identity!: EngineIdentity;
  settings!: EngineSettings;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly tokenCache = new Map<string, Int32Array>();
  private readonly embeddingInputCache = new Map<string, Int32Array>();
  private readonly rpcFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly rpc: MessagePort | null = null;
  private readonly worker: Worker | null = null;
  /** the decode host on this thread (a counted run), else null: the host is in the worker */
  private readonly host: DecodeHost | null = null;
  private failure: Error | null = null;
  private logger: InitReply["logger"] | null = null;
  private disposed = false;
  /** the model's vocabulary size (synthetic tokens are drawn from it); set by init */
  private nVocab = 0;
  /** n_seq_max of the context (`--parallel`); set by init */
  private maxParallel = 1;
  private readonly syntheticCache = new Map<string, Int32Array>();

  /**
   * @param host a decode host on this thread (for callgrind, which does not see a worker's calls into
   *   llama.cpp; see decode-host.ts); null (the default) starts the decode worker
   */
  constructor(
    private readonly modelPath: string,
    log: (line: string) => void,
    host: DecodeHost | null = null,
  ) {
    if (host) {
      this.host = host;
      return;
    }
    const channel = new MessageChannel();
    this.rpc = channel.port1;
    this.worker = startWorker({ rpcPort: channel.port2, rpcFlag: this.rpcFlag.buffer as SharedArrayBuffer }, [
      channel.port2,
    ]);
    this.worker.on("message", (m: Reply | { log: string }) => {
      if ("log" in m) return log(m.log);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(toError(m.error, this.modelPath));
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on("error", (err) =>
      fail(
        new EngineError(`the llama-cpp decode worker failed: ${err.message.split("\n")[0]}`, { cause: err }),
      ),
    );
    this.worker.on("exit", (code) => {
      if (!this.disposed)
        fail(new EngineError(`the llama-cpp decode worker exited unexpectedly (code ${code})`));
    });
  }

  /** Sends one request; the reply settles the promise. */
  request<T>(req: WorkerRequestBody, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.disposed) return Promise.reject(new EngineError("the llama-cpp engine was disposed"));
    const id = this.nextId++;
    const host = this.host;
    if (host)
      return new Promise<T>((resolve) => resolve(host.handle({ ...req, id } as WorkerRequest) as T)).catch(
        (err: unknown) => {
          throw toError(errorOf(err), this.modelPath);
        },
      );
    const worker = this.worker as Worker;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id }, transfer);
    });
  }

  /** A synchronous call into the worker (it answers between rounds), bounded by RPC_TIMEOUT_MS. */
  private rpcSync(req: RpcRequest): Int32Array {
    if (this.failure) throw this.failure;
    if (this.disposed) throw new EngineError("the llama-cpp engine was disposed");
    if (this.host) {
      try {
        return this.host.rpc(req);
      } catch (err) {
        throw toError(errorOf(err), this.modelPath);
      }
    }
    const rpc = this.rpc as MessagePort;
    Atomics.store(this.rpcFlag, 0, 0);
    rpc.postMessage(req);
    const waited = Atomics.wait(this.rpcFlag, 0, 0, RPC_TIMEOUT_MS);
    const reply = receiveMessageOnPort(rpc)?.message as
      | { ok: true; value: Int32Array }
      | { ok: false; error: WorkerError }
      | undefined;
    if (!reply)
      throw new EngineError(
        `the llama-cpp decode worker did not answer a ${req.type} request within ${RPC_TIMEOUT_MS / 1000} s (${waited})`,
      );
    if (!reply.ok) throw toError(reply.error, this.modelPath);
    return reply.value;
  }

  private tokens(text: string): Int32Array {
    let t = this.tokenCache.get(text);
    if (!t) {
      t = this.rpcSync({ type: "tokenize", text });
      this.tokenCache.set(text, t);
    }
    return t;
  }

  /** The tokens one embedding call of `text` evaluates (BOS/EOS/SEP added as node-llama-cpp adds them). */
  embeddingInput(text: string): Int32Array {
    let t = this.embeddingInputCache.get(text);
    if (!t) {
      t = this.rpcSync({ type: "embedding-input", text });
      this.embeddingInputCache.set(text, t);
    }
    return t;
  }

  countTokens(text: string): number {
    return this.tokens(text).length;
  }

  /** `count` synthetic tokens of stream `salt` (workload/workload.ts syntheticTokens), cached. */
  private synthetic(count: number, salt: number): Int32Array {
    const key = `${salt}:${count}`;
    let t = this.syntheticCache.get(key);
    if (!t) {
      t = syntheticTokens(count, this.nVocab, salt);
      this.syntheticCache.set(key, t);
    }
    return t;
  }

  async generate(prompt: string, maxNewTokens: number, shape: SyntheticShape = {}): Promise<GenerationRound> {
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
      throw new UsageError(`--max-new-tokens must be a whole number, got ${maxNewTokens}`);
    const promptTokens =
      shape.syntheticTokens !== undefined
        ? this.synthetic(shape.syntheticTokens, SYNTHETIC_SALT.prompt)
        : this.tokens(prompt);
    const depth = shape.depth ? this.synthetic(shape.depth, SYNTHETIC_SALT.depth) : undefined;
    const parallel = shape.parallel !== undefined && shape.parallel > 1 ? shape.parallel : undefined;
    if (parallel !== undefined && parallel > this.maxParallel)
      throw new UsageError(
        `--parallel ${parallel}: this engine was loaded for ${this.maxParallel} sequence(s) at most`,
      );
    const r = await this.request<GenerationOutcome>({
      type: "generate",
      prompt: promptTokens,
      maxNewTokens,
      ...(depth ? { depth } : {}),
      ...(parallel !== undefined ? { parallel } : {}),
    });
    const times = Array.from(r.token_times_ns);
    return {
      ...(parallel !== undefined ? { sequences: parallel } : {}),
      start_ns: r.start_ns,
      first_token_ns: times[0] ?? null,
      end_ns: r.end_ns,
      prompt_tokens: promptTokens.length,
      output_tokens: r.token_ids.length,
      token_ids: Array.from(r.token_ids),
      text: null,
      chunk_times_ns: times,
      // the harness's time per token is the single-sequence loop's (session.ts); a parallel round has none
      ...(parallel === undefined ? { harness_ns: Array.from(r.harness_ns) } : {}),
    };
  }

  async embed(texts: readonly string[], synthetic?: SyntheticInputs): Promise<EmbeddingRound> {
    if (synthetic) return this.embedSynthetic(synthetic);
    const inputs = texts.map((t) => this.embeddingInput(t));
    const r = await this.request<EmbeddingOutcome>({ type: "embed", inputs });
    return {
      start_ns: r.start_ns,
      end_ns: r.end_ns,
      calls: texts.length,
      inputs: texts.length,
      // as the node-llama-cpp engine counts them: the texts' tokens, without the BOS/EOS the input gets
      input_tokens: texts.reduce((a, t) => a + this.tokens(t).length, 0),
      call_durations_ns: Array.from(r.call_durations_ns),
      vectors: r.vectors,
    };
  }

  /** Embeds `s.inputs` inputs of `s.tokens` synthetic tokens each (BOS/EOS added as for a text). */
  private async embedSynthetic(s: SyntheticInputs): Promise<EmbeddingRound> {
    const inputs = Array.from({ length: s.inputs }, (_, i) =>
      this.synthetic(s.tokens, SYNTHETIC_SALT.embedding + i),
    );
    const r = await this.request<EmbeddingOutcome>({ type: "embed", inputs, wrap: true });
    return {
      start_ns: r.start_ns,
      end_ns: r.end_ns,
      calls: s.inputs,
      inputs: s.inputs,
      input_tokens: s.inputs * s.tokens,
      call_durations_ns: Array.from(r.call_durations_ns),
      vectors: r.vectors,
    };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    try {
      if (this.logger) loggersLive.delete(this.logger.own);
      if (!this.failure)
        await this.request({ type: "dispose", restoreLogger: restoreLogger(this.logger?.previous ?? null) });
    } finally {
      this.disposed = true;
      this.rpc?.close();
      await this.worker?.terminate();
    }
  }

  /** Loads the model in the worker and fills identity and settings. */
  async init(
    req: Omit<Extract<WorkerRequest, { type: "init" }>, "id">,
    libSource: string,
    requestedContextSize: number,
  ): Promise<void> {
    let r: InitReply;
    try {
      r = await this.request<InitReply>(req);
    } catch (err) {
      await this.dispose().catch(() => {});
      throw err;
    }
    this.logger = r.logger;
    this.nVocab = r.info.n_vocab;
    this.maxParallel = req.parallel ?? 1;
    loggersEver.add(r.logger.own);
    loggersLive.add(r.logger.own);
    // as run: the context padded to 256, the batch capped at the context (llama_context does both)
    this.settings = {
      threads: req.mode === "generation" ? req.threads : null,
      embedding_threads: req.mode === "embedding" ? req.threads : null,
      batch_size: Math.min(req.batchSize, requestedContextSize),
      context_size: requestedContextSize,
      gpu: "off",
      gpu_layers: 0,
      ...(req.ubatchSize !== null ? { ubatch_size: r.info.n_ubatch } : {}),
    };
    const greedy: GreedyMethod =
      req.parallel !== undefined ? "sampler" : (req.greedy ?? DEFAULT_GREEDY_METHOD);
    this.identity = {
      name: LLAMA_CPP_ENGINE_NAME,
      versions: {
        llama_cpp: LLAMA_CPP_RELEASE,
        ggml: r.versions.ggml_version,
        ggml_commit: r.versions.ggml_commit,
        llama: r.versions.llama_version,
      },
      details: {
        llama_lib_dir: req.libDir,
        llama_lib: libSource,
        llama_build_number: r.versions.llama_build_number,
        llama_commit: r.versions.llama_commit,
        cpu_backend_variant: r.cpu_backend_variant,
        system_info: r.info.system_info,
        model_desc: r.info.model_desc,
        pooling_type: r.info.pooling_type,
        threadpool: `persistent, ${r.info.threadpool_threads} thread(s)`,
        // --parallel rounds sample every sequence with llama.cpp's CPU sampler, whatever the method
        // (parallel.ts; session.ts detaches the backend sampler for them)
        sampler: GREEDY_DESCRIPTION[greedy],
        // what computed the argmax (the same pick; the decode worker runs in this process's runtime)
        ...(greedy === "argmax" ? { argmax: argmaxKernel() } : {}),
        gpu_backend: "none",
        ...(req.parallel !== undefined
          ? { n_seq_max: req.parallel, kv_unified: false, n_ctx_seq: r.info.n_ctx / req.parallel }
          : {}),
      },
    };
  }
}

/**
 * Loads a GGUF model into llama.cpp through its C API in a worker thread, CPU only. Validate the file first
 * (models/model-info.ts): some malformed files abort the process inside llama.cpp.
 * @throws UsageError for bad options (threads, batch size, --gpu other than off/auto, --llama-lib);
 *   ModelFileError for a missing model path; EngineError when the libraries are not the llama.cpp build the
 *   FFI layouts were written for (abi.ts), or llama.cpp cannot load the model or create a context.
 */
export async function createLlamaCppEngine(opts: LlamaCppEngineOptions): Promise<LlamaCppEngine> {
  const threads =
    opts.mode === "generation"
      ? checkCount("--threads", opts.threads ?? LLAMA_CPP_DEFAULT_GENERATION_THREADS, LLAMA_CPP_MAX_THREADS)
      : checkCount(
          "--embedding-threads",
          opts.embeddingThreads ?? LLAMA_CPP_DEFAULT_EMBEDDING_THREADS,
          LLAMA_CPP_MAX_THREADS,
        );
  const batchSize = checkCount("--batch-size", opts.batchSize ?? LLAMA_CPP_DEFAULT_BATCH_SIZE, 1 << 20);
  const ubatchSize =
    opts.ubatchSize === undefined ? null : checkCount("--ubatch-size", opts.ubatchSize, 1 << 20);
  const gpu = opts.gpu ?? "off";
  if (gpu !== "off" && gpu !== "auto")
    throw new UsageError(`--engine llama-cpp runs on the CPU only: use --gpu off (got --gpu ${gpu})`);
  const parallel = checkCount("--parallel", opts.parallel ?? 1, LLAMA_CPP_MAX_PARALLEL);
  // node-llama-cpp pads the context to a multiple of 256 (padSafeContextSize); the same here; with
  // --parallel N each sequence gets its own n_ctx / N (kv_unified false, parallel.ts)
  const room = (opts.maxNewTokens ?? 0) + (opts.contextRoom ?? 0) + 256;
  const wanted = opts.contextSize ?? parallel * Math.max(512, Math.ceil(room / 256) * 256);
  const contextSize = checkCount("--context-size", Math.ceil(wanted / 256) * 256, 1 << 24);
  if (!existsSync(opts.modelPath) || !statSync(opts.modelPath).isFile())
    throw new ModelFileError(opts.modelPath, "no such file");
  const lib = opts.llamaLib
    ? { dir: checkLibDir(opts.llamaLib), source: "--llama-lib" }
    : await defaultLlamaLibDir();
  const log = opts.log ?? ((line: string) => process.stderr.write(`llama.cpp: ${line}\n`));
  // the host module loads koffi and the libraries: imported only when llama.cpp runs on this thread
  const host = opts.inThread ? (await import("./decode-host.js")).createDecodeHost(log) : null;
  const engine = new LlamaCppEngine(opts.modelPath, log, host);
  await engine.init(
    {
      type: "init",
      libDir: lib.dir,
      modelPath: opts.modelPath,
      mode: opts.mode,
      threads,
      contextSize,
      batchSize,
      ubatchSize,
      cpuVariant: opts.cpuVariant ?? null,
      ...(parallel > 1 ? { parallel } : {}),
      ...(opts.greedy ? { greedy: opts.greedy } : {}),
    },
    lib.source,
    contextSize,
  );
  opts.onModelLoaded?.();
  return engine;
}
