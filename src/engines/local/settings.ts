/**
 * Settings shared by the engines that run a GGUF model on this machine (node-llama-cpp, the direct llama.cpp
 * engine): GPU choices, thread and batch defaults, and the ranges every numeric setting is checked against
 * before anything is loaded.
 */
import os from "node:os";

/** GPU choice: `off` runs on the CPU; `auto` takes what the prebuilt binaries support; `cuda`/`vulkan` insist. */
export type GpuChoice = "off" | "auto" | "cuda" | "vulkan";
export const GPU_CHOICES: readonly GpuChoice[] = ["off", "auto", "cuda", "vulkan"];

/**
 * Thread defaults measured on a 2-core machine shared with other work (notes/engine-performance.md,
 * bench/engine-gap.ts): one thread was fastest for decoding and for embedding, on the tiny and the small
 * preset, through node-llama-cpp (it attaches no ggml threadpool, so every decode with more than one thread
 * starts and joins fresh worker threads; on two busy cores that collapsed decoding to 0.4x of one thread).
 */
export const DEFAULT_GENERATION_THREADS = 1;
/** See {@link DEFAULT_GENERATION_THREADS}: one thread, measured fastest and steadiest on 2 cores. */
export const DEFAULT_EMBEDDING_THREADS = 1;
/** Tokens evaluated per batch: the whole prompt in one batch. */
export const DEFAULT_BATCH_SIZE = 512;

/** Inclusive ranges of the local engines' numeric settings (flags are checked against them). */
export const LOCAL_LIMITS = {
  /** compute threads; above the logical cores only with --allow-oversubscribe */
  threads: { min: 1, max: 1024 },
  /** tokens per evaluation batch */
  batch_size: { min: 1, max: 65_536 },
  /** context tokens (llama.cpp pads it up to a multiple of 256) */
  context_size: { min: 1, max: 1_048_576 },
  /** synthetic prompt or input tokens, and depth (`--prompt-tokens`, `--depth`) */
  workload_tokens: { max: 1_048_576 },
  /** sequences decoded together (`--parallel`, the llama-cpp engine) */
  parallel: { min: 1, max: 64 },
} as const;

/** Logical cores this process may use (os.availableParallelism: respects CPU affinity). */
export function logicalCores(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/**
 * The context size llama.cpp will use for a requested one: it pads to a multiple of 256
 * (llama_context's n_ctx = GGML_PAD(n_ctx, 256)). With none requested: new tokens plus 256 tokens of room
 * for the prompt, at least 512.
 * @param requested tokens, or undefined for the default.
 * @param maxNewTokens new tokens per round (sizes the default).
 * @param room further tokens the default must hold (depth plus a synthetic prompt); default 0.
 */
export function effectiveContextSize(requested: number | undefined, maxNewTokens: number, room = 0): number {
  const wanted = requested ?? Math.max(512, maxNewTokens + room + 256);
  return Math.ceil(wanted / 256) * 256;
}
