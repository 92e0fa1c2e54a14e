/**
 * The signed-rank test against known values, and the paired A/B analysis and its block loop on synthesised
 * block results (real fixtures scaled), so every verdict here is independent of the machine's load.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import {
  type AbSide,
  analyzePaired,
  blockOf,
  blockOrder,
  hodgesLehmann,
  pairedVerdict,
  runAb,
} from "../../src/gate/paired.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { wilcoxonSignedRank } from "../../src/stats/signed-rank.js";
import { fixture, scaled, squeezed } from "../support/gate-fixtures.js";

const config = defaultGateConfig();

describe("Wilcoxon signed-rank test (known values)", () => {
  // Fisher's paired differences (Darwin's Zea mays, as in scipy.stats.wilcoxon's documentation): exact
  // two-sided p 0.04126, one-sided ("greater") 0.02063 = 676 / 32768
  const darwin = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
  it("Darwin's data: W+ 96, exact p as scipy", () => {
    const two = wilcoxonSignedRank(darwin);
    expect(two.w_plus).toBe(96);
    expect(two.method).toBe("exact");
    expect(two.p_value).toBeCloseTo(0.041259765625, 12);
    expect(wilcoxonSignedRank(darwin, "greater").p_value).toBeCloseTo(676 / 32768, 12);
    expect(wilcoxonSignedRank(darwin, "less").p_value).toBeGreaterThan(0.97);
  });

  it("small cases by hand: all ten negative p = 1/1024; 14 of 64 sign sets reach W+ >= 15 for n = 6", () => {
    expect(wilcoxonSignedRank([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10], "less").p_value).toBe(1 / 1024);
    expect(wilcoxonSignedRank([1, 2, 3, 4, 5, -6], "greater").p_value).toBe(14 / 64);
  });

  it("ties: the exact permutation distribution of mid-ranks (16 of 1024 sign sets, enumerated)", () => {
    // scipy's method="exact" ignores ties (it gives 19/1024 here); enumerating the 2^10 sign assignments of
    // the mid-ranks gives 16 with W+ >= 48.5
    const r = wilcoxonSignedRank([1, 1, 2, -2, 3, 3, 3, -1, 4, 5], "greater");
    expect(r.w_plus).toBe(48.5);
    expect(r.p_value).toBe(16 / 1024);
  });

  it("large n: the normal approximation with continuity correction (scipy approx: 0.0084508266)", () => {
    const big = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
    const r = wilcoxonSignedRank(big, "greater");
    expect(r.method).toBe("normal");
    expect(r.p_value).toBeCloseTo(0.008450826637983766, 10);
  });

  it("zeros are dropped; all zeros give p 1; a non-finite difference is an error", () => {
    expect(wilcoxonSignedRank([0, -1, -2, -3], "less")).toMatchObject({ n: 3, zeros: 1, p_value: 1 / 8 });
    expect(wilcoxonSignedRank([0, 0], "less").p_value).toBe(1);
    expect(() => wilcoxonSignedRank([1, Number.NaN])).toThrow(RangeError);
  });
});

describe("the paired analysis", () => {
  const gen = squeezed(fixture("generation-a"), 0.1);

  /** A block whose B side is `factor` times A's throughput, A itself drifting by `drift`. */
  function block(i: number, factor: number, drift = 1) {
    const a = scaled(gen, drift);
    return blockOf(i, a, scaled(a, factor), config);
  }

  it("ABBA order and the Hodges-Lehmann estimate", () => {
    expect([0, 1, 2, 3].map(blockOrder)).toEqual(["AB", "BA", "AB", "BA"]);
    expect(hodgesLehmann([1, 2, 3])).toBe(2);
    expect(hodgesLehmann([0, 0, 10])).toBe(2.5);
  });

  it("drift that hits both sides of a block cancels: A/A under a machine drifting by 40 % is a PASS", () => {
    const drifts = [1, 0.6, 0.9, 0.7, 1.1, 0.8, 0.95, 0.65];
    const blocks = drifts.map((d, i) => block(i, 1 + (i % 2 ? 0.01 : -0.01), d));
    const a = analyzePaired(blocks, "generation", config);
    expect(pairedVerdict(a)).toBe("PASS");
    expect(a.ratio).toBeCloseTo(1, 2);
  });

  it("a 25 % slowdown in every block, under the same drift: REGRESSION (p = 1/256 with 8 blocks)", () => {
    const drifts = [1, 0.6, 0.9, 0.7, 1.1, 0.8, 0.95, 0.65];
    const a = analyzePaired(
      drifts.map((d, i) => block(i, 0.75 + (i % 3) * 0.01, d)),
      "generation",
      config,
    );
    expect(a.p_value).toBe(1 / 256);
    expect(a.ratio).toBeGreaterThan(0.74);
    expect(a.ratio).toBeLessThan(0.77);
    expect(pairedVerdict(a)).toBe("REGRESSION");
  });

  it("too few blocks for alpha 0.01 cannot make a REGRESSION (6 blocks: p >= 1/64)", () => {
    const a = analyzePaired(
      [0, 1, 2, 3, 4, 5].map((i) => block(i, 0.7)),
      "generation",
      config,
    );
    expect(a.p_value).toBe(1 / 64);
    expect(pairedVerdict(a)).toBe("INCONCLUSIVE");
  });

  it("a drop near T with noisy blocks: INCONCLUSIVE", () => {
    const f = [0.8, 0.95, 0.85, 1.0, 0.82, 0.93, 0.9, 0.86];
    const a = analyzePaired(
      f.map((x, i) => block(i, x)),
      "generation",
      config,
    );
    expect(pairedVerdict(a)).toBe("INCONCLUSIVE");
  });

  it("records which side of a block ran busier", () => {
    const quiet = { other_cores: 0.05, process_cores: 1, loadavg_1m: 0.1, wall_s: 2 };
    const busy = { other_cores: 1.5, process_cores: 0.6, loadavg_1m: 3, wall_s: 2 };
    const b = blockOf(0, { ...gen, machine_load: quiet }, { ...gen, machine_load: busy }, config);
    expect(b.busier).toBe("b");
    expect(b.b_other_cores).toBe(1.5);
  });
});

