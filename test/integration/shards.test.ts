/**
 * Shards on loopback (issue 27, item 5): two `perf-baseline bench --shard I/2` processes send their halves of
 * one seeded schedule from a common `--start-at` to the scripted test server; `perf-baseline merge` joins
 * them into one result holding every request once; shards of two runs are refused with one line, exit 5.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readResult } from "../../src/results/io.js";
import { EXIT } from "../../src/util/errors.js";
import { runCliAsync } from "../support/processes.js";
import { scriptedServerPerTest } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-shards-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bench command of shard `i` of 2, starting at `startAt` (epoch ms), writing to `out`. */
const shardRun = (url: string, i: number, startAt: number, out: string) => [
  "bench",
  "--engine",
  "openai",
  "--base-url",
  url,
  "--model",
  "scripted-model",
  "--num-requests",
  "12",
  "--request-rate",
  "40",
  "--concurrency",
  "2",
  "--warmup",
  "0",
  "--max-new-tokens",
  "4",
  "--shard",
  `${i}/2`,
  "--start-at",
  String(startAt),
  "--output",
  out,
];

describe("shards of one run on loopback", () => {
  it("two shard processes from a common start merge into one result of every request", async () => {
    const server = await serve(() => ({ kind: "stream", tokens: 4, chunkDelayMs: 5 }));
    const url = server.baseUrl;
    // a start far enough ahead for both processes to load (tsx) and warm up on a busy machine
    const runShards = async (startAt: number, tag: string) => {
      const outs = [0, 1].map((i) => join(dir, `${tag}-${i}.json`));
      const runs = await Promise.all(
        [0, 1].map((i) => runCliAsync(shardRun(url, i, startAt, outs[i] as string), { timeoutMs: 90_000 })),
      );
      for (const r of runs) expect(r.status, r.stderr).toBe(EXIT.ok);
      return outs;
    };
    const start = Date.now() + 15_000;
    const outs = await runShards(start, "a");
    const shards = outs.map((f) => readResult(f));
    expect(shards.map((r) => r.serving?.shard?.index)).toEqual([0, 1]);
    expect(shards[0]?.serving?.shard?.run_id).toBe(shards[1]?.serving?.shard?.run_id);
    expect(shards[0]?.serving?.shard?.planned_start).toBe(new Date(start).toISOString());
    expect(shards.map((r) => r.samples.map((s) => s.round))).toEqual([
      [0, 2, 4, 6, 8, 10],
      [1, 3, 5, 7, 9, 11],
    ]);
    expect(shards[0]?.load?.shards).toBe(2);
    for (const x of shards) expect(x.serving?.shard?.start_lag_ms).toBeGreaterThanOrEqual(0);

    const merged = join(dir, "merged.json");
    const m = await runCliAsync(["merge", merged, ...outs]);
    expect(m.status, m.stderr).toBe(EXIT.ok);
    expect(m.stderr).toMatch(/merged 2 shards: 12 completed, 0 failed/);
    const r = readResult(merged);
    expect(r.samples.map((s) => s.round)).toEqual([...Array(12).keys()]);
    expect(r.serving?.requests).toMatchObject({ planned: 12, sent: 12, completed: 12, failed: 0 });
    expect(r.serving?.shard).toMatchObject({ index: null, count: 2 });
    expect(JSON.parse(readFileSync(merged, "utf8")).serving.ttft_ms.n).toBe(12);

    // a shard of another run (another start): refused, one line, exit 5
    const other = await runShards(Date.now() + 15_000, "b");
    const refused = await runCliAsync([
      "merge",
      join(dir, "mixed.json"),
      outs[0] as string,
      other[1] as string,
    ]);
    expect(refused.status).toBe(EXIT.badResultFile);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/b-1\.json: a shard of another run/);
  }, 240_000);

  it("--shard and --start-at out of range: one line, exit 2, before anything runs", async () => {
    const base = ["bench", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1"];
    const bad = await runCliAsync([...base, "--shard", "2/2"]);
    expect(bad.status).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--shard 2\/2: I must be 0 to 1/);
    const past = await runCliAsync([...base, "--start-at", "2020-01-01T00:00:00Z"]);
    expect(past.status).toBe(EXIT.usage);
    expect(past.stderr).toMatch(/--start-at 2020-01-01T00:00:00Z is [\d.]+ s in the past/);
    const ahead = await runCliAsync([...base, "--start-at", String(Date.now() + 2 * 86_400_000)]);
    expect(ahead.stderr).toMatch(/more than 24 h ahead/);
  }, 60_000);
});
