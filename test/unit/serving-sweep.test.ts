import { describe, expect, it } from "vitest";
import { sweepStopLine } from "../../src/cli/serving-sweep.js";
import {
  pointText,
  type SweepFigures,
  saturationReason,
  sweepPlanOf,
  sweepTable,
} from "../../src/execute/serving-sweep.js";
import { UsageError } from "../../src/util/errors.js";

const fig = (throughput: number, latency: number | null, failed = 0): SweepFigures => ({
  throughput,
  latency_ms: latency,
  latency_is: "median TTFT",
  requests_per_second: throughput / 10,
  failed,
  ttft_p99_ms: null,
  tpot_median_ms: null,
  goodput_rps: null,
});

describe("load sweeps", () => {
  it("the stop line: points not run where some were left; at the last point, that it ended there", () => {
    const why = "saturated: throughput +1.0 % while the median latency grew 2.5x";
    expect(sweepStopLine("concurrency", 4, why, 2)).toBe(
      `sweep stopped after --concurrency 4: ${why} (2 points not run)`,
    );
    expect(sweepStopLine("concurrency", 8, why, 1)).toMatch(/\(1 point not run\)$/);
    const last = sweepStopLine("request-rate", 16, why, 0);
    expect(last).toBe(`sweep ended at its last point, --request-rate 16: ${why}`);
    expect(last).not.toMatch(/stopped|0 points/);
  });

  it("a list of --concurrency or --request-rate: points increasing, deduplicated; one value is no sweep", () => {
    expect(sweepPlanOf({ concurrency: "16,1,4,4" })).toEqual({ variable: "concurrency", points: [1, 4, 16] });
    expect(sweepPlanOf({ "request-rate": "2,0.5" })).toEqual({ variable: "request-rate", points: [0.5, 2] });
    // inf (no rate: as fast as --concurrency allows) is a rate point too, the last one, written back as inf
    const withInf = sweepPlanOf({ "request-rate": "inf,5,1" });
    expect(withInf).toEqual({ variable: "request-rate", points: [1, 5, Number.POSITIVE_INFINITY] });
    expect(withInf?.points.map(pointText)).toEqual(["1", "5", "inf"]);
    expect(() => sweepPlanOf({ concurrency: "1,inf" })).toThrow(/"inf" is not a positive number/);
    expect(sweepPlanOf({ concurrency: "4" })).toBeNull();
    expect(() => sweepPlanOf({ concurrency: "1,2", "request-rate": "1,2" })).toThrow(
      /one of --concurrency and --request-rate/,
    );
    expect(() => sweepPlanOf({ concurrency: "1,x" })).toThrow(UsageError);
    expect(() => sweepPlanOf({ concurrency: "1,-2" })).toThrow(/"-2" is not a positive number/);
    const many = Array.from({ length: 65 }, (_, i) => i + 1).join(",");
    expect(() => sweepPlanOf({ concurrency: many })).toThrow(/65 points, more than the 64/);
  });

  it("stops at saturation: throughput up < 5 % while median TTFT doubled, or failures", () => {
    expect(saturationReason(null, fig(100, 50))).toBeNull();
    expect(saturationReason(fig(100, 50), fig(180, 60))).toBeNull(); // scales
    expect(saturationReason(fig(100, 50), fig(104, 80))).toBeNull(); // flat, latency not doubled
    expect(saturationReason(fig(100, 50), fig(110, 120))).toBeNull(); // +10 %: still gaining
    expect(saturationReason(fig(100, 50), fig(104, 100))).toMatch(
      /^saturated: throughput \+4\.0 % while the median TTFT grew 2\.0x/,
    );
    expect(saturationReason(fig(100, 50), fig(90, 400))).toMatch(/throughput -10\.0 %/);
    expect(saturationReason(fig(100, 50), fig(200, 20, 3))).toBe("3 requests failed");
    expect(saturationReason(null, fig(200, 20, 1))).toBe("1 requests failed");
  });

  it("the table: one row per point", () => {
    const t = sweepTable("concurrency", [
      { point: 1, figures: fig(100, 50) },
      { point: 4, figures: fig(300, null) },
    ]);
    expect(t[0]).toBe(
      "| concurrency | requests/s | throughput | median TTFT ms | p99 TTFT ms | median TPOT ms | goodput rps | failed |",
    );
    expect(t[3]).toBe("| 4 | 30.00 | 300.0 | - | - | - | - | 0 |");
  });
});
