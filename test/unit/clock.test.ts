import { describe, expect, it } from "vitest";
import { nowMs, nowNs, nsArrayOfMs, nsOfMs } from "../../src/util/clock.js";

describe("the two readings of the monotonic clock", () => {
  it("a nowMs() reading converts onto the nowNs() scale between the nowNs() reads around it", () => {
    const before = nowNs();
    const ms = nowMs();
    const after = nowNs();
    const ns = nsOfMs(ms);
    // the offset is taken once per process from reads ~0.1 us apart: allow 50 us either side
    expect(ns >= before - 50_000n && ns <= after + 50_000n).toBe(true);
  });

  it("differences between readings are kept to the nanosecond", () => {
    expect(nsOfMs(1000.000123) - nsOfMs(1000)).toBe(123n);
    expect(nsOfMs(0.5) - nsOfMs(0)).toBe(500_000n);
  });

  it("nsArrayOfMs equals nsOfMs element by element, across the 32-bit carry", () => {
    const readings = [0, 0.000001, 1.5, 4294.967295, 4294.967296, 8589.934592, nowMs(), 3.6e6, 8.64e9];
    const out = nsArrayOfMs(readings);
    expect(out).toBeInstanceOf(BigInt64Array);
    expect([...out]).toEqual(readings.map(nsOfMs));
    expect(nsArrayOfMs([]).length).toBe(0);
  });
});
