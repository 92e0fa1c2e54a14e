/**
 * The llama-cpp engine's greedy pick (src/engines/llama-cpp/argmax.ts), in JavaScript and in WebAssembly,
 * against a transcription of llama.cpp's greedy sampler (llama_sampler_greedy_apply over candidates in token
 * order): the same index on ties, NaN, infinities, -0 and random rows; and the committed WebAssembly bytes are
 * those of argmax.wat.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { argmaxKernel, greedyArgmax, simdArgmax } from "../../src/engines/llama-cpp/argmax.js";
import { mulberry32 } from "../../src/util/prng.js";
import { argmaxWasmModuleText, compileArgmaxWat } from "../../tools/argmax-wat.js";

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

describe("simdArgmax: the same pick in WebAssembly (argmax.wat)", () => {
  const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1, 1, 2, -3.5];

  it("every length from 0 to 70 (the SIMD blocks and the tail), rows drawn from NaN, infinities, +-0 and ties", () => {
    const rng = mulberry32(11);
    for (let r = 0; r < 4000; r++) {
      const row = new Float32Array(r % 71);
      for (let i = 0; i < row.length; i++) row[i] = SPECIAL[Math.floor(rng() * SPECIAL.length)] as number;
      expect(simdArgmax(row), `row ${Array.from(row).join(",")}`).toBe(llamaGreedy(row));
    }
  });

  it("random rows of a 32,000-token vocabulary, the largest value at every kind of position", () => {
    const rng = mulberry32(13);
    const row = new Float32Array(32_000);
    for (let r = 0; r < 60; r++) {
      for (let i = 0; i < row.length; i++) row[i] = Math.round(rng() * (r % 2 ? 40 : 1e6)) / 4;
      if (r % 3 === 0) row[(r * 997) % row.length] = 1e9;
      expect(simdArgmax(row)).toBe(llamaGreedy(row));
    }
  });

  it("a row longer than the module's first memory (it grows) and a short one after it", () => {
    const long = new Float32Array(256_000).fill(-1);
    long[255_999] = 5;
    long[200_000] = 5;
    expect(simdArgmax(long)).toBe(200_000);
    expect(simdArgmax(Float32Array.from([1, 9, 9]))).toBe(1);
  });

  it("Node 20 runs the WebAssembly module (SIMD), not the JavaScript fallback", () => {
    expect(argmaxKernel()).toBe("webassembly-simd");
  });

  it("the committed module is argmax.wat compiled (tools/write-argmax-wasm.ts)", async () => {
    const committed = readFileSync("src/engines/llama-cpp/argmax-wasm.ts", "utf8");
    expect(committed, "run npx tsx tools/write-argmax-wasm.ts and commit the result").toBe(
      argmaxWasmModuleText(await compileArgmaxWat()),
    );
  });
});
