/**
 * `--tokenizer PATH.gguf`: the prompt tokens of a serving run counted by a local GGUF's vocabulary (llama.cpp's
 * tokenizer through node-llama-cpp, the vocabulary only: no weights loaded), for a server without `/tokenize`.
 * Counts without special tokens, as `/tokenize` does.
 */
import { readGgufHeader } from "../../models/gguf-reader.js";
import { EngineError } from "../../util/errors.js";
import type { TokenCounter } from "./prompts.js";

/** A counter of a GGUF's tokens, and how to free its vocabulary. */
export interface LocalTokenCounter extends TokenCounter {
  dispose(): Promise<void>;
}

/**
 * Loads the vocabulary of `path`.
 * @throws ModelFileError when the file is not a readable GGUF; EngineError when llama.cpp cannot load it.
 */
export async function localTokenCounter(path: string): Promise<LocalTokenCounter> {
  readGgufHeader(path); // a missing or non-GGUF file is one line before any native code loads
  const { loadLlama } = await import("../node-llama-cpp/engine.js");
  const llama = await loadLlama("off", 1, () => {});
  let model: Awaited<ReturnType<typeof llama.loadModel>>;
  try {
    model = await llama.loadModel({ modelPath: path, vocabOnly: true, gpuLayers: 0 });
  } catch (err) {
    throw new EngineError(
      `--tokenizer ${path}: llama.cpp could not load its vocabulary: ${(err as Error).message.split("\n")[0]}`,
      { cause: err },
    );
  }
  return {
    source: "tokenizer",
    count: async (text) => model.tokenize(text).length,
    dispose: () => model.dispose(),
  };
}
