/**
 * Requests that failed are not completed requests: an error frame mid-stream (llama-server, in either of its
 * framings) and a finish_reason other than a normal one (vLLM's "abort") fail the request with their own
 * cause and the server's message; no warning blames ignore_eos or nondeterminism for them.
 */
import { describe, expect, it } from "vitest";
import { servingOutcome } from "../../src/execute/load-generator.js";
import { exitCodeOf } from "../../src/execute/outcome.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import { EXIT } from "../../src/util/errors.js";
import type { Script } from "../support/scripted-server.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();
const ok: Script = { kind: "stream", tokens: 8 };

/** Request 1 of 3 runs `bad`; returns the result and its one failure group. */
async function oneBad(bad: Script) {
  const s = await serve((n) => (n === 1 ? bad : ok));
  const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl)));
  expect(r.serving?.requests).toMatchObject({ sent: 3, completed: 2, failed: 1 });
  expect(r.samples.map((x) => x.output_tokens)).toEqual([8, 8]);
  expect(exitCodeOf(servingOutcome(r, false))).toBe(EXIT.runFailed);
  const codes = r.warnings.map((w) => w.code);
  expect(codes).not.toContain("output_length_not_fixed");
  expect(codes).not.toContain("server_nondeterministic");
  return { r, failure: r.serving?.failures[0] };
}

describe("an error frame mid-stream fails the request", () => {
  it("llama-server's `error: {...}` field after 3 tokens, then [DONE]: stream_error with its message", async () => {
    const { failure } = await oneBad({
      kind: "stream",
      tokens: 8,
      errorAt: 3,
      errorFrame: "field",
      endAfterError: true,
    });
    expect(failure).toMatchObject({ cause: "stream_error", count: 1 });
    expect(failure?.example).toContain("scripted failure");
  });

  it('a data line {"error": {...}} after 3 tokens, then [DONE]: stream_error with its message', async () => {
    const { failure } = await oneBad({ kind: "stream", tokens: 8, errorAt: 3, endAfterError: true });
    expect(failure).toMatchObject({ cause: "stream_error", count: 1 });
    expect(failure?.example).toContain("scripted failure");
  });
});

describe("only a normal finish_reason completes a request", () => {
  it('vLLM\'s finish_reason "abort" after 3 tokens: abnormal_finish', async () => {
    const { failure } = await oneBad({ kind: "stream", tokens: 3, finishReason: "abort" });
    expect(failure).toMatchObject({ cause: "abnormal_finish", count: 1 });
    expect(failure?.example).toContain('"abort"');
  });

  it.each(["error", "content_filter", "cancelled"])("finish_reason %s: abnormal_finish", async (reason) => {
    const { failure } = await oneBad({ kind: "stream", tokens: 2, finishReason: reason });
    expect(failure?.cause).toBe("abnormal_finish");
  });

  it.each(["stop", "eos_token", "stop_sequence"])("finish_reason %s completes", async (reason) => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, finishReason: reason }));
    const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl)));
    expect(r.serving?.requests).toMatchObject({ completed: 3, failed: 0 });
  });

  it("[DONE] without a finish_reason still completes", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, finish: false }));
    const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl)));
    expect(r.serving?.requests).toMatchObject({ completed: 3, failed: 0 });
  });

  it("an aborted warmup request stops the run with one line naming the cause", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 3, finishReason: "abort" }));
    await expect(runServingBenchmark(servingOptions(s.baseUrl, { warmup: 1 }))).rejects.toThrow(
      /^1 of 1 warmup requests failed: abnormal_finish/,
    );
  });
});
