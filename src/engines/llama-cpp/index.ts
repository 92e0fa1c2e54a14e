/**
 * The llama-cpp engine's entry point for the engine registry: llama.cpp's C API through koffi, on
 * node-llama-cpp's prebuilt libraries or `--llama-lib DIR`, CPU only, decode loop in a worker thread.
 *
 * Wiring (for the registry / the engine child process):
 *   - factory: `createLlamaCppEngine(opts)`; options are createLlamaEngine's (`modelPath`, `mode`,
 *     `threads`, `embeddingThreads`, `maxNewTokens`, `contextSize`, `batchSize`, `gpu`, `log`) plus
 *     `llamaLib` (--llama-lib DIR). Validate the model first (models/model-info.ts inspectModel), as for
 *     the node-llama-cpp engine.
 *   - flags it reads: see {@link LLAMA_CPP_FLAGS}.
 *   - results: `engine.name` "llama-cpp"; `engine.versions` { llama_cpp, ggml, ggml_commit, llama };
 *     `engine.details.llama_lib_dir` / `llama_lib` record which libraries ran (--llama-lib or the prebuilt).
 *   - one engine per process is the intended use: llama.cpp has one logger per process (see decode-worker.ts).
 */
export {
  createLlamaCppEngine,
  defaultLlamaLibDir,
  LLAMA_CPP_DEFAULT_BATCH_SIZE,
  LLAMA_CPP_DEFAULT_EMBEDDING_THREADS,
  LLAMA_CPP_DEFAULT_GENERATION_THREADS,
  LLAMA_CPP_ENGINE_NAME,
  LLAMA_CPP_MAX_THREADS,
  type LlamaCppEngine,
  type LlamaCppEngineOptions,
} from "./engine.js";

/** A CLI flag the engine takes, with its range and default (for the registry's help and parsing). */
export interface LlamaCppFlag {
  flag: string;
  option: keyof import("./engine.js").LlamaCppEngineOptions;
  values: string;
  default: string;
}

/** The flags the llama-cpp engine reads; every other engine flag is the node-llama-cpp engine's. */
export const LLAMA_CPP_FLAGS: readonly LlamaCppFlag[] = [
  {
    flag: "--llama-lib",
    option: "llamaLib",
    values:
      "a folder with libggml-base.so, libggml(.v0.4.0).so, libllama(.v0.4.0).so and libggml-cpu*.so of llama.cpp v0.4.0",
    default: "node-llama-cpp's prebuilt libraries for this platform",
  },
  { flag: "--threads", option: "threads", values: "1-512", default: "1 (generation)" },
  { flag: "--embedding-threads", option: "embeddingThreads", values: "1-512", default: "1 (embedding)" },
  { flag: "--batch-size", option: "batchSize", values: ">= 1 tokens", default: "512" },
  {
    flag: "--context-size",
    option: "contextSize",
    values: ">= 1 tokens (padded up to a multiple of 256)",
    default: "max-new-tokens + 256 rounded up to 256, at least 512",
  },
  { flag: "--max-new-tokens", option: "maxNewTokens", values: ">= 1", default: "the workload's" },
  {
    flag: "--gpu",
    option: "gpu",
    values: "off | auto (both run on the CPU); cuda, vulkan refused",
    default: "off",
  },
];
