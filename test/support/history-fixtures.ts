/**
 * Results for the history and report tests, synthesised from the real fixture results (test/fixtures/gate):
 * a series over commits with a level shift, distinct by time and commit; a serving run with latencies.
 */
import { createHash } from "node:crypto";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { summarize } from "../../src/stats/index.js";
import { syntheticSeries } from "./change-points-check.js";
import { clone, fixture, mapMetric } from "./gate-fixtures.js";

/** A fake 40-hex commit id derived from a label. */
export function fakeCommit(label: string): string {
  return createHash("sha1").update(label).digest("hex");
}

/** `r` with its rounds replaced by `level` with 1 % noise, run at `time` on `commit`, statistics recomputed. */
export function atLevel(
  r: BenchmarkResult,
  level: number,
  time: Date,
  commit: string,
  seed: number,
): BenchmarkResult {
  const noise = syntheticSeries(seed, r.samples.length, 0.01, undefined, 1);
  const c = mapMetric(r, (_x, i) => level * (noise[i] as number));
  c.started_at = time.toISOString();
  c.finished_at = new Date(time.getTime() + 30_000).toISOString();
  c.git = { commit, dirty: false };
  if (c.mode === "generation") {
    const tps = c.samples.map((s) => s.tokens_per_second);
    c.statistics.tokens_per_second = summarize(tps);
    // the headline figure is the samples' tokens over their time (results/build.ts), which reading checks
    const elapsed = c.samples.reduce((a, s) => a + s.elapsed_s, 0);
    c.tokens_per_second = c.samples.reduce((a, s) => a + s.output_tokens, 0) / elapsed;
  } else {
    const cps = c.samples.map((s) => s.calls_per_second);
    c.statistics.calls_per_second = summarize(cps);
    c.calls_per_second = summarize(cps).median;
    // each round's tokens/s and the headline figure follow the rounds' new time, as reading checks
    c.samples = c.samples.map((s) => ({ ...s, tokens_per_second: s.input_tokens / s.elapsed_s }));
    c.statistics.tokens_per_second = summarize(c.samples.map((s) => s.tokens_per_second));
    const elapsed = c.samples.reduce((a, s) => a + s.elapsed_s, 0);
    c.tokens_per_second = c.samples.reduce((a, s) => a + s.input_tokens, 0) / elapsed;
  }
  return parseResult(JSON.parse(JSON.stringify(c)), "synthetic");
}

/**
 * `n` generation results one hour apart from `start`, median 100 tokens/s, shifted by `step` (-0.1 = a 10 %
 * drop) from index `at` on; noise 3 % between runs (seeded).
 */
export function generationSeries(
  n: number,
  opts: { at?: number; step?: number; seed?: number; start?: Date; mode?: "generation" | "embedding" } = {},
): BenchmarkResult[] {
  const seed = opts.seed ?? 1;
  const levels = syntheticSeries(
    seed,
    n,
    0.03,
    opts.at !== undefined ? { at: opts.at, by: opts.step ?? -0.1 } : undefined,
  );
  const start = opts.start ?? new Date("2026-11-01T00:00:00Z");
  const r = fixture(opts.mode === "embedding" ? "embedding-a" : "generation-a");
  return levels.map((level, i) =>
    atLevel(
      r,
      level,
      new Date(start.getTime() + i * 3_600_000),
      fakeCommit(`c${seed}-${i}`),
      seed * 1000 + i,
    ),
  );
}

/** A generation result of a serving run (engine openai, a load block, TTFT/ITL/TPOT/E2E per request). */
export function servingResult(): BenchmarkResult {
  const c = clone(fixture("generation-a")) as BenchmarkResult & { mode: "generation" };
  c.engine = { name: "openai", versions: {}, details: { base_url: "http://127.0.0.1:8080/v1/" } };
  c.load = {
    endpoint: "completions",
    concurrency: 4,
    request_rate: null,
    burstiness: 1,
    arrival_seed: 1,
    num_requests: 20,
    duration_s: null,
    output_length: "fixed",
    stream: true,
  };
  const lat = (base: number) => summarize(Array.from({ length: 20 }, (_, i) => base * (1 + i / 19) ** 2));
  c.serving = {
    requests: { planned: 20, sent: 20, completed: 20, failed: 0, interrupted: 0 },
    failures: [],
    duration_s: 5,
    requests_per_second: 4,
    client_overhead: {
      chunk_handling_ms: null,
      event_loop_delay_ms: null,
      scheduling_delay_ms: null,
      queue_wait_ms: null,
    },
    timeouts_ms: { connect: 5000, first_byte: 60000, idle: 30000, total: 300000 },
    total_input_tokens: 400,
    total_output_tokens: 1280,
    output_tokens_per_second: 256,
    total_tokens_per_second: 336,
    output_length: { requested: 64, fixed: true, min: 64, max: 64, counted_from: "usage" },
    ttft_ms: lat(40),
    tpot_ms: lat(8),
    itl_ms: lat(7),
    e2e_latency_ms: lat(600),
  };
  return parseResult(JSON.parse(JSON.stringify(c)), "synthetic serving result");
}
