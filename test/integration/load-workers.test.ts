/**
 * `--workers N` (issue 27, item 2; src/execute/load-workers.ts): two worker threads against the scripted
 * test server send the shares of one schedule; the union of their raw records is the result, counted as one
 * worker's run would be, its percentiles computed over the union; each worker's capacity is recorded.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readResult } from "../../src/results/io.js";
import { summarize } from "../../src/stats/descriptive.js";
import { EXIT } from "../../src/util/errors.js";
import { runCliAsync } from "../support/processes.js";
import { scriptedServerPerTest } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-workers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bench = (url: string, workers: number, out: string) => [
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
  "60",
  "--concurrency",
  "4",
  "--warmup",
  "1",
  "--max-new-tokens",
  "4",
  "--workers",
  String(workers),
  "--output",
  out,
];

describe("--workers", () => {
  it("two worker threads: the union of their records counts as one worker's run, percentiles over it", async () => {
    const server = await serve(() => ({ kind: "stream", tokens: 4, chunkDelayMs: 5 }));
    const one = join(dir, "one.json");
    const two = join(dir, "two.json");
    for (const [n, out] of [
      [1, one],
      [2, two],
    ] as const) {
      const r = await runCliAsync(bench(server.baseUrl, n, out), { timeoutMs: 90_000 });
      expect(r.status, r.stderr).toBe(EXIT.ok);
    }
    const a = readResult(one);
    const b = readResult(two);
    if (a.mode !== "generation" || b.mode !== "generation") throw new Error("generation results expected");
    expect(b.serving?.requests).toEqual(a.serving?.requests);
    expect(b.samples.map((s) => s.round)).toEqual([...Array(12).keys()]);
    expect(b.samples.map((s) => s.output_tokens)).toEqual(a.samples.map((s) => s.output_tokens));
    const workers = b.serving?.workers ?? [];
    expect(workers.map((w) => w.worker)).toEqual([0, 1]);
    expect(workers.map((w) => w.requests)).toEqual([6, 6]);
    for (const w of workers) {
      expect(w.output_tokens_per_second).toBeGreaterThan(0);
      expect(w.event_loop_utilization).toBeGreaterThanOrEqual(0);
      expect(w.event_loop_utilization).toBeLessThanOrEqual(1);
    }
    expect(a.serving?.workers).toBeUndefined();
    // the percentiles are those of the union of the samples (a request whose chunks a busy client read at once
    // has no TTFT: docs/serving.md, buffered streams)
    const ttft = b.samples.map((s) => s.ttft_ms).filter((t): t is number => t !== null);
    expect(ttft.length).toBeGreaterThan(0);
    expect(b.serving?.ttft_ms).toMatchObject({
      n: ttft.length,
      p99: summarize(ttft).p99,
      median: summarize(ttft).median,
    });
  }, 180_000);

  it("--workers out of range or above --concurrency: one line, exit 2", async () => {
    const base = ["bench", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1"];
    const bad = await runCliAsync([...base, "--workers", "65"]);
    expect(bad.status).toBe(EXIT.usage);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--workers must be a positive integer up to 64/);
  }, 60_000);
});
