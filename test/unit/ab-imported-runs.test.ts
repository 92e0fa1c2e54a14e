/**
 * The paired analysis on imported runs (src/gate/paired.ts with src/import/ results): a block takes each run's
 * per-run samples of the metric, a lower-is-better metric is decided on A/B, a summary only is refused.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { blockOf, isImportedRun, runAb, runSamples } from "../../src/gate/paired.js";
import type { ImportedResult } from "../../src/import/types.js";
import { fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();

/** A hyperfine-like import: one command's times (seconds, lower is better). */
function timed(samples: number[] | null): ImportedResult {
  return {
    format: "hyperfine",
    tool: "hyperfine",
    tool_version: null,
    source: "stdout",
    test: "sleep",
    mode: "generation",
    key: {},
    metrics: [{ name: "time_s", unit: "s", direction: "lower", samples, value: 1, value_kind: "mean" }],
    not_carried: [],
  };
}

const TIME = { name: "time_s", direction: "lower", threshold: 0.12 } as const;

describe("A/B blocks of imported runs", () => {
  it("a block is the medians of each run's samples; lower-is-better: log(A/B)", () => {
    const b = blockOf(0, timed([1, 1.1, 0.9]), timed([1.25, 1.3, 1.2]), config, TIME);
    expect(b.a_median).toBe(1);
    expect(b.b_median).toBe(1.25);
    expect(b.log_ratio).toBeCloseTo(Math.log(1 / 1.25), 12);
    expect(b.busier).toBeNull();
    expect(b.a_other_cores).toBeNull();
  });

  it("tells imports from this tool's results", () => {
    expect(isImportedRun(timed([1]))).toBe(true);
    expect(isImportedRun(fixture("generation-a"))).toBe(false);
  });

  it("a summary only, or a metric it lacks: one line naming the run", () => {
    expect(() => runSamples(timed(null), "block 1 side A", "time_s")).toThrow(
      /block 1 side A: time_s is a summary only \(no per-run figures\): an A\/B block needs the samples/,
    );
    expect(() => runSamples(timed([1]), "block 1 side B", "ttft_ms")).toThrow(
      /block 1 side B: carries no metric ttft_ms \(it carries: time_s\)/,
    );
  });

  it("B 25 % slower in time: REGRESSION; equal: PASS; no first results kept for the report", async () => {
    const decide = async (factor: number) =>
      runAb(
        "generation",
        config,
        { min_blocks: 8, max_blocks: 8, max_seconds: 1e9 },
        async (side, block) => {
          const jitter = 1 + 0.01 * Math.sin(block * 2.3 + (side === "a" ? 0 : 1));
          const f = side === "a" ? 1 : factor;
          return timed([1, 1.02, 0.98].map((x) => x * f * jitter));
        },
        () => 0,
        [TIME],
      );
    const slow = await decide(1.25);
    expect(slow.verdict).toBe("REGRESSION");
    expect(slow.first).toBeNull();
    expect((await decide(1)).verdict).toBe("PASS");
  });
});
