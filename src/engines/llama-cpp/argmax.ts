/**
 * Greedy sampling without llama.cpp's CPU sampler: the index of the largest logit. No native code here (unit
 * tests load it without koffi); session.ts applies it to a Float32Array view of llama_get_logits_ith.
 */

/**
 * How the llama-cpp engine picks a greedy token (session.ts):
 * - "backend" (the default): llama.cpp's backend sampling. A sampler chain holding only
 *   `llama_sampler_init_greedy` is attached to sequence 0 (`llama_set_sampler`), so `llama_decode` itself
 *   appends a `ggml_argmax` over the last logits row to its graph and computes it on its own threads
 *   (`llama_sampler_greedy_backend_apply` in llama-sampler.cpp of the bundled release); the engine reads the
 *   token with one call, `llama_get_sampled_token_ith(ctx, -1)`, and llama.cpp no longer copies the logits
 *   out. The pick is llama.cpp's work inside the decode, not the harness's.
 * - "argmax": {@link greedyArgmax} over the logits in JavaScript (no 32,000-entry candidate array is built
 *   per token, but the pass over the logits runs in the harness: 60-70 us per token on the tiny model).
 * - "sampler": llama.cpp's `llama_sampler_sample` on the CPU, on a chain holding only
 *   `llama_sampler_init_greedy` (what node-llama-cpp runs at temperature 0; counted runs use it).
 * Ties: the CPU sampler and greedyArgmax pick the FIRST largest logit, ggml's argmax on the CPU backend
 * (`ggml_vec_argmax_f32`, ggml-cpu/vec.h: `if (max == x[i]) idx = i`) the LAST. Exact ties of two float
 * logits do not occur in the engine's outputs: test/integration/llama-cpp-greedy.test.ts shows the three
 * methods give identical sequences.
 */
export type GreedyMethod = "backend" | "argmax" | "sampler";

/** How the engine identity's `details.sampler` names each method. */
export const GREEDY_DESCRIPTION: Record<GreedyMethod, string> = {
  backend:
    "llama_sampler_init_greedy as a backend sampler (llama_set_sampler: ggml_argmax inside llama_decode's graph)",
  argmax: "greedy argmax of llama_get_logits_ith (llama_sampler_init_greedy's pick)",
  sampler: "llama_sampler_init_greedy",
};

/** The default {@link GreedyMethod}. */
export const DEFAULT_GREEDY_METHOD: GreedyMethod = "backend";

/**
 * The index of the largest value, the first one on ties: exactly llama.cpp's greedy sampler
 * (`llama_sampler_greedy_apply` in llama-sampler.cpp of the bundled llama.cpp release: `selected = 0`, then
 * `if (logit[i] > logit[selected]) selected = i`, over candidates in token order), NaN included (a NaN
 * never compares greater, and a NaN first logit keeps index 0). One pass, no allocation.
 * @param logits one row of logits (n_vocab values); any length >= 1
 * @returns the token id; 0 for an empty array (as llama.cpp's `selected = 0`)
 */
export function greedyArgmax(logits: Float32Array): number {
  const n = logits.length;
  let best = 0;
  let bestLogit = n > 0 ? (logits[0] as number) : 0;
  for (let i = 1; i < n; i++) {
    const v = logits[i] as number;
    if (v > bestLogit) {
      bestLogit = v;
      best = i;
    }
  }
  return best;
}
