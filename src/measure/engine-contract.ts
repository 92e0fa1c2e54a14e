/**
 * The engine contract that measure/ drives: the interface every engine implements (src/engines/ holds the
 * implementations; measure/ and results/ know only this file). An adapter runs one round and returns raw
 * timestamps and counts; it computes no statistics (that is measure/ and stats/). Timestamps are
 * process.hrtime.bigint() nanoseconds.
 */

/** Who computed the result: the engine and the versions that decide its speed. */
export interface EngineIdentity {
  /** the engine's registry name: "node-llama-cpp", "llama-cpp" (llama.cpp's C API) or "openai" (an HTTP server) */
  name: string;
  /** versions that matter for comparability, e.g. { node_llama_cpp: "3.21.1", llama_cpp: "b1234" } */
  versions: Record<string, string>;
  /** free-form facts recorded but not compared (backend variant, system info) */
  details: Record<string, string | number | boolean | null>;
}

/** Settings that change speed and so must match between comparable runs. */
export interface EngineSettings {
  threads: number | null;
  embedding_threads: number | null;
  batch_size: number | null;
  context_size: number | null;
  gpu: string;
  gpu_layers: number | null;
  /** n_ubatch as run, where `--ubatch-size` was given */
  ubatch_size?: number;
  /** what the user asked for, where the engine runs with something else (the fields above are as run) */
  requested?: { context_size?: number; batch_size?: number; threads?: number };
}

/** The raw record of one generation round. */
export interface GenerationRound {
  start_ns: bigint;
  /** arrival of the first generated token; null when none arrived */
  first_token_ns: bigint | null;
  end_ns: bigint;
  prompt_tokens: number;
  output_tokens: number;
  /** the generated token ids, when the engine exposes them */
  token_ids: number[] | null;
  /** generated text, when token ids are not available (servers) */
  text: string | null;
  /** arrival time of each output chunk, in order */
  chunk_times_ns: bigint[];
  /**
   * sequences decoded together (`--parallel`), where more than 1: output_tokens and token_ids then count
   * every sequence's tokens, prompt_tokens is one sequence's prompt, and chunk_times_ns has one time per step
   * (each step gives every sequence one token)
   */
  sequences?: number;
  /**
   * the engine's own time per generated token, in ns, where the engine measures it (the llama-cpp engine):
   * from the return of one decode call to the start of the next, one value per token but the last
   */
  harness_ns?: number[];
}

/** The raw record of one embedding round (one call per input text, or batched calls for servers). */
export interface EmbeddingRound {
  start_ns: bigint;
  end_ns: bigint;
  calls: number;
  inputs: number;
  input_tokens: number;
  /** duration of each call, in ns */
  call_durations_ns: bigint[];
  /** one vector per input, in input order */
  vectors: ArrayLike<number>[];
}

/** The synthetic parts of a generation round (`--prompt-tokens`, `--depth`); each absent unless given. */
export interface SyntheticShape {
  /** the prompt: this many synthetic tokens instead of the prompt text */
  syntheticTokens?: number;
  /** synthetic tokens decoded into the context before the round's timing starts (not counted in it) */
  depth?: number;
  /** `--parallel N`: N sequences of the same prompt decoded together, one batch per step (N > 1) */
  parallel?: number;
}

/** Synthetic embedding inputs (`--prompt-tokens` with `--input-texts`). */
export interface SyntheticInputs {
  /** tokens per input */
  tokens: number;
  /** inputs per call */
  inputs: number;
}

/** A loaded engine, ready to run rounds. */
export interface Engine {
  readonly identity: EngineIdentity;
  readonly settings: EngineSettings;
  /** Tokens of a text as the engine counts them (prompt length, embedding input length). */
  countTokens(text: string): number;
  /**
   * Generates exactly `maxNewTokens` tokens greedily after `prompt` (end-of-generation does not stop it);
   * `maxNewTokens` 0 processes the prompt only (first_token_ns null). With `shape`, the prompt is
   * `shape.syntheticTokens` synthetic tokens instead (workload/workload.ts syntheticTokens), and
   * `shape.depth` synthetic tokens fill the context before the round's timing starts.
   * @throws UsageError for a shape the engine cannot run (naming the flag and the engine).
   */
  generate(prompt: string, maxNewTokens: number, shape?: SyntheticShape): Promise<GenerationRound>;
  /**
   * Embeds each text once; with `synthetic`, `synthetic.inputs` inputs of `synthetic.tokens` synthetic
   * tokens each instead of the texts.
   * @throws UsageError for synthetic inputs the engine cannot run.
   */
  embed(texts: readonly string[], synthetic?: SyntheticInputs): Promise<EmbeddingRound>;
  /** Frees the model and the native resources. */
  dispose(): Promise<void>;
}
