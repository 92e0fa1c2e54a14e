/**
 * One loaded model and context on llama.cpp's C API, driven synchronously: what the decode worker
 * (decode-worker.ts) runs off the main thread. Every C-API failure return becomes an EngineError.
 *
 * Generation mirrors node-llama-cpp's `sequence.evaluate(tokens, { temperature: 0 })` as the llama engine
 * calls it (no BOS added; greedy: llama.cpp's greedy sampler, the only sampler node-llama-cpp puts in the
 * chain at temperature 0; by default the same pick over the logits in WebAssembly, or llama.cpp's sampler on
 * the CPU after llama_decode, or as its backend sampler inside it: argmax.ts GreedyMethod) and embedding mirrors
 * `LlamaEmbeddingContext.getEmbeddingFor` (BOS/EOS/SEP added by vocabulary type, the pooling the model asks
 * for, `llama_get_embeddings_seq` or the last token's embedding), so both engines compute the same outputs
 * for the same workload.
 */
import koffi from "koffi";
import { EngineError } from "../../util/errors.js";
import { DEFAULT_GREEDY_METHOD, type GreedyMethod, simdArgmax } from "./argmax.js";
import {
  GgmlThreadpoolParams,
  LLAMA_FLASH_ATTN_TYPE_AUTO,
  LLAMA_LAZY_MODE_OFF,
  LLAMA_LOAD_MODE_MMAP,
  LLAMA_POOLING_TYPE,
  LLAMA_TOKEN_NULL,
  LLAMA_VOCAB_TYPE,
  type LlamaCppApi,
  type Ptr,
} from "./ffi.js";
import { generateParallel, type ParallelOutcome } from "./parallel.js";

/** What the session needs to load. */
export interface SessionOptions {
  modelPath: string;
  mode: "generation" | "embedding";
  /** compute threads (n_threads and n_threads_batch), >= 1 */
  threads: number;
  /** n_ctx in tokens */
  contextSize: number;
  /** n_batch in tokens */
  batchSize: number;
  /** n_ubatch in tokens (llama-bench `-ub`); default: batchSize */
  ubatchSize?: number;
  /** n_seq_max: sequences decoded together (`--parallel`, parallel.ts); default 1 */
  parallel?: number;
  /** the greedy pick of generate() when a round names none (argmax.ts); default DEFAULT_GREEDY_METHOD */
  greedy?: GreedyMethod;
  /** the last error line llama.cpp logged, for error messages */
  lastError: () => string | null;
}

/** Facts about the loaded model and context, recorded in the engine identity. */
export interface SessionInfo {
  n_vocab: number;
  n_ctx: number;
  n_batch: number;
  n_ubatch: number;
  /** llama_pooling_type of the context (embedding mode); null for generation */
  pooling_type: number | null;
  n_embd_out: number;
  model_desc: string;
  system_info: string;
  /** threads of the persistent ggml threadpool attached to the context */
  threadpool_threads: number;
}

/** One generation round's raw record, timestamps in process.hrtime.bigint() ns. */
export interface GenerationOutcome {
  start_ns: bigint;
  end_ns: bigint;
  token_ids: Int32Array;
  token_times_ns: BigInt64Array;
  /**
   * the harness's own time per token, ns: from the return of one llama_decode to the call of the next (the
   * greedy pick, the clock, the FFI calls; no thread hand-off: the loop is synchronous; with the "backend"
   * method the pick is computed inside llama_decode and only its read is here), one value per new
   * token but the last (the prompt's last decode to the first one-token decode first); empty below 2 new
   * tokens. koffi's marshalling of llama_decode's own arguments and return lies between the two stamps of
   * the decode, so it is not in this figure (the C loop of bench/llama-cpp-gap.ts bounds the whole loop).
   */
  harness_ns: Float64Array;
}

/** One embedding round's raw record. */
export interface EmbeddingOutcome {
  start_ns: bigint;
  end_ns: bigint;
  call_durations_ns: BigInt64Array;
  vectors: Float32Array[];
  /** tokens evaluated, BOS/EOS included */
  evaluated_tokens: number;
}

const now = () => process.hrtime.bigint();

/**
 * A model, a context, a greedy sampler chain (for llama.cpp's CPU sampler), the greedy chain attached to
 * sequence 0 as a backend sampler while rounds ask for "backend", and a persistent threadpool, used from one
 * thread.
 */
