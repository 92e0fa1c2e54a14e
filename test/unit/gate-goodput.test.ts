/**
 * The goodput gate (issue 26 item 3, src/gate/goodput.ts) on synthesised serving results: 400 requests per
 * side whose `good` flags give a chosen share, gated through `gateEachMetric` as `--metric goodput_share` is.
 */
import { describe, expect, it } from "vitest";
import { gateEachMetric } from "../../src/cli/metric-gates.js";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { compareShares, goodputVerdict } from "../../src/gate/goodput-stats.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const OBJECTIVES = { ttft_ms: 200, tpot_ms: 50 };

/** A serving generation result of `n` requests, the first round(share x n) good, against `objectives`. */
function serving(share: number, n = 400, objectives: Record<string, number> = OBJECTIVES): BenchmarkResult {
  const r = clone(fixture("generation-a"));
  if (r.mode !== "generation") throw new Error("a generation fixture");
  const s0 = r.samples[0];
  if (s0 === undefined) throw new Error("fixture without rounds");
  const good = Math.round(share * n);
  r.samples = Array.from({ length: n }, (_, i) => ({ ...s0, round: i, good: i < good }));
  const requests = { planned: n, sent: n, completed: n, failed: 0, interrupted: 0 };
  const goodput = { objectives, good_requests: good, share: good / n, requests_per_second: good / 10 };
  (r as unknown as { serving: unknown }).serving = { requests, goodput };
  return r;
}

async function verdictOf(b: BenchmarkResult, c: BenchmarkResult) {
  const [outcome] = await gateEachMetric(
    { baseline: b, candidate: c, config, baselineSource: "b", candidateSource: "c" },
    ["goodput_share"],
  );
  if (!outcome) throw new Error("no outcome");
  return outcome.report;
}

describe("goodput_share gate", () => {
  it("calls a share of 0.95 -> 0.80 over 400 requests a REGRESSION", async () => {
    const r = await verdictOf(serving(0.95), serving(0.8));
    expect(r.verdict).toBe("REGRESSION");
    expect(r.metric).toBe("goodput_share");
    expect(r.threshold).toBe(0.05);
    expect(r.goodput?.drop).toBeCloseTo(0.15, 10);
    expect(r.goodput?.p_value).toBeLessThan(config.alpha);
    expect(r.reasons[0]).toMatch(/goodput share 95\.0 % of 400 -> 80\.0 % of 400/);
  });

  it("passes a share of 0.95 -> 0.94 (a drop below the threshold)", async () => {
    const r = await verdictOf(serving(0.95), serving(0.94));
    expect(r.verdict).toBe("PASS");
  });

  it("calls different objectives INCOMPARABLE, naming them", async () => {
    const r = await verdictOf(serving(0.95), serving(0.95, 400, { ttft_ms: 300, tpot_ms: 50 }));
    expect(r.verdict).toBe("INCOMPARABLE");
    expect(r.reasons[0]).toMatch(/serving\.goodput\.objectives/);
  });

  it("calls a drop of the threshold's size without significance INCONCLUSIVE", () => {
    const b = { good_requests: 19, requests: 20, share: 0.95 };
    const c = { good_requests: 17, requests: 20, share: 0.85 };
    const g = compareShares(b, c, 0.05, 0.01, 0.95);
    expect(g.p_value).toBeGreaterThan(0.01);
    expect(g.ci.low).toBeLessThan(g.drop);
    expect(g.ci.high).toBeGreaterThan(g.drop);
    expect(goodputVerdict(g)).toBe("INCONCLUSIVE");
  });

  it("refuses a result without goodput in one line", async () => {
    const plain = fixture("generation-a");
    await expect(verdictOf(plain, plain)).rejects.toThrow(/serving\.goodput: not recorded/);
  });
});
