import { describe, expect, it } from "vitest";
import { bestSplit, eDivisiveMeans } from "../../src/stats/change-points.js";
import { detectorRates, syntheticSeries } from "../support/change-points-check.js";

describe("E-Divisive means change points", () => {
  it("puts the best split of a clean step at the step", () => {
    const x = [10, 10, 10, 10, 10, 20, 20, 20, 20, 20];
    expect(bestSplit(x, 2)?.tau).toBe(5);
    expect(bestSplit([1, 2, 3], 2)).toBeNull();
  });

  it("finds two shifts with their magnitudes and keeps the order", () => {
    const x = syntheticSeries(7, 60, 0.01, { at: 20, by: -0.2 }).map((v, i) => (i >= 40 ? v * 1.5 : v));
    const cps = eDivisiveMeans(x);
    expect(cps.map((c) => c.index)).toEqual([20, 40]);
    expect(cps[0]?.magnitude).toBeCloseTo(-0.2, 1);
    expect(cps[1]?.magnitude).toBeCloseTo(0.5, 1);
    expect(cps.every((c) => c.p_value < 0.01)).toBe(true);
  });

  it("is deterministic for a seed and rejects non-finite values", () => {
    const x = syntheticSeries(3, 30, 0.05, { at: 15, by: 0.08 });
    expect(eDivisiveMeans(x, { seed: 5 })).toEqual(eDivisiveMeans(x, { seed: 5 }));
    expect(() => eDivisiveMeans([1, Number.NaN, 2, 3, 4, 5])).toThrow(/series\[1\]/);
    expect(eDivisiveMeans([1, 2, 3])).toEqual([]);
  });

  // issue 13's acceptance figures, on fixed seeds: 50 points, 3 % noise
  it.each([1, 2])(
    "seed %i: no change point in >= 95 of 100 flat series; a 10 percent step found within 2 points in >= 95 of 100",
    (seed) => {
      const r = detectorRates({ seed, series: 100, n: 50, noise: 0.03, step: -0.1, tolerance: 2 });
      expect(r.flat_clean).toBeGreaterThanOrEqual(95);
      expect(r.step_found).toBeGreaterThanOrEqual(95);
    },
  );
});
