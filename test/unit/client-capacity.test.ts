/**
 * The client-capacity figures and the saturation test (src/measure/client-capacity.ts) on synthesised records
 * and figures: the lag percentiles, the achieved rate, each limit, and a low rate excused by the concurrency cap.
 */
import { describe, expect, it } from "vitest";
import {
  CLIENT_LIMITS,
  type ClientFigures,
  clientSaturation,
  evidenceText,
  scheduleFigures,
} from "../../src/measure/client-capacity.js";
import { rateNotKept } from "../../src/results/client-capacity.js";

const kept: ClientFigures = {
  event_loop_delay_p99_ms: 2,
  schedule_lag_p99_ms: 0.5,
  achieved_rate_fraction: 0.999,
  queue_wait_p99_ms: 0,
  client_cores: 0.3,
};

describe("client capacity", () => {
  it("a client that kept up shows no evidence", () => {
    expect(clientSaturation(kept)).toEqual([]);
    expect(clientSaturation({ ...kept, event_loop_delay_p99_ms: null, client_cores: null })).toEqual([]);
  });

  it("each figure past its limit is evidence, in a fixed order, and reads as one phrase", () => {
    const e = clientSaturation({
      event_loop_delay_p99_ms: 60,
      schedule_lag_p99_ms: 40,
      achieved_rate_fraction: 0.7,
      queue_wait_p99_ms: 0,
      client_cores: 0.98,
    });
    expect(e.map((x) => x.figure)).toEqual([
      "event_loop_delay_p99_ms",
      "schedule_lag_p99_ms",
      "achieved_rate_fraction",
      "client_cores",
    ]);
    expect(e.map(evidenceText)).toEqual([
      `event-loop delay p99 60.0 ms > ${CLIENT_LIMITS.event_loop_delay_p99_ms} ms`,
      `lag behind planned arrivals p99 40.0 ms > ${CLIENT_LIMITS.schedule_lag_p99_ms} ms`,
      `achieved 0.700 of the requested rate < ${CLIENT_LIMITS.achieved_rate_fraction}`,
      `client used 0.98 CPU cores >= ${CLIENT_LIMITS.client_cores}`,
    ]);
  });

  it("a low achieved rate while requests waited for a slot is the server's, not the client's", () => {
    expect(clientSaturation({ ...kept, achieved_rate_fraction: 0.5, queue_wait_p99_ms: 300 })).toEqual([]);
  });

  it("a rate not kept for want of slots is a warning of its own (raise --concurrency), not saturation", () => {
    const capped = { ...kept, achieved_rate_fraction: 0.07, queue_wait_p99_ms: 3689 };
    expect(rateNotKept(capped, 4)).toEqual({
      code: "rate_not_kept",
      achieved: 0.07,
      queue_wait_p99_ms: 3689,
      concurrency: 4,
    });
    expect(rateNotKept(kept, 4)).toBeNull();
    expect(rateNotKept({ ...capped, queue_wait_p99_ms: 1 }, 4)).toBeNull(); // the client's lateness instead
    expect(rateNotKept({ ...capped, achieved_rate_fraction: null }, 4)).toBeNull(); // no planned rate
    expect(rateNotKept(null, 4)).toBeNull();
  });

  it("schedule figures: lag percentiles from the scheduling delays, the planned span over the span taken", () => {
    const ms = (x: number) => BigInt(Math.round(x * 1e6));
    const start = 1_000_000_000n;
    // planned every 10 ms; sent 1 ms late each, the last 20 ms late
    const records = Array.from({ length: 11 }, (_, i) => ({
      planned_offset_ns: ms(10 * i),
      sent_ns: start + ms(10 * i + (i === 10 ? 20 : 1)),
      scheduling_delay_ns: ms(i === 10 ? 20 : 1),
    }));
    const f = scheduleFigures(records, start);
    expect(f.schedule_lag_ms?.p50).toBeCloseTo(1, 9);
    expect(f.schedule_lag_ms?.p99).toBeGreaterThan(1);
    expect(f.achieved_rate_fraction).toBeCloseTo(100 / 120, 9);
    const unplanned = records.map((r) => ({ ...r, planned_offset_ns: null }));
    expect(scheduleFigures(unplanned, start).achieved_rate_fraction).toBeNull();
    expect(scheduleFigures([], start)).toEqual({ schedule_lag_ms: null, achieved_rate_fraction: null });
  });
});