export class LlamaCppSession {
  readonly info: SessionInfo;
  private model: Ptr = 0n;
  private ctx: Ptr = 0n;
  private chain: Ptr = 0n;
  /** the greedy chain attached to sequence 0 with llama_set_sampler; 0n: no backend sampler attached */
  private backendChain: Ptr = 0n;
  private threadpool: Ptr = 0n;
  private readonly vocab: Ptr;
  private readonly memory: Ptr;
  /** native token buffer the batches point into (n_batch tokens) */
  private tokenBuf: Ptr;
  private readonly tokens: Int32Array;
  private readonly oneTokenBatch: Record<string, unknown>;
  /** the generation loop's clock stamps (decodeLoop), reused from round to round */
  private callStamps = new BigInt64Array(0);
  private returnStamps = new BigInt64Array(0);
  /** the last logits buffer llama.cpp returned, and a view of its n_vocab floats */
  private logitsPtr: Ptr = 0n;
  private logits = new Float32Array(0);

  constructor(
    private readonly api: LlamaCppApi,
    private readonly opts: SessionOptions,
  ) {
    const fail = (what: string): never => {
      this.dispose();
      const detail = opts.lastError();
      throw new EngineError(`${what}${detail ? `: ${detail}` : ""}`);
    };
    const modelParams = {
      ...api.llama_model_default_params(),
      n_gpu_layers: 0,
      // mmap: what the llama engine asks for on the CPU path (1.28x faster than a loaded copy here)
      load_mode: LLAMA_LOAD_MODE_MMAP,
      lazy_mode: LLAMA_LAZY_MODE_OFF,
    };
    this.model = api.llama_model_load_from_file(opts.modelPath, modelParams) ?? 0n;
    if (!this.model) fail(`llama.cpp could not load ${opts.modelPath}`);
    if (
      opts.mode === "embedding" &&
      api.llama_model_has_encoder(this.model) &&
      api.llama_model_has_decoder(this.model)
    )
      fail(`${opts.modelPath} is an encoder-decoder model: computing embeddings is not supported for it`);
    const ctxParams = {
      ...api.llama_context_default_params(),
      n_ctx: opts.contextSize,
      n_batch: opts.batchSize,
      n_ubatch: opts.ubatchSize ?? opts.batchSize,
      n_seq_max: opts.parallel ?? 1,
      n_threads: opts.threads,
      n_threads_batch: opts.threads,
      flash_attn_type: LLAMA_FLASH_ATTN_TYPE_AUTO,
      embeddings: opts.mode === "embedding",
      no_perf: true,
      swa_full: false,
    };
    this.ctx = api.llama_init_from_model(this.model, ctxParams) ?? 0n;
    if (!this.ctx) fail("llama.cpp could not create a context");
    // a persistent pool, as llama-bench attaches one: without it every llama_decode creates and joins its
    // worker threads (notes/engine-performance.md section 4)
    const tpParams = koffi.alloc(GgmlThreadpoolParams, 1) as Ptr;
    try {
      api.ggml_threadpool_params_init(tpParams, opts.threads);
      this.threadpool = api.ggml_threadpool_new(tpParams) ?? 0n;
    } finally {
      koffi.free(tpParams);
    }
    if (!this.threadpool) fail(`ggml could not create a threadpool of ${opts.threads} threads`);
    api.llama_attach_threadpool(this.ctx, this.threadpool, null);
    this.pausePool();
    this.chain = this.greedyChain() ?? fail("llama.cpp could not create the greedy sampler chain");
    this.vocab = api.llama_model_get_vocab(this.model);
    this.memory = api.llama_get_memory(this.ctx);
    const nBatch = api.llama_n_batch(this.ctx);
    this.tokenBuf = koffi.alloc("int32_t", Math.max(1, nBatch)) as Ptr;
    this.tokens = new Int32Array(koffi.view(this.tokenBuf, Math.max(1, nBatch) * 4));
    this.oneTokenBatch = api.llama_batch_get_one(this.tokenBuf, 1);
    const desc = Buffer.alloc(256);
    const descLen = api.llama_model_desc(this.model, desc, desc.length);
    const pooling = opts.mode === "embedding" ? api.llama_pooling_type(this.ctx) : null;
    this.info = {
      n_vocab: api.llama_vocab_n_tokens(this.vocab),
      n_ctx: api.llama_n_ctx(this.ctx),
      n_batch: nBatch,
      n_ubatch: api.llama_n_ubatch(this.ctx),
      pooling_type: pooling,
      n_embd_out:
        pooling === LLAMA_POOLING_TYPE.RANK
          ? api.llama_model_n_cls_out(this.model)
          : api.llama_model_n_embd_out(this.model),
      model_desc: desc.subarray(0, Math.max(0, Math.min(descLen, desc.length - 1))).toString("utf8"),
      system_info: api.llama_print_system_info().trim(),
      threadpool_threads: opts.threads,
    };
  }

