/**
 * `ab --metric` (issue 22 item 3) on synthesised block results: one decision per metric on the same runs, a
 * lower-is-better metric decided on A/B (a longer latency is B worse), more blocks while any metric is
 * INCONCLUSIVE, and the combined verdict. No engine runs: every verdict is independent of the machine.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { abReport } from "../../src/gate/ab-report.js";
import { combineVerdicts } from "../../src/gate/combine.js";
import { metricSpec } from "../../src/gate/metrics.js";
import { type AbSide, runAb } from "../../src/gate/paired.js";
import type { BenchmarkResult, GenerationResult } from "../../src/results/schema.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const base = fixture("generation-a") as GenerationResult;

/** A run whose rounds carry set medians (a small fixed spread around each): ttft_ms and tokens_per_second. */
function run(ttftMs: number, tokensPerSecond: number, block: number): BenchmarkResult {
  const c = clone(base);
  c.samples = c.samples.map((s, i) => {
    const wobble = 1 + ((i + block) % 5) * 0.002;
    return { ...s, ttft_ms: ttftMs * wobble, tokens_per_second: tokensPerSecond * wobble };
  });
  return c;
}

/** A side runner: B's TTFT is `ttftFactor` x A's, its tokens/s the same; each run takes 10 s of the clock. */
function sides(ttftFactor: number) {
  let clock = 0;
  const runSide = async (side: AbSide, block: number): Promise<BenchmarkResult> => {
    clock += 10;
    return side === "a" ? run(20, 180, block) : run(20 * ttftFactor, 180, block + 1);
  };
  return { runSide, now: () => clock };
}

const budget = { min_blocks: 8, max_blocks: 16, max_seconds: 1e6 };
const metrics = [
  metricSpec(config, "generation", "tokens_per_second"),
  metricSpec(config, "generation", "ttft_ms"),
];

describe("ab --metric: one decision per metric, combined", () => {
  it("a 40 % longer TTFT: REGRESSION on ttft_ms, PASS on tokens/s, REGRESSION combined", async () => {
    const s = sides(1.4);
    const o = await runAb("generation", config, budget, s.runSide, s.now, metrics);
    expect(o.by_metric?.map((m) => m.verdict)).toEqual(["PASS", "REGRESSION"]);
    const reports = (o.by_metric ?? []).map((m) => abReport(m, "generation", config, { a: "A", b: "B" }));
    expect(reports.map((r) => r.metric)).toEqual(["tokens_per_second", "ttft_ms"]);
    // lower is better: the ratio is A/B, 20 / 28
    expect(reports[1]?.analyses.at(-1)?.ratio).toBeCloseTo(1 / 1.4, 2);
    const combined = combineVerdicts(
      reports.map((r) => ({
        kind: "metric" as const,
        mode: "generation" as const,
        metric: r.metric,
        verdict: r.verdict,
      })),
    );
    expect(combined.verdict).toBe("REGRESSION");
  });

  it("an unchanged B: PASS on both; one metric gives one outcome without by_metric", async () => {
    const s = sides(1);
    const o = await runAb("generation", config, budget, s.runSide, s.now, metrics);
    expect(o.by_metric?.map((m) => m.verdict)).toEqual(["PASS", "PASS"]);
    expect(o.by_metric?.[0]?.blocks).toHaveLength(8);
    const one = await runAb("generation", config, budget, sides(1.4).runSide, sides(1.4).now, [
      metrics[1] as (typeof metrics)[number],
    ]);
    expect(one.by_metric).toBeUndefined();
    expect(one.verdict).toBe("REGRESSION");
  });

  it("a metric the rounds do not carry is refused in one line", async () => {
    const s = sides(1);
    const missing = [metricSpec(config, "generation", "itl_p99_ms")];
    await expect(runAb("generation", config, budget, s.runSide, s.now, missing)).rejects.toThrow(
      /samples\.0\.itl_p99_ms: not recorded/,
    );
  });
});
