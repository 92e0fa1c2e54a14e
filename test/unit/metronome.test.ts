import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Metronome } from "../../src/measure/metronome.js";
import { nowNs } from "../../src/util/clock.js";

/** Asks `m` for a wake 5 ms ahead: "woke" when it came within 2 s. */
function wakeIn5Ms(m: Metronome): Promise<string> {
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve("not within 2 s"), 2_000);
    m.wakeAt(nowNs() + 5_000_000n, () => {
      clearTimeout(timer);
      resolve("woke");
    });
  });
}

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

  it("a wake earlier than the one it replaces comes without waiting for the replaced one", async () => {
    const m = await Metronome.start();
    try {
      m.wakeAt(nowNs() + 10_000_000_000n, () => {}); // 10 s ahead: the thread sleeps on it
      await new Promise((r) => setTimeout(r, 100));
      expect(await wakeIn5Ms(m)).toBe("woke");
    } finally {
      m.close();
    }
  });

  it("a run's metronome is kept for the next run of the thread, and a wake it had pending does not hold it", async () => {
    const first = await Metronome.start();
    first.wakeAt(nowNs() + 10_000_000_000n, () => {}); // left pending 10 s ahead by a run that ends
    await new Promise((r) => setTimeout(r, 100));
    first.close();
    const second = await Metronome.start();
    try {
      expect(second).toBe(first);
      expect(await wakeIn5Ms(second)).toBe("woke");
    } finally {
      second.close();
    }
  });
});

describe("the metronome and the process's exit", () => {
  it("a process whose metronome is idle exits; a pending wake keeps it alive until the wake", () => {
    const script = `
      const { Metronome } = await import(${JSON.stringify(new URL("../../src/measure/metronome.ts", import.meta.url).href)});
      const m = await Metronome.start();
      await new Promise((r) => m.wakeAt(process.hrtime.bigint() + 50_000_000n, r));
      m.close();
      console.log("closed");
    `;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(out.trim()).toBe("closed");
  });
});
