/**
 * The serving metrics formulas (src/results/build-serving.ts) on synthesised timestamps: TPOT and the decode
 * rate count the tokens after the first chunk, ITL stays the gap between chunks (vLLM), the per-token ITL
 * divides it by the chunk's tokens; and the builder refuses to return a result its own reader would refuse.
 */
import { describe, expect, it } from "vitest";
import { captureEnvironment } from "../../src/environment/capture.js";
import type { GenerationSuccess } from "../../src/measure/requests.js";
import {
  buildServingGenerationResult,
  chunkTokens,
  outputTokensOf,
  type ServingContext,
  type ServingRun,
} from "../../src/results/build-serving.js";
import { ResultFileError } from "../../src/util/errors.js";
import { generationWorkload, workloadDigest } from "../../src/workload/workload.js";

const MS = 1_000_000n;
const environment = captureEnvironment();

function context(over: Partial<ServingContext> = {}): ServingContext {
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
    started_at: "2026-01-01T00:00:00.000Z",
    finished_at: "2026-01-01T00:00:01.000Z",
    warnings: [],
    workload,
    workload_digest: workloadDigest(workload),
    load: {
      endpoint: "completions",
      concurrency: 1,
      request_rate: null,
      burstiness: 1,
      arrival_seed: 0,
      num_requests: 1,
      duration_s: null,
      output_length: "fixed",
      stream: true,
    },
    warmup_requests: 0,
    timeouts_ms: { connect: 1, first_byte: 1, idle: 1, total: 1 },
    chunk_handling_ns: [],
    event_loop_delay_ms: null,
    ...over,
  };
}

/** One request sent at 0: chunks at the given ms, each of `chars` characters, the stream's last read at endMs. */
function request(
  chunkMs: number[],
  chars: number[],
  usageTokens: number | null,
  endMs: number,
): GenerationSuccess {
  return {
    ok: true,
    retries: 0,
    start_ns: 0n,
    headers_ns: MS,
    first_token_ns: BigInt(chunkMs[0] as number) * MS,
    end_ns: BigInt(endMs) * MS,
    chunk_times_ns: BigInt64Array.from(chunkMs, (t) => BigInt(t) * MS),
    chunk_chars: chars,
    text: chars.map((c) => "x".repeat(c)).join(""),
    usage: usageTokens === null ? null : { prompt_tokens: 5, completion_tokens: usageTokens },
    finish_reason: "length",
    done_marker: true,
  };
}

function run(...outcomes: GenerationSuccess[]): ServingRun<GenerationSuccess> {
  return {
    records: outcomes.map((outcome, index) => ({
      index,
      planned_offset_ns: null,
      sent_ns: 0n,
      queue_wait_ns: 0n,
      scheduling_delay_ns: 0n,
      outcome,
    })),
    start_ns: 0n,
    end_ns: 1000n * MS,
    complete: true,
  };
}

describe("TPOT, decode rate and ITL when chunks carry several tokens", () => {
  it("4 tokens per chunk every 20 ms (usage 8): TPOT 5 ms, decode 200 tokens/s, ITL 20 ms, per token 5 ms", () => {
    const r = buildServingGenerationResult(context(), run(request([100, 120], [16, 16], 8, 120)));
    const s = r.samples[0];
    expect(s?.tpot_ms).toBeCloseTo(5, 9);
    expect(s?.decode_tokens_per_second).toBeCloseTo(200, 9);
    expect(s?.itl_ms).toBeCloseTo(20, 9);
    expect(s?.itl_per_token_ms).toBeCloseTo(5, 9);
    expect(r.serving?.tpot_ms?.median).toBeCloseTo(5, 9);
    expect(r.serving?.itl_ms?.median).toBeCloseTo(20, 9);
    expect(r.serving?.itl_per_token_ms?.median).toBeCloseTo(5, 9);
    expect(r.serving?.tokens_per_chunk).toBe(4);
    expect(r.warnings).toContainEqual({
      code: "chunks_not_tokens",
      tokens_per_chunk: 4,
      text: expect.stringMatching(/^chunks are not tokens here \(4\.00 output tokens per text chunk\)/),
    });
  });

  it("one token per chunk: the same as vLLM's (E2E - TTFT) / (tokens - 1), no per-token figure", () => {
    const r = buildServingGenerationResult(
      context(),
      run(request([100, 110, 120, 130], [4, 4, 4, 4], 4, 130)),
    );
    const s = r.samples[0];
    expect(s?.tpot_ms).toBeCloseTo(30 / 3, 9);
    expect(s?.decode_tokens_per_second).toBeCloseTo(3 / 0.03, 6);
    expect(s?.itl_per_token_ms).toBeUndefined();
    expect(r.serving?.itl_per_token_ms).toBeUndefined();
    expect(r.warnings).toEqual([]);
  });

  it("tokens are shared among chunks one each plus the rest by characters, summing to usage", () => {
    expect(chunkTokens([4, 4], 2)).toEqual([1, 1]);
    expect(chunkTokens([4, 4], 8)).toEqual([4, 4]);
    const t = chunkTokens([2, 6], 6);
    expect(t).toEqual([2, 4]);
    expect(chunkTokens([0, 0], 4)).toEqual([2, 2]);
  });

  it("usage below the text chunks contradicts the stream: the chunks are counted", () => {
    const o = request([100, 110, 120], [3, 3, 3], 0, 120);
    expect(outputTokensOf(o)).toEqual({ tokens: 3, source: "chunks", contradicted: true });
    expect(outputTokensOf(request([100], [3], null, 100))).toEqual({
      tokens: 1,
      source: "chunks",
      contradicted: false,
    });
  });
});

describe("never a result its reader refuses", () => {
  it("the builder validates with the reader's schema and throws instead of returning an invalid result", () => {
    const bad = context({ warmup_requests: -1 });
    expect(() => buildServingGenerationResult(bad, run(request([100, 120], [4, 4], 2, 120)))).toThrow(
      ResultFileError,
    );
  });

  it("late warnings (what only the built result tells) are added before redaction and validation", () => {
    const ctx = context({
      warnings: [{ code: "server_version_unknown" }],
      lateWarnings: (r) => [{ code: "models_not_listed", path: `/v1/${r.mode}/sk-XYZ` }],
      redact: (t) => t.split("sk-XYZ").join("[redacted]"),
    });
    const r = buildServingGenerationResult(ctx, run(request([100, 120], [4, 4], 2, 120)));
    expect(r.warnings.map((w) => w.code)).toEqual(["server_version_unknown", "models_not_listed"]);
    expect(r.warnings[1]).toEqual({
      code: "models_not_listed",
      path: "/v1/generation/[redacted]",
      text: "GET /v1/generation/[redacted] did not list models: the model name could not be checked",
    });
  });

  it("a redact function reaches every string of the result", () => {
    const ctx = context({ warnings: [{ code: "engine", message: "key sk-XYZ in a warning" }] });
    ctx.model.name = "m-sk-XYZ";
    const r = buildServingGenerationResult(
      { ...ctx, redact: (t) => t.split("sk-XYZ").join("[redacted]") },
      run(request([100, 120], [4, 4], 2, 120)),
    );
    expect(JSON.stringify(r)).not.toContain("sk-XYZ");
    expect(r.model.name).toBe("m-[redacted]");
    expect(r.warnings[0]).toEqual({
      code: "engine",
      message: "key [redacted] in a warning",
      text: "key [redacted] in a warning",
    });
  });
});
