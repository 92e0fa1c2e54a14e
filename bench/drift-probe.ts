/**
 * EXPERIMENT (issue 12, item 3): does a fixed reference workload shrink the drift between captures of the
 * same code? Beside each capture (a fresh engine process, tiny preset), this process runs a reference
 * workload that does not depend on the runtime under test: a memory-bandwidth sweep (sum over a 64 MiB
 * Float64Array) and a small compute kernel (a dependent multiply-add chain), immediately before and after
 * the capture, and records its speed (geometric mean of the two rates, relative). It then compares the sd of
 * log capture medians raw and divided by the probe's speed. Simplification against the design: the
 * probe runs in this process around the capture, not in the engine process beside every round.
 *
 *   npx tsx bench/drift-probe.ts [--captures 8] [--mode generation] [--rounds 6] [--max-new-tokens 16]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { localOptionsFromFlags } from "../src/engines/local/options.js";
import { DEFAULT_ENGINE } from "../src/engines/registry.js";
import { completedResult } from "../src/execute/outcome.js";
import { runBenchmark } from "../src/execute/run-benchmark.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import type { Mode } from "../src/workload/workload.js";

const { values } = parseArgs({
  options: {
    captures: { type: "string", default: "8" },
    mode: { type: "string", default: "generation" },
    rounds: { type: "string", default: "6" },
    "max-new-tokens": { type: "string", default: "16" },
  },
});
const mode = values.mode as Mode;
const mem = new Float64Array((64 * 1024 * 1024) / 8).fill(1);

/** Bytes per second of three sums over the 64 MiB array, and multiply-adds per second of a 20 M chain. */
function probe(): { mem_gbs: number; mflops: number; score: number } {
  let t = performance.now();
  let s = 0;
  for (let k = 0; k < 3; k++) for (let i = 0; i < mem.length; i++) s += mem[i] as number;
  const memS = (performance.now() - t) / 1000;
  t = performance.now();
  let x = 1.0000001;
  for (let i = 0; i < 20_000_000; i++) x = x * 0.9999999 + 1e-9;
  const cpuS = (performance.now() - t) / 1000;
  if (s < 0 || x < 0) throw new Error("unreachable");
  const memGbs = (3 * mem.byteLength) / memS / 1e9;
  const mflops = 20 / cpuS;
  return { mem_gbs: memGbs, mflops, score: Math.sqrt(memGbs * mflops) };
}

function metricMedian(r: BenchmarkResult): number {
  const xs = (
    r.mode === "generation"
      ? r.samples.map((x) => x.tokens_per_second)
      : r.samples.map((x) => x.calls_per_second)
  ).sort((a, b) => a - b);
  const m = xs.length >> 1;
  return xs.length % 2 ? (xs[m] as number) : ((xs[m - 1] as number) + (xs[m] as number)) / 2;
}

function sdLog(xs: number[]): number {
  const l = xs.map(Math.log);
  const mean = l.reduce((a, b) => a + b, 0) / l.length;
  return Math.sqrt(l.reduce((a, b) => a + (b - mean) ** 2, 0) / (l.length - 1));
}

const rows: Array<{ median: number; probe: number; loadavg: number }> = [];
for (let i = 0; i < Number(values.captures); i++) {
  const before = probe();
  const options = localOptionsFromFlags({ preset: "tiny", seed: "42" });
  const shape = {
    mode,
    rounds: Number(values.rounds),
    warmup: 1,
    maxNewTokens: Number(values["max-new-tokens"]),
  };
  const invocation = { command: "bench/drift-probe.ts", argv: [], cwd: process.cwd() };
  const r = completedResult(await runBenchmark(DEFAULT_ENGINE, options, { ...shape, invocation }));
  const after = probe();
  const row = {
    median: metricMedian(r),
    probe: (before.score + after.score) / 2,
    loadavg: os.loadavg()[0] ?? 0,
  };
  rows.push(row);
  process.stderr.write(
    `capture ${i + 1}: median ${row.median.toFixed(2)}, probe ${row.probe.toFixed(3)}, load ${row.loadavg.toFixed(1)}\n`,
  );
}
const raw = rows.map((r) => r.median);
const norm = rows.map((r) => r.median / r.probe);
const probes = rows.map((r) => r.probe);
const l1 = raw.map(Math.log);
const l2 = probes.map(Math.log);
const m1 = l1.reduce((a, b) => a + b, 0) / l1.length;
const m2 = l2.reduce((a, b) => a + b, 0) / l2.length;
const cov = l1.reduce((a, x, i) => a + (x - m1) * ((l2[i] as number) - m2), 0);
const corr =
  cov / Math.sqrt(l1.reduce((a, x) => a + (x - m1) ** 2, 0) * l2.reduce((a, x) => a + (x - m2) ** 2, 0));
process.stdout.write(
  `${JSON.stringify({ mode, captures: rows.length, sd_log_raw: sdLog(raw), sd_log_normalised: sdLog(norm), sd_log_probe: sdLog(probes), corr_log_median_probe: corr, rows }, null, 2)}\n`,
);
