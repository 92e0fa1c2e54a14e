/**
 * Serving workloads shaped like real traffic (issue 26), against the real loopback server (`perf-baseline
 * serve`: the llama engine on the default dummy model): prompts of an exact token count checked against the
 * server's own count (its usage.prompt_tokens), drawn lengths.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult, GenerationResult } from "../../src/results/schema.js";
import { EXIT } from "../../src/util/errors.js";
import { runCliAsync, type ServeProcess, startServeProcess } from "../support/processes.js";

let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServeProcess();
});
afterAll(async () => {
  await serve?.stop();
});

async function bench(args: string[]): Promise<GenerationResult> {
  const run = await runCliAsync(["bench", "--engine", "openai", "--base-url", serve.baseUrl, ...args]);
  expect(run.stderr).not.toMatch(/internal error/);
  expect(run.status, run.stderr).toBe(EXIT.ok);
  const r: BenchmarkResult = parseResult(JSON.parse(run.stdout), "stdout");
  if (r.mode !== "generation") throw new Error("expected generation");
  return r;
}

const BASE = ["--mode", "generation", "--warmup", "1", "--concurrency", "2"];

describe("request lengths on perf-baseline serve", () => {
  it("--prompt-tokens N: every prompt is exactly N tokens as the server counts them (/tokenize, then usage)", async () => {
    const r = await bench([...BASE, "--num-requests", "4", "--prompt-tokens", "37", "--max-new-tokens", "4"]);
    expect(r.samples.map((s) => s.prompt_tokens)).toEqual([37, 37, 37, 37]);
    expect(r.serving?.prompt_token_count_source).toBe("server");
    expect(r.load?.requests).toEqual({
      prompt_tokens: "37",
      max_new_tokens: 4,
      request_seed: 0,
      prompt_token_count_source: "server",
    });
    expect(r.warnings.map((w) => w.code)).not.toContain("prompt_tokens_disagree");
    expect(r.warnings.map((w) => w.code)).not.toContain("server_nondeterministic");
    expect(r.invocation.argv).toEqual(expect.arrayContaining(["--prompt-tokens", "37"]));
  });

  it("drawn lengths: prompts and outputs from seeded distributions, each exact, in the workload digest", async () => {
    const args = [...BASE, "--num-requests", "6", "--prompt-tokens", "uniform:8:60"];
    const r = await bench([...args, "--max-new-tokens", "uniform:2:6"]);
    const prompts = r.samples.map((s) => s.prompt_tokens);
    for (const p of prompts) expect(p).toBeGreaterThanOrEqual(8);
    for (const p of prompts) expect(p).toBeLessThanOrEqual(60);
    expect(new Set(prompts).size).toBeGreaterThan(1);
    const outs = r.samples.map((s) => s.output_tokens);
    for (const o of outs) expect(o).toBeGreaterThanOrEqual(2);
    for (const o of outs) expect(o).toBeLessThanOrEqual(6);
    expect(r.serving?.output_length.fixed).toBe(true);
    expect(r.max_new_tokens).toBe(6);
    expect(r.warnings.map((w) => w.code)).not.toContain("output_length_not_fixed");
    expect(r.warnings.map((w) => w.code)).not.toContain("prompt_tokens_disagree");
    const again = await bench([...args, "--max-new-tokens", "uniform:2:6", "--num-requests", "2"]);
    expect(again.samples.map((s) => s.prompt_tokens)).toEqual(prompts.slice(0, 2));
    expect(again.workload.digest).toBe(r.workload.digest);
    const seeded = await bench([...args, "--max-new-tokens", "uniform:2:6", "--request-seed", "5"]);
    expect(seeded.workload.digest).not.toBe(r.workload.digest);
  });

  it("--goodput: every request meets a bound of a day, none meets one of a microsecond", async () => {
    const all = await bench([
      ...BASE,
      "--num-requests",
      "3",
      "--max-new-tokens",
      "4",
      "--goodput",
      "ttft_ms:86400000,e2e_latency_ms:86400000",
    ]);
    expect(all.serving?.goodput).toMatchObject({ good_requests: 3, share: 1 });
    expect(all.serving?.goodput?.requests_per_second).toBeCloseTo(all.serving?.requests_per_second ?? -1, 9);
    const none = await bench([
      ...BASE,
      "--num-requests",
      "3",
      "--max-new-tokens",
      "4",
      "--goodput",
      "e2e_latency_ms:0.001",
    ]);
    expect(none.serving?.goodput).toEqual({
      objectives: { e2e_latency_ms: 0.001 },
      good_requests: 0,
      share: 0,
      requests_per_second: 0,
    });
    const bad = await runCliAsync([
      "bench",
      "--engine",
      "openai",
      "--base-url",
      serve.baseUrl,
      "--goodput",
      "ttft:200",
    ]);
    expect(bad.status).toBe(EXIT.usage);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--goodput: unknown metric "ttft"/);
  });

  it("a ShareGPT multi-turn session on chat: each turn carries the history, so its prompt grows", async () => {
    const r = await bench([
      ...BASE,
      "--endpoint",
      "chat",
      "--num-requests",
      "3",
      "--max-new-tokens",
      "4",
      "--dataset",
      "test/fixtures/serving/sharegpt-sample.json",
      "--multi-turn",
    ]);
    const prompts = [...r.samples].sort((a, b) => a.round - b.round).map((s) => s.prompt_tokens);
    expect(prompts).toHaveLength(3);
    expect(prompts[1]).toBeGreaterThan(prompts[0] as number);
    expect(prompts[2]).toBeGreaterThan(prompts[1] as number);
    expect(r.load?.requests).toMatchObject({ dataset_format: "sharegpt", multi_turn: true });
  });

  it("--shared-prefix: every prompt holds its group's prefix of exactly the asked tokens", async () => {
    const r = await bench([
      ...BASE,
      "--num-requests",
      "4",
      "--max-new-tokens",
      "2",
      "--prompt-tokens",
      "10",
      "--shared-prefix",
      "2:16",
    ]);
    for (const s of r.samples) expect(s.prompt_tokens).toBeGreaterThanOrEqual(26);
    expect(r.load?.requests).toMatchObject({ shared_prefix: "2:16", prompt_token_count_source: "server" });
  });
});
