/**
 * The gate per metric (issue 22 item 3) on controlled inputs: rounds synthesised from a real generation
 * result, with only the prefill or only the decode of each round 30 % slower (as the phase devices of
 * test/support/slowdown-device.ts make them), gated on the specification's metric and on the phase rates.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { combineMetricComparison, comparisonScope } from "../../src/gate/combine.js";
import { defaultMetricOf, type GateMetricName } from "../../src/gate/metrics.js";
import { runGate } from "../../src/gate/verdict.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();

/** Rounds of the same shape: 1 % jitter around the fixture's first round (a quiet machine). */
function quiet(): BenchmarkResult {
  const r = clone(fixture("generation-a"));
  if (r.mode !== "generation") throw new Error("a generation fixture");
  const s0 = r.samples[0];
  if (s0 === undefined) throw new Error("fixture without rounds");
  r.samples = r.samples.map((_, i) => ({
    ...s0,
    round: i,
    elapsed_s: s0.elapsed_s * (1 + ((i % 5) - 2) * 0.005),
  }));
  return withRates(r, 1, 1);
}

/** Each round's prefill time divided by `pf` and decode time by `df` (0.7 = 30 % slower), rates recomputed. */
function withRates(r: BenchmarkResult, pf: number, df: number): BenchmarkResult {
  const c = clone(r);
  if (c.mode !== "generation") throw new Error("generation only");
  c.samples = c.samples.map((s) => {
    const ttft = (s.ttft_ms ?? 0) / 1000;
    const prefill = ttft / pf;
    const decode = (s.elapsed_s - ttft) / df;
    const elapsed = prefill + decode;
    return {
      ...s,
      elapsed_s: elapsed,
      ttft_ms: prefill * 1000,
      tokens_per_second: s.output_tokens / elapsed,
      prefill_tokens_per_second: s.prompt_tokens / prefill,
      decode_tokens_per_second: (s.output_tokens - 1) / decode,
    };
  });
  return c;
}

async function verdictOn(b: BenchmarkResult, c: BenchmarkResult, metric?: GateMetricName) {
  const { report } = await runGate({
    baseline: b,
    candidate: c,
    config,
    baselineSource: "b",
    candidateSource: "c",
    ...(metric ? { metric } : {}),
  });
  return report;
}

describe("a gate per metric", () => {
  const base = quiet();

  it("prefill only 30 % slower: REGRESSION on the prefill rate, not on tokens/s", async () => {
    const cand = withRates(base, 0.7, 1);
    expect((await verdictOn(base, cand)).verdict).not.toBe("REGRESSION");
    const pre = await verdictOn(base, cand, "prefill_tokens_per_second");
    expect(pre.verdict).toBe("REGRESSION");
    expect(pre.metric).toBe("prefill_tokens_per_second");
    expect((await verdictOn(base, cand, "decode_tokens_per_second")).verdict).toBe("PASS");
    expect((await verdictOn(base, cand, "ttft_ms")).verdict).toBe("REGRESSION");
  });

  it("decode only 30 % slower: REGRESSION on tokens/s and the decode rate, not on the prefill rate", async () => {
    const cand = withRates(base, 1, 0.7);
    expect((await verdictOn(base, cand)).verdict).toBe("REGRESSION");
    expect((await verdictOn(base, cand, "decode_tokens_per_second")).verdict).toBe("REGRESSION");
    expect((await verdictOn(base, cand, "prefill_tokens_per_second")).verdict).toBe("PASS");
  });

  it("a REGRESSION in any gated metric is the overall REGRESSION", async () => {
    const cand = withRates(base, 0.7, 1);
    const names: GateMetricName[] = ["tokens_per_second", "prefill_tokens_per_second"];
    const verdicts = [];
    for (const m of names) verdicts.push({ metric: m, verdict: (await verdictOn(base, cand, m)).verdict });
    const combined = combineMetricComparison(comparisonScope(base, cand, config), verdicts, "generation");
    expect(combined.verdict).toBe("REGRESSION");
    expect(combined.decided_by).toMatchObject({ kind: "metric", metric: "prefill_tokens_per_second" });
  });

  it("a prompt-only test (max_new_tokens 0) is gated on its prefill rate by default", () => {
    const r = clone(base);
    if (r.mode !== "generation") throw new Error("generation only");
    r.max_new_tokens = 0;
    expect(defaultMetricOf(r)).toBe("prefill_tokens_per_second");
    expect(defaultMetricOf(base)).toBe("tokens_per_second");
  });
});
