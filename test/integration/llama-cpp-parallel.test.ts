/**
 * `--parallel N` (issue 22 item 1) on the llama-cpp engine and the real tiny model: N sequences decoded
 * together give exact token counts (every sequence's new tokens, one time per step), each sequence the same
 * greedy tokens as the single-sequence loop, per-sequence rates in the sample, and a one-line refusal of
 * sequences the context cannot hold. Few rounds, few tokens; no speed is asserted.
 */
import { describe, expect, it } from "vitest";
import { createLlamaCppEngine } from "../../src/engines/llama-cpp/engine.js";
import { runGenerationRounds } from "../../src/measure/run.js";
import { ensureDummyModel } from "../../src/models/cache.js";
import { parseResult } from "../../src/results/io.js";
import { UsageError } from "../../src/util/errors.js";
import { GENERATION_PROMPT, generationWorkload, testName } from "../../src/workload/workload.js";
import { runCli } from "../support/cli.js";
import { withEngine } from "../support/engine-use.js";

const quiet = () => {};

describe("llama-cpp engine: --parallel on the tiny default model", () => {
  const modelPath = ensureDummyModel("tiny", 42).path;
  const gen = { modelPath, mode: "generation" as const, threads: 1, log: quiet };

  it("--parallel 2: exact token counts, each sequence the single-sequence tokens", async () => {
    const single = await withEngine(createLlamaCppEngine({ ...gen, maxNewTokens: 8 }), (e) =>
      e.generate(GENERATION_PROMPT, 8),
    );
    await withEngine(createLlamaCppEngine({ ...gen, maxNewTokens: 8, parallel: 2 }), async (e) => {
      expect(e.identity.details.n_seq_max).toBe(2);
      // the sampler the rounds use: llama.cpp's CPU sampler, not the default argmax
      expect(e.identity.details.sampler).toBe("llama_sampler_init_greedy");
      const r = await e.generate(GENERATION_PROMPT, 8, { parallel: 2 });
      expect(r.sequences).toBe(2);
      expect(r.prompt_tokens).toBe(single.prompt_tokens);
      expect(r.output_tokens).toBe(16);
      expect(r.token_ids).toHaveLength(16);
      expect(r.chunk_times_ns).toHaveLength(8);
      expect(r.token_ids?.slice(0, 8)).toEqual(single.token_ids);
      expect(r.token_ids?.slice(8)).toEqual(single.token_ids);
      const deep = await e.generate("", 4, { syntheticTokens: 16, depth: 32, parallel: 2 });
      expect(deep.output_tokens).toBe(8);
      const pp = await e.generate("", 0, { syntheticTokens: 16, parallel: 2 });
      expect(pp.output_tokens).toBe(0);
      expect(pp.first_token_ns).toBeNull();
      const workload = generationWorkload(8, { parallel: 2 });
      const rounds = await runGenerationRounds(e, workload, { rounds: 2, warmup: 0 });
      for (const s of rounds.samples) {
        expect(s.output_tokens).toBe(16);
        expect(s.tokens_per_second_per_sequence).toBeCloseTo(s.tokens_per_second / 2, 9);
        expect(s.decode_tokens_per_second_per_sequence).toBeCloseTo((s.decode_tokens_per_second ?? 0) / 2, 9);
        expect(s.itl_p99_ms).toBeGreaterThan(0);
      }
      expect(rounds.output_consistent).toBe(true);
      expect(testName(workload, single.prompt_tokens)).toBe(`pp${single.prompt_tokens}+tg8 B2`);
    });
  });

  it("bench --parallel 2: the result records the sequences, the test name and the per-sequence rates", () => {
    const run = runCli(
      [
        "bench",
        "--engine",
        "llama-cpp",
        "--parallel",
        "2",
        "--rounds",
        "2",
        "--warmup",
        "0",
        "--max-new-tokens",
        "4",
      ],
      { timeoutMs: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    expect(r.test).toBe("pp38+tg4 B2");
    expect(r.workload.parallel).toBe(2);
    if (r.mode !== "generation") throw new Error("expected a generation result");
    expect(r.samples.map((s) => s.output_tokens)).toEqual([8, 8]);
    expect(r.samples.every((s) => (s.decode_tokens_per_second_per_sequence ?? 0) > 0)).toBe(true);
    expect(r.statistics.decode_tokens_per_second_per_sequence?.n).toBe(2);
    expect(r.output.consistent).toBe(true);
  });

  it("refuses sequences the context cannot hold, in one line", async () => {
    await withEngine(
      createLlamaCppEngine({ ...gen, maxNewTokens: 8, parallel: 4, contextSize: 1024 }),
      async (e) => {
        const err = await e.generate("", 8, { syntheticTokens: 300, parallel: 4 }).catch((x: unknown) => x);
        expect(err).toBeInstanceOf(UsageError);
        expect((err as Error).message).toMatch(/^--parallel 4: 4 sequences x \(prompt 300 \+ 8 new tokens\)/);
        expect((err as Error).message).not.toContain("\n");
      },
    );
  });
});
