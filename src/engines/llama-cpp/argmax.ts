/**
 * Greedy sampling without llama.cpp's sampler: the index of the largest logit. No native code here (unit
 * tests load it without koffi); session.ts applies it to a Float32Array view of llama_get_logits_ith.
 */

/**
 * How the llama-cpp engine picks a greedy token:
 * - "argmax": {@link greedyArgmax} over the logits in JavaScript (the default: no 32,000-entry candidate
 *   array is built per token, one FFI call fewer);
 * - "sampler": llama.cpp's `llama_sampler_sample` on a chain holding only `llama_sampler_init_greedy`
 *   (what node-llama-cpp runs at temperature 0).
 * Both give the same token for the same logits (see greedyArgmax).
 */
export type GreedyMethod = "argmax" | "sampler";

/** How the engine identity's `details.sampler` names each method. */
export const GREEDY_DESCRIPTION: Record<GreedyMethod, string> = {
  argmax: "greedy argmax of llama_get_logits_ith (llama_sampler_init_greedy's pick)",
  sampler: "llama_sampler_init_greedy",
};

/** The default {@link GreedyMethod}. */
export const DEFAULT_GREEDY_METHOD: GreedyMethod = "argmax";

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
