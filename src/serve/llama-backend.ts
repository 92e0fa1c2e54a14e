import type * as NodeLlamaCpp from "node-llama-cpp";
import { DEFAULT_EMBEDDING_THREADS, DEFAULT_GENERATION_THREADS } from "../engines/local/settings.js";
import { nodeLlamaCppVersion } from "../engines/node-llama-cpp/engine.js";
import type { ModelInfo } from "../models/model-info.js";
import { EngineError } from "../util/errors.js";
import {
  EmbeddingAbortedError,
  type GenerationLimits,
  type GenerationSummary,
  type ModelMeta,
  type ServeBackend,
} from "./backend.js";

/**
 * The loopback server's engine: node-llama-cpp on the CPU (prebuilt binaries only, never a build or a
 * download), a generation context with `parallel` sequences (requests beyond them wait in arrival order,
 * like llama-server's slots) and an embedding context created on first use.
 */

/** Options of the llama backend. */
export interface LlamaBackendOptions {
  model: ModelInfo;
  /** the id to serve. Defaults to the model's name or file name. */
  modelName: string;
  /** compute threads for generation. Defaults to 1 (fastest measured on 2 cores). */
  threads?: number;
  /** compute threads for embedding. Defaults to 2. */
  embeddingThreads?: number;
  /** sequences generated at once. Defaults to 1. */
  parallel?: number;
  /** tokens per sequence (prompt + output). Defaults to 1024. */
  contextSize?: number;
  log?: (line: string) => void;
}

const DEFAULT_SERVE_CONTEXT = 1024;

