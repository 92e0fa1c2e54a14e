/**
 * Contention on either side, decided on synthesised results (real fixtures with their machine_load set), so
 * the verdicts do not depend on how busy the test machine is: a busier baseline never lets a drop it could
 * hide PASS, a busier candidate never makes a REGRESSION, and serving results follow the same rules.
 */
import { describe, expect, it, vi } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { busierThan, excludesDropDespite } from "../../src/gate/contention.js";
import { type GateInput, runGate } from "../../src/gate/verdict.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { fixture, scaled, squeezed } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const quiet = squeezed(fixture("generation-a"), 0.1);

type Load = NonNullable<BenchmarkResult["machine_load"]>;
const QUIET: Load = { other_cores: 0.03, process_cores: 1.0, loadavg_1m: 0.2, wall_s: 4 };
/** two busy loops beside a one-thread engine on two cores: the engine gets about 0.6 of a core */
const BUSY: Load = { other_cores: 1.4, process_cores: 0.6, loadavg_1m: 4, wall_s: 4 };

function withLoad(r: BenchmarkResult, machine_load: Load): BenchmarkResult {
  return { ...r, machine_load };
}

/** The same result as a serving run (a `load` block: the measured process is the client). */
function serving(r: BenchmarkResult): BenchmarkResult {
  return {
    ...r,
    load: {
      endpoint: "completions",
      concurrency: 1,
      request_rate: null,
      burstiness: 1,
      arrival_seed: 1,
      num_requests: 20,
      duration_s: null,
      output_length: "fixed",
      stream: true,
    },
  } as BenchmarkResult;
}

function gate(baseline: BenchmarkResult, candidate: BenchmarkResult, extra: Partial<GateInput> = {}) {
  return runGate({
    baseline,
    candidate,
    config,
    baselineSource: "baseline.json",
    candidateSource: "candidate.json",
    ...extra,
  });
}

describe("a baseline captured under more load than the candidate", () => {
  // the fault: the baseline's throughput depressed 32 % by two busy loops, a real 25 % slowdown
  // captured on a quiet machine: the ratio is 0.75 / 0.68 = 1.10, which used to PASS
  const busyBaseline = withLoad(scaled(quiet, 0.68), BUSY);
  const slowQuiet = withLoad(scaled(quiet, 0.75), QUIET);

  it("cannot PASS a drop it could hide: INCONCLUSIVE, recapture the baseline on a quiet machine", async () => {
    const again = vi.fn(async () => slowQuiet);
    const { report } = await gate(busyBaseline, slowQuiet, { captureAgain: again });
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(report.exit_code).toBe(3);
    expect(report.analyses[0]?.ratio).toBeGreaterThan(1);
    expect(report.reasons[0]).toMatch(/baseline was captured under more load than the candidate/);
    // it lost 40 % of its CPU share: contention may have taken twice that of its throughput
    expect(report.reasons[0]).toMatch(/may hide a drop of up to 80\.0 %/);
    expect(report.fixes).toContain("recapture the baseline on a quiet machine (make baseline)");
    expect(report.machine_load.baseline_busier?.hideable_drop).toBeCloseTo(0.8, 6);
  });

  it("the same pair with the baseline as quiet as the candidate is a PASS (the guard is what decides)", async () => {
    const { report } = await gate(withLoad(scaled(quiet, 0.68), QUIET), slowQuiet);
    expect(report.verdict).toBe("PASS");
  });

  it("same code, quiet candidate: not a PASS either (the busy baseline cannot vouch for it)", async () => {
    const { report } = await gate(busyBaseline, withLoad(quiet, QUIET));
    expect(report.verdict).toBe("INCONCLUSIVE");
  });

  it("a candidate faster than the baseline by more than the hideable drop still PASSes", async () => {
    // the baseline lost 8 % of its CPU share (over 6 %, so busier): it may hide a drop of 16 %; the
    // candidate is 20 % faster
    const mild: Load = { other_cores: 0.5, process_cores: 0.92, loadavg_1m: 2, wall_s: 4 };
    const { report } = await gate(withLoad(quiet, mild), withLoad(scaled(quiet, 1.2), QUIET));
    expect(report.machine_load.baseline_busier?.hideable_drop).toBeCloseTo(0.16, 6);
    expect(report.verdict).toBe("PASS");
  });

  it("a busier baseline does not stop a REGRESSION (it only understates the drop)", async () => {
    const worse = withLoad(scaled(quiet, 0.5), QUIET);
    const { report } = await gate(busyBaseline, worse, { captureAgain: async () => worse });
    expect(report.verdict).toBe("REGRESSION");
  });
});

