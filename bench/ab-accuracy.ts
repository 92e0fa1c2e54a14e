/**
 * How accurate is `perf-baseline ab` (and the stored-baseline gate under contention) on this machine? Part of
 * bench/gate-accuracy.ts's measurements (issue 12), kept in its own file so that the two can change apart.
 *
 * Capture phase: K rotations; each captures, in a seeded random order, one run of each arm, every run a fresh
 * supervised engine process (runBenchmark) with short rounds:
 *   A1, A2   unchanged (two runs: the A/A pair of a block)
 *   S1       1.5 x T slowdown (18 % generation, 22.5 % embedding; the test device, test/support/engine-devices.ts)
 *   S2       25 % (generation) / 30 % (embedding) slowdown
 *   Aburn    unchanged, captured while a CPU burner (one busy loop per core in a child process) runs
 * Each run's wall time (process start to result) is recorded.
 *
 * Evaluation: `ab` decisions drawn from the pool: a decision draws rotations without replacement (seeded) and
 * hands runAb (src/gate/paired.ts, the code the command runs) block i = (A1, X) of the i-th drawn rotation, X =
 * A2 (A/A), S1 or S2; its clock is the summed wall time of the runs it used (the time the decision would have
 * taken). The stored-baseline gate: baseline = two captures pooled (quiet A1 of neighbouring rotations, or, for
 * half the pairs, two Aburn captures: a baseline captured under load), candidate = A2 / S2 of another rotation,
 * its "capture again" the next rotation's.
 *
 *   npx tsx bench/ab-accuracy.ts capture --mode generation --rotations 12 --out pools-gen.json
 *   npx tsx bench/ab-accuracy.ts evaluate --pools pools-gen.json [--decisions 200] [--seed 1]
 */
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { poolCaptures } from "../src/baseline/pool.js";
import { defaultGateConfig } from "../src/config/gate-config.js";
import { localOptionsFromFlags } from "../src/engines/local/options.js";
import { DEFAULT_ENGINE } from "../src/engines/registry.js";
import { completedResult } from "../src/execute/outcome.js";
import { runBenchmark } from "../src/execute/run-benchmark.js";
import { type AbSide, runAb } from "../src/gate/paired.js";
import { runGate, type Verdict } from "../src/gate/verdict.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import { mulberry32, randomInt } from "../src/util/prng.js";
import type { Mode } from "../src/workload/workload.js";
import { slowdownDevice } from "../test/support/engine-devices.js";
import { cpuBurner } from "./cpu-burner.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mode: { type: "string", default: "generation" },
    rotations: { type: "string", default: "12" },
    rounds: { type: "string", default: "6" },
    warmup: { type: "string", default: "1" },
    "max-new-tokens": { type: "string", default: "16" },
    out: { type: "string" },
    pools: { type: "string" },
    decisions: { type: "string", default: "200" },
    "min-blocks": { type: "string", default: "8" },
    "max-blocks": { type: "string", default: "12" },
    "max-seconds": { type: "string", default: "100000" },
    seed: { type: "string", default: "1" },
  },
});
const config = defaultGateConfig();
const ARMS = ["A1", "A2", "S1", "S2", "Aburn"] as const;
type Arm = (typeof ARMS)[number];
interface Run {
  result: BenchmarkResult;
  wall_s: number;
  loadavg_1m: number;
}
interface Pools {
  mode: Mode;
  slowdowns: { S1: number; S2: number };
  rounds: number;
  warmup: number;
  max_new_tokens: number;
  rotations: Array<Record<Arm, Run>>;
  capture_s: number;
  loadavg: number[];
}

function slowdownsOf(mode: Mode) {
  const t = config.thresholds[mode];
  return { S1: 1.5 * t, S2: mode === "generation" ? 0.25 : 0.3 };
}

