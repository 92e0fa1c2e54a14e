import { describe, expect, it } from "vitest";
import { Metronome } from "../../src/measure/metronome.js";
import { nowNs } from "../../src/util/clock.js";

describe("the metronome (planned arrivals' wake-up thread)", () => {
  it("wakes never before the planned time, and the latest wake replaces the pending one", async () => {
    const m = await Metronome.start();
    try {
      const at = nowNs() + 20_000_000n;
      const woke = await new Promise<bigint>((resolve) => {
        m.wakeAt(nowNs() + 5_000_000n, () => resolve(-1n)); // replaced before it is due
        m.wakeAt(at, () => resolve(nowNs()));
      });
      expect(woke).toBeGreaterThanOrEqual(at);
    } finally {
      m.close();
    }
  });

  it("a cancelled wake never comes", async () => {
    const m = await Metronome.start();
    let woke = false;
    m.wakeAt(nowNs() + 1_000_000n, () => {
      woke = true;
    });
    m.cancel();
    await new Promise((r) => setTimeout(r, 30));
    m.close();
    expect(woke).toBe(false);
  });
});
