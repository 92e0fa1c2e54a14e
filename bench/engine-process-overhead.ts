/**
 * The tool's harness overhead as users get it: `perf-baseline bench` with its supervised engine process
 * (rounds timed inside the engine process, samples sent back over IPC) against a minimal direct
 * node-llama-cpp loop in a process of its own (bench/direct-loop.ts), same model, settings and workload.
 * Blocks alternate ABBA (each block a fresh process on each side, so process placement and drift hit both
 * arms alike); the figure is the ratio of the medians of per-round throughput, tool / direct, with a seeded
 * bootstrap 95 % CI. Target: at least 0.98.
 *
 * Usage: npx tsx bench/engine-process-overhead.ts [--mode generation|embedding] [--blocks 8] [--rounds 10]
 *          [--warmup 2] [--tokens 64]
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localOptionsFromFlags } from "../src/engines/local/options.js";
import { completedResult } from "../src/execute/outcome.js";
import { runBenchmark } from "../src/execute/run-benchmark.js";
import { ensureDummyModel } from "../src/models/cache.js";
import { bootstrapRatioCi, median } from "../src/stats/index.js";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "generation" },
    blocks: { type: "string", default: "8" },
    rounds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    tokens: { type: "string", default: "64" },
  },
});
const mode = values.mode as "generation" | "embedding";
const blocks = Number(values.blocks);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const tokens = Number(values.tokens);
const model = ensureDummyModel("tiny", 42).path;

async function tool(): Promise<number[]> {
  const options = localOptionsFromFlags({});
  const shape = { mode, rounds, warmup, maxNewTokens: mode === "generation" ? tokens : 0 };
  const r = completedResult(
    await runBenchmark("node-llama-cpp", options, {
      ...shape,
      invocation: { command: "bench", argv: [], cwd: "." },
    }),
  );
  return r.mode === "generation"
    ? r.samples.map((s) => s.tokens_per_second)
    : r.samples.map((s) => (s as { calls_per_second: number }).calls_per_second);
}

function direct(): number[] {
  const script = join(import.meta.dirname, "direct-loop.ts");
  const args = ["--mode", mode, "--model", model, "--rounds", String(rounds), "--warmup", String(warmup)];
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...args, "--tokens", String(tokens)], {
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`direct loop failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string) as number[];
}

const t: number[] = [];
const d: number[] = [];
const perBlock: number[] = [];
for (let b = 0; b < blocks; b++) {
  // ABBA: tool first in blocks 0, 3, 4, 7, ...
  const toolFirst = b % 4 === 0 || b % 4 === 3;
  const first = toolFirst ? await tool() : direct();
  const second = toolFirst ? direct() : await tool();
  const [tb, db] = toolFirst ? [first, second] : [second, first];
  t.push(...tb);
  d.push(...db);
  perBlock.push(median(tb) / median(db));
  process.stderr.write(`block ${b + 1}/${blocks}: tool/direct ${(median(tb) / median(db)).toFixed(3)}\n`);
}
const ci = bootstrapRatioCi(d, t, { seed: 1, iterations: 2000 });
const out = {
  mode,
  blocks,
  rounds_per_block: rounds,
  tokens,
  tool_median: median(t),
  direct_median: median(d),
  ratio: ci.ratio,
  ci95: [ci.low, ci.high],
  median_block_ratio: median(perBlock),
  loadavg_1m: os.loadavg()[0],
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
