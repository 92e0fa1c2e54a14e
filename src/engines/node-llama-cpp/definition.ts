import { localEngine } from "../local/define.js";

/**
 * node-llama-cpp 3.21.1 (prebuilt llama.cpp, never built or downloaded at run time): what a node-llama-cpp
 * application sees, scheduling of the binding included. Runs in the supervised engine process.
 */
export const nodeLlamaCppEngine = localEngine({
  name: "node-llama-cpp",
  summary: "llama.cpp through node-llama-cpp (the binding's own scheduling included)",
  load: async () => (await import("./engine.js")).createLlamaEngine,
  // the workload shapes of issue 22 are the llama-cpp engine's for now: node-llama-cpp evaluates token
  // arrays but has no n_ubatch, and its evaluate() always yields a token
  refuses: ["prompt-tokens", "depth", "ubatch-size", "max-new-tokens-0", "parallel"],
});
