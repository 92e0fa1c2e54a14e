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
import { ensureDummyModel } from "../src/models/cache.js";
import { bootstrapRatioCi, median } from "../src/stats/index.js";
import { intOpt, modeOpt, parseScript } from "./lib/args.js";
import { capture } from "./lib/capture.js";
import { roundMetric } from "./lib/figures.js";

const { values } = parseScript(
  {
    name: "bench/engine-process-overhead.ts",
    summary:
      "The supervised engine process against a direct node-llama-cpp loop in a process of its own (ABBA).",
    usage: "npx tsx bench/engine-process-overhead.ts [options]",
  },
  {
    mode: modeOpt("generation"),
    blocks: intOpt("ABBA blocks (each a fresh process on each side)", 8),
    rounds: intOpt("measured rounds per process", 10),
    warmup: intOpt("warmup rounds per process", 2, { allowZero: true }),
    tokens: intOpt("new tokens per generation round", 64),
  },
);
const { mode, blocks, rounds, warmup, tokens } = values;
const model = ensureDummyModel("tiny", 42).path;

async function tool(): Promise<number[]> {
  const shape = { mode, rounds, warmup, maxNewTokens: mode === "generation" ? tokens : 0 };
  const { result } = await capture({ ...shape, engine: "node-llama-cpp", command: "bench", cwd: "." });
  return roundMetric(result);
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
