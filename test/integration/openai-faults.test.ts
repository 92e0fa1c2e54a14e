/**
 * The openai engine against the scripted test server (test/support/scripted-server.ts): each fault of the
 * protocol with its expected outcome. Every run is a few requests with short timeouts, on 127.0.0.1 only.
 */
import { describe, expect, it } from "vitest";
import type { ServingOptions } from "../../src/engines/openai/options.js";
import { servingOutcome } from "../../src/execute/load-generator.js";
import { exitCodeOf } from "../../src/execute/outcome.js";
import { loadPlan, runServingBenchmark } from "../../src/execute/serving.js";
import { arrivalOffsets } from "../../src/measure/arrivals.js";
import { EXIT } from "../../src/util/errors.js";
import { refusedPort, type Script } from "../support/scripted-server.js";
import {
  embeddingOf,
  generationOf,
  type ServingOverrides,
  scriptedServerPerTest,
  servingOptions,
} from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();
const options = (baseUrl: string, o: ServingOverrides = {}) => servingOptions(baseUrl, o);
const gen = generationOf;
const emb = embeddingOf;

const ok: Script = { kind: "stream", tokens: 8 };

/** One failing request among three: its cause, the others complete, the run fails unless tolerated. */
async function oneFailure(bad: Script, timeouts?: ServingOptions["timeouts"]) {
  const s = await serve((n) => (n === 1 ? bad : ok));
  const t0 = Date.now();
  const r = gen(await runServingBenchmark(options(s.baseUrl, timeouts ? { timeouts } : {})));
  const elapsed = Date.now() - t0;
  expect(r.serving?.requests).toMatchObject({ planned: 3, sent: 3, completed: 2, failed: 1, interrupted: 0 });
  expect(r.samples.map((x) => x.round)).toEqual([0, 2]);
  expect(exitCodeOf(servingOutcome(r, false))).toBe(EXIT.runFailed);
  expect(exitCodeOf(servingOutcome(r, true))).toBe(EXIT.ok);
  return { failure: r.serving?.failures[0], result: r, elapsed };
}

describe("failed requests are counted by cause and fail the run", () => {
  it("HTTP 503: counted as http_503 with the server's message", async () => {
    const { failure, result } = await oneFailure({
      kind: "status",
      status: 503,
      body: '{"error":"overloaded"}',
    });
    expect(failure).toMatchObject({ cause: "http_503", count: 1 });
    expect(failure?.example).toContain("overloaded");
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        code: "requests_failed",
        failed: 1,
        sent: 3,
        tolerated: false,
        text: expect.stringMatching(/^1 of 3 requests failed: http_503/),
      }),
    );
  });

  it("a connection reset before any answer, on the reused connection and its fresh retry: connection_reset", async () => {
    const s = await serve((n) => (n === 1 || n === 2 ? { kind: "reset" } : ok));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.requests).toMatchObject({ sent: 3, completed: 2, failed: 1, retried: 1 });
    expect(r.serving?.failures[0]?.cause).toBe("connection_reset");
    expect(exitCodeOf(servingOutcome(r, false))).toBe(EXIT.runFailed);
  });

  it("no response headers: first_byte_timeout, within the bound", async () => {
    const { failure, elapsed } = await oneFailure({ kind: "stall" });
    expect(failure?.cause).toBe("first_byte_timeout");
    expect(elapsed).toBeLessThan(5_000);
  });

  it("a stream that stalls mid-way: idle_timeout", async () => {
    const { failure } = await oneFailure({ kind: "stream", tokens: 8, stallAt: 3 });
    expect(failure?.cause).toBe("idle_timeout");
  });

  it("a stream that drips past the request timeout: total_timeout", async () => {
    const { failure } = await oneFailure(
      { kind: "stream", tokens: 40, chunkDelayMs: 100 },
      {
        connect_ms: 2_000,
        first_byte_ms: 600,
        idle_ms: 400,
        total_ms: 700,
      },
    );
    expect(failure?.cause).toBe("total_timeout");
  });

  it("a stream cut mid-way: stream_cut", async () => {
    const { failure } = await oneFailure({ kind: "stream", tokens: 8, cutAt: 4 });
    expect(failure?.cause).toBe("stream_cut");
  });

  it("malformed SSE data: malformed_sse", async () => {
    const { failure } = await oneFailure({ kind: "stream", tokens: 8, malformedAt: 2 });
    expect(failure?.cause).toBe("malformed_sse");
    expect(failure?.example).toContain("not JSON");
  });

  it("an error event in the stream: stream_error", async () => {
    const { failure } = await oneFailure({ kind: "stream", tokens: 8, errorAt: 2 });
    expect(failure).toMatchObject({ cause: "stream_error" });
    expect(failure?.example).toContain("scripted failure");
  });

  it("a stream that ends with neither [DONE] nor a finish_reason: stream_incomplete", async () => {
    const { failure } = await oneFailure({ kind: "stream", tokens: 8, done: false, finish: false });
    expect(failure?.cause).toBe("stream_incomplete");
  });

  it("JSON where a stream was asked for: bad_response", async () => {
    const { failure } = await oneFailure({ kind: "stream", contentType: "application/json" });
    expect(failure?.cause).toBe("bad_response");
  });

  it("tolerated failures: the result lists them and the exit code is 0", async () => {
    const s = await serve((n) => (n === 0 ? { kind: "status", status: 500 } : ok));
    const r = gen(await runServingBenchmark(options(s.baseUrl, { tolerateFailures: true })));
    expect(r.serving?.failures).toEqual([expect.objectContaining({ cause: "http_500", count: 1 })]);
    expect(exitCodeOf(servingOutcome(r, true))).toBe(EXIT.ok);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: "requests_failed", tolerated: true }));
    expect(r.warnings.map((w) => w.text).join(" ")).not.toContain("--tolerate-failures accepts");
    // a serving result records the machine's load during its measured requests (the gate's contention rules)
    expect(r.machine_load?.wall_s).toBeGreaterThan(0);
    expect(r.machine_load?.process_cores).toBeGreaterThanOrEqual(0);
  });

  it("every request failing: one error naming the causes, no result", async () => {
    const s = await serve(() => ({ kind: "status", status: 502 }));
    await expect(runServingBenchmark(options(s.baseUrl))).rejects.toThrow(
      /all 3 measured requests failed: http_502 x3/,
    );
  });
});

