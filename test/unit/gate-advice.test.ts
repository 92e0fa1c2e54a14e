/** The gate's fix advice: the command it suggests matches how the baseline was made. */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { reasonText, recaptureCommand } from "../../src/gate/reasons.js";
import { runGate } from "../../src/gate/verdict.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { fixture, scaled, squeezed } from "../support/gate-fixtures.js";

describe("recapture advice", () => {
  it("a baseline written with --dir is recaptured with that command, never make baseline", () => {
    const cmd = recaptureCommand("perf-baseline baseline --mode generation --dir /tmp/mine --rounds 10");
    expect(cmd).toBe("perf-baseline baseline --mode generation --dir /tmp/mine --rounds 10");
    const text = reasonText({ code: "recapture_baseline_quiet", ...(cmd ? { recapture: cmd } : {}) });
    expect(text).toBe(
      "recapture the baseline on a quiet machine (perf-baseline baseline --mode generation --dir /tmp/mine --rounds 10)",
    );
    expect(text).not.toContain("make baseline");
    expect(
      reasonText({
        code: "recapture_stale_baseline",
        stale_reasons: ["x"],
        recapture: "perf-baseline baseline --dir X",
      }),
    ).toBe("baseline stale: recapture (perf-baseline baseline --dir X): x");
  });

  it("the committed baselines (no --dir) keep make baseline", () => {
    expect(recaptureCommand("perf-baseline baseline --rounds 30 --max-new-tokens 64")).toBeUndefined();
    expect(recaptureCommand("perf-baseline bench --mode embedding -o x.json")).toBeUndefined();
    expect(reasonText({ code: "recapture_baseline_quiet" })).toBe(
      "recapture the baseline on a quiet machine (make baseline)",
    );
  });

  it("a file given to compare is recaptured with the command that wrote it, or captured again by name", () => {
    const bench = "perf-baseline bench --mode generation --rounds 20 --output a.json";
    expect(recaptureCommand(bench, "a.json")).toBe(`capture a.json again: ${bench}`);
    expect(recaptureCommand(undefined, "a.json")).toBe("capture a.json again");
    // a --dir baseline keeps its own command
    expect(recaptureCommand("perf-baseline baseline --dir /tmp/mine", "a.json")).toBe(
      "perf-baseline baseline --dir /tmp/mine",
    );
  });

  it("the gate on a baseline file (compare) advises capturing that file again, never make baseline", async () => {
    const quiet = squeezed(fixture("generation-a"), 0.1);
    const busy = { other_cores: 1.4, process_cores: 0.6, loadavg_1m: 4, wall_s: 4 };
    const calm = { other_cores: 0.03, process_cores: 1.0, loadavg_1m: 0.2, wall_s: 4 };
    const baseline: BenchmarkResult = { ...scaled(quiet, 0.68), machine_load: busy };
    const candidate: BenchmarkResult = { ...scaled(quiet, 0.75), machine_load: calm };
    const { report } = await runGate({
      baseline,
      candidate,
      config: defaultGateConfig(),
      baselineSource: "a.json",
      candidateSource: "b.json",
      baselineFile: "a.json",
    });
    expect(report.fixes).toContain(
      `recapture the baseline on a quiet machine (capture a.json again: ${baseline.invocation.command})`,
    );
    expect(report.fixes.join("\n")).not.toContain("make baseline");
  });
});
