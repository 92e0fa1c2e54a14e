/**
 * Faults found against real servers (issue 9), each replayed by the scripted test server
 * (test/support/scripted-server.ts) the way public bug reports describe real servers misbehaving, with the
 * outcome the result must show. Short timeouts, few requests, 127.0.0.1 only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openaiEngine } from "../../src/engines/openai/definition.js";
import { servingOutcome } from "../../src/execute/load-generator.js";
import { exitCodeOf } from "../../src/execute/outcome.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import { EXIT, UsageError } from "../../src/util/errors.js";
import type { Script } from "../support/scripted-server.js";
import {
  generationOf,
  type ServingOverrides,
  scriptedServerPerTest,
  servingOptions,
} from "../support/serving-fixtures.js";

const KEY_ENV = "PERF_BASELINE_TEST_FIELD_FAULTS_KEY";
afterEach(() => {
  delete process.env[KEY_ENV];
});
const serve = scriptedServerPerTest();
const options = (baseUrl: string, o: ServingOverrides = {}) => servingOptions(baseUrl, o, KEY_ENV);
const gen = generationOf;

const ok: Script = { kind: "stream", tokens: 8 };

describe("1. a keep-alive connection the server closed between requests", () => {
  it("a request that met a closed connection before any answer is sent again once, and counted", async () => {
    const s = await serve(() => ok, { closeReusedAfterIdleMs: 300 });
    const r = gen(
      await runServingBenchmark(
        options(s.baseUrl, { numRequests: 4, requestRate: 2, burstiness: 1000, tolerateFailures: true }),
      ),
    );
    expect(s.dropped).toBeGreaterThan(0);
    expect(r.serving?.requests).toMatchObject({ sent: 4, completed: 4, failed: 0, retried: s.dropped });
    expect(exitCodeOf(servingOutcome(r, false))).toBe(EXIT.ok);
  });

  it("a reset on the fresh connection too stays a failure (connection_reset), with its retry counted", async () => {
    const s = await serve((n) => (n === 1 || n === 2 ? { kind: "reset" } : ok));
    const r = gen(await runServingBenchmark(options(s.baseUrl, { tolerateFailures: true })));
    expect(r.serving?.requests).toMatchObject({ sent: 3, completed: 2, failed: 1, retried: 1 });
    expect(r.serving?.failures[0]?.cause).toBe("connection_reset");
  });

  it("a reset after the answer began is not retried: stream_cut", async () => {
    const s = await serve((n) => (n === 1 ? { kind: "stream", tokens: 8, cutAt: 3 } : ok));
    const r = gen(await runServingBenchmark(options(s.baseUrl, { tolerateFailures: true })));
    expect(r.serving?.requests).toMatchObject({ completed: 2, failed: 1 });
    expect(r.serving?.requests.retried).toBeUndefined();
    expect(r.serving?.failures[0]?.cause).toBe("stream_cut");
    expect(s.requests.filter((x) => x.method === "POST")).toHaveLength(3);
  });
});

describe("2. a success that carries nothing", () => {
  it("a 200 stream holding only [DONE] is a failed request (no_output), not a completed one", async () => {
    const empty: Script = { kind: "stream", tokens: 0, finish: false, usage: "never" };
    const s = await serve((n) => (n === 1 ? empty : ok));
    const r = gen(await runServingBenchmark(options(s.baseUrl, { tolerateFailures: true })));
    expect(r.serving?.requests).toMatchObject({ completed: 2, failed: 1 });
    expect(r.serving?.failures[0]).toMatchObject({ cause: "no_output" });
    expect(r.serving?.failures[0]?.example).toMatch(/no output text/);
  });

  it("only empty streams: no result, one error naming no_output", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 0, usage: "last" }));
    await expect(runServingBenchmark(options(s.baseUrl))).rejects.toThrow(
      /all 3 measured requests failed: no_output x3/,
    );
  });

  it("usage.completion_tokens 0 after 8 text chunks: the text count is used, with a warning", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, usageTokens: 0 }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.samples.every((x) => x.output_tokens === 8 && x.output_tokens_source === "chunks")).toBe(true);
    expect(r.tokens_per_second).toBeGreaterThan(0);
    expect(r.serving?.output_length).toMatchObject({ fixed: true, min: 8, max: 8 });
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "usage_contradicts_stream",
        text: expect.stringMatching(/usage contradicts its stream/),
      }),
    );
    expect(r.warnings.map((w) => w.code)).not.toContain("output_length_not_fixed");
  });
});

describe("3. several tokens per chunk", () => {
  it("4 tokens per chunk: tokens_per_chunk, a per-token ITL beside vLLM's chunk ITL, and a warning", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, tokensPerChunk: 4, chunkDelayMs: 20 }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.tokens_per_chunk).toBe(4);
    const itl = r.serving?.itl_ms?.median as number;
    const perToken = r.serving?.itl_per_token_ms?.median as number;
    expect(perToken).toBeCloseTo(itl / 4, 6);
    for (const x of r.samples) {
      // the 4 tokens after the first chunk arrived in one gap: TPOT is (E2E - TTFT) / 4, not / 7
      const afterTtft = x.elapsed_s * 1000 - (x.ttft_ms as number);
      expect(x.tpot_ms).toBeCloseTo(afterTtft / 4, 6);
      expect(x.itl_per_token_ms).toBeCloseTo((x.itl_ms as number) / 4, 6);
    }
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "chunks_not_tokens",
        tokens_per_chunk: 4,
        text: expect.stringMatching(/chunks are not tokens here \(4\.00 output tokens per text chunk\)/),
      }),
    );
  });

  it("one token per chunk: no per-token figure, no warning", async () => {
    const s = await serve(() => ok);
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.tokens_per_chunk).toBe(1);
    expect(r.serving?.itl_per_token_ms).toBeUndefined();
    expect(r.samples[0]?.itl_per_token_ms).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).not.toContain("chunks_not_tokens");
  });
});

describe("4. fields a server refuses", () => {
  const refuse = (field: string, status: number) => (req: { body: Record<string, unknown> | null }) =>
    req.body && field in req.body
      ? ({
          kind: "status",
          status,
          body: JSON.stringify({
            detail: [
              { loc: ["body", field], msg: "Extra inputs are not permitted", type: "extra_forbidden" },
            ],
          }),
        } as Script)
      : ok;

  it("422 on temperature: the hint names the field and --omit-fields; with it, greedy is asked by top_k", async () => {
    const rule = refuse("temperature", 422);
    const server = await serve((_n, req) => rule(req));
    await expect(runServingBenchmark(options(server.baseUrl, { warmup: 1 }))).rejects.toThrow(
      /http_422.*the server refused temperature: add --omit-fields temperature/,
    );
    const r = gen(await runServingBenchmark(options(server.baseUrl, { omitFields: ["temperature"] })));
    const post = server.requests.filter((x) => x.method === "POST").at(-1);
    expect(post?.body).not.toHaveProperty("temperature");
    expect(post?.body).toMatchObject({ top_k: 1, stream_options: { include_usage: true } });
    expect(r.load?.omitted_fields).toEqual(["temperature"]);
    expect(r.engine.details.request_fields).toBe("top_k,stream_options,ignore_eos,min_tokens");
  });

  it("400 on stream_options: the hint names it; with --omit-fields stream_options the run completes", async () => {
    const rule = refuse("stream_options", 400);
    const server = await serve((_n, req) => rule(req));
    await expect(runServingBenchmark(options(server.baseUrl, { warmup: 1 }))).rejects.toThrow(
      /http_400.*the server refused stream_options: add --omit-fields stream_options/,
    );
    const r = gen(await runServingBenchmark(options(server.baseUrl, { omitFields: ["stream_options"] })));
    expect(r.serving?.requests.completed).toBe(3);
    expect(r.load?.omitted_fields).toEqual(["stream_options"]);
  });

  it("a default run records every optional field it sent and no omitted_fields", async () => {
    const s = await serve(() => ok);
    const r = gen(await runServingBenchmark(options(s.baseUrl, { numRequests: 1 })));
    expect(r.engine.details.request_fields).toBe("temperature,stream_options,ignore_eos,min_tokens");
    expect(r.load).not.toHaveProperty("omitted_fields");
  });
});

describe("5. [DONE] and then silence", () => {
  it("[DONE] completes the request even if the server leaves the response open", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, hangAfterDone: true }));
    const r = gen(await runServingBenchmark(options(s.baseUrl)));
    expect(r.serving?.requests).toMatchObject({ completed: 3, failed: 0 });
    expect(r.samples.every((x) => x.output_tokens === 8)).toBe(true);
  });
});

describe("6. the API key does not leak", () => {
  const KEY = "sk-test-0123456789abcdefSECRET";

  it("a served model id holding the key: sent as served, recorded and printed redacted", async () => {
    process.env[KEY_ENV] = KEY;
    const s = await serve(() => ok, { models: [`m-${KEY}`] });
    const lines: string[] = [];
    const r = gen(
      await runServingBenchmark({
        ...options(s.baseUrl, { status: (l) => lines.push(l) }),
        openai: { ...options(s.baseUrl).openai, model: undefined },
      }),
    );
    expect(s.requests.find((x) => x.method === "POST")?.body?.model).toBe(`m-${KEY}`);
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(lines.join("\n")).not.toContain(KEY);
    expect(r.model.name).toBe("m-[redacted]");
  });

  it("an error body with the key past the cut: redacted before cutting, no first characters left", async () => {
    process.env[KEY_ENV] = KEY;
    const body = JSON.stringify({ error: `${"x".repeat(280)} ${KEY} more` });
    const s = await serve((n) => (n === 1 ? { kind: "status", status: 500, body } : ok));
    const r = gen(await runServingBenchmark(options(s.baseUrl, { tolerateFailures: true })));
    const example = r.serving?.failures[0]?.example ?? "";
    expect(example).toMatch(/^HTTP 500: /);
    expect(example).not.toContain(KEY.slice(0, 4));
  });

  it("gate and check-release send the key to a recorded base URL only when confirmed", async () => {
    const s = await serve(() => ok);
    const baseline = gen(await runServingBenchmark(options(s.baseUrl, { numRequests: 1 })));
    const flags = { "api-key-env": KEY_ENV };
    // the variable named but unset: refused, not a run without the key
    expect(() => openaiEngine.captureOptions(baseline, flags)).toThrow(/is not set or empty/);
    // no key in the environment (the default variable unset): nothing to leak, the recorded URL is used
    const defaultKey = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(openaiEngine.captureOptions(baseline, {}).options.baseUrl.href).toBe(s.baseUrl);
    } finally {
      if (defaultKey !== undefined) process.env.OPENAI_API_KEY = defaultKey;
    }
    process.env[KEY_ENV] = KEY;
    expect(() => openaiEngine.captureOptions(baseline, flags)).toThrow(UsageError);
    expect(() => openaiEngine.captureOptions(baseline, flags)).toThrow(/--trust-recorded-base-url/);
    expect(
      openaiEngine.captureOptions(baseline, { ...flags, "trust-recorded-base-url": true }).options.baseUrl
        .href,
    ).toBe(s.baseUrl);
    expect(
      openaiEngine.captureOptions(baseline, { ...flags, "base-url": s.baseUrl }).options.baseUrl.href,
    ).toBe(s.baseUrl);
  });
});
