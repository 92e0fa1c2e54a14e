/**
 * The workload shapes of the local engines (issue 22 item 1) on the fake engine: --prompt-tokens, --depth,
 * --max-new-tokens 0, --input-texts, --ubatch-size; the test names; the per-round prefill and decode rates and
 * their summaries; the digests (the default workload keeps its own); the refusals (one line each).
 */

import { describe, expect, it } from "vitest";
import type { RunShape } from "../../src/engines/definition.js";
import { type LocalOptions, localBenchArgv, localCapturePlan } from "../../src/engines/local/options.js";
import { getEngine } from "../../src/engines/registry.js";
import { runLocalBenchmark } from "../../src/execute/engine-process/local-run.js";
import { checkContextFits } from "../../src/execute/local-target.js";
import type { SyntheticInputs, SyntheticShape } from "../../src/measure/engine-contract.js";
import { consistencyProblem } from "../../src/results/consistency.js";
import { parseResult } from "../../src/results/io.js";
import { UsageError } from "../../src/util/errors.js";
import {
  embeddingWorkload,
  generationWorkload,
  syntheticTokens,
  testName,
  workloadDigest,
} from "../../src/workload/workload.js";
import { fakeFactory, fakeModel } from "../support/fake-engine.js";

const model = fakeModel({ context_length: 2048 });

const llamaCpp = getEngine("llama-cpp");

function run(flags: Record<string, string>, mode: "generation" | "embedding", maxNewTokens = 8) {
  const shape: RunShape = {
    mode,
    rounds: 3,
    warmup: 1,
    maxNewTokens: mode === "generation" ? maxNewTokens : 0,
  };
  const options = llamaCpp.optionsFromFlags(flags, shape) as LocalOptions;
  const shapes: (SyntheticShape | SyntheticInputs | undefined)[] = [];
  const factory = fakeFactory({ promptTokenNs: 10_000n, onShape: (g, e) => shapes.push(g ?? e) });
  const request = {
    engine: "fake-for-tests",
    model,
    options,
    shape,
    invocation: { command: "test", argv: [], cwd: "/" },
  };
  return { shapes, result: runLocalBenchmark(factory, request), options, shape };
}

