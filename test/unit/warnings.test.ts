/**
 * Warnings as data (src/results/warnings.ts): every code renders to one line, a result stores it as
 * `{code, ...fields, text}` that the result schema accepts, and stderr shows the text, once per warning.
 */
import { describe, expect, it } from "vitest";
import { warningSchema } from "../../src/results/schema.js";
import { printWarnings, renderWarning, type Warning, warningRecord } from "../../src/results/warnings.js";

/** One warning of each code (the type makes a new code add its sample here). */
const SAMPLES: { [C in Warning["code"]]: Extract<Warning, { code: C }> } = {
  dummy_weights: { code: "dummy_weights" },
  nondeterministic_output: { code: "nondeterministic_output", what: "tokens" },
  captures_differ_in_output: { code: "captures_differ_in_output" },
  noisy_baseline: { code: "noisy_baseline", mode: "generation", detail: "robust CV 5.0 %", fix: "recapture" },
  partial_result: { code: "partial_result", rounds_done: 2, rounds_planned: 5 },
  counted_under_valgrind: { code: "counted_under_valgrind" },
  git_unavailable: { code: "git_unavailable", reason: "detected dubious ownership in repository at '/src'" },
  engine: { code: "engine", message: "the server said so" },
  server_version_unknown: { code: "server_version_unknown" },
  models_list_failed: { code: "models_list_failed", path: "/v1/models", detail: "HTTP 500" },
  models_not_listed: { code: "models_not_listed", path: "/v1/models" },
  warmup_requests_failed: {
    code: "warmup_requests_failed",
    failed: 1,
    planned: 2,
    causes: "http_503 x1 (busy)",
  },
  requests_failed: {
    code: "requests_failed",
    failed: 1,
    sent: 3,
    causes: "http_503 x1 (busy)",
    tolerated: false,
  },
  requests_interrupted: { code: "requests_interrupted" },
  server_unreachable: { code: "server_unreachable", in_row: 100 },
  output_length_not_fixed: {
    code: "output_length_not_fixed",
    requested: 8,
    min: 3,
    max: 8,
    fixed_sent: true,
  },
  usage_missing_some: { code: "usage_missing_some" },
  prompt_tokens_disagree: {
    code: "prompt_tokens_disagree",
    requests: 2,
    counted: 64,
    usage: 70,
    source: "server",
  },
  usage_missing: { code: "usage_missing" },
  default_sampling: { code: "default_sampling" },
  server_nondeterministic: { code: "server_nondeterministic", what: "texts" },
  usage_contradicts_stream: { code: "usage_contradicts_stream", contradicted: 1, completed: 4 },
  chunks_not_tokens: { code: "chunks_not_tokens", tokens_per_chunk: 4 },
  stream_buffered: { code: "stream_buffered", buffered: 2, completed: 3, window_ms: 1 },
  tls_handshakes_measured: {
    code: "tls_handshakes_measured",
    handshakes: 5,
    sent: 16,
    setup_ms_median: 12.5,
  },
  client_saturated: { code: "client_saturated", evidence: "event-loop delay p99 55.0 ms > 25 ms" },
  rate_not_kept: { code: "rate_not_kept", achieved: 0.07, queue_wait_p99_ms: 3689, concurrency: 4 },
  server_metrics_unavailable: {
    code: "server_metrics_unavailable",
    url: "http://127.0.0.1:8080/metrics",
    failed: 1,
    scrapes: 3,
    reason: "HTTP 404",
  },
};

describe("warnings", () => {
  it("every code renders to one non-empty line of its own", () => {
    const lines = Object.values(SAMPLES).map((w) => renderWarning(w));
    for (const line of lines) {
      expect(line.length).toBeGreaterThan(0);
      expect(line).not.toContain("\n");
    }
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("a result stores {code, ...fields, text}, which the result schema accepts as it is", () => {
    for (const w of Object.values(SAMPLES)) {
      const stored = warningRecord(w);
      expect(stored).toEqual({ ...w, text: renderWarning(w) });
      expect(warningSchema.parse(stored)).toEqual(stored);
    }
  });

  it("the serving lines read as they did when they were written as text", () => {
    expect(renderWarning(SAMPLES.requests_failed)).toBe(
      "1 of 3 requests failed: http_503 x1 (busy) (the run fails; --tolerate-failures accepts them)",
    );
    expect(renderWarning({ ...SAMPLES.requests_failed, tolerated: true })).toBe(
      "1 of 3 requests failed: http_503 x1 (busy)",
    );
    expect(renderWarning(SAMPLES.output_length_not_fixed)).toBe(
      "the server did not generate exactly 8 tokens per request (3 to 8; ignore_eos/min_tokens were sent but not honoured): throughput uses the real counts",
    );
    expect(renderWarning(SAMPLES.models_list_failed)).toBe(
      "GET /v1/models failed (HTTP 500): the served models could not be checked",
    );
    expect(renderWarning({ code: "server_nondeterministic", what: "embeddings" })).toBe(
      "requests computed different embeddings for the same inputs: the server is not deterministic here",
    );
  });

  it("stderr shows each warning's text once, on its own line", () => {
    const out: string[] = [];
    printWarnings([warningRecord(SAMPLES.dummy_weights), { code: "text", text: "an older warning" }], (s) =>
      out.push(s),
    );
    expect(out).toEqual([
      "perf-baseline: warning: dummy weights: throughput is real, generated text is not meaningful\n",
      "perf-baseline: warning: an older warning\n",
    ]);
  });
});
