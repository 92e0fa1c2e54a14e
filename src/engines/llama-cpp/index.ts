/**
 * The llama-cpp engine's entry point for the engine registry: llama.cpp's C API through koffi, on
 * node-llama-cpp's prebuilt libraries or `--llama-lib DIR`, CPU only, decode loop in a worker thread.
 *
 * Wiring (for the registry / the engine child process):
 *   - factory: `createLlamaCppEngine(opts)`; options are createLlamaEngine's (`modelPath`, `mode`,
 *     `threads`, `embeddingThreads`, `maxNewTokens`, `contextSize`, `batchSize`, `gpu`, `log`) plus
 *     `llamaLib` (--llama-lib DIR). Validate the model first (models/model-info.ts inspectModel), as for
 *     the node-llama-cpp engine.
 *   - flags: the local engines' (src/engines/local/options.ts) plus --llama-lib (./definition.ts).
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
