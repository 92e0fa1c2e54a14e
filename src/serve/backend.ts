/**
 * What the loopback server needs from an engine: streamed greedy generation with an output-length policy,
 * embeddings, and facts about the model for `/v1/models`. The llama backend implements it; tests may use
 * any other.
 */

/** How long a generation runs. */
export interface GenerationLimits {
  /** most tokens to generate */
  max_tokens: number;
  /** end-of-generation tokens do not stop the generation (llama-server's and vLLM's ignore_eos) */
  ignore_eos: boolean;
  /** end-of-generation tokens do not stop the generation before this many tokens (vLLM's min_tokens) */
  min_tokens: number;
}

/** How a generation ended. */
export interface GenerationSummary {
  prompt_tokens: number;
  completion_tokens: number;
  /** "length" (max_tokens reached) or "stop" (an end-of-generation token) */
  finish_reason: "length" | "stop";
}

/** Model facts for `/v1/models` (llama-server's `meta` names where they exist). */
export interface ModelMeta {
  architecture: string | null;
  n_params: number | null;
  size: number | null;
  n_ctx_train: number | null;
  n_embd: number | null;
  n_layer: number | null;
  n_vocab: number | null;
  quantization: string | null;
  dummy: boolean;
  preset: string | null;
}

/** An engine the server can run. */
export interface ServeBackend {
  /** the id served in /v1/models and expected in requests */
  readonly modelName: string;
  readonly meta: ModelMeta;
  /** software versions for the `server` header, e.g. { "node-llama-cpp": "3.21.1" } */
  readonly versions: Record<string, string>;
  /** most tokens a prompt plus its output may take */
  readonly contextSize: number;
  countTokens(text: string): number;
  /**
   * The token ids of `text` as a prompt is tokenized (no special tokens added): `/tokenize`'s answer.
   * Optional: without it, `/tokenize` answers 501.
   */
  tokenize?(text: string): number[];
  /**
   * Generates greedily after `prompt`, calling `onToken` with each token's text as soon as it exists.
   * Stops early when `signal` fires (the client went away).
   */
  generate(
    prompt: string,
    limits: GenerationLimits,
    onToken: (text: string) => void,
    signal: AbortSignal,
  ): Promise<GenerationSummary>;
  /**
   * One vector per text, and the tokens embedded. Stops between texts, or before starting when queued,
   * once `signal` fires (the client went away), and then rejects with an EmbeddingAbortedError.
   */
  embed(
    texts: readonly string[],
    signal?: AbortSignal,
  ): Promise<{ vectors: number[][]; prompt_tokens: number }>;
  dispose(): Promise<void>;
}

/** An embeddings call stopped because its client went away: nobody is waiting for the answer. */
export class EmbeddingAbortedError extends Error {
  constructor(done: number, total: number) {
    super(`embedding stopped after ${done} of ${total} inputs: the client went away`);
    this.name = "EmbeddingAbortedError";
  }
}
