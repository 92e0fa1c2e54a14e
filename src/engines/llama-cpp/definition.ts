import { resolve } from "node:path";
import { stringFlag } from "../../util/flags.js";
import { localEngine } from "../local/define.js";

/**
 * llama.cpp's own C API through koffi, on node-llama-cpp's prebuilt libraries or another build of the same
 * release (--llama-lib DIR): the runtime's speed without the binding's scheduling, a persistent ggml
 * threadpool at every thread count. Runs in the supervised engine process.
 */
export const llamaCppEngine = localEngine({
  name: "llama-cpp",
  summary: "llama.cpp's C API directly (koffi), the decode loop in a worker thread",
  extraFlags: {
    "llama-lib": {
      kind: "path",
      description:
        "a folder with another build of the same llama.cpp release (libggml-base.so, libggml, libllama, libggml-cpu*.so); recorded in the result",
      default: "node-llama-cpp's prebuilt libraries",
    },
  },
  extraOptions: (values) => {
    const dir = stringFlag(values, "llama-lib");
    return dir === undefined ? {} : { llamaLib: resolve(dir) };
  },
  load: async () => {
    const { createLlamaCppEngine } = await import("./engine.js");
    // a counted run: llama.cpp on the main thread (callgrind sees it), on the CPU variant the run pins, and
    // llama.cpp's greedy sampler on the CPU (a counted function, src/instructions/valgrind.ts) instead of the
    // default argmax, so instruction counts stay comparable with the committed baselines
    return (o) =>
      createLlamaCppEngine({
        ...o,
        inThread: o.counted === true,
        ...(o.counted ? { greedy: "sampler" } : {}),
      });
  },
});