  /** A new sampler chain holding only llama_sampler_init_greedy; null when llama.cpp cannot create one. */
  private greedyChain(): Ptr | null {
    const { api } = this;
    const chain = api.llama_sampler_chain_init(api.llama_sampler_chain_default_params()) ?? 0n;
    if (!chain) return null;
    const greedy = api.llama_sampler_init_greedy();
    if (!greedy) {
      api.llama_sampler_free(chain);
      return null;
    }
    api.llama_sampler_chain_add(chain, greedy);
    return chain;
  }

  /**
   * Attaches (`want`) or detaches the backend greedy sampler of sequence 0, when that changes anything.
   * Attached, llama_decode computes the greedy token in its graph and copies no logits out, so the "sampler"
   * and "argmax" methods need it detached (llama_sampler_sample would return the backend's token). A change
   * makes llama.cpp reserve its scheduler again at the next llama_decode (llama_context::set_sampler sets
   * sched_need_reserve): one untimed llama_decode of the prompt's first token does that here, before the
   * round's clock starts; the caller clears the memory after it. A detached chain is freed after that decode
   * (the reserve drops the last graph, which pointed at it); a chain is attached once in its life
   * (llama_sampler_chain_backend_init asserts), so each attach creates one.
   * @throws EngineError when llama.cpp cannot create the chain or run it on its backend.
   */
  private attachBackendSampler(want: boolean, prompt: Int32Array): void {
    const { api, ctx } = this;
    const old = this.backendChain;
    if (want === (old !== 0n)) return;
    if (want) {
      const chain = this.greedyChain();
      if (!chain) throw new EngineError("llama.cpp could not create the greedy sampler chain");
      if (!api.llama_set_sampler(ctx, 0, chain)) {
        api.llama_sampler_free(chain);
        throw new EngineError("llama.cpp cannot run the greedy sampler on its backend (llama_set_sampler)");
      }
      this.backendChain = chain;
    } else {
      api.llama_set_sampler(ctx, 0, null);
      this.backendChain = 0n;
    }
    try {
      api.llama_memory_clear(this.memory, true);
      this.tokens[0] = prompt[0] as number;
      this.decode(1, this.oneTokenBatch);
    } finally {
      // the next decode reserves before it builds a graph, so nothing points at the old chain then either
      if (!want) api.llama_sampler_free(old);
    }
  }

  /** Tokens of `text` as node-llama-cpp's model.tokenize(text) counts them: no BOS/EOS, no special tokens. */
  tokenize(text: string): Int32Array {
    const bytes = Buffer.from(text, "utf8");
    let out = new Int32Array(Math.max(8, bytes.length + 2));
    let n = this.api.llama_tokenize(this.vocab, bytes, bytes.length, out, out.length, false, false);
    if (n < 0) {
      out = new Int32Array(-n);
      n = this.api.llama_tokenize(this.vocab, bytes, bytes.length, out, out.length, false, false);
    }
    if (n < 0) throw new EngineError(`llama.cpp could not tokenize a text of ${bytes.length} bytes`);
    return out.slice(0, n);
  }

  private decode(nTokens: number, batch?: Record<string, unknown>): void {
    const rc = this.api.llama_decode(this.ctx, batch ?? this.api.llama_batch_get_one(this.tokenBuf, nTokens));
    if (rc !== 0) {
      const detail = this.opts.lastError();
      throw new EngineError(
        `llama_decode failed (return code ${rc}) on a batch of ${nTokens} tokens${detail ? `: ${detail}` : ""}`,
      );
    }
  }