describe("a candidate captured under more load than the baseline", () => {
  it("never makes a REGRESSION, on either capture", async () => {
    const busy = withLoad(scaled(quiet, 0.7), BUSY);
    const { report } = await gate(withLoad(quiet, QUIET), busy, { captureAgain: async () => busy });
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(report.reasons[0]).toMatch(/busier than during the baseline/);
  });
});

describe("serving results", () => {
  const base = serving(withLoad(quiet, { ...QUIET, other_cores: 0.9, process_cores: 0.1 }));

  it("an unchanged server measured while two busy loops ran on the client machine: not a REGRESSION", async () => {
    // the fault: this pair gave REGRESSION (exit 1)
    const busy = serving(withLoad(scaled(quiet, 0.7), { ...BUSY, other_cores: 1.85, process_cores: 0.07 }));
    const again = vi.fn(async () => busy);
    const { report } = await gate(base, busy, { captureAgain: again });
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(again).toHaveBeenCalledTimes(1);
    expect(report.reasons[0]).toMatch(/busier than during the baseline/);
    expect(report.fixes.join("\n")).toMatch(/0\.95 more than during the baseline/);
  });

  it("a slower server on an equally loaded machine is a REGRESSION", async () => {
    const slow = serving(withLoad(scaled(quiet, 0.7), { ...QUIET, other_cores: 0.95, process_cores: 0.07 }));
    const { report } = await gate(base, slow, { captureAgain: async () => slow });
    expect(report.verdict).toBe("REGRESSION");
  });

  it("a serving baseline captured busier cannot PASS", async () => {
    const busyBase = serving(withLoad(scaled(quiet, 0.7), { ...BUSY, other_cores: 1.9 }));
    const { report } = await gate(busyBase, base);
    expect(report.verdict).toBe("INCONCLUSIVE");
    expect(report.fixes).toContain("recapture the baseline on a quiet machine (make baseline)");
  });

  it("serving results record the machine load (the field the rules read)", () => {
    expect(busierThan(serving(quiet), base, "a", "b", config, 0.12)).toBeNull();
  });
});

describe("busierThan and excludesDropDespite", () => {
  it("is null without machine_load on either side, or without other_cores", () => {
    expect(busierThan(quiet, withLoad(quiet, QUIET), "a", "b", config, 0.12)).toBeNull();
    expect(
      busierThan(
        withLoad(quiet, { ...BUSY, other_cores: null }),
        withLoad(quiet, QUIET),
        "a",
        "b",
        config,
        0.12,
      ),
    ).toBeNull();
  });

  it("a busier machine whose process kept its share (or lost it on both sides): busier by the other cores", () => {
    // a runtime that waits loses CPU share on both sides alike; the extra cores other processes took count
    const busyButServed: Load = { ...BUSY, process_cores: 0.98 };
    const c = busierThan(withLoad(quiet, busyButServed), withLoad(quiet, QUIET), "a", "b", config, 0.12);
    const cores = quiet.environment.hardware.logical_cores;
    expect(c?.hideable_drop).toBeCloseTo(Math.min(1, (1.4 - 0.03) / cores), 6);
    expect(c?.text).toMatch(/1\.37 more than during b/);
    // within busy_other_cores (0.25) of each other: not busier
    const alike: Load = { ...QUIET, other_cores: 0.2 };
    expect(busierThan(withLoad(quiet, alike), withLoad(quiet, QUIET), "a", "b", config, 0.12)).toBeNull();
  });

  it("the interval must clear 1 - T after the hideable drop", () => {
    const c = { text: "", hideable_drop: 0.1 };
    expect(excludesDropDespite(0.98, 0.12, c)).toBe(true); // 0.882 >= 0.88
    expect(excludesDropDespite(0.97, 0.12, c)).toBe(false); // 0.873 < 0.88
  });
});