describe("protocol variants that are not failures", () => {
  it("no [DONE] but a finish_reason: completes", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, done: false }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.requests.completed).toBe(3);
    expect(r.serving?.output_length).toMatchObject({ fixed: true, counted_from: "usage" });
  });

  it("usage on the finish chunk (llama-server's way) is used", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, usage: "finish" }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.samples.every((x) => x.output_tokens_source === "usage" && x.output_tokens === 8)).toBe(true);
    expect(r.serving?.total_input_tokens).toBe(15);
  });

  it("usage never sent: tokens counted as text chunks, prompt tokens unknown, said in a warning", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, usage: "never" }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.output_length).toMatchObject({ counted_from: "chunks", fixed: true });
    expect(r.samples[0]?.output_tokens).toBe(8);
    expect(r.samples[0]?.prompt_tokens).toBe(0);
    expect(r.workload.prompt_tokens).toBeNull();
    expect(r.warnings).toContainEqual(
      expect.objectContaining({ code: "usage_missing_some", text: expect.stringMatching(/no usage/) }),
    );
  });

  it("several tokens per chunk: the usage counts tokens, each chunk is one arrival", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, tokensPerChunk: 4, chunkDelayMs: 5 }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    const sample = r.samples[0];
    expect(sample?.output_tokens).toBe(8);
    expect(sample?.chunk_gaps_ms).toHaveLength(1);
    expect(sample?.tpot_ms).toBeGreaterThan(0);
  });

  it("several tokens per chunk and no usage: the real count is lower, the run says so", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, tokensPerChunk: 4, usage: "never" }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.output_length).toMatchObject({ fixed: false, min: 2, max: 2, counted_from: "chunks" });
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "output_length_not_fixed",
        requested: 8,
        text: expect.stringMatching(/did not generate exactly 8 tokens/),
      }),
    );
  });

  it("chunks with no text carry no token: TTFT waits for the first text", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 4, emptyChunks: true, chunkDelayMs: 20 }));
    const r = gen(await runServingBenchmark(options(s.baseUrl, { maxNewTokens: 4 })));
    const sample = r.samples[0];
    expect(sample?.chunk_gaps_ms).toHaveLength(3);
    expect(sample?.ttft_ms).toBeGreaterThan(0);
    expect(r.serving?.output_length.fixed).toBe(true);
  });

  it("a server that ignores ignore_eos: real counts, fixed false, a warning", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 5 }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.output_length).toMatchObject({ requested: 8, fixed: false, min: 5, max: 5 });
    expect(r.samples[0]?.output_tokens).toBe(5);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "output_length_not_fixed",
        fixed_sent: true,
        text: expect.stringMatching(/ignore_eos\/min_tokens were sent but not honoured/),
      }),
    );
  });
});

