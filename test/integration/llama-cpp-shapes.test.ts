/**
 * The workload shapes (issue 22 item 1) on the llama-cpp engine and the real tiny model: exact token counts of
 * --prompt-tokens, --depth and --max-new-tokens 0, synthetic embedding inputs, --ubatch-size as run, and the
 * one-line refusal of a depth the context cannot hold. Few rounds, few tokens.
 */
import { describe, expect, it } from "vitest";
import { createLlamaCppEngine } from "../../src/engines/llama-cpp/engine.js";
import { runGenerationRounds } from "../../src/measure/run.js";
import { ensureDummyModel } from "../../src/models/cache.js";
import { EngineError } from "../../src/util/errors.js";
import { generationWorkload } from "../../src/workload/workload.js";
import { withEngine } from "../support/engine-use.js";

const quiet = () => {};

describe("llama-cpp engine: workload shapes on the tiny default model", () => {
  const modelPath = ensureDummyModel("tiny", 42).path;
  const gen = { modelPath, mode: "generation" as const, threads: 1, log: quiet };

  it("--prompt-tokens, --depth and --max-new-tokens 0: exact token counts, deterministic outputs", async () => {
    await withEngine(createLlamaCppEngine({ ...gen, maxNewTokens: 6, contextRoom: 32 + 256 }), async (e) => {
      const a = await e.generate("", 6, { syntheticTokens: 32 });
      expect(a.prompt_tokens).toBe(32);
      expect(a.output_tokens).toBe(6);
      const b = await e.generate("", 6, { syntheticTokens: 32 });
      expect(b.token_ids).toEqual(a.token_ids);
      const deep = await e.generate("", 6, { syntheticTokens: 32, depth: 256 });
      expect(deep.prompt_tokens).toBe(32);
      expect(deep.output_tokens).toBe(6);
      const pp = await e.generate("", 0, { syntheticTokens: 32 });
      expect(pp.output_tokens).toBe(0);
      expect(pp.token_ids).toEqual([]);
      expect(pp.first_token_ns).toBeNull();
      expect(pp.end_ns > pp.start_ns).toBe(true);
      const rounds = await runGenerationRounds(e, generationWorkload(0, { syntheticTokens: 32, depth: 64 }), {
        rounds: 2,
        warmup: 0,
      });
      expect(rounds.samples.map((s) => s.prompt_tokens)).toEqual([32, 32]);
      expect(rounds.samples.every((s) => (s.prefill_tokens_per_second ?? 0) > 0)).toBe(true);
      await expect(e.generate("", 6, { syntheticTokens: 32, depth: 4096 })).rejects.toThrow(EngineError);
    });
  });

  it("synthetic embedding inputs and --ubatch-size as run", async () => {
    const emb = { modelPath, mode: "embedding" as const, embeddingThreads: 1, log: quiet, ubatchSize: 64 };
    await withEngine(createLlamaCppEngine(emb), async (e) => {
      expect(e.settings.ubatch_size).toBe(64);
      const r = await e.embed([], { tokens: 16, inputs: 3 });
      expect(r.calls).toBe(3);
      expect(r.input_tokens).toBe(48);
      expect(r.vectors).toHaveLength(3);
    });
  });
});
