/**
 * The validity guard (issue 27, item 4): a client starved on purpose (a busy loop in its own thread, a test
 * device) records the figures that show it, warns `client_saturated` naming them, and the gate calls no
 * REGRESSION from it: INCONCLUSIVE, naming the evidence. The verdicts are decided on synthesised per-round
 * figures (the same rounds on both sides, halved on the candidate's), so that they do not depend on how fast
 * the machine is; only the client figures come from the starved run.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import { runGate } from "../../src/gate/verdict.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { clone, mapMetric } from "../support/gate-fixtures.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();

/** TEST DEVICE: blocks this thread's event loop for `busyMs` every `everyMs` until stopped. */
function starveEventLoop(busyMs: number, everyMs: number): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {
      // spin: the client cannot read, time or send anything meanwhile
    }
  }, everyMs);
  return () => clearInterval(timer);
}

/** The same rounds on every side (a spread of 1 %), times `factor`: a verdict that does not hang on the machine. */
const rounds = (r: BenchmarkResult, factor: number) =>
  mapMetric(r, (_x, i) => factor * (100 + (i % 5) * 0.25));

/** A copy whose client figures say it kept up (none past a limit), whatever this machine's load was. */
function keptUp(r: BenchmarkResult): BenchmarkResult {
  const c = clone(r);
  if (c.serving) {
    c.serving.client_overhead.event_loop_delay_ms = null;
    c.serving.client_overhead.scheduling_delay_ms = null;
    c.serving.client_capacity = {
      schedule_lag_ms: null,
      achieved_rate_fraction: null,
      client_cores: 0.1,
      saturated_by: [],
    };
  }
  return c;
}

async function gate(baseline: BenchmarkResult, candidate: BenchmarkResult) {
  const { report } = await runGate({
    baseline,
    candidate,
    config: defaultGateConfig(),
    baselineSource: "baseline.json",
    candidateSource: "candidate.json",
  });
  return report;
}

describe("a saturated client", () => {
  it("is recorded and warned about, and the gate calls no REGRESSION from it", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 4, chunkDelayMs: 2 }));
    const opts = servingOptions(s.baseUrl, { numRequests: 24, concurrency: 2, maxNewTokens: 4 });
    const calm = generationOf(await runServingBenchmark(opts));
    expect(calm.serving?.client_capacity?.schedule_lag_ms?.p99).toBeGreaterThanOrEqual(0);
    expect(calm.serving?.client_capacity?.achieved_rate_fraction).toBeNull(); // no request rate
    const stop = starveEventLoop(40, 45);
    let starved: BenchmarkResult;
    try {
      starved = generationOf(await runServingBenchmark(opts));
    } finally {
      stop();
    }
    const cap = starved.serving?.client_capacity;
    expect(cap?.saturated_by.map((e) => e.figure)).toContain("event_loop_delay_p99_ms");
    const warning = starved.warnings.find((w) => w.code === "client_saturated");
    expect(warning?.text).toMatch(
      /client may have been the bottleneck \(event-loop delay p99 \d+\.\d ms > 25 ms/,
    );

    // the control: client figures cleared on both sides (the machine may be busy), the rounds halved: a REGRESSION
    const base = keptUp(rounds(calm, 1));
    const kept = keptUp(rounds(calm, 0.5));
    const control = await gate(base, kept);
    expect(control.verdict, `${control.decided_by}: ${control.reasons.join("; ")}`).toBe("REGRESSION");

    // the same halved rounds with the starved client's figures: INCONCLUSIVE, naming them
    const halved = clone(kept);
    if (halved.serving && starved.serving) {
      halved.serving.client_overhead = starved.serving.client_overhead;
      halved.serving.client_capacity = starved.serving.client_capacity;
    }
    const guarded = await gate(base, halved);
    expect(guarded.verdict).toBe("INCONCLUSIVE");
    expect(guarded.decided_by).toBe("client-saturated");
    expect(guarded.reasons.join(" ")).toMatch(
      /the client was the bottleneck during capture 1 \(event-loop delay p99 \d+\.\d ms > 25 ms/,
    );
    expect(guarded.fixes.join(" ")).toMatch(/--shard I\/N/);
  });
});