  /** Decodes `input` after what the context holds, in n_batch chunks (logits of the last token only). */
  private prefill(input: Int32Array): void {
    const nBatch = this.info.n_batch;
    for (let at = 0; at < input.length; at += nBatch) {
      const chunk = input.subarray(at, Math.min(input.length, at + nBatch));
      this.tokens.set(chunk);
      this.decode(chunk.length);
    }
  }

  /**
   * Prefills `prompt` (in n_batch chunks) and generates exactly `maxNewTokens` tokens greedily; an
   * end-of-generation token does not stop it; 0 processes the prompt only (llama-bench's pp test). One
   * synchronous loop on this thread: per token one llama_decode of a one-token batch, the greedy pick
   * (`greedy`, see GreedyMethod; all three give the same tokens) and two clock reads into arrays allocated once
   * per session: right before each llama_decode (the previous token's time) and right after it returns;
   * nothing is allocated per token but the clock's BigInt. With "backend" the greedy chain is attached to
   * sequence 0 for the round (attachBackendSampler) and the pick inside the loop is one
   * llama_get_sampled_token_ith call; a prompt-only round (0 new tokens) runs without any backend sampler,
   * as llama-bench's pp test does. `depth` tokens (llama-bench `-d`) are decoded first, before the round's
   * timing starts.
   * @throws EngineError when depth, prompt and new tokens exceed the context, or llama.cpp fails (a
   *   backend sampler that returns no token, LLAMA_TOKEN_NULL, included).
   */
  generate(
    prompt: Int32Array,
    maxNewTokens: number,
    depth?: Int32Array,
    greedy: GreedyMethod = this.opts.greedy ?? DEFAULT_GREEDY_METHOD,
  ): GenerationOutcome {
    return this.withPool(() => this.generateRound(prompt, maxNewTokens, greedy, depth));
  }

  /**
   * Pauses the threadpool after a round (api.ggml_threadpool_pause_resume, where bound): its workers would
   * otherwise spin for a while after the last graph (hybrid polling: 1024 * 128 * poll pause instructions,
   * 0.15-0.4 s of a core on this repository's 2-core host) and slow whatever runs next, another engine or
   * bench/llama-cpp-gap.ts's next arm.
   */
  private pausePool(): void {
    if (this.threadpool) this.api.ggml_threadpool_pause_resume?.pause(this.threadpool);
  }

  /**
   * Resumes the paused pool before a round, ahead of its clock: the workers are then polling when the first
   * timed llama_decode starts, as in llama-bench (llama.cpp would otherwise wake them inside that decode).
   */
  private resumePool(): void {
    if (this.threadpool) this.api.ggml_threadpool_pause_resume?.resume(this.threadpool);
  }

  /** Runs one round with the threadpool resumed (resumePool), pausing it after (pausePool), even on a throw. */
  private withPool<T>(round: () => T): T {
    this.resumePool();
    try {
      return round();
    } finally {
      this.pausePool();
    }
  }

  /** generate()'s round, the pool left running. */
  private generateRound(
    prompt: Int32Array,
    maxNewTokens: number,
    greedy: GreedyMethod,
    depth?: Int32Array,
  ): GenerationOutcome {
    this.checkGeneration(prompt, maxNewTokens, depth);
    this.attachBackendSampler(maxNewTokens > 0 && greedy === "backend", prompt);
    this.api.llama_memory_clear(this.memory, true);
    this.api.llama_sampler_reset(this.chain);
    if (depth && depth.length > 0) this.prefill(depth);
    const ids = new Int32Array(maxNewTokens);
    const stamps = this.stampsFor(maxNewTokens);
    const start = now();
    this.prefill(prompt);
    if (maxNewTokens === 0) {
      // llama-bench calls llama_synchronize after a pp test's decode; this engine runs the CPU backend only,
      // whose llama_decode returns with the graph computed and the logits copied
      const end = now();
      return {
        start_ns: start,
        end_ns: end,
        token_ids: ids,
        token_times_ns: new BigInt64Array(0),
        harness_ns: new Float64Array(0),
      };
    }
    stamps.returns[0] = now();
    this.decodeLoop(ids, stamps.calls, stamps.returns, this.picker(greedy));
    const n = maxNewTokens;
    const harness = new Float64Array(n - 1);
    for (let i = 0; i < n - 1; i++)
      harness[i] = Number((stamps.calls[i] as bigint) - (stamps.returns[i] as bigint));
    const times = stamps.calls.slice(0, n);
    return {
      start_ns: start,
      end_ns: times[n - 1] as bigint,
      token_ids: ids,
      token_times_ns: times,
      harness_ns: harness,
    };
  }