async function run(mode: Mode, slowdown: number, burn: boolean): Promise<Run> {
  const options = localOptionsFromFlags({ preset: "tiny", seed: "42" });
  const shape = {
    mode,
    rounds: Number(values.rounds),
    warmup: Number(values.warmup),
    maxNewTokens: Number(values["max-new-tokens"]),
  };
  const invocation = { command: "bench/ab-accuracy.ts", argv: [], cwd: process.cwd() };
  const b = burn ? cpuBurner() : null;
  const t0 = performance.now();
  try {
    const testing = slowdown > 0 ? { device: slowdownDevice(slowdown) } : {};
    const result = completedResult(
      await runBenchmark(DEFAULT_ENGINE, options, { ...shape, invocation }, testing),
    );
    return { result, wall_s: (performance.now() - t0) / 1000, loadavg_1m: os.loadavg()[0] ?? 0 };
  } finally {
    b?.kill("SIGKILL");
  }
}

async function capture() {
  const mode = values.mode as Mode;
  const k = Number(values.rotations);
  const out = values.out;
  if (!out) throw new Error("capture needs --out FILE");
  const s = slowdownsOf(mode);
  const pools: Pools = {
    mode,
    slowdowns: s,
    rounds: Number(values.rounds),
    warmup: Number(values.warmup),
    max_new_tokens: Number(values["max-new-tokens"]),
    rotations: [],
    capture_s: 0,
    loadavg: [],
  };
  const rng = mulberry32(Number(values.seed));
  const t0 = performance.now();
  for (let i = 0; i < k; i++) {
    const order = [...ARMS];
    for (let j = order.length - 1; j > 0; j--) {
      const r = randomInt(rng, j + 1);
      [order[j], order[r]] = [order[r] as Arm, order[j] as Arm];
    }
    const rot: Partial<Record<Arm, Run>> = {};
    for (const arm of order) {
      const slow = arm === "S1" ? s.S1 : arm === "S2" ? s.S2 : 0;
      rot[arm] = await run(mode, slow, arm === "Aburn");
    }
    pools.rotations.push(rot as Record<Arm, Run>);
    pools.loadavg.push(os.loadavg()[0] ?? 0);
    pools.capture_s = (performance.now() - t0) / 1000;
    writeFileSync(out, JSON.stringify(pools)); // partial pools survive an interruption
    process.stderr.write(
      `${mode}: rotation ${i + 1}/${k} (${pools.capture_s.toFixed(0)} s, load average ${os.loadavg()[0]?.toFixed(1)})\n`,
    );
  }
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}
function metric(r: BenchmarkResult): number {
  return median(
    r.mode === "generation"
      ? r.samples.map((x) => x.tokens_per_second)
      : r.samples.map((x) => x.calls_per_second),
  );
}

