/**
 * `--parallel N` on the llama-cpp engine: N sequences (seq ids 0..N-1, the same prompt, each sampled greedily)
 * decoded together, one llama_batch per step, the way llama.cpp's llama-batched-bench runs
 * its "prompt not shared" mode: every sequence's prompt in one batch (split into n_batch views, as its
 * decode_helper splits it), then one token per sequence per step. The context is created with
 * n_seq_max = N and kv_unified false (llama_context_default_params, what batched-bench runs without -kvu): each
 * sequence has its own KV stream of n_ctx / N tokens (llama_n_ctx_seq).
 *
 * Unlike batched-bench (which feeds token 0 at every step), each sequence's next token is the greedy sample of
 * its own logits, so the output is the model's; every sequence computes the same tokens, a check that the
 * batched path computes what the single-sequence path computes.
 */
import koffi from "koffi";
import { EngineError, UsageError } from "../../util/errors.js";
import type { LlamaCppApi, Ptr } from "./ffi.js";

/** What the parallel loop needs of a loaded session (session.ts owns these). */
export interface ParallelContext {
  api: LlamaCppApi;
  ctx: Ptr;
  memory: Ptr;
  /** the greedy sampler chain (stateless: one chain serves every sequence) */
  chain: Ptr;
  /** llama_n_batch: tokens per llama_decode call at most */
  nBatch: number;
  /** the last error line llama.cpp logged */
  lastError: () => string | null;
}

/** One parallel round (session.ts GenerationOutcome plus `sequences`), timestamps in process.hrtime.bigint() ns. */
export interface ParallelOutcome {
  start_ns: bigint;
  end_ns: bigint;
  /** sequence-major, N x maxNewTokens: sequence 0's tokens, then sequence 1's, ... */
  token_ids: Int32Array;
  /** one per step, taken when every sequence's token of that step has been sampled */
  token_times_ns: BigInt64Array;
  /** the sequences decoded together */
  sequences: number;
}

const now = () => process.hrtime.bigint();

/** A llama_batch in native memory (what llama_batch_init allocates), one sequence id per token. */
class NativeBatch {
  private readonly ptr: { token: Ptr; pos: Ptr; nSeqId: Ptr; seqIdPtrs: Ptr; seqIds: Ptr; logits: Ptr };
  private readonly token: Int32Array;
  private readonly pos: Int32Array;
  private readonly seqIds: Int32Array;
  private readonly logits: Int8Array;

  constructor(readonly capacity: number) {
    this.ptr = {
      token: koffi.alloc("int32_t", capacity) as Ptr,
      pos: koffi.alloc("int32_t", capacity) as Ptr,
      nSeqId: koffi.alloc("int32_t", capacity) as Ptr,
      seqIdPtrs: koffi.alloc("void *", capacity) as Ptr,
      seqIds: koffi.alloc("int32_t", capacity) as Ptr,
      logits: koffi.alloc("int8_t", capacity) as Ptr,
    };
    const { ptr } = this;
    this.token = new Int32Array(koffi.view(ptr.token, capacity * 4));
    this.pos = new Int32Array(koffi.view(ptr.pos, capacity * 4));
    this.seqIds = new Int32Array(koffi.view(ptr.seqIds, capacity * 4));
    this.logits = new Int8Array(koffi.view(ptr.logits, capacity));
    new Int32Array(koffi.view(ptr.nSeqId, capacity * 4)).fill(1);
    const seqIdPtrs = new BigUint64Array(koffi.view(ptr.seqIdPtrs, capacity * 8));
    for (let i = 0; i < capacity; i++) seqIdPtrs[i] = ptr.seqIds + BigInt(4 * i);
  }

  /** Sets slot `i`. */
  put(i: number, token: number, pos: number, seq: number, output: boolean): void {
    this.token[i] = token;
    this.pos[i] = pos;
    this.seqIds[i] = seq;
    this.logits[i] = output ? 1 : 0;
  }

  /** The llama_batch of the first `n` slots. */
  batch(n: number): Record<string, unknown> {
    const { ptr } = this;
    return {
      n_tokens: n,
      token: ptr.token,
      embd: null,
      pos: ptr.pos,
      n_seq_id: ptr.nSeqId,
      seq_id: ptr.seqIdPtrs,
      logits: ptr.logits,
    };
  }

  free(): void {
    for (const p of Object.values(this.ptr)) koffi.free(p);
  }
}

/**
 * Decodes `total` tokens in views of at most the batch's capacity; `put(k, slot)` writes token k into the
 * slot and returns its sequence when its logits are wanted (else -1); `sampled(seq, slot)` is called for those
 * after their view is decoded (llama_sampler_sample takes the slot as its index).
 */
