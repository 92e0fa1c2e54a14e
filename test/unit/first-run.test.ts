/** What a new user meets on a first run: defaults that fit the run, summaries a person reads. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runShapeFromFlags } from "../../src/cli/run-flags.js";
import { COUNTED_SHAPE } from "../../src/execute/counted-plan.js";
import { getFormat } from "../../src/report/registry.js";
import { runSummaryLines, verdictLine } from "../../src/report/run-summary.js";
import { generationFigures } from "../../src/results/build.js";
import { readResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { ROOT } from "../support/cli.js";
import { servingResult } from "../support/history-fixtures.js";

describe("a counted run's rounds", () => {
  it("defaults to the counted shape (1 measured round, no warmup): counts are deterministic", () => {
    const s = runShapeFromFlags({ counter: "instructions" }, "generation", { counted: true });
    expect([s.rounds, s.warmup]).toEqual([COUNTED_SHAPE.rounds, COUNTED_SHAPE.warmup]);
    expect([s.rounds, s.warmup]).toEqual([1, 0]);
  });

  it("--rounds and --warmup still apply; a timed run keeps 30 rounds", () => {
    const s = runShapeFromFlags({ counter: "instructions", rounds: "3", warmup: "1" }, "embedding", {
      counted: true,
    });
    expect([s.rounds, s.warmup]).toEqual([3, 1]);
    expect(runShapeFromFlags({}, "generation").rounds).toBe(30);
  });
});

describe("the human summary of a run", () => {
  const gen = readResult(join(ROOT, "test/fixtures/result-generation.json"));
  const emb = readResult(join(ROOT, "test/fixtures/result-embedding.json"));

  it("names the test, the median and its spread, and the rate", () => {
    const lines = runSummaryLines(gen);
    expect(lines[0]).toMatch(/^generation, [a-z-]+, .*: 5 rounds$/);
    expect(lines[1]).toMatch(
      /^tokens\/s median [0-9.]+ ± [0-9.]+ % \(robust CV; p10 [0-9.]+, p90 [0-9.]+\); [0-9.]+ tokens\/s, [0-9.]+ calls\/s overall$/,
    );
    expect(runSummaryLines(emb)[1]).toMatch(/^calls\/s median [0-9.]+ ± /);
  });

  it("a prompt-only run (--max-new-tokens 0) gives prompt-processing rates, not 0 tokens/s", () => {
    if (gen.mode !== "generation") throw new Error("a generation fixture");
    const samples = gen.samples.map((x, i) => ({
      ...x,
      output_tokens: 0,
      tokens_per_second: 0,
      decode_tokens_per_second: null,
      prefill_tokens_per_second: 500 + i,
    }));
    const pp = { ...gen, max_new_tokens: 0, samples, ...generationFigures(samples) };
    const line = runSummaryLines(pp)[1] ?? "";
    expect(line).toMatch(
      /^prefill tokens\/s median 50[0-9.]+ ± .*; [0-9.]+ prefill tokens\/s, [0-9.]+ calls\/s overall$/,
    );
    expect(line).not.toMatch(/\b0\.000 tokens\/s/);
  });

  it("a counted run shows the count per output token (per call), in the summary and the text report", () => {
    const counted = {
      ...gen,
      instructions: {
        counter: "callgrind",
        valgrind_version: "valgrind-3.22.0",
        cpu_backend_variant: "ivybridge",
        threads: 1,
        counted_functions: ["llama_decode"],
        rounds: 1,
        warmup_rounds: 0,
        max_new_tokens: 16,
        workload_digest: "0".repeat(64),
        wall_time_comparable: false,
        unit: "output_token",
        per_round: [24_690_000],
        units_per_round: [16],
        per_unit: 1_543_125,
        functions: [],
      },
    } as BenchmarkResult;
    expect(runSummaryLines(counted)[1]).toBe(
      "1.543 M instructions per output token (1 counted round, 0 warmup)",
    );
    expect(runSummaryLines(counted)[2]).toMatch(/\(under valgrind: not comparable\)$/);
    expect(getFormat("text").render({ kind: "result", result: counted })).toContain(
      "1.543 M instructions per output token",
    );
  });

  it("a serving run: the requests, TTFT's median and spread, the rates", () => {
    const lines = runSummaryLines(servingResult());
    expect(lines[0]).toMatch(/^generation, openai, .*: \d+ requests$/);
    expect(lines[1]).toMatch(
      /^TTFT median [0-9.]+ ms \(p10 [0-9.]+, p90 [0-9.]+\); [0-9.]+ output tokens\/s, [0-9.]+ requests\/s$/,
    );
  });

  it("the verdict line", () => {
    expect(verdictLine("REGRESSION", 3)).toBe("verdict: REGRESSION (exit code 3)");
  });
});
