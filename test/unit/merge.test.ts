/**
 * `merge` (src/results/merge.ts) on synthesised shards: the results of N shards of one run, built by the
 * serving builder from their share of one set of requests, merge into a result whose every percentile equals
 * the one computed over the union of their samples; shards of two runs, a missing shard and a duplicated one
 * are refused with one line each.
 */
import { describe, expect, it } from "vitest";
import { captureEnvironment } from "../../src/environment/capture.js";
import type { GenerationSuccess } from "../../src/measure/requests.js";
import { inShard } from "../../src/measure/shard.js";
import {
  buildServingGenerationResult,
  type ServingContext,
  type ServingRun,
} from "../../src/results/build-serving.js";
import { mergeShards } from "../../src/results/merge.js";
import type { GenerationResult } from "../../src/results/schema.js";
import { recordShard } from "../../src/results/shard.js";
import { ResultFileError } from "../../src/util/errors.js";
import { mulberry32 } from "../../src/util/prng.js";
import { generationWorkload, workloadDigest } from "../../src/workload/workload.js";

const MS = 1_000_000n;
const environment = captureEnvironment();
const REQUESTS = 60;
const START_AT = Date.parse("2026-12-06T10:00:00.000Z");

function context(shards: number): ServingContext {
  const workload = generationWorkload(8);
  return {
    tool_version: "0.0.0-test",
    environment,
    engine: {
      name: "openai",
      versions: { server: "scripted" },
      details: { base_url: "http://127.0.0.1:1/v1" },
    },
    settings: {
      threads: null,
      embedding_threads: null,
      batch_size: null,
      context_size: null,
      gpu: "server",
      gpu_layers: null,
    },
    model: {
      path: "m",
      sha256: null,
      size_bytes: null,
      architecture: null,
      name: "m",
      parameter_count: null,
      quantization: null,
      dummy: false,
      preset: null,
      context_length: null,
      embedding_length: null,
      block_count: null,
      vocab_size: null,
    },
    invocation: { command: "test", argv: [], cwd: "." },
    git: null,
    started_at: "2026-12-06T10:00:00.000Z",
    finished_at: "2026-12-06T10:00:02.000Z",
    warnings: [],
    workload,
    workload_digest: workloadDigest(workload),
    load: {
      endpoint: "completions",
      concurrency: 4,
      request_rate: 30,
      burstiness: 1,
      arrival_seed: 0,
      num_requests: REQUESTS,
      duration_s: null,
      output_length: "fixed",
      stream: true,
      ...(shards > 1 ? { shards } : {}),
    },
    warmup_requests: 0,
    timeouts_ms: { connect: 1, first_byte: 1, idle: 1, total: 1 },
    chunk_handling_ns: [0.01, 0.02],
    event_loop_delay_ms: null,
  };
}

/** Request i of the run: sent at 30 ms x i, 8 one-token chunks with seeded gaps (some requests failed). */
function requests(): Array<GenerationSuccess | null> {
  const rng = mulberry32(7);
  return Array.from({ length: REQUESTS }, (_, i) => {
    if (i % 17 === 5) return null;
    const start = BigInt(30 * i) * MS;
    let t = start + BigInt(Math.round((20 + 80 * rng()) * 1e6));
    const chunks: bigint[] = [];
    for (let k = 0; k < 8; k++) {
      chunks.push(t);
      t += BigInt(Math.round((2 + 20 * rng()) * 1e6));
    }
    return {
      ok: true,
      retries: 0,
      start_ns: start,
      headers_ns: start + MS,
      first_token_ns: chunks[0] as bigint,
      end_ns: t,
      chunk_times_ns: BigInt64Array.from(chunks),
      chunk_chars: chunks.map(() => 4),
      text: " tok".repeat(8),
      usage: { prompt_tokens: 5, completion_tokens: 8 },
      finish_reason: "length",
      done_marker: true,
    };
  });
}

/** The run of the requests of `shard` (all of them when null). */
function runOf(all: Array<GenerationSuccess | null>, shard: { index: number; count: number } | null) {
  const run: ServingRun<GenerationSuccess> = {
    records: all
      .map((o, index) => ({ o, index }))
      .filter(({ index }) => inShard(shard, index))
      .map(({ o, index }) => ({
        index,
        planned_offset_ns: BigInt(30 * index) * MS,
        sent_ns: BigInt(30 * index) * MS,
        queue_wait_ns: 0n,
        scheduling_delay_ns: 0n,
        outcome:
          o ??
          ({
            ok: false,
            cause: "http_503",
            detail: "busy",
            status: 503,
            start_ns: 0n,
            end_ns: MS,
            retries: 0,
          } as const),
      })),
    start_ns: 0n,
    end_ns: 2000n * MS,
    complete: true,
  };
  return run;
}

function shards(count: number, startAtMs = START_AT): GenerationResult[] {
  const all = requests();
  return Array.from({ length: count }, (_, index) => {
    const r = buildServingGenerationResult(context(count), runOf(all, { index, count }));
    recordShard(r, { shard: { index, count }, startAtMs, lagMs: index });
    return r;
  });
}

const inputs = (rs: GenerationResult[]) => rs.map((result, i) => ({ result, source: `shard-${i}.json` }));

describe("merge", () => {
  it("N shards merge into the figures of the union of their samples, every percentile exact", () => {
    for (const n of [2, 3, 5]) {
      const union = buildServingGenerationResult(context(n), runOf(requests(), null));
      const merged = mergeShards(inputs(shards(n))) as GenerationResult;
      const [u, m] = [union.serving, merged.serving];
      for (const key of ["ttft_ms", "tpot_ms", "itl_ms", "e2e_latency_ms"] as const)
        expect(m?.[key], `${n} shards: ${key}`).toEqual(u?.[key]);
      expect(merged.statistics).toEqual(union.statistics);
      expect(merged.samples).toEqual(union.samples);
      expect(m?.requests).toEqual(u?.requests);
      expect(m?.failures).toEqual(u?.failures);
      expect(m?.total_output_tokens).toBe(u?.total_output_tokens);
      expect(m?.output_tokens_per_second).toBeCloseTo(u?.output_tokens_per_second ?? 0, 9);
      expect(m?.shard).toMatchObject({ index: null, count: n, start_lag_ms: n - 1 });
    }
  });

  it("refuses shards of two runs, a missing shard and a duplicated one, naming the file", () => {
    const a = shards(2);
    const b = shards(2, START_AT + 60_000);
    const one = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(ResultFileError);
        return (err as Error).message;
      }
      throw new Error("not refused");
    };
    expect(one(() => mergeShards(inputs([a[0] as GenerationResult, b[1] as GenerationResult])))).toMatch(
      /^shard-1\.json: a shard of another run \(run [0-9a-f]{12} of 2 shards; shard-0\.json is of run [0-9a-f]{12} of 2\)$/,
    );
    expect(one(() => mergeShards(inputs([a[0] as GenerationResult])))).toMatch(/has 2 shards; missing 1\/2$/);
    expect(one(() => mergeShards(inputs([a[0] as GenerationResult, a[0] as GenerationResult])))).toMatch(
      /^shard-1\.json: shard 0\/2 given twice \(also shard-0\.json\)$/,
    );
    const plain = buildServingGenerationResult(context(1), runOf(requests(), null));
    expect(one(() => mergeShards(inputs([plain])))).toMatch(/not a shard's result/);
  });
});