describe("requests and errors before the run", () => {
  it("sends greedy, streamed requests with max_tokens, ignore_eos, min_tokens and include_usage", async () => {
    const s = await serve(() => ok);
    await runServingBenchmark(options(s.baseUrl, { numRequests: 1, endpoint: "chat" }));
    const post = s.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/v1/chat/completions");
    expect(post?.body).toMatchObject({
      model: "scripted-model",
      max_tokens: 8,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      min_tokens: 8,
    });
    expect(post?.body?.messages).toEqual([{ role: "user", content: expect.any(String) }]);
  });

  it("a server that rejects ignore_eos: the warmup fails with one line suggesting --output-length natural", async () => {
    const s = await serve((_n) => ({
      kind: "status",
      status: 400,
      body: '{"error":"unknown field ignore_eos"}',
    }));
    await expect(runServingBenchmark(options(s.baseUrl, { warmup: 1 }))).rejects.toThrow(
      /1 of 1 warmup requests failed: http_400.*--output-length natural/,
    );
  });

  it("--output-length natural sends max_tokens only", async () => {
    const s = await serve(() => ok);
    const r = gen(await runServingBenchmark(options(s.baseUrl, { numRequests: 1, outputLength: "natural" })));
    const post = s.requests.find((x) => x.method === "POST");
    expect(post?.body).not.toHaveProperty("ignore_eos");
    expect(post?.body).not.toHaveProperty("min_tokens");
    expect(r.load?.output_length).toBe("natural");
  });

  it("connection refused: one line before the run", async () => {
    const port = await refusedPort();
    await expect(runServingBenchmark(options(`http://127.0.0.1:${port}/v1`))).rejects.toThrow(
      /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1: ECONNREFUSED.*check --base-url/,
    );
  });

  it("a model the server does not serve: one line listing the served ones", async () => {
    const s = await serve(() => ok, { models: ["alpha", "beta"] });
    await expect(runServingBenchmark(options(s.baseUrl))).rejects.toThrow(
      /model "scripted-model" is not served by .* \(served: alpha, beta\)/,
    );
    expect(s.requests.filter((r) => r.method === "POST")).toHaveLength(0);
  });

  it("no --model: the only served model is used", async () => {
    const s = await serve(() => ok, { models: ["only-one"] });
    const r = gen(
      await runServingBenchmark({
        ...options(s.baseUrl),
        openai: { ...options(s.baseUrl).openai, model: undefined },
      }),
    );
    expect(r.model.name).toBe("only-one");
    expect(r.model.sha256).toBeNull();
  });

  it("a server that goes away mid-run: the run stops after UNREACHABLE_STOP refusals in a row, the result says so", async () => {
    let s: Awaited<ReturnType<typeof serve>> | null = null;
    s = await serve((n) => {
      if (n === 3) void s?.close();
      return ok;
    });
    const started = Date.now();
    const r = gen(
      await runServingBenchmark(
        options(s.baseUrl, { numRequests: null, durationS: 60, concurrency: 2, tolerateFailures: true }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.complete).toBe(false);
    expect(r.warnings.map((w) => w.code)).toContain("server_unreachable");
    expect(r.serving?.failures.map((f) => f.cause)).toContain("connection_refused");
    // a failed run (exit 7), not an interrupted one (130), failures tolerated or not; the partial result kept
    for (const tolerate of [true, false]) {
      const outcome = servingOutcome(r, tolerate);
      expect(exitCodeOf(outcome)).toBe(EXIT.runFailed);
      expect(outcome.result).toBe(r);
    }
  });

  it("no --model and a models list that fails: the error names the list's answer, not only --model", async () => {
    const s = await serve(() => ok, { modelsStatus: 404 });
    await expect(
      runServingBenchmark({
        ...options(s.baseUrl),
        openai: { ...options(s.baseUrl).openai, model: undefined },
      }),
    ).rejects.toThrow(
      /^--model is required with --engine openai \(the served model name\): the models list \/v1\/models answered HTTP 404/,
    );
  });

  it("401 on the models list: one line naming the key's variable", async () => {
    const s = await serve(() => ok, { modelsStatus: 401 });
    await expect(runServingBenchmark(options(s.baseUrl))).rejects.toThrow(
      /HTTP 401.*\$PERF_BASELINE_TEST_NO_KEY/,
    );
  });

  it("a bad model on a server without a models list: the warmup's 404 names --model", async () => {
    const s = await serve(() => ({ kind: "status", status: 404, body: '{"error":"model not found"}' }), {
      models: null,
    });
    await expect(runServingBenchmark(options(s.baseUrl, { warmup: 1 }))).rejects.toThrow(
      /http_404.*model not found.*check --base-url and --model/,
    );
  });

  it("server identity: the server header and llama-server's build_info go into engine.versions", async () => {
    const s = await serve(() => ok, {
      modelsHeaders: () => ({ server: "llama.cpp" }),
      props: () => ({ build_info: "b4567-abcdef", total_slots: 4, model_path: "/models/x.gguf" }),
    });
    const r = gen(await runServingBenchmark(options(s.baseUrl, { numRequests: 1 })));
    expect(r.engine).toMatchObject({
      name: "openai",
      versions: { server: "llama.cpp", owned_by: "scripted", llama_cpp: "b4567-abcdef" },
      details: { total_slots: 4, model_path: "/models/x.gguf" },
    });
  });
});

describe("embeddings", () => {
  it("--batch-size inputs per request, calls/s per request, usage tokens", async () => {
    const s = await serve(() => ({ kind: "embeddings" }));
    const r = emb(await runServingBenchmark(options(s.baseUrl, { mode: "embedding", batchSize: 3 })));
    const post = s.requests.find((x) => x.method === "POST");
    expect(post?.path).toBe("/v1/embeddings");
    expect(post?.body?.input).toHaveLength(3);
    expect(r.input_texts).toBe(3);
    expect(r.settings.batch_size).toBe(3);
    expect(r.samples).toHaveLength(3);
    expect(r.samples[0]).toMatchObject({ calls: 1, inputs: 3, input_tokens: 9 });
    expect(r.serving?.tokens_per_second).toBeGreaterThan(0);
    expect(r.output.consistent).toBe(true);
  });

  it("a wrong number of vectors or a body that is not JSON: bad_response", async () => {
    const s = await serve((n) =>
      n === 0 ? { kind: "embeddings", count: 1 } : { kind: "embeddings", malformed: n === 1 },
    );
    const r = emb(
      await runServingBenchmark(options(s.baseUrl, { mode: "embedding", tolerateFailures: true })),
    );
    expect(r.serving?.failures).toEqual([expect.objectContaining({ cause: "bad_response", count: 2 })]);
  });

  it("no usage: tokens/s unknown (null), said in a warning", async () => {
    const s = await serve(() => ({ kind: "embeddings", noUsage: true }));
    const r = emb(await runServingBenchmark(options(s.baseUrl, { mode: "embedding" })));
    expect(r.serving?.tokens_per_second).toBeNull();
    expect(r.warnings).toContainEqual(
      expect.objectContaining({ code: "usage_missing", text: expect.stringMatching(/no usage/) }),
    );
  });
});

describe("load and interruption", () => {
  it("--concurrency bounds the requests in flight; --request-rate plans seeded arrivals", async () => {
    let inFlight = 0;
    let most = 0;
    const s = await serve(() => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => inFlight--, 45); // before the reply at 50 ms: a new request can only follow the reply
      return { kind: "embeddings", delayMs: 50 };
    });
    const r = emb(
      await runServingBenchmark(
        options(s.baseUrl, { mode: "embedding", concurrency: 2, numRequests: 6, requestRate: 200 }),
      ),
    );
    expect(most).toBe(2);
    expect(r.load).toMatchObject({ concurrency: 2, request_rate: 200, burstiness: 1, num_requests: 6 });
    expect(r.serving?.client_overhead.queue_wait_ms?.n).toBe(6);
    expect(r.serving?.client_overhead.scheduling_delay_ms?.n).toBe(6);
  });

  it("with --request-rate the warmup runs at that rate, at the head of the measured run's schedule", async () => {
    const times: number[] = [];
    const s = await serve(() => {
      times.push(performance.now());
      return { kind: "embeddings" };
    });
    const o = { mode: "embedding", warmup: 6, numRequests: 2, requestRate: 5, concurrency: 2 } as const;
    const r = await runServingBenchmark(options(s.baseUrl, o));
    expect(times).toHaveLength(8);
    // none opened ahead: those discovery and the warmup left open when the first measured request was due
    expect(r.serving?.connections?.ready_ahead ?? 0).toBeGreaterThanOrEqual(1);
    // the first six arrivals of the plan (seed 0) span 0.97 s; sent as fast as the concurrency allows, the six
    // warmup requests would take milliseconds (the margin is for a busy machine delaying the first one)
    const next = arrivalOffsets({ requestRate: 5, burstiness: 1, seed: 0 }, 6);
    const planned = Array.from({ length: 6 }, () => next() as number);
    const spanMs = (planned[5] as number) * 1000;
    expect(spanMs).toBeGreaterThan(900);
    expect((times[5] as number) - (times[0] as number)).toBeGreaterThan(spanMs - 500);
    // one shape for both phases' plans (the load loop's compiled code stays valid from one to the other)
    const warm = loadPlan(options(s.baseUrl, o), "warmup");
    const measured = loadPlan(options(s.baseUrl, o), "measured");
    expect(Object.keys(warm)).toEqual(Object.keys(measured));
    expect(warm).toMatchObject({
      requestRate: 5,
      concurrency: 2,
      numRequests: 6,
      durationS: null,
      shard: null,
    });
    // without a rate the warmup goes as fast as min(--concurrency, --warmup) allow, as before
    const fast = loadPlan(options(s.baseUrl, { ...o, requestRate: null, concurrency: 50 }), "warmup");
    expect(fast).toMatchObject({ requestRate: null, concurrency: 6 });
  });

  it("a warmup in the run: a failed warmup request stops it with the warmup's line; a stop in it is an interrupt", async () => {
    let seen = 0;
    const s = await serve((n) => {
      seen++;
      return n === 1 ? { kind: "status", status: 503, body: '{"error":"overloaded"}' } : ok;
    });
    const o = { warmup: 5, numRequests: 50, requestRate: 50, concurrency: 2 };
    await expect(runServingBenchmark(options(s.baseUrl, o))).rejects.toThrow(
      /1 of 5 warmup requests failed: http_503/,
    );
    // stopped at the failure: no measured request (50 at 50/s would take a second) was sent
    expect(seen).toBeLessThan(5 + 5);

    const stop = new AbortController();
    const slow = await serve(() => {
      stop.abort();
      return { kind: "stream", tokens: 8, chunkDelayMs: 30 };
    });
    await expect(runServingBenchmark(options(slow.baseUrl, { ...o, signal: stop.signal }))).rejects.toThrow(
      /interrupted during warmup/,
    );
  });

  it.each([
    ["in the run", {}],
    ["of its own (a shard)", { shard: { index: 0, count: 1 } }],
  ])(
    "a warmup %s: the server gone during it is an error that names the warmup's failures, tolerated or not",
    async (_where, extra) => {
      let s: Awaited<ReturnType<typeof serve>> | null = null;
      s = await serve((n) => {
        if (n === 3) void s?.close();
        return { kind: "embeddings" };
      });
      const o = {
        mode: "embedding",
        warmup: 400,
        numRequests: 5,
        requestRate: 5000,
        concurrency: 4,
      } as const;
      const run = options(s.baseUrl, { ...o, ...extra, tolerateFailures: true });
      await expect(runServingBenchmark(run)).rejects.toThrow(
        /of 400 warmup requests failed: connection_refused/,
      );
    },
  );

  it("a shard's warmup, a run of its own, goes at its share of the rate", () => {
    const o = { warmup: 10, requestRate: 40, shard: { index: 1, count: 4 } };
    expect(loadPlan(options("http://127.0.0.1:1", o), "warmup").requestRate).toBe(10);
    expect(loadPlan(options("http://127.0.0.1:1", o), "measured").requestRate).toBe(40);
  });

  it("--duration bounds the run when no count is given", async () => {
    const s = await serve(() => ({ kind: "embeddings", delayMs: 20 }));
    const t0 = Date.now();
    const r = emb(
      await runServingBenchmark(options(s.baseUrl, { mode: "embedding", numRequests: null, durationS: 0.3 })),
    );
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(r.serving?.requests.planned).toBeNull();
    expect(r.load?.duration_s).toBe(0.3);
    expect(r.samples.length).toBeGreaterThan(1);
    expect(r.complete).toBe(true);
  });

  it("an interrupted run: requests in flight dropped, partial result marked incomplete", async () => {
    // Ctrl-C once a request has completed: the server sees the third request (n = 2) only after one finished
    // (two at a time), whatever the machine's speed
    const stop = new AbortController();
    const s = await serve((n) => {
      if (n >= 2) stop.abort();
      return { kind: "stream", tokens: 8, chunkDelayMs: 30 };
    });
    const r = gen(
      await runServingBenchmark(options(s.baseUrl, { numRequests: 50, concurrency: 2, signal: stop.signal })),
    );
    expect(r.complete).toBe(false);
    expect(r.samples.length).toBeGreaterThan(0);
    expect(r.samples.length).toBeLessThan(50);
    expect(r.serving?.requests.failed).toBe(0);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({ code: "requests_interrupted", text: expect.stringMatching(/interrupted/) }),
    );
    expect(exitCodeOf(servingOutcome(r, false))).toBe(EXIT.interrupted);
  });
});
