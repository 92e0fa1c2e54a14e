import { describe, expect, it } from "vitest";
import { DEFAULT_EMBEDDING_THREADS, DEFAULT_GENERATION_THREADS } from "../../src/engines/local/settings.js";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { runCli, runSeedScript } from "../support/cli.js";

function parseStdout(stdout: string): BenchmarkResult {
  // stdout must hold exactly one JSON document and nothing else
  return parseResult(JSON.parse(stdout), "stdout");
}

describe("bench on the real engine and the default dummy model", () => {
  const genArgs = ["--mode", "generation", "--rounds", "3", "--warmup", "1", "--max-new-tokens", "24"];

  it("the seed's script prints one valid generation result with exactly max-new-tokens tokens per round", () => {
    const run = runSeedScript(genArgs);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    const r = parseStdout(run.stdout);
    expect(r.mode).toBe("generation");
    if (r.mode !== "generation") return;
    expect(r.rounds).toBe(3);
    expect(r.warmup_rounds).toBe(1);
    expect(r.samples).toHaveLength(3);
    for (const s of r.samples) expect(s.output_tokens).toBe(24);
    expect(r.max_new_tokens).toBe(24);
    expect(r.tokens_per_second).toBeGreaterThan(0);
    expect(r.statistics.ttft_ms?.median).toBeGreaterThan(0);
    expect(r.statistics.decode_tokens_per_second?.median).toBeGreaterThan(0);
    expect(r.model.dummy).toBe(true);
    expect(r.model.sha256).toBe("b8e171bfb614151168f155bd575b69dca65a26711a63fd2ae6be222a766224f8");
    expect(r.engine.name).toBe("llama-cpp");
    expect(String(r.engine.details.llama_lib)).toMatch(/node-llama-cpp 3\.21\.1 prebuilt/);
    expect(r.settings.threads).toBe(DEFAULT_GENERATION_THREADS);
    expect(r.output.consistent).toBe(true);
    expect(r.invocation.command).toBe(`npx tsx tools/benchmark.ts ${genArgs.join(" ")}`);
  });

  it("two separate processes compute the same tokens and see the same hardware", () => {
    const a = parseStdout(runCli(["bench", ...genArgs]).stdout);
    const b = parseStdout(runCli(["bench", ...genArgs, "--rounds", "2"]).stdout);
    expect(a.output.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.output.digest).toBe(a.output.digest);
    expect(b.environment.hardware_fingerprint).toBe(a.environment.hardware_fingerprint);
    expect(b.workload.digest).toBe(a.workload.digest);
  });

  it("generating more tokens changes the workload digest and the output digest", () => {
    const a = parseStdout(runCli(["bench", ...genArgs, "--rounds", "1"]).stdout);
    const b = parseStdout(runCli(["bench", ...genArgs, "--rounds", "1", "--max-new-tokens", "8"]).stdout);
    expect(b.workload.digest).not.toBe(a.workload.digest);
    expect(b.output.digest).not.toBe(a.output.digest);
  });

  it("embedding mode embeds the two texts each round, deterministically", () => {
    const args = ["--mode", "embedding", "--rounds", "3", "--warmup", "1"];
    const run = runSeedScript(args);
    expect(run.status).toBe(0);
    const r = parseStdout(run.stdout);
    expect(r.mode).toBe("embedding");
    if (r.mode !== "embedding") return;
    expect(r.input_texts).toBe(2);
    for (const s of r.samples) {
      expect(s.calls).toBe(2);
      expect(s.call_latency_ms).toHaveLength(2);
      expect(s.input_tokens).toBeGreaterThan(2);
    }
    expect(r.calls_per_second).toBeGreaterThan(0);
    expect(r.statistics.tokens_per_second.median).toBeGreaterThan(0);
    expect(r.settings.embedding_threads).toBe(DEFAULT_EMBEDDING_THREADS);
    expect(r.output.consistent).toBe(true);
    const again = parseStdout(runCli(["bench", ...args, "--rounds", "1"]).stdout);
    expect(again.output.digest).toBe(r.output.digest);
  });
});
