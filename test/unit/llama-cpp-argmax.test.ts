/**
 * The llama-cpp engine's greedy pick in JavaScript (src/engines/llama-cpp/argmax.ts) against a transcription
 * of llama.cpp's greedy sampler (llama_sampler_greedy_apply over candidates in token order): the same index
 * on ties, NaN, infinities and random rows.
 */
import { describe, expect, it } from "vitest";
import { greedyArgmax } from "../../src/engines/llama-cpp/argmax.js";
import { mulberry32 } from "../../src/util/prng.js";

/** llama_sampler_greedy_apply (llama-sampler.cpp of the bundled llama.cpp release), transcribed. */
function llamaGreedy(logits: Float32Array): number {
  let selected = 0;
  for (let i = 1; i < logits.length; i++)
    if ((logits[i] as number) > (logits[selected] as number)) selected = i;
  return selected;
}

describe("greedyArgmax: llama.cpp's greedy pick", () => {
  it("the largest logit; the first one on ties", () => {
    expect(greedyArgmax(Float32Array.from([0.5, 2, -1, 2, 1]))).toBe(1);
    expect(greedyArgmax(Float32Array.from([3, 3, 3]))).toBe(0);
    expect(greedyArgmax(Float32Array.from([-5, -4, -4.5]))).toBe(1);
    expect(greedyArgmax(Float32Array.from([7]))).toBe(0);
    expect(greedyArgmax(new Float32Array(0))).toBe(0);
  });

  it("NaN and infinities as llama.cpp compares them", () => {
    const cases = [
      [Number.NaN, 1, 2],
      [1, Number.NaN, 2, Number.NaN],
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
      [-0, 0],
    ];
    for (const c of cases) {
      const row = Float32Array.from(c);
      expect(greedyArgmax(row)).toBe(llamaGreedy(row));
    }
    expect(greedyArgmax(Float32Array.from([Number.NaN, 1, 2]))).toBe(0);
  });

  it("random rows of a 32,000-token vocabulary, with repeated values", () => {
    const rng = mulberry32(7);
    const row = new Float32Array(32_000);
    for (let r = 0; r < 50; r++) {
      // a coarse grid makes ties among the largest values frequent
      for (let i = 0; i < row.length; i++) row[i] = Math.round(rng() * (r % 2 ? 40 : 1e6)) / 4;
      expect(greedyArgmax(row)).toBe(llamaGreedy(row));
    }
  });
});
