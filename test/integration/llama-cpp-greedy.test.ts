/**
 * The llama-cpp engine's hot loop (src/engines/llama-cpp/session.ts): llama.cpp's backend greedy sampler
 * (ggml_argmax inside llama_decode) and the greedy pick in WebAssembly (argmax.ts over llama_get_logits_ith)
 * give the very token sequences llama.cpp's CPU greedy sampler gives, on the tiny default model, for the
 * workload's prompt and for synthetic prompts after a depth, in one session switching between them (the
 * backend sampler attached and detached round by round); and every round
 * carries the harness's time per token into its sample and the result's summary. No speed is asserted.
 */
import { describe, expect, it } from "vitest";
import type { GreedyMethod } from "../../src/engines/llama-cpp/argmax.js";
import {
  createLlamaCppEngine,
  defaultLlamaLibDir,
  type LlamaCppEngine,
} from "../../src/engines/llama-cpp/engine.js";
import { cpuBackendPath } from "../../src/engines/llama-cpp/ffi.js";
import type { GenerationOutcome } from "../../src/engines/llama-cpp/session.js";
import { runGenerationRounds } from "../../src/measure/run.js";
import { ensureDummyModel } from "../../src/models/cache.js";
import { generationFigures } from "../../src/results/build.js";
import { GENERATION_PROMPT, generationWorkload, syntheticTokens } from "../../src/workload/workload.js";

const modelPath = ensureDummyModel("tiny", 42).path;
const quiet = () => {};

async function withLlamaCpp<T>(use: (e: LlamaCppEngine) => Promise<T>): Promise<T> {
  const e = await createLlamaCppEngine({
    modelPath,
    mode: "generation",
    threads: 1,
    maxNewTokens: 64,
    log: quiet,
  });
  try {
    return await use(e);
  } finally {
    await e.dispose();
  }
}

describe("llama-cpp engine: backend greedy = greedy argmax in JavaScript = llama.cpp's CPU greedy sampler", () => {
  it("the same tokens for the workload's prompt and synthetic prompts after a depth", async () => {
    await withLlamaCpp(async (e) => {
      const text = await e.generate(GENERATION_PROMPT, 64);
      const vocab = 32_000;
      const prompts: { prompt: Int32Array; depth?: Int32Array }[] = [
        { prompt: Int32Array.from(text.token_ids?.slice(0, 1) ?? []) },
        { prompt: syntheticTokens(38, vocab, 2) },
        { prompt: syntheticTokens(17, vocab, 5), depth: syntheticTokens(100, vocab, 1) },
      ];
      for (const p of prompts) {
        const run = (greedy: GreedyMethod) =>
          e.request<GenerationOutcome>({ type: "generate", maxNewTokens: 64, greedy, ...p });
        // backend first and last: attached, detached for the other two, attached again
        const backend = await run("backend");
        const argmax = await run("argmax");
        const sampler = await run("sampler");
        const backendAgain = await run("backend");
        expect(argmax.token_ids).toHaveLength(64);
        expect(backend.token_ids).toHaveLength(64);
        expect(Array.from(argmax.token_ids)).toEqual(Array.from(sampler.token_ids));
        expect(Array.from(backend.token_ids)).toEqual(Array.from(sampler.token_ids));
        expect(Array.from(backendAgain.token_ids)).toEqual(Array.from(sampler.token_ids));
        // the sequences are not trivial: a dummy model that always picks one token would prove little
        expect(new Set(argmax.token_ids).size).toBeGreaterThan(1);
      }
      // the default is the argmax: the engine's round gives the same tokens as the sampler's
      const prompt = prompts[1]?.prompt as Int32Array;
      const viaDefault = await e.request<GenerationOutcome>({ type: "generate", prompt, maxNewTokens: 64 });
      const viaSampler = await e.request<GenerationOutcome>({
        type: "generate",
        prompt,
        maxNewTokens: 64,
        greedy: "sampler",
      });
      expect(Array.from(viaDefault.token_ids)).toEqual(Array.from(viaSampler.token_ids));
      expect(e.identity.details.sampler).toMatch(/^greedy argmax of llama_get_logits_ith/);
      expect(e.identity.details.argmax).toBe("webassembly-simd");
    });
    // an engine asked for llama.cpp's sampler (what counted runs ask for) says so
    const e = await createLlamaCppEngine({ modelPath, mode: "generation", greedy: "sampler", log: quiet });
    try {
      expect(e.identity.details.sampler).toBe("llama_sampler_init_greedy");
      const r = await e.generate(GENERATION_PROMPT, 8);
      expect(r.harness_ns).toHaveLength(7);
    } finally {
      await e.dispose();
    }
  }, 300_000);

  it("the threadpool can be paused between rounds: the loaded CPU backend's library is found", async () => {
    // inThread: llama.cpp is loaded into this thread, so this process maps the CPU backend library
    const e = await createLlamaCppEngine({ modelPath, mode: "generation", inThread: true, log: quiet });
    try {
      const r = await e.generate(GENERATION_PROMPT, 4);
      expect(r.token_ids).toHaveLength(4);
      const { dir } = await defaultLlamaLibDir();
      expect(cpuBackendPath(dir)).toMatch(/\/libggml-cpu(-[\w-]+)?\.so$/);
      expect(cpuBackendPath("/nonexistent")).toBeNull();
    } finally {
      await e.dispose();
    }
  }, 300_000);

  it("the harness's time per token: one value per token but the last, in the round, the sample and the summary", async () => {
    await withLlamaCpp(async (e) => {
      const r = await e.generate(GENERATION_PROMPT, 12);
      expect(r.harness_ns).toHaveLength(11);
      for (const ns of r.harness_ns ?? []) {
        expect(Number.isFinite(ns)).toBe(true);
        expect(ns).toBeGreaterThan(0);
      }
      // each value lies between a token's time and the decode before it: never longer than the gap of two tokens
      for (let i = 0; i < 11; i++) {
        const gap = Number((r.chunk_times_ns[i + 1] as bigint) - (r.chunk_times_ns[i] as bigint));
        expect(r.harness_ns?.[i + 1] ?? 0).toBeLessThanOrEqual(gap);
      }
      const prompt = Int32Array.from([1, 2, 3]);
      for (const n of [0, 1]) {
        const short = await e.request<GenerationOutcome>({ type: "generate", prompt, maxNewTokens: n });
        expect(short.harness_ns).toHaveLength(0);
        expect(short.token_times_ns).toHaveLength(n);
      }
      const outcome = await runGenerationRounds(e, generationWorkload(12), { rounds: 2, warmup: 0 });
      for (const s of outcome.samples) expect(s.harness_us).toHaveLength(11);
      const f = generationFigures(outcome.samples);
      expect(f.statistics.harness_us_per_token?.n).toBe(22);
      expect(f.statistics.harness_us_per_token?.p99).toBeGreaterThanOrEqual(
        f.statistics.harness_us_per_token?.median ?? Number.NaN,
      );
    });
  }, 300_000);
});