describe("workload shapes", () => {
  it("the default workloads keep their digests (the golden baselines record them)", () => {
    expect(generationWorkload(64)).toEqual(generationWorkload(64, {}));
    expect(Object.keys(generationWorkload(64)).sort()).toEqual(
      ["max_new_tokens", "mode", "prompt", "sampling", "seed", "version"].sort(),
    );
    expect(workloadDigest(embeddingWorkload({ inputTexts: 2 }))).toBe(workloadDigest(embeddingWorkload()));
    expect(workloadDigest(generationWorkload(64, { syntheticTokens: 38 }))).not.toBe(
      workloadDigest(generationWorkload(64)),
    );
    expect(workloadDigest(generationWorkload(64, { depth: 512 }))).not.toBe(
      workloadDigest(generationWorkload(64)),
    );
  });

  it("synthetic tokens are deterministic, in the vocabulary, and differ by stream", () => {
    const a = syntheticTokens(512, 1000, 2);
    expect(Array.from(a)).toEqual(Array.from(syntheticTokens(512, 1000, 2)));
    expect(a.every((t) => t >= 0 && t < 1000)).toBe(true);
    expect(Array.from(syntheticTokens(16, 1000, 1))).not.toEqual(Array.from(a.subarray(0, 16)));
  });

  it("test names as llama-bench writes them", () => {
    expect(testName(generationWorkload(0, { syntheticTokens: 512 }), 512)).toBe("pp512");
    expect(testName(generationWorkload(128, { syntheticTokens: 1 }), 1)).toBe("tg128");
    expect(testName(generationWorkload(128, { syntheticTokens: 512 }), 512)).toBe("pp512+tg128");
    expect(testName(generationWorkload(64, { syntheticTokens: 1, depth: 1024 }), 1)).toBe("tg64 @ d1024");
    expect(testName(generationWorkload(64), 38)).toBe("pp38+tg64");
    expect(testName(embeddingWorkload({ inputTexts: 4, syntheticTokens: 128 }), null)).toBe("emb4x128");
  });

  it("--prompt-tokens and --depth reach the engine, are recorded, and the depth is not timed", async () => {
    const { shapes, result } = run({ "prompt-tokens": "100", depth: "1000" }, "generation");
    const r = await result;
    if (r?.mode !== "generation") throw new Error("expected a generation result");
    expect(shapes[0]).toEqual({ syntheticTokens: 100, depth: 1000 });
    expect(r.test).toBe("pp100+tg8 @ d1000");
    expect(r.workload).toMatchObject({ synthetic_tokens: 100, depth: 1000, prompt_tokens: 100 });
    // prefill 2 ms + 100 x 10 us = 3 ms, then 8 tokens of 1 ms: the depth's 10 ms are outside the round
    expect(r.samples[0]?.elapsed_s).toBeCloseTo(0.011, 9);
    expect(r.samples[0]?.prefill_tokens_per_second).toBeCloseTo(100 / 0.004, 6);
    expect(r.samples[0]?.decode_tokens_per_second).toBeCloseTo(1000, 6);
    expect(r.statistics.prefill_tokens_per_second?.median).toBeCloseTo(100 / 0.004, 6);
    expect(r.statistics.decode_tokens_per_second?.n).toBe(3);
    expect(consistencyProblem(r)).toBeNull();
    expect(() => parseResult(r, "shapes")).not.toThrow();
  });

  it("--max-new-tokens 0: prompt processing only, its rate per round", async () => {
    const r = await run({ "prompt-tokens": "512" }, "generation", 0).result;
    if (r?.mode !== "generation") throw new Error("expected a generation result");
    expect(r.test).toBe("pp512");
    expect(r.max_new_tokens).toBe(0);
    expect(r.samples[0]?.output_tokens).toBe(0);
    // 2 ms + 512 x 10 us = 7.12 ms
    expect(r.samples[0]?.prefill_tokens_per_second).toBeCloseTo(512 / 0.00712, 4);
    expect(r.samples[0]?.decode_tokens_per_second).toBeNull();
    expect(r.tokens_per_second).toBe(0);
    expect(consistencyProblem(r)).toBeNull();
    expect(() => parseResult(r, "pp")).not.toThrow();
  });

  it("--input-texts and --prompt-tokens for embedding", async () => {
    const texts = await run({ "input-texts": "5" }, "embedding").result;
    if (texts?.mode !== "embedding") throw new Error("expected an embedding result");
    expect(texts.input_texts).toBe(5);
    expect(texts.samples[0]?.calls).toBe(5);
    expect(texts.test).toBe("emb5");
    const { shapes, result } = run({ "input-texts": "3", "prompt-tokens": "64" }, "embedding");
    const r = await result;
    if (r?.mode !== "embedding") throw new Error("expected an embedding result");
    expect(shapes[0]).toEqual({ tokens: 64, inputs: 3 });
    expect(r.input_texts).toBe(3);
    expect(r.samples[0]?.input_tokens).toBe(192);
    expect(r.workload.synthetic_tokens).toBe(64);
    expect(r.test).toBe("emb3x64");
  });

  it("the shape flags round-trip through the recorded argv and a baseline's capture", async () => {
    const { result, options, shape } = run(
      { "prompt-tokens": "100", depth: "500", "ubatch-size": "64" },
      "generation",
    );
    const argv = localBenchArgv(options, shape);
    expect(argv).toEqual(
      expect.arrayContaining(["--prompt-tokens", "100", "--depth", "500", "--ubatch-size", "64"]),
    );
    const r = await result;
    if (!r) throw new Error("expected a result");
    const plan = localCapturePlan({ ...r, settings: { ...r.settings, ubatch_size: 64 } }, {});
    expect(plan.options).toMatchObject({ promptTokens: 100, depth: 500, ubatchSize: 64 });
  });

  it("refusals, one line each, naming the numbers or the engine", () => {
    const gen: RunShape = { mode: "generation", rounds: 1, warmup: 0, maxNewTokens: 64 };
    const o = llamaCpp.optionsFromFlags({ depth: "1536", "prompt-tokens": "512" }, gen) as LocalOptions;
    expect(() => checkContextFits(gen, o, model)).toThrow(
      "--depth 1536 + --prompt-tokens 512 + --max-new-tokens 64 = 2112 tokens do not fit the model's context of 2048 tokens",
    );
    const fits = llamaCpp.optionsFromFlags({ depth: "1024", "prompt-tokens": "512" }, gen) as LocalOptions;
    expect(() => checkContextFits(gen, fits, model)).not.toThrow();
    const nlc = getEngine("node-llama-cpp");
    expect(() => nlc.optionsFromFlags({ depth: "16" }, gen)).toThrow(
      "--depth is not supported by --engine node-llama-cpp (use --engine llama-cpp)",
    );
    expect(() => nlc.optionsFromFlags({}, { ...gen, maxNewTokens: 0 })).toThrow(/--max-new-tokens 0/);
    expect(() =>
      getEngine("openai").optionsFromFlags(
        { "base-url": "http://127.0.0.1:1/v1" },
        { ...gen, maxNewTokens: 0 },
      ),
    ).toThrow(UsageError);
    expect(() => llamaCpp.optionsFromFlags({ depth: "16" }, { ...gen, mode: "embedding" })).toThrow(
      /--depth applies to --mode generation/,
    );
  });
});
