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
import { intOpt, modeOpt, parseScript } from "./lib/args.js";
import { capture } from "./lib/capture.js";
import { metricMedian } from "./lib/figures.js";

const { values } = parseScript(
  {
    name: "bench/drift-probe.ts",
    summary: "Experiment: does a reference workload beside each capture shrink the drift between captures?",
    usage: "npx tsx bench/drift-probe.ts [options]",
  },
  {
    captures: intOpt("captures, each a fresh engine process", 8),
    mode: modeOpt("generation"),
    rounds: intOpt("measured rounds per capture", 6),
    "max-new-tokens": intOpt("new tokens per generation round", 16),
  },
);
const mode = values.mode;
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

function sdLog(xs: number[]): number {
  const l = xs.map(Math.log);
  const mean = l.reduce((a, b) => a + b, 0) / l.length;
  return Math.sqrt(l.reduce((a, b) => a + (b - mean) ** 2, 0) / (l.length - 1));
}

/** The correlation of the logs of two equally long lists. */
function logCorrelation(xs: number[], ys: number[]): number {
  const l1 = xs.map(Math.log);
  const l2 = ys.map(Math.log);
  const m1 = l1.reduce((a, b) => a + b, 0) / l1.length;
  const m2 = l2.reduce((a, b) => a + b, 0) / l2.length;
  const cov = l1.reduce((a, x, i) => a + (x - m1) * ((l2[i] as number) - m2), 0);
  return (
    cov / Math.sqrt(l1.reduce((a, x) => a + (x - m1) ** 2, 0) * l2.reduce((a, x) => a + (x - m2) ** 2, 0))
  );
}

const rows: Array<{ median: number; probe: number; loadavg: number }> = [];
for (let i = 0; i < values.captures; i++) {
  const before = probe();
  const shape = { mode, rounds: values.rounds, warmup: 1, maxNewTokens: values["max-new-tokens"] };
  const { result: r } = await capture({
    ...shape,
    preset: "tiny",
    seed: 42,
    command: "bench/drift-probe.ts",
  });
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
const corr = logCorrelation(raw, probes);
process.stdout.write(
  `${JSON.stringify({ mode, captures: rows.length, sd_log_raw: sdLog(raw), sd_log_normalised: sdLog(norm), sd_log_probe: sdLog(probes), corr_log_median_probe: corr, rows }, null, 2)}\n`,
);
