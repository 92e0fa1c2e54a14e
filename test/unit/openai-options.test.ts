import { describe, expect, it } from "vitest";
import { engineRunFromFlags, runShapeFromFlags } from "../../src/cli/run-flags.js";
import { OpenAiClient } from "../../src/engines/openai/client.js";
import { servingOptionsFromFlags } from "../../src/engines/openai/flags.js";
import {
  DEFAULT_TIMEOUTS,
  endpointUrl,
  normalizeBaseUrl,
  parseOmittedFields,
  refusalHint,
  refusedFields,
  serverRoot,
} from "../../src/engines/openai/options.js";
import { embeddingInputs } from "../../src/execute/serving.js";
import { UsageError } from "../../src/util/errors.js";
import { positiveNumberFlag } from "../../src/util/flags.js";

describe("base URLs", () => {
  it("normalises: no trailing slash, /v1 when no path, endpoints under it, the root above /v1", () => {
    expect(normalizeBaseUrl("http://127.0.0.1:8080").href).toBe("http://127.0.0.1:8080/v1");
    expect(normalizeBaseUrl("http://127.0.0.1:8080/v1/").href).toBe("http://127.0.0.1:8080/v1");
    const base = normalizeBaseUrl("https://example.test/api/v1");
    expect(endpointUrl(base, "/completions").href).toBe("https://example.test/api/v1/completions");
    expect(serverRoot(base).href).toBe("https://example.test/api");
    expect(serverRoot(normalizeBaseUrl("http://h:1/v1")).href).toBe("http://h:1/");
  });

  it("refuses what is not an http(s) URL, credentials, queries", () => {
    for (const bad of ["127.0.0.1:8080", "ftp://h/v1", "http://user:pw@h/v1", "http://h/v1?x=1", ""]) {
      expect(() => normalizeBaseUrl(bad)).toThrow(UsageError);
    }
  });
});

describe("flags", () => {
  it("positive numbers, inf where allowed, a usage error otherwise", () => {
    expect(positiveNumberFlag({ r: "2.5" }, "r", null)).toBe(2.5);
    expect(positiveNumberFlag({ r: "inf" }, "r", 1, { allowInf: true })).toBeNull();
    expect(positiveNumberFlag({}, "r", 7)).toBe(7);
    for (const bad of ["0", "-1", "abc", "inf", "1e400"])
      expect(() => positiveNumberFlag({ r: bad }, "r", 1)).toThrow(UsageError);
  });

  it("defaults, --num-requests from --rounds, duration-only runs, the other engine's flags refused", () => {
    const o = servingOptionsFromFlags({ "base-url": "http://127.0.0.1:1" }, "generation", 30);
    expect(o).toMatchObject({
      concurrency: 1,
      requestRate: null,
      burstiness: 1,
      numRequests: 30,
      durationS: null,
      outputLength: "fixed",
      endpoint: "completions",
      apiKeyEnv: "OPENAI_API_KEY",
      batchSize: 2,
      timeouts: DEFAULT_TIMEOUTS,
      tolerateFailures: false,
    });
    const timed = servingOptionsFromFlags(
      { "base-url": "http://h:1", duration: "5", "request-timeout": "2.5" },
      "embedding",
      30,
    );
    expect(timed.numRequests).toBeNull();
    expect(timed.durationS).toBe(5);
    expect(timed.timeouts.total_ms).toBe(2500);
    expect(() => servingOptionsFromFlags({}, "generation", 30)).toThrow(/needs --base-url/);
    expect(() =>
      servingOptionsFromFlags({ "base-url": "http://h:1", "batch-size": "4" }, "generation", 30),
    ).toThrow(/--batch-size applies to embedding/);
    expect(() =>
      servingOptionsFromFlags({ "base-url": "http://h:1", "api-key-env": "sk-abc-123" }, "generation", 30),
    ).toThrow(/^--api-key-env must be the name of an environment variable \(letters, digits, _\)$/);
    delete process.env.PERF_BASELINE_TEST_UNSET_KEY;
    expect(() =>
      servingOptionsFromFlags(
        { "base-url": "http://h:1", "api-key-env": "PERF_BASELINE_TEST_UNSET_KEY" },
        "generation",
        30,
      ),
    ).toThrow(
      /^--api-key-env PERF_BASELINE_TEST_UNSET_KEY: \$PERF_BASELINE_TEST_UNSET_KEY is not set or empty/,
    );
    const shape = runShapeFromFlags({}, "generation");
    expect(() =>
      engineRunFromFlags({ engine: "openai", "base-url": "http://h:1", gpu: "cuda" }, shape, []),
    ).toThrow(/^--gpu applies to --engine node-llama-cpp or llama-cpp, not openai$/);
    // node-llama-cpp declares --depth and --parallel only to refuse them: not named as taking them
    expect(() =>
      engineRunFromFlags({ engine: "openai", "base-url": "http://h:1", parallel: "2" }, shape, []),
    ).toThrow(/^--parallel applies to --engine llama-cpp, not openai$/);
    expect(() => engineRunFromFlags({ "request-rate": "3" }, shape, [])).toThrow(
      /^--request-rate applies to --engine openai, not llama-cpp$/,
    );
    expect(engineRunFromFlags({}, shape, []).engine.name).toBe("llama-cpp");
  });

  it("embedding inputs repeat the workload texts to the batch size", () => {
    expect(embeddingInputs(["a", "b"], 5)).toEqual(["a", "b", "a", "b", "a"]);
  });
});