async function evaluate() {
  const path = values.pools;
  if (!path) throw new Error("evaluate needs --pools FILE");
  const pools = JSON.parse(readFileSync(path, "utf8")) as Pools;
  const mode = pools.mode;
  const rot = pools.rotations;
  const k = rot.length;
  const decisions = Number(values.decisions);
  const budget = {
    min_blocks: Number(values["min-blocks"]),
    max_blocks: Math.min(Number(values["max-blocks"]), k),
    max_seconds: Number(values["max-seconds"]),
  };
  const out: Record<string, unknown> = {
    mode,
    rotations: k,
    runs: k * ARMS.length,
    capture_s: pools.capture_s,
    loadavg_1m: {
      min: Math.min(...pools.loadavg),
      median: median(pools.loadavg),
      max: Math.max(...pools.loadavg),
    },
    shape: { rounds: pools.rounds, warmup: pools.warmup, max_new_tokens: pools.max_new_tokens },
    run_wall_s_median: median(rot.flatMap((r) => ARMS.map((a) => r[a].wall_s))),
    measured_drop: {
      S1: 1 - median(rot.map((r) => metric(r.S1.result) / metric(r.A1.result))),
      S2: 1 - median(rot.map((r) => metric(r.S2.result) / metric(r.A1.result))),
      Aburn: 1 - median(rot.map((r) => metric(r.Aburn.result) / metric(r.A1.result))),
    },
    budget,
  };
  // ab decisions
  const ab: Record<string, unknown> = {};
  for (const arm of ["A2", "S1", "S2"] as const) {
    const rng = mulberry32(Number(values.seed) + arm.length * 7 + arm.charCodeAt(1));
    const verdicts: Record<string, number> = { PASS: 0, REGRESSION: 0, INCONCLUSIVE: 0 };
    const seconds: number[] = [];
    const blocksUsed: number[] = [];
    for (let d = 0; d < decisions; d++) {
      const order = [...Array(k).keys()];
      for (let j = order.length - 1; j > 0; j--) {
        const r = randomInt(rng, j + 1);
        [order[j], order[r]] = [order[r] as number, order[j] as number];
      }
      let clock = 0;
      const runSide = async (side: AbSide, block: number) => {
        const r = rot[order[block] as number] as Record<Arm, Run>;
        const x = side === "a" ? r.A1 : r[arm];
        clock += x.wall_s;
        return x.result;
      };
      const o = await runAb(mode, config, budget, runSide, () => clock);
      verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
      seconds.push(clock);
      blocksUsed.push(o.blocks.length);
    }
    ab[
      arm === "A2"
        ? "A/A"
        : arm === "S1"
          ? `${(pools.slowdowns.S1 * 100).toFixed(1)} % slowdown`
          : `${pools.slowdowns.S2 * 100} % slowdown`
    ] = {
      decisions,
      verdicts,
      seconds_per_decision: { median: median(seconds), max: Math.max(...seconds) },
      blocks_per_decision: { median: median(blocksUsed), max: Math.max(...blocksUsed) },
    };
  }
  out.ab = ab;
  // stored-baseline gate; half the pairs' baselines captured under the CPU burner
  const gate: Record<string, unknown> = {};
  for (const arm of ["A2", "S2"] as const) {
    for (const burned of [false, true]) {
      const rng = mulberry32(Number(values.seed) * 31 + (burned ? 1 : 0) + arm.charCodeAt(1));
      const verdicts: Record<Verdict, number> = { PASS: 0, REGRESSION: 0, INCONCLUSIVE: 0, INCOMPARABLE: 0 };
      let hidden = 0;
      const pairs = Math.max(1, Math.floor(decisions / 2));
      for (let p = 0; p < pairs; p++) {
        let b1 = randomInt(rng, k);
        let c1 = randomInt(rng, k);
        while (new Set([b1, (b1 + 1) % k, c1, (c1 + 1) % k]).size < 4 && k >= 4) {
          b1 = randomInt(rng, k);
          c1 = randomInt(rng, k);
        }
        const side = burned ? "Aburn" : "A1";
        const baseline = poolCaptures(
          [(rot[b1] as Record<Arm, Run>)[side].result, (rot[(b1 + 1) % k] as Record<Arm, Run>)[side].result],
          "pool",
        );
        const candidate = (rot[c1] as Record<Arm, Run>)[arm].result;
        const again = (rot[(c1 + 1) % k] as Record<Arm, Run>)[arm].result;
        const { report } = await runGate({
          baseline,
          candidate,
          config,
          baselineSource: "pool",
          candidateSource: "pool",
          captureAgain: async () => again,
        });
        verdicts[report.verdict]++;
        if (report.machine_load.baseline_busier) hidden++;
      }
      gate[
        `${arm === "A2" ? "A/A" : `${pools.slowdowns.S2 * 100} % slowdown`}, baseline ${burned ? "under the burner" : "quiet"}`
      ] = {
        pairs,
        verdicts,
        baseline_flagged_busier: hidden,
      };
    }
  }
  out.stored_baseline_gate = gate;
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (positionals[0] === "capture") await capture();
else if (positionals[0] === "evaluate") await evaluate();
else {
  process.stderr.write("usage: npx tsx bench/ab-accuracy.ts capture|evaluate [options] (see the header)\n");
  process.exit(2);
}
