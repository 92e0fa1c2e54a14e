import { describe, expect, it } from "vitest";
import { parseGoodput } from "../../src/engines/openai/options.js";
import { exactPrompt, promptWords, type TokenCounter } from "../../src/engines/openai/prompts.js";
import { goodputOf } from "../../src/results/build-serving.js";
import { UsageError } from "../../src/util/errors.js";
import {
  distributionText,
  nominalLength,
  parseLengthDistribution,
  sampleLengths,
} from "../../src/workload/distribution.js";

const B = { min: 1, max: 4096 };

describe("length distributions", () => {
  it("parses a count and the three seeded distributions, and spells them back", () => {
    for (const text of ["128", "uniform:128:512", "normal:256:32", "lognormal:256:0.5"])
      expect(distributionText(parseLengthDistribution("--prompt-tokens", text, B))).toBe(text);
    expect(nominalLength(parseLengthDistribution("--x", "uniform:8:16", B))).toBe(16);
    expect(nominalLength(parseLengthDistribution("--x", "normal:100:5", B))).toBe(100);
  });

  it("refuses impossible bounds with one line naming the flag", () => {
    const cases: Array<[string, RegExp]> = [
      ["uniform:512:128", /MIN 512 is above MAX 128/],
      ["uniform:0:8", /MIN must be a whole number from 1 to 4096/],
      ["normal:256:-1", /SD must be from 0/],
      ["lognormal:0:0.5", /MEDIAN must be from 1/],
      ["lognormal:64:50", /SIGMA must be from 0 to 10/],
      ["zipf:1:2", /expected N, uniform:MIN:MAX/],
      ["uniform:1", /expected N/],
      ["5000", /from 1 to 4096/],
      ["abc", /must be a number/],
    ];
    for (const [text, msg] of cases) {
      expect(() => parseLengthDistribution("--prompt-tokens", text, B)).toThrow(UsageError);
      expect(() => parseLengthDistribution("--prompt-tokens", text, B)).toThrow(msg);
    }
  });

  it("draws seeded whole lengths inside the bounds: same seed, same lengths", () => {
    for (const text of ["uniform:10:20", "normal:100:30", "lognormal:100:1"]) {
      const d = parseLengthDistribution("--x", text, { min: 1, max: 200 });
      const a = sampleLengths(d, 500, 7, { min: 1, max: 200 });
      expect(a).toEqual(sampleLengths(d, 500, 7, { min: 1, max: 200 }));
      expect(a).not.toEqual(sampleLengths(d, 500, 8, { min: 1, max: 200 }));
      for (const x of a) {
        expect(Number.isInteger(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(1);
        expect(x).toBeLessThanOrEqual(200);
      }
    }
    const u = sampleLengths(parseLengthDistribution("--x", "uniform:10:12", B), 300, 1, B);
    expect(new Set(u)).toEqual(new Set([10, 11, 12]));
  });
});

/** A counter of a tokenizer whose words of 4 letters or more are 2 tokens: words and pads do not map 1:1. */
const twoTokenLongWords: TokenCounter = {
  source: "tokenizer",
  count: async (text) =>
    text
      .split(" ")
      .filter((w) => w !== "")
      .reduce((n, w) => n + (w.length >= 4 ? 2 : 1), 0),
};

describe("prompts of an exact token count", () => {
  it("hits the count exactly, whatever the words' token counts, and differs by request", async () => {
    for (const n of [1, 2, 7, 33, 200]) {
      const p = await exactPrompt(twoTokenLongWords, 3, n, n);
      expect(await twoTokenLongWords.count(p)).toBe(n);
    }
    expect(promptWords(0, 1, 10)).not.toEqual(promptWords(0, 2, 10));
    expect(promptWords(0, 1, 10)).toEqual(promptWords(0, 1, 10));
  });
});

describe("serving length flags", () => {
  it("--prompt-tokens takes a distribution with --engine openai; bad bounds are one usage line", async () => {
    const { servingOptionsFromFlags } = await import("../../src/engines/openai/flags.js");
    const base = { "base-url": "http://127.0.0.1:1/v1" };
    const o = servingOptionsFromFlags({ ...base, "prompt-tokens": "normal:64:8" }, "generation", 3);
    expect(o.promptTokens).toEqual({ kind: "normal", mean: 64, sd: 8 });
    expect(() =>
      servingOptionsFromFlags({ ...base, "prompt-tokens": "uniform:9:3" }, "generation", 3),
    ).toThrow(/--prompt-tokens uniform:9:3: MIN 9 is above MAX 3/);
    expect(() => servingOptionsFromFlags({ ...base, "prompt-tokens": "8" }, "embedding", 3)).toThrow(
      /applies to generation/,
    );
  });

  it("--max-new-tokens takes a distribution in the run's shape; local engines refuse it", async () => {
    const { runShapeFromFlags, engineRunFromFlags } = await import("../../src/cli/run-flags.js");
    const shape = runShapeFromFlags({ "max-new-tokens": "uniform:4:9" }, "generation");
    expect(shape.maxNewTokens).toBe(9);
    expect(shape.maxNewTokensDistribution).toEqual({ kind: "uniform", min: 4, max: 9 });
    expect(() => runShapeFromFlags({ "max-new-tokens": "uniform:9:4" }, "generation")).toThrow(UsageError);
    expect(() =>
      engineRunFromFlags({ engine: "llama-cpp", "max-new-tokens": "uniform:4:9" }, shape, []),
    ).toThrow(/distribution with --engine openai only/);
  });

  it("--prompt-tokens with a distribution on a local engine: one line saying it is for --engine openai", async () => {
    const { localOptionsFromFlags } = await import("../../src/engines/local/options.js");
    for (const raw of ["normal:1", "uniform:4:9", " lognormal:64:0.5"])
      expect(() => localOptionsFromFlags({ "prompt-tokens": raw })).toThrow(
        /^--prompt-tokens takes a distribution with --engine openai only \(got .*\): give a count$/,
      );
    expect(localOptionsFromFlags({ "prompt-tokens": "64" }).promptTokens).toBe(64);
  });
});

describe("goodput", () => {
  const sample = (ttft: number | null, tpot: number | null, e2eMs: number, tokens = 8) =>
    ({
      round: 0,
      elapsed_s: e2eMs / 1000,
      ttft_ms: ttft,
      tpot_ms: tpot,
      itl_ms: tpot,
      output_tokens: tokens,
    }) as unknown as Parameters<typeof goodputOf>[0][number];

  it("counts a request when it meets every objective; share of settled requests, rate over the duration", () => {
    const samples = [
      sample(100, 20, 300),
      sample(250, 20, 500), // TTFT too slow
      sample(150, 60, 600), // TPOT too slow
      sample(null, null, 100), // a buffered stream: unknown TTFT meets no TTFT objective
      sample(50, null, 60, 1), // one token: no TPOT to measure, counted as 0 (vLLM)
    ];
    const g = goodputOf(samples, { ttft_ms: 200, tpot_ms: 50 }, 6, 2);
    expect(g).toEqual({
      objectives: { ttft_ms: 200, tpot_ms: 50 },
      good_requests: 2,
      share: 2 / 6,
      requests_per_second: 1,
    });
    expect(goodputOf(samples, { e2e_latency_ms: 400 }, 5, 1).good_requests).toBe(3);
  });

  it("--goodput: metrics and bounds checked, one line for an unknown metric", () => {
    expect(parseGoodput("ttft_ms:200,tpot_ms:50")).toEqual({ ttft_ms: 200, tpot_ms: 50 });
    expect(() => parseGoodput("ttft:200")).toThrow(/unknown metric "ttft" \(one of ttft_ms, tpot_ms/);
    expect(() => parseGoodput("ttft_ms:0")).toThrow(/above 0/);
    expect(() => parseGoodput("ttft_ms:1,ttft_ms:2")).toThrow(/twice/);
    expect(() => parseGoodput("ttft_ms")).toThrow(UsageError);
  });
});
