import { describe, expect, it } from "vitest";
import { arrivalOffsets, gammaSample } from "../../src/measure/arrivals.js";
import { runLoad, UNREACHABLE_STOP } from "../../src/measure/load.js";
import { mean, stddev } from "../../src/stats/index.js";
import { mulberry32 } from "../../src/util/prng.js";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

describe("arrivals", () => {
  it("gamma draws have mean k*theta and variance k*theta^2 (shape below and above 1)", () => {
    for (const [shape, scale] of [
      [0.5, 2],
      [1, 1],
      [4, 0.25],
    ] as const) {
      const rng = mulberry32(11);
      const xs = Array.from({ length: 20_000 }, () => gammaSample(rng, shape, scale));
      expect(mean(xs)).toBeCloseTo(shape * scale, 1);
      expect(stddev(xs) ** 2 / (shape * scale * scale)).toBeGreaterThan(0.9);
      expect(stddev(xs) ** 2 / (shape * scale * scale)).toBeLessThan(1.1);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    }
  });

  it("the same seed gives the same schedule; another seed another; the count's schedule ends at count/rate", () => {
    const take = (seed: number, burstiness = 1) => {
      const next = arrivalOffsets({ requestRate: 10, burstiness, seed }, 50);
      return Array.from({ length: 50 }, () => next() as number);
    };
    expect(take(3)).toEqual(take(3));
    expect(take(4)).not.toEqual(take(3));
    for (const b of [0.3, 1, 5]) {
      const s = take(3, b);
      expect(s[0]).toBe(0);
      for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThanOrEqual(s[i - 1] as number);
      // the gap after the last arrival is drawn but not used: the last arrival is before 5 s
      expect(s[49]).toBeLessThan(5);
      expect(s[49]).toBeGreaterThan(3);
    }
    // burstier arrivals have more spread-out gaps
    const cv = (s: number[]) => {
      const gaps = s.slice(1).map((x, i) => x - (s[i] as number));
      return stddev(gaps) / mean(gaps);
    };
    expect(cv(take(3, 0.25))).toBeGreaterThan(cv(take(3, 4)));
  });

  it("no rate: no planned times", () => {
    expect(arrivalOffsets({ requestRate: null }, 5)()).toBeNull();
  });
});

describe("runLoad", () => {
  it("never exceeds the concurrency and records every request once", async () => {
    let inFlight = 0;
    let most = 0;
    const out = await runLoad(
      { concurrency: 3, requestRate: null, numRequests: 12, durationS: null },
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(5);
        inFlight--;
        return i;
      },
    );
    expect(most).toBe(3);
    expect(out.records.map((r) => r.outcome).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      ...Array(12).keys(),
    ]);
    expect(out.complete).toBe(true);
    expect(out.end_ns).toBeGreaterThan(out.start_ns);
  });

  it("a start that lies ahead (the workers of one run share it): nothing is sent before it, with or without a rate", async () => {
    for (const requestRate of [null, 200]) {
      const startNs = process.hrtime.bigint() + 30_000_000n;
      const run = await runLoad(
        { concurrency: 4, requestRate, numRequests: 8, durationS: null, startNs },
        async () => 1,
      );
      expect(run.start_ns).toBe(startNs);
      for (const r of run.records)
        expect(r.sent_ns >= startNs, `request ${r.index} sent before the start`).toBe(true);
    }
  });

  it("UNREACHABLE_STOP refusals in a row stop the run (unreachable); one other outcome between them resets the count", async () => {
    const refused = (i: number) => (i >= 5 ? "refused" : "ok");
    const run = await runLoad(
      {
        concurrency: 2,
        requestRate: null,
        numRequests: null,
        durationS: 30,
        unreachable: (o) => o === "refused",
      },
      async (i) => refused(i),
    );
    expect(run.unreachable).toBe(true);
    expect(run.complete).toBe(false);
    const settled = run.records.filter((r) => r.outcome !== null);
    expect(settled.filter((r) => r.outcome === "refused").length).toBeGreaterThanOrEqual(UNREACHABLE_STOP);
    expect(run.records.length).toBeLessThan(5 + UNREACHABLE_STOP + 10);
    // a success every 50 requests: never 100 in a row, the run goes to its count
    const mixed = await runLoad(
      {
        concurrency: 2,
        requestRate: null,
        numRequests: 400,
        durationS: null,
        unreachable: (o) => o === "refused",
      },
      async (i) => (i % 50 === 0 ? "ok" : "refused"),
    );
    expect(mixed.unreachable).toBeUndefined();
    expect(mixed.complete).toBe(true);
    expect(mixed.records).toHaveLength(400);
  });

  it("sends planned arrivals no earlier than planned", async () => {
    const out = await runLoad(
      { concurrency: 100, requestRate: 100, burstiness: 1, arrivalSeed: 5, numRequests: 10, durationS: null },
      async () => 0,
    );
    for (const r of out.records) {
      expect(r.planned_offset_ns).not.toBeNull();
      expect(r.sent_ns - out.start_ns).toBeGreaterThanOrEqual(r.planned_offset_ns as bigint);
      expect(r.queue_wait_ns).toBe(0n);
      expect(r.scheduling_delay_ns).toBeGreaterThanOrEqual(0n);
    }
  });

  it("a duration bounds the run; a stop aborts the requests in flight and marks it incomplete", async () => {
    const t0 = Date.now();
    const timed = await runLoad(
      { concurrency: 2, requestRate: null, numRequests: null, durationS: 0.1 },
      async () => {
        await sleep(10);
        return 1;
      },
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(timed.records.length).toBeGreaterThan(2);
    expect(timed.complete).toBe(true);

    const t1 = Date.now();
    const stopped = await runLoad(
      {
        concurrency: 2,
        requestRate: null,
        numRequests: 100,
        durationS: null,
        shouldStop: () => Date.now() - t1 > 150,
      },
      async (_i, signal) => {
        await sleep(10_000, signal);
        return signal.aborted ? -1 : 1;
      },
    );
    expect(Date.now() - t1).toBeLessThan(2_000);
    expect(stopped.complete).toBe(false);
    expect(stopped.records).toHaveLength(2);
    expect(stopped.records.every((r) => r.outcome === null)).toBe(true);
  });
});

