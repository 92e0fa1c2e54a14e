import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import type {
  EmbeddingRound,
  Engine,
  EngineIdentity,
  EngineSettings,
  GenerationRound,
} from "../../measure/engine-contract.js";
import { nowNs } from "../../util/clock.js";
import { EngineError, ModelFileError, UsageError } from "../../util/errors.js";
import type { LocalEngineFactoryOptions } from "../local/define.js";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_EMBEDDING_THREADS,
  DEFAULT_GENERATION_THREADS,
  effectiveContextSize,
  type GpuChoice,
} from "../local/settings.js";

/** Options for loading the node-llama-cpp engine: those of every local engine. */
export type LlamaEngineOptions = Omit<
  LocalEngineFactoryOptions,
  "gpu" | "log" | "maxNewTokens" | "llamaLib" | "cpuVariant"
> & {
  gpu?: GpuChoice;
  maxNewTokens?: number;
  log?: (line: string) => void;
};

const require = createRequire(import.meta.url);

/** The installed node-llama-cpp version, from its package.json (found above its resolved entry point). */
export function nodeLlamaCppVersion(): string {
  let dir = dirname(require.resolve("node-llama-cpp"));
  while (!existsSync(join(dir, "package.json")) || basename(dir) !== "node-llama-cpp") {
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

let llamaPromise: Promise<Llama> | null = null;
let llamaGpu: GpuChoice | null = null;

/**
 * One Llama instance per process (node-llama-cpp routes every native log line to the instance created
 * last, so a second instance would steal the first one's logger). Its maxThreads caps every context's
 * threads silently, so it is raised when a later engine asks for more than the first one did.
 */
export async function loadLlama(
  gpu: GpuChoice,
  maxThreads: number,
  log: (line: string) => void,
): Promise<Llama> {
  if (!llamaPromise || llamaGpu !== gpu) {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    llamaGpu = gpu;
    llamaPromise = getLlama({
      gpu: gpu === "off" ? false : gpu,
      build: "never",
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      maxThreads,
      logLevel: LlamaLogLevel.warn,
      logger: (_level, message) => log(message.trimEnd()),
    }).catch((err: unknown) => {
      llamaPromise = null;
      throw new EngineError(
        `cannot load llama.cpp with --gpu ${gpu}: ${(err as Error).message.split("\n")[0]} (try --gpu off)`,
        { cause: err },
      );
    });
  }
  const llama = await llamaPromise;
  if (llama.maxThreads !== 0 && llama.maxThreads < maxThreads) llama.maxThreads = maxThreads;
  return llama;
}

/**
 * The ggml CPU backend the prebuilt binaries chose for this CPU (e.g. "sapphirerapids", "haswell"): each
 * libggml-cpu-<variant>.so is built for other instructions, so it decides decode speed as much as the
 * llama.cpp release does. Read from the libraries mapped into this process; null where that is not possible.
 */
function cpuBackendVariant(): string | null {
  try {
    return readFileSync("/proc/self/maps", "utf8").match(/libggml-cpu-([\w-]+)\.so/)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** The node-llama-cpp engine: a model loaded in this process, on the CPU unless a GPU is asked for. */
class LlamaEngine implements Engine {
  readonly identity: EngineIdentity;
  readonly settings: EngineSettings;
  private readonly tokenCache = new Map<string, Token[]>();

  constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext | null,
    private readonly sequence: LlamaContextSequence | null,
    private readonly embeddingContext: LlamaEmbeddingContext | null,
    llama: Llama,
    settings: EngineSettings,
  ) {
    this.settings = settings;
    this.identity = {
      name: "node-llama-cpp",
      versions: {
        node_llama_cpp: nodeLlamaCppVersion(),
        llama_cpp: llama.llamaCppRelease.release,
      },
      details: {
        llama_cpp_repo: llama.llamaCppRelease.repo,
        build_type: llama.buildType,
        gpu_backend: llama.gpu === false ? "none" : llama.gpu,
        cpu_math_cores: llama.cpuMathCores,
        system_info: llama.systemInfo.trim(),
        cpu_backend_variant: cpuBackendVariant(),
      },
    };
  }

  private tokens(text: string): Token[] {
    let t = this.tokenCache.get(text);
    if (!t) {
      t = this.model.tokenize(text);
      this.tokenCache.set(text, t);
    }
    return t;
  }

  countTokens(text: string): number {
    return this.tokens(text).length;
  }

  async generate(prompt: string, maxNewTokens: number): Promise<GenerationRound> {
    const sequence = this.sequence;
    if (!sequence) throw new EngineError("this engine was loaded for embedding, not generation");
    const promptTokens = this.tokens(prompt);
    await sequence.clearHistory();
    const tokenIds: number[] = [];
    const chunkTimes: bigint[] = [];
    const start = nowNs();
    for await (const token of sequence.evaluate(promptTokens, { temperature: 0, yieldEogToken: true })) {
      chunkTimes.push(nowNs());
      tokenIds.push(token);
      if (tokenIds.length >= maxNewTokens) break;
    }
    const end = nowNs();
    return {
      start_ns: start,
      first_token_ns: chunkTimes[0] ?? null,
      end_ns: end,
      prompt_tokens: promptTokens.length,
      output_tokens: tokenIds.length,
      token_ids: tokenIds,
      text: null,
      chunk_times_ns: chunkTimes,
    };
  }

  async embed(texts: readonly string[]): Promise<EmbeddingRound> {
    const ctx = this.embeddingContext;
    if (!ctx) throw new EngineError("this engine was loaded for generation, not embedding");
    const inputs = texts.map((t) => this.tokens(t));
    const vectors: ArrayLike<number>[] = [];
    const durations: bigint[] = [];
    const start = nowNs();
    for (const input of inputs) {
      const t0 = nowNs();
      const embedding = await ctx.getEmbeddingFor(input);
      durations.push(nowNs() - t0);
      vectors.push(embedding.vector);
    }
    const end = nowNs();
    return {
      start_ns: start,
      end_ns: end,
      calls: texts.length,
      inputs: texts.length,
      input_tokens: inputs.reduce((a, t) => a + t.length, 0),
      call_durations_ns: durations,
      vectors,
    };
  }

  async dispose(): Promise<void> {
    await this.embeddingContext?.dispose();
    await this.context?.dispose();
    await this.model.dispose();
  }
}

function checkThreads(flag: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got ${n}`);
  return n;
}

/**
 * The settings a result records: the values the engine ran with, plus `requested` holding what the user asked
 * for where llama.cpp changed it (the context padded to a multiple of 256, the batch capped at the context).
 */
export function effectiveSettings(
  asked: Pick<LlamaEngineOptions, "contextSize" | "batchSize">,
  effective: EngineSettings,
): EngineSettings {
  const requested: NonNullable<EngineSettings["requested"]> = {};
  if (asked.contextSize !== undefined && asked.contextSize !== effective.context_size)
    requested.context_size = asked.contextSize;
  if (asked.batchSize !== undefined && asked.batchSize !== effective.batch_size)
    requested.batch_size = asked.batchSize;
  return Object.keys(requested).length > 0 ? { ...effective, requested } : effective;
}

/**
 * Loads a GGUF model into node-llama-cpp with explicit threads and GPU choice, prebuilt binaries only
 * (never builds, never downloads). Validate the file first (models/model-info.ts): some malformed files
 * abort the process inside llama.cpp.
 * @throws EngineError when llama.cpp cannot load the model or create a context.
 */
export async function createLlamaEngine(opts: LlamaEngineOptions): Promise<Engine> {
  const threads = checkThreads("--threads", opts.threads ?? DEFAULT_GENERATION_THREADS);
  const embeddingThreads = checkThreads(
    "--embedding-threads",
    opts.embeddingThreads ?? DEFAULT_EMBEDDING_THREADS,
  );
  const batchSize = checkThreads("--batch-size", opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const gpu = opts.gpu ?? "off";
  const log = opts.log ?? ((line: string) => process.stderr.write(`llama.cpp: ${line}\n`));
  const llama = await loadLlama(gpu, Math.max(threads, embeddingThreads), log);
  const contextSize = effectiveContextSize(opts.contextSize, opts.maxNewTokens ?? 0);
  let model: LlamaModel;
  try {
    // mmap measured 1.28x faster than a loaded copy for CPU decoding here (bench/engine-gap.ts direct-nommap);
    // "auto" (the library default) may drop it to fit GPU layers, so the CPU path asks for it explicitly
    model = await llama.loadModel({
      modelPath: opts.modelPath,
      gpuLayers: gpu === "off" ? 0 : "auto",
      useMmap: gpu === "off" ? true : "auto",
    });
  } catch (err) {
    throw new ModelFileError(
      opts.modelPath,
      `llama.cpp could not load it: ${(err as Error).message.split("\n")[0]}`,
      {
        cause: err,
      },
    );
  }
  opts.onModelLoaded?.();
  const gpuLayers = gpu === "off" ? 0 : model.gpuLayers;
  const settings = effectiveSettings(opts, {
    threads: opts.mode === "generation" ? threads : null,
    embedding_threads: opts.mode === "embedding" ? embeddingThreads : null,
    // llama.cpp caps the batch at the context size (llama_context: n_batch = min(n_ctx, n_batch))
    batch_size: Math.min(batchSize, contextSize),
    context_size: contextSize,
    gpu: llama.gpu === false ? "off" : llama.gpu,
    gpu_layers: gpuLayers,
  });
  try {
    if (opts.mode === "generation") {
      const context = await model.createContext({
        contextSize,
        batchSize,
        sequences: 1,
        threads: { ideal: threads, min: threads },
      });
      return new LlamaEngine(model, context, context.getSequence(), null, llama, settings);
    }
    const embeddingContext = await model.createEmbeddingContext({
      contextSize,
      batchSize,
      threads: embeddingThreads,
    });
    return new LlamaEngine(model, null, null, embeddingContext, llama, settings);
  } catch (err) {
    await model.dispose();
    throw new EngineError(`llama.cpp could not create a context: ${(err as Error).message.split("\n")[0]}`, {
      cause: err,
    });
  }
}