  /** @throws EngineError for a session loaded for embedding, an empty prompt, or a round the context cannot hold. */
  private checkGeneration(prompt: Int32Array, maxNewTokens: number, depth?: Int32Array): void {
    if (this.opts.mode !== "generation")
      throw new EngineError("this engine was loaded for embedding, not generation");
    if (prompt.length === 0) throw new EngineError("the prompt has no tokens");
    const depthTokens = depth?.length ?? 0;
    if (depthTokens + prompt.length + maxNewTokens > this.info.n_ctx)
      throw new EngineError(
        `${depthTokens ? `a depth of ${depthTokens} tokens, ` : ""}the prompt (${prompt.length} tokens) and ${maxNewTokens} new tokens exceed the context of ${this.info.n_ctx} tokens: raise --context-size`,
      );
  }

  /** The session's two stamp arrays, at least `n` long (grown, never shrunk: allocated once per length). */
  private stampsFor(n: number): { calls: BigInt64Array; returns: BigInt64Array } {
    if (this.callStamps.length < n) {
      this.callStamps = new BigInt64Array(n);
      this.returnStamps = new BigInt64Array(n);
    }
    return { calls: this.callStamps, returns: this.returnStamps };
  }

  /**
   * The hot loop, after the prompt's logits are in (returns[0] stamped): picks token 0, then for each next
   * token stamps calls[i - 1], decodes the previous token, stamps returns[i] and picks token i; the last
   * token's time goes to calls[n - 1]. calls[i] - returns[i] is the harness's time for token i.
   */
  private decodeLoop(
    ids: Int32Array,
    calls: BigInt64Array,
    returns: BigInt64Array,
    pick: () => number,
  ): void {
    const { tokens, oneTokenBatch } = this;
    const n = ids.length;
    let token = pick();
    ids[0] = token;
    for (let i = 1; i < n; i++) {
      tokens[0] = token;
      calls[i - 1] = now();
      this.decode(1, oneTokenBatch);
      returns[i] = now();
      token = pick();
      ids[i] = token;
    }
    calls[n - 1] = now();
  }

  /** The greedy pick of the last output by `method` (GreedyMethod), chosen once per round. */
  private picker(method: GreedyMethod): () => number {
    const { api, ctx, chain } = this;
    if (method === "argmax") return () => this.argmaxToken();
    if (method === "sampler") return () => api.llama_sampler_sample(chain, ctx, -1);
    return () => {
      const token = api.llama_get_sampled_token_ith(ctx, -1);
      if (token === LLAMA_TOKEN_NULL || token < 0)
        throw new EngineError("llama.cpp's backend greedy sampler returned no token (LLAMA_TOKEN_NULL)");
      return token;
    };
  }

  /**
   * The greedy token of the last output: simdArgmax over a Float32Array view of llama_get_logits_ith(-1),
   * the view made again only when llama.cpp hands out another logits buffer.
   * @throws EngineError when llama.cpp has no logits for the last token.
   */
  private argmaxToken(): number {
    const ptr = this.api.llama_get_logits_ith(this.ctx, -1);
    if (ptr !== this.logitsPtr) {
      if (!ptr) throw new EngineError("llama.cpp returned no logits for the last token");
      this.logitsPtr = ptr;
      this.logits = new Float32Array(koffi.view(ptr, this.info.n_vocab * 4));
    }
    return simdArgmax(this.logits);
  }

  /** `sequences` copies of the prompt decoded together (`--parallel`): see parallel.ts. */
  generateParallel(
    prompt: Int32Array,
    maxNewTokens: number,
    sequences: number,
    depth?: Int32Array,
  ): ParallelOutcome {
    if (this.opts.mode !== "generation")
      throw new EngineError("this engine was loaded for embedding, not generation");
    if (prompt.length === 0) throw new EngineError("the prompt has no tokens");
    // every sequence is sampled by llama.cpp's CPU sampler from its raw logits (parallel.ts)
    this.attachBackendSampler(false, prompt);
    const { api, ctx, chain, memory, info, opts } = this;
    const c = { api, ctx, chain, memory, nBatch: info.n_batch, lastError: opts.lastError };
    return this.withPool(() => generateParallel(c, prompt, maxNewTokens, sequences, depth));
  }

