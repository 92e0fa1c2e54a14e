/**
 * Shards (src/measure/shard.ts): `I/N` and the start time parsed with their ranges, each request index in
 * exactly one shard, a sharded load run sending its own requests at their planned offsets in the global
 * schedule, and the bounded wait for the common start.
 */
import { describe, expect, it } from "vitest";
import { shardOptionsFromFlags } from "../../src/engines/openai/shard-flags.js";
import { arrivalOffsets } from "../../src/measure/arrivals.js";
import { runLoad } from "../../src/measure/load.js";
import { inShard, parseShard, parseStartAt, waitForStart } from "../../src/measure/shard.js";
import { UsageError } from "../../src/util/errors.js";

const NOW = Date.parse("2026-12-06T10:00:00Z");

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error("not refused");
};

describe("shards", () => {
  it("I/N: parsed with its range", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard("3/4")).toEqual({ index: 3, count: 4 });
    expect(refused(() => parseShard("4/4"))).toBe("--shard 4/4: I must be 0 to 3");
    expect(refused(() => parseShard("0/0"))).toBe("--shard 0/0: N must be 1 to 10000");
    expect(refused(() => parseShard("1-4"))).toBe('--shard must be I/N (e.g. 0/4), got "1-4"');
  });

  it("every request index is in exactly one shard", () => {
    for (let i = 0; i < 50; i++)
      expect([0, 1, 2].filter((index) => inShard({ index, count: 3 }, i))).toEqual([i % 3]);
    expect(inShard(null, 7)).toBe(true);
  });

  it("--start-at: ISO-8601 with a zone or epoch ms, at most 5 s past and 24 h ahead", () => {
    expect(parseStartAt("2026-12-06T10:00:30Z", NOW)).toBe(NOW + 30_000);
    expect(parseStartAt("2026-12-06T11:00:00+01:00", NOW)).toBe(NOW);
    expect(parseStartAt(String(NOW - 4_000), NOW)).toBe(NOW - 4_000);
    expect(refused(() => parseStartAt("2026-12-06T09:59:50Z", NOW))).toMatch(
      /10\.0 s in the past \(at most 5 s\)$/,
    );
    expect(refused(() => parseStartAt("2026-12-08T10:00:00Z", NOW))).toMatch(/more than 24 h ahead$/);
    expect(refused(() => parseStartAt("2026-12-06 10:00", NOW))).toMatch(/ISO-8601 time with its zone/);
    expect(refused(() => parseStartAt("2026-12-06T10:00:00", NOW))).toMatch(/ISO-8601 time with its zone/);
  });

  it("a sharded run sends its own requests, each at its offset in the global schedule", async () => {
    const plan = { concurrency: 4, requestRate: 1000, arrivalSeed: 3, numRequests: 12, durationS: null };
    const next = arrivalOffsets({ requestRate: 1000, seed: 3 }, 12);
    const global = Array.from({ length: 12 }, () => BigInt(Math.round((next() as number) * 1e9)));
    const run = await runLoad({ ...plan, shard: { index: 1, count: 3 } }, async (i) => i);
    expect(run.records.map((r) => r.index)).toEqual([1, 4, 7, 10]);
    expect(run.records.map((r) => r.planned_offset_ns)).toEqual([1, 4, 7, 10].map((i) => global[i]));
  });

  it("the wait for the common start: on time, a time already past gives its lag, an abort ends it", async () => {
    expect(await waitForStart(Date.now() + 20)).toBeGreaterThanOrEqual(0);
    expect(await waitForStart(Date.now() - 1_000)).toBeGreaterThanOrEqual(1_000);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 10);
    const lag = await waitForStart(Date.now() + 60_000, abort.signal);
    expect(lag).toBe(0);
  });
});

describe("--workers inside a shard", () => {
  it("is refused in one line (each worker would take i mod N of the whole schedule)", () => {
    expect(() => shardOptionsFromFlags({ shard: "0/2", workers: "2" })).toThrow(UsageError);
    expect(() => shardOptionsFromFlags({ shard: "0/2", workers: "2" })).toThrow(/--workers with --shard/);
    expect(shardOptionsFromFlags({ shard: "0/2" }).workers).toBe(1);
  });
});

describe("--workers above --concurrency", () => {
  it("is refused from the flags, before the server is asked anything; a sweep's list is left to each point", () => {
    expect(() => shardOptionsFromFlags({ workers: "2", concurrency: "1" })).toThrow(
      /^--workers 2 needs --concurrency of at least 2 \(one request each\)$/,
    );
    expect(() => shardOptionsFromFlags({ workers: "2" })).toThrow(/needs --concurrency of at least 2/);
    expect(shardOptionsFromFlags({ workers: "2", concurrency: "2" }).workers).toBe(2);
    expect(shardOptionsFromFlags({ workers: "2", concurrency: "2,4" }).workers).toBe(2);
  });
});
