/** The gate's fix advice: the command it suggests matches how the baseline was made. */
import { describe, expect, it } from "vitest";
import { reasonText, recaptureCommand } from "../../src/gate/reasons.js";

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
});