  /** The input node-llama-cpp's embedding context evaluates for `tokens`: BOS/SEP/EOS by vocabulary type. */
  embeddingInput(tokens: Int32Array): Int32Array {
    const { api, vocab } = this;
    const type = api.llama_vocab_type(vocab);
    let begin: number | null = null;
    let end: number | null = null;
    if (type === LLAMA_VOCAB_TYPE.WPM) {
      begin = api.llama_vocab_bos(vocab);
      end = api.llama_vocab_sep(vocab);
    } else if (type === LLAMA_VOCAB_TYPE.UGM) {
      end = api.llama_vocab_eos(vocab);
    } else if (type !== LLAMA_VOCAB_TYPE.RWKV) {
      if (api.llama_vocab_get_add_bos(vocab)) begin = api.llama_vocab_bos(vocab);
      if (api.llama_vocab_get_add_eos(vocab)) end = api.llama_vocab_eos(vocab);
    }
    const out = Array.from(tokens);
    if (begin !== null && begin >= 0 && out[0] !== begin) out.unshift(begin);
    if (end !== null && end >= 0 && out[out.length - 1] !== end) out.push(end);
    return Int32Array.from(out);
  }

  /**
   * Embeds each input (already passed through {@link embeddingInput}) in one llama_decode on a cleared
   * memory, and copies the pooled vector (or the last token's when the model pools nothing).
   * @throws EngineError for an input longer than the batch or context, or when llama.cpp fails.
   */
  embed(inputs: readonly Int32Array[]): EmbeddingOutcome {
    return this.withPool(() => this.embedRound(inputs));
  }

  /** embed()'s round, the pool left running. */
  private embedRound(inputs: readonly Int32Array[]): EmbeddingOutcome {
    if (this.opts.mode !== "embedding")
      throw new EngineError("this engine was loaded for generation, not embedding");
    const { api, ctx, tokens, info } = this;
    for (const input of inputs) {
      if (input.length === 0) throw new EngineError("an embedding input has no tokens");
      if (input.length >= info.n_ctx || input.length > info.n_batch)
        throw new EngineError(
          `an embedding input of ${input.length} tokens does not fit the context (${info.n_ctx}) and batch (${info.n_batch}): raise --context-size and --batch-size`,
        );
    }
    const bytes = info.n_embd_out * 4;
    const vectors: Float32Array[] = [];
    const durations = new BigInt64Array(inputs.length);
    let inputTokens = 0;
    const start = now();
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i] as Int32Array;
      const t0 = now();
      api.llama_memory_clear(this.memory, true);
      tokens.set(input);
      // no output flags: in an embeddings context llama.cpp then outputs every token (what it would
      // override to anyway, with a warning per call)
      this.decode(input.length);
      let ptr: Ptr =
        info.pooling_type === LLAMA_POOLING_TYPE.NONE ? 0n : (api.llama_get_embeddings_seq(ctx, 0) ?? 0n);
      if (!ptr) ptr = api.llama_get_embeddings_ith(ctx, -1) ?? 0n;
      if (!ptr)
        throw new EngineError(`llama.cpp returned no embedding for an input of ${input.length} tokens`);
      vectors.push(new Float32Array(koffi.view(ptr, bytes)).slice());
      durations[i] = now() - t0;
      inputTokens += input.length;
    }
    const end = now();
    return {
      start_ns: start,
      end_ns: end,
      call_durations_ns: durations,
      vectors,
      evaluated_tokens: inputTokens,
    };
  }

  /** Frees the samplers, context, threadpool and model; safe to call twice. */
  dispose(): void {
    const { api } = this;
    if (this.chain) api.llama_sampler_free(this.chain);
    this.chain = 0n;
    if (this.ctx) {
      if (this.threadpool) api.llama_detach_threadpool(this.ctx);
      api.llama_free(this.ctx);
    }
    this.ctx = 0n;
    // after the context that pointed at it
    if (this.backendChain) api.llama_sampler_free(this.backendChain);
    this.backendChain = 0n;
    if (this.threadpool) api.ggml_threadpool_free(this.threadpool);
    this.threadpool = 0n;
    if (this.model) api.llama_model_free(this.model);
    this.model = 0n;
    if (this.tokenBuf) koffi.free(this.tokenBuf);
    this.tokenBuf = 0n;
  }
}
