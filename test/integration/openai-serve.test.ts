/**
 * The main path: `perf-baseline bench --engine openai` against the real loopback server (`perf-baseline serve`,
 * real tokens from the llama engine on the default dummy model, over node:http on 127.0.0.1).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { EXIT } from "../../src/util/errors.js";
import { runCliAsync, type ServeProcess, startServeProcess } from "../support/processes.js";

let serve: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-openai-serve-"));

beforeAll(async () => {
  serve = await startServeProcess();
});
afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function bench(args: string[]): Promise<BenchmarkResult> {
  const run = await runCliAsync(["bench", "--engine", "openai", "--base-url", serve.baseUrl, ...args]);
  expect(run.stderr).not.toMatch(/internal error/);
  expect(run.status).toBe(EXIT.ok);
  return parseResult(JSON.parse(run.stdout), "stdout");
}

const GEN = ["--mode", "generation", "--rounds", "4", "--warmup", "1", "--max-new-tokens", "12"];

describe("bench --engine openai against perf-baseline serve", () => {
  let first: BenchmarkResult;

  it("generation: a valid result with exactly max-new-tokens streamed tokens per request and the serving metrics", async () => {
    const r = await bench([...GEN, "--concurrency", "2"]);
    first = r;
    expect(r.mode).toBe("generation");
    if (r.mode !== "generation") return;
    expect(r.engine.name).toBe("openai");
    expect(r.engine.versions.server).toMatch(/^perf-baseline\/\S+ \(node-llama-cpp 3\.21\.1; llama\.cpp /);
    expect(r.engine.versions.owned_by).toBe("perf-baseline");
    expect(r.model).toMatchObject({ name: "perf-baseline-tiny", sha256: null, dummy: true, preset: "tiny" });
    expect(r.load).toEqual({
      endpoint: "completions",
      concurrency: 2,
      request_rate: null,
      burstiness: 1,
      arrival_seed: 0,
      num_requests: 4,
      duration_s: null,
      output_length: "fixed",
      stream: true,
    });
    expect(r.samples).toHaveLength(4);
    for (const s of r.samples) {
      expect(s.output_tokens).toBe(12);
      expect(s.output_tokens_source).toBe("usage");
      expect(s.prompt_tokens).toBeGreaterThan(0);
      expect(s.ttft_ms).toBeGreaterThan(0);
      expect(s.ttft_ms).toBeLessThan(s.elapsed_s * 1000);
      expect(s.chunk_gaps_ms).toHaveLength(11); // one chunk per token: streamed as generated
      expect(s.tokens_per_second).toBeGreaterThan(0);
    }
    const sv = r.serving;
    expect(sv?.requests).toEqual({ planned: 4, sent: 4, completed: 4, failed: 0, interrupted: 0 });
    expect(sv?.output_length).toEqual({
      requested: 12,
      fixed: true,
      min: 12,
      max: 12,
      counted_from: "usage",
    });
    expect(sv?.total_output_tokens).toBe(48);
    expect(sv?.output_tokens_per_second).toBeCloseTo(48 / r.elapsed_s, 6);
    expect(sv?.total_tokens_per_second).toBeGreaterThan(sv?.output_tokens_per_second ?? 0);
    expect(sv?.requests_per_second).toBeCloseTo(4 / r.elapsed_s, 6);
    for (const m of [sv?.ttft_ms, sv?.tpot_ms, sv?.itl_ms, sv?.e2e_latency_ms]) {
      expect(m?.median).toBeGreaterThan(0);
      expect(m?.p99).toBeGreaterThanOrEqual(m?.p90 ?? 0);
    }
    expect(sv?.itl_ms?.n).toBe(44);
    expect(sv?.client_overhead.chunk_handling_ms?.n).toBeGreaterThan(0);
    expect(sv?.client_overhead.event_loop_delay_ms).not.toBeNull();
    expect(r.output.consistent).toBe(true);
    expect(r.settings).toMatchObject({ threads: null, gpu: "server" });
    expect(r.warnings).toEqual([]);
  });

  it("chat: the same model through /v1/chat/completions", async () => {
    const r = await bench([...GEN, "--endpoint", "chat", "--rounds", "2"]);
    expect(r.load?.endpoint).toBe("chat");
    expect(r.mode === "generation" && r.serving?.output_length.fixed).toBe(true);
    expect(r.output.digest).not.toBe(first.output.digest); // a chat prompt is another prompt
  });

  it("embedding: a valid result, one sample per request of --batch-size inputs, deterministic vectors", async () => {
    const r = await bench(["--mode", "embedding", "--rounds", "3", "--warmup", "1", "--batch-size", "2"]);
    expect(r.mode).toBe("embedding");
    if (r.mode !== "embedding") return;
    expect(r.load?.endpoint).toBe("embeddings");
    expect(r.input_texts).toBe(2);
    expect(r.samples).toHaveLength(3);
    for (const s of r.samples) expect(s).toMatchObject({ calls: 1, inputs: 2 });
    expect(r.samples[0]?.input_tokens).toBeGreaterThan(0);
    expect(r.calls_per_second).toBeGreaterThan(0);
    expect(r.serving?.inputs_per_second).toBeCloseTo(2 * r.calls_per_second, 6);
    expect(r.serving?.tokens_per_second).toBeGreaterThan(0);
    expect(r.serving?.latency_ms.median).toBeGreaterThan(0);
    expect(r.output.consistent).toBe(true);
  });

  it("gate and compare: two serving runs of the same load are comparable; another concurrency is not", async () => {
    const again = await bench([...GEN, "--concurrency", "2"]);
    const other = await bench([...GEN, "--concurrency", "1"]);
    expect(again.output.digest).toBe(first.output.digest); // greedy: the same tokens across runs
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    const c = join(dir, "c.json");
    writeFileSync(a, JSON.stringify(first));
    writeFileSync(b, JSON.stringify(again));
    writeFileSync(c, JSON.stringify(other));
    const same = await runCliAsync(["compare", a, b]);
    expect(same.stderr).not.toMatch(/internal error/);
    expect(same.stdout).not.toMatch(/INCOMPARABLE/);
    expect([EXIT.ok, EXIT.regression, EXIT.inconclusive]).toContain(same.status);
    const gated = await runCliAsync(["gate", "--baseline", a, "--candidate", b]);
    expect(gated.stderr).not.toMatch(/internal error/);
    expect(gated.stdout).not.toMatch(/INCOMPARABLE/);
    expect([EXIT.ok, EXIT.regression, EXIT.inconclusive]).toContain(gated.status);
    const differ = await runCliAsync(["compare", a, c]);
    expect(differ.status).toBe(EXIT.incomparable);
    expect(differ.stdout).toMatch(/load\.concurrency/);
  });
});