describe("runAb: blocks in ABBA order until a decision or the budget", () => {
  const gen = squeezed(fixture("generation-a"), 0.1);

  /** A side runner over synthesised results: B's factor per block, each run taking `runS` seconds. */
  function sides(factor: (block: number) => number, runS = 10) {
    const calls: string[] = [];
    let clock = 0;
    const runSide = async (side: AbSide, block: number): Promise<BenchmarkResult> => {
      calls.push(`${side}${block}`);
      clock += runS;
      return side === "a" ? gen : scaled(gen, factor(block));
    };
    return { calls, runSide, now: () => clock };
  }

  it("decides a clear PASS at min_blocks, runs in ABBA order", async () => {
    const s = sides(() => 1);
    const o = await runAb(
      "generation",
      config,
      { min_blocks: 4, max_blocks: 20, max_seconds: 1e6 },
      s.runSide,
      s.now,
    );
    expect(o.verdict).toBe("PASS");
    expect(o.blocks).toHaveLength(4);
    expect(s.calls).toEqual(["a0", "b0", "b1", "a1", "a2", "b2", "b3", "a3"]);
    expect(o.stopped_by).toBe("decided");
  });

  it("INCONCLUSIVE runs more blocks (two at a time) and then decides", async () => {
    // 0.7 everywhere: 4 blocks (p 1/16) cannot reach alpha 0.01; 8 blocks can (1/256)
    const s = sides(() => 0.7);
    const o = await runAb(
      "generation",
      config,
      { min_blocks: 4, max_blocks: 20, max_seconds: 1e6 },
      s.runSide,
      s.now,
    );
    expect(o.verdict).toBe("REGRESSION");
    expect(o.blocks).toHaveLength(8);
    expect(o.analyses.map((a) => a.blocks)).toEqual([4, 6, 8]);
  });

  it("stops at max_blocks, and at max_seconds, still INCONCLUSIVE", async () => {
    const noisy = (b: number) => [0.8, 0.97, 0.86, 1.0, 0.82, 0.95][b % 6] as number;
    const s1 = sides(noisy);
    const o1 = await runAb(
      "generation",
      config,
      { min_blocks: 4, max_blocks: 6, max_seconds: 1e6 },
      s1.runSide,
      s1.now,
    );
    expect(o1).toMatchObject({ verdict: "INCONCLUSIVE", stopped_by: "max_blocks" });
    expect(o1.blocks).toHaveLength(6);
    const s2 = sides(noisy, 10);
    const o2 = await runAb(
      "generation",
      config,
      { min_blocks: 4, max_blocks: 40, max_seconds: 100 },
      s2.runSide,
      s2.now,
    );
    expect(o2).toMatchObject({ verdict: "INCONCLUSIVE", stopped_by: "max_seconds" });
    expect(o2.blocks.length).toBeLessThanOrEqual(6);
  });
});