describe("requests", () => {
  it("the key is redacted from any text; no key, no change", () => {
    const c = new OpenAiClient({
      baseUrl: normalizeBaseUrl("http://h:1"),
      apiKey: "sk-xyz",
      timeouts: DEFAULT_TIMEOUTS,
    });
    expect(c.redact("Bearer sk-xyz and sk-xyz")).toBe("Bearer [redacted] and [redacted]");
    const n = new OpenAiClient({
      baseUrl: normalizeBaseUrl("http://h:1"),
      apiKey: null,
      timeouts: DEFAULT_TIMEOUTS,
    });
    expect(n.redact("Bearer sk-xyz")).toBe("Bearer sk-xyz");
    c.close();
    n.close();
  });

  it("a fixed-length completion body; natural leaves ignore_eos and min_tokens out", () => {
    const req = {
      endpoint: "completions" as const,
      model: "m",
      prompt: "p",
      max_tokens: 4,
      fixed_length: true,
    };
    expect(OpenAiClient.generationBody(req)).toEqual({
      model: "m",
      prompt: "p",
      max_tokens: 4,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true,
      min_tokens: 4,
    });
    const natural = OpenAiClient.generationBody({ ...req, endpoint: "chat", fixed_length: false });
    expect(natural).not.toHaveProperty("ignore_eos");
    expect(natural.messages).toEqual([{ role: "user", content: "p" }]);
  });
});

describe("--omit-fields", () => {
  it("parses a comma list in a fixed order, refuses unknown fields, and reaches the serving options", () => {
    expect(parseOmittedFields("stream_options, temperature")).toEqual(["temperature", "stream_options"]);
    expect(parseOmittedFields("none")).toEqual([]);
    expect(() => parseOmittedFields("temprature")).toThrow(/"temprature" is not a field/);
    const o = servingOptionsFromFlags(
      { "base-url": "http://127.0.0.1:1/v1", "omit-fields": "temperature" },
      "generation",
      3,
    );
    expect(o.omitFields).toEqual(["temperature"]);
  });

  it("names the refused field from the server's error text, among those sent only", () => {
    const sent = ["temperature", "stream_options", "ignore_eos", "min_tokens"] as const;
    expect(refusedFields('{"loc":["body","temperature"]}', sent)).toEqual(["temperature"]);
    expect(refusedFields("unknown field stream_options", sent)).toEqual(["stream_options"]);
    expect(refusedFields("max_temperature_x is wrong", sent)).toEqual([]);
    expect(refusalHint({ cause: "http_422", detail: "HTTP 422: temperature must be > 0" }, sent, [])).toMatch(
      /refused temperature: add --omit-fields temperature; greedy is then asked with top_k 1/,
    );
    expect(
      refusalHint({ cause: "http_400", detail: "unknown field ignore_eos" }, sent, ["stream_options"]),
    ).toMatch(/add --omit-fields stream_options,ignore_eos, or --output-length natural/);
    expect(refusalHint({ cause: "http_500", detail: "temperature" }, sent, [])).toBeNull();
  });

  it("the generation body leaves out omitted fields and asks greedy by top_k without temperature", () => {
    const r = {
      endpoint: "completions",
      model: "m",
      prompt: "p",
      max_tokens: 4,
      fixed_length: true,
    } as const;
    expect(OpenAiClient.generationBody({ ...r, omit: ["temperature"] })).toMatchObject({ top_k: 1 });
    const none = OpenAiClient.generationBody({
      ...r,
      omit: ["temperature", "top_k", "stream_options", "ignore_eos", "min_tokens"],
    });
    expect(Object.keys(none).sort()).toEqual(["max_tokens", "model", "prompt", "stream"]);
    expect(OpenAiClient.embeddingBody("m", ["a"], ["encoding_format"])).toEqual({ model: "m", input: ["a"] });
  });
});