function decodeAll(
  c: ParallelContext,
  b: NativeBatch,
  total: number,
  put: (k: number, slot: number) => number,
  sampled: (seq: number, slot: number) => void,
): void {
  const outputs: number[] = [];
  for (let at = 0; at < total; at += b.capacity) {
    const n = Math.min(b.capacity, total - at);
    outputs.length = 0;
    for (let slot = 0; slot < n; slot++) {
      const seq = put(at + slot, slot);
      if (seq >= 0) outputs.push(seq, slot);
    }
    const rc = c.api.llama_decode(c.ctx, b.batch(n));
    if (rc !== 0) {
      const detail = c.lastError();
      throw new EngineError(
        `llama_decode failed (return code ${rc}) on a batch of ${n} tokens of parallel sequences${detail ? `: ${detail}` : ""}`,
      );
    }
    for (let i = 0; i < outputs.length; i += 2) sampled(outputs[i] as number, outputs[i + 1] as number);
  }
}

/**
 * Refuses a round whose sequences do not fit the context: each needs depth + prompt + new tokens of its
 * own KV stream (llama_n_ctx_seq).
 * @throws UsageError naming the numbers and the fix.
 */
function checkFits(c: ParallelContext, n: number, depth: number, prompt: number, maxNew: number): void {
  const perSeq = c.api.llama_n_ctx_seq(c.ctx);
  const need = depth + prompt + maxNew;
  if (need > perSeq)
    throw new UsageError(
      `--parallel ${n}: ${n} sequences x (${depth ? `depth ${depth} + ` : ""}prompt ${prompt} + ${maxNew} new tokens) = ${n * need} tokens do not fit the context of ${n * perSeq} tokens (${perSeq} per sequence): raise --context-size`,
    );
}

/**
 * Decodes `sequences` copies of `prompt` together and generates exactly `maxNewTokens` tokens in each
 * (end-of-generation does not stop it; 0: the prompts only), greedily, one llama_decode per step for all
 * sequences (split into n_batch views when the step has more tokens than n_batch). `depth` tokens are decoded
 * into every sequence first, before the round's timing starts. Each step's time is taken once every
 * sequence's token of the step is sampled.
 * @throws UsageError when the sequences do not fit the context; EngineError when llama.cpp fails.
 */
export function generateParallel(
  c: ParallelContext,
  prompt: Int32Array,
  maxNewTokens: number,
  sequences: number,
  depth?: Int32Array,
): ParallelOutcome {
  const n = sequences;
  // the upper bound is the engine's (engine.ts LLAMA_CPP_MAX_PARALLEL); the context holds n_seq_max
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--parallel must be a whole number of sequences, got ${n}`);
  if (prompt.length === 0) throw new EngineError("the prompt has no tokens");
  const d = depth?.length ?? 0;
  const p = prompt.length;
  checkFits(c, n, d, p, maxNewTokens);
  const { api } = c;
  const b = new NativeBatch(Math.max(1, c.nBatch));
  try {
    api.llama_memory_clear(c.memory, true);
    api.llama_sampler_reset(c.chain);
    const ids = new Int32Array(n * maxNewTokens);
    const times = new BigInt64Array(maxNewTokens);
    const sample = (seq: number, slot: number, step: number) => {
      ids[seq * maxNewTokens + step] = api.llama_sampler_sample(c.chain, c.ctx, slot);
    };
    if (depth && d > 0) {
      // sequence-major, as batched-bench lays out its prompts
      const put = (k: number, slot: number) => {
        b.put(slot, depth[k % d] as number, k % d, Math.floor(k / d), false);
        return -1;
      };
      decodeAll(c, b, n * d, put, () => {});
    }
    const start = now();
    const want = maxNewTokens > 0;
    const putPrompt = (k: number, slot: number) => {
      const i = k % p;
      const seq = Math.floor(k / p);
      b.put(slot, prompt[i] as number, d + i, seq, i === p - 1);
      return i === p - 1 && want ? seq : -1;
    };
    decodeAll(c, b, n * p, putPrompt, (seq, slot) => sample(seq, slot, 0));
    if (!want) return { start_ns: start, end_ns: now(), token_ids: ids, token_times_ns: times, sequences: n };
    times[0] = now();
    let step = 1;
    const putStep = (seq: number, slot: number) => {
      b.put(slot, ids[seq * maxNewTokens + step - 1] as number, d + p + step - 1, seq, true);
      return seq;
    };
    const sampleStep = (seq: number, slot: number) => sample(seq, slot, step);
    for (; step < maxNewTokens; step++) {
      decodeAll(c, b, n, putStep, sampleStep);
      times[step] = now();
    }
    return { start_ns: start, end_ns: now(), token_ids: ids, token_times_ns: times, sequences: n };
  } finally {
    b.free();
  }
}