describe("runLoad with a warmup at the head of its schedule", () => {
  const offsetsNs = (n: number) => {
    const next = arrivalOffsets({ requestRate: 200, burstiness: 1, seed: 3 }, n);
    return Array.from({ length: n }, () => BigInt(Math.round((next() as number) * 1e9)));
  };

  it("the first arrivals go to the warmup, unrecorded; the measured ones start at their first planned arrival", async () => {
    const calls: string[] = [];
    let measuredStartAt: bigint | null = null;
    const out = await runLoad(
      {
        concurrency: 2,
        requestRate: 200,
        burstiness: 1,
        arrivalSeed: 3,
        numRequests: 4,
        durationS: null,
        warmup: {
          requests: 3,
          send: async (i) => {
            calls.push(`w${i}`);
            return -1;
          },
          onMeasuredStart: () => {
            calls.push("start");
            measuredStartAt = process.hrtime.bigint();
          },
        },
      },
      async (i) => {
        calls.push(`m${i}`);
        return i;
      },
    );
    expect(calls).toEqual(["w0", "w1", "w2", "start", "m0", "m1", "m2", "m3"]);
    expect(out.records.map((r) => [r.index, r.outcome])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    // one schedule of 7 arrivals: the measured offsets are the 4 last, counted from the 4th arrival
    const all = offsetsNs(7);
    const first = all[3] as bigint;
    expect(out.records.map((r) => r.planned_offset_ns)).toEqual(all.slice(3).map((o) => o - first));
    expect(out.start_ns).toBeLessThanOrEqual(measuredStartAt as unknown as bigint);
    for (const r of out.records)
      expect(r.sent_ns - out.start_ns).toBeGreaterThanOrEqual(r.planned_offset_ns as bigint);
  });

  it("a duration counts from the measured start; a stop during the warmup sends no measured request", async () => {
    // 40 warmup arrivals at 200/s take ~0.2 s: a duration counted from the schedule's start would leave the
    // measured requests almost none of their 0.1 s
    const timed = await runLoad(
      {
        concurrency: 4,
        requestRate: 200,
        numRequests: null,
        durationS: 0.1,
        warmup: { requests: 40, send: async () => -1 },
      },
      async (i) => i,
    );
    const last = timed.records.at(-1)?.planned_offset_ns as bigint;
    expect(timed.records.length).toBeGreaterThan(5);
    expect(last).toBeLessThan(100_000_000n);
    expect(timed.complete).toBe(true);

    let measured = 0;
    let started = false;
    const t0 = Date.now();
    const stopped = await runLoad(
      {
        concurrency: 1,
        requestRate: null,
        numRequests: 5,
        durationS: null,
        shouldStop: () => Date.now() - t0 > 100,
        warmup: {
          requests: 5,
          send: async (_i, signal) => {
            await sleep(10_000, signal);
            return -1;
          },
          onMeasuredStart: () => {
            started = true;
          },
        },
      },
      async () => ++measured,
    );
    expect(stopped.complete).toBe(false);
    expect(stopped.records).toHaveLength(0);
    expect(measured).toBe(0);
    expect(started).toBe(false);
  });

  it("the measured requests end with the last of them, not with a warmup request still in flight", async () => {
    const out = await runLoad(
      {
        concurrency: 4,
        requestRate: null,
        numRequests: 2,
        durationS: null,
        warmup: {
          requests: 1,
          send: async () => {
            await sleep(1500);
            return -1;
          },
        },
      },
      async (i) => i,
    );
    expect(out.records).toHaveLength(2);
    // the warmup request takes 1.5 s; the measured ones settle at once
    expect(Number(out.end_ns - out.start_ns) / 1e6).toBeLessThan(1000);
  });

  it("the measured start is when the first measured request is due, even while it waits behind a warmup one", async () => {
    let started = false;
    const out = await runLoad(
      {
        concurrency: 1,
        requestRate: 1000,
        numRequests: null,
        durationS: 0.1,
        warmup: {
          requests: 1,
          // holds the only slot well past the measured requests' 0.1 s
          send: async () => {
            await sleep(1500);
            return -1;
          },
          onMeasuredStart: () => {
            started = true;
          },
        },
      },
      async (i) => i,
    );
    expect(started).toBe(true);
    expect(out.records).toHaveLength(0);
  });

  it("warmup requests in flight hold concurrency slots like measured ones", async () => {
    let inFlight = 0;
    let most = 0;
    const hold = async () => {
      most = Math.max(most, ++inFlight);
      await sleep(5);
      inFlight--;
      return 0;
    };
    await runLoad(
      {
        concurrency: 3,
        requestRate: null,
        numRequests: 6,
        durationS: null,
        warmup: { requests: 6, send: hold },
      },
      hold,
    );
    expect(most).toBe(3);
  });
});