class LlamaServeBackend implements ServeBackend {
  readonly modelName: string;
  readonly meta: ModelMeta;
  readonly versions: Record<string, string>;
  readonly contextSize: number;
  private readonly free: NodeLlamaCpp.LlamaContextSequence[];
  private readonly waiting: Array<(s: NodeLlamaCpp.LlamaContextSequence) => void> = [];
  private embedding: Promise<NodeLlamaCpp.LlamaEmbeddingContext> | null = null;
  private embedQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly llama: NodeLlamaCpp.Llama,
    private readonly model: NodeLlamaCpp.LlamaModel,
    private readonly context: NodeLlamaCpp.LlamaContext,
    private readonly embeddingThreads: number,
    info: ModelInfo,
    modelName: string,
  ) {
    this.modelName = modelName;
    this.contextSize = context.contextSize;
    this.free = Array.from({ length: context.totalSequences }, () => context.getSequence());
    this.versions = { "node-llama-cpp": nodeLlamaCppVersion(), "llama.cpp": llama.llamaCppRelease.release };
    this.meta = {
      architecture: info.architecture,
      n_params: info.parameter_count,
      size: info.size_bytes,
      n_ctx_train: info.context_length,
      n_embd: info.embedding_length,
      n_layer: info.block_count,
      n_vocab: info.vocab_size,
      quantization: info.quantization,
      dummy: info.dummy,
      preset: info.preset,
    };
  }

  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  tokenize(text: string): number[] {
    return Array.from(this.model.tokenize(text), Number);
  }

  private acquire(signal: AbortSignal): Promise<NodeLlamaCpp.LlamaContextSequence | null> {
    const s = this.free.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve) => {
      const take = (seq: NodeLlamaCpp.LlamaContextSequence) => {
        signal.removeEventListener("abort", onAbort);
        resolve(seq);
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(take);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve(null);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private release(seq: NodeLlamaCpp.LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(seq);
    else this.free.push(seq);
  }

  async generate(
    prompt: string,
    limits: GenerationLimits,
    onToken: (text: string) => void,
    signal: AbortSignal,
  ): Promise<GenerationSummary> {
    const promptTokens = this.model.tokenize(prompt);
    const room = Math.max(0, this.contextSize - promptTokens.length - 1);
    const max = Math.min(limits.max_tokens, room);
    const summary: GenerationSummary = {
      prompt_tokens: promptTokens.length,
      completion_tokens: 0,
      finish_reason: "length",
    };
    if (max === 0) return summary;
    const seq = await this.acquire(signal);
    if (!seq) return summary;
    try {
      await seq.clearHistory();
      const out: NodeLlamaCpp.Token[] = [];
      let pending = "";
      for await (const token of seq.evaluate(promptTokens, { temperature: 0, yieldEogToken: true })) {
        if (signal.aborted) break;
        if (this.model.isEogToken(token) && !limits.ignore_eos && out.length >= limits.min_tokens) {
          summary.finish_reason = "stop";
          break;
        }
        const text = this.model.detokenize([token], false, out.slice(-4));
        out.push(token);
        summary.completion_tokens = out.length;
        // a token with no text of its own (part of a UTF-8 sequence) rides with the next one
        pending += text;
        if (pending !== "") {
          onToken(pending);
          pending = "";
        }
        if (out.length >= max) break;
      }
      return summary;
    } finally {
      this.release(seq);
    }
  }

  private embeddingContext(): Promise<NodeLlamaCpp.LlamaEmbeddingContext> {
    if (!this.embedding) {
      this.embedding = this.model
        .createEmbeddingContext({ contextSize: 512, batchSize: 512, threads: this.embeddingThreads })
        .catch((err: unknown) => {
          this.embedding = null;
          throw new EngineError(`llama.cpp could not create an embedding context: ${(err as Error).message}`);
        });
    }
    return this.embedding;
  }

  embed(
    texts: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ vectors: number[][]; prompt_tokens: number }> {
    // one embedding context: calls run one after the other, in arrival order
    const run = this.embedQueue.then(async () => {
      const ctx = await this.embeddingContext();
      const vectors: number[][] = [];
      let tokens = 0;
      for (const text of texts) {
        // a client that went away gets no more work done for it (nor do those queued behind it wait)
        if (signal?.aborted) throw new EmbeddingAbortedError(vectors.length, texts.length);
        const input = this.model.tokenize(text);
        tokens += input.length;
        const e = await ctx.getEmbeddingFor(input);
        vectors.push(Array.from(e.vector));
      }
      return { vectors, prompt_tokens: tokens };
    });
    this.embedQueue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    if (this.embedding) await (await this.embedding.catch(() => null))?.dispose();
    await this.context.dispose();
    await this.model.dispose();
    void this.llama;
  }
}

/**
 * Loads a GGUF (validate it first, see models/model-info.ts) and returns the server's backend.
 * @throws EngineError when llama.cpp cannot load the model or create a context.
 */
export async function createLlamaServeBackend(opts: LlamaBackendOptions): Promise<ServeBackend> {
  const threads = opts.threads ?? DEFAULT_GENERATION_THREADS;
  const embeddingThreads = opts.embeddingThreads ?? DEFAULT_EMBEDDING_THREADS;
  const log = opts.log ?? ((line: string) => process.stderr.write(`llama.cpp: ${line}\n`));
  // one Llama instance per process, shared with the engine (node-llama-cpp routes native logs to the last one)
  const { loadLlama } = await import("../engines/node-llama-cpp/engine.js");
  const llama: NodeLlamaCpp.Llama = await loadLlama("off", Math.max(threads, embeddingThreads), log);
  let model: NodeLlamaCpp.LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: opts.model.path, gpuLayers: 0 });
  } catch (err) {
    throw new EngineError(
      `llama.cpp could not load ${opts.model.path}: ${(err as Error).message.split("\n")[0]}`,
      {
        cause: err,
      },
    );
  }
  try {
    const context = await model.createContext({
      contextSize: opts.contextSize ?? DEFAULT_SERVE_CONTEXT,
      batchSize: 512,
      sequences: opts.parallel ?? 1,
      threads: { ideal: threads, min: threads },
    });
    return new LlamaServeBackend(llama, model, context, embeddingThreads, opts.model, opts.modelName);
  } catch (err) {
    await model.dispose();
    throw new EngineError(`llama.cpp could not create a context: ${(err as Error).message.split("\n")[0]}`, {
      cause: err,
    });
  }
}
