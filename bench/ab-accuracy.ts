/**
 * How accurate is `perf-baseline ab` (and the stored-baseline gate under contention) on this machine? Part of
 * bench/gate-accuracy.ts's measurements, kept in its own file so that the two can change apart.
 *
 * Capture phase: K rotations; each captures, in a seeded random order, one run of each arm, every run a fresh
 * supervised engine process (bench/lib/capture.ts) with short rounds:
 *   A1, A2   unchanged (two runs: the A/A pair of a block)
 *   S1       1.5 x T slowdown (18 % generation, 22.5 % embedding; the test slowdown device)
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
 *
 * `check-release --against` (src/cli/against.ts): the same capture-then-evaluate on the trees it meets
 * (bench/lib/against-arms.ts): A = HEAD in a temporary worktree installed as --against installs it, U = the
 * working tree unchanged (A/A), S = a temporary clone with a commit that makes every llama_decode spin for
 * --slow-fraction of its time (1/3: about 25 % slower). Each rotation runs A, U and S (seeded order) with
 * --against's default bench command and shape (5 rounds, 1 warmup, 32 new tokens); each decision is a run of
 * runAb with --against's budget (8 to 16 blocks), blocks (A, U) or (A, S) of rotations drawn without
 * replacement, its time the runs' wall time plus the worktree's setup.
 *
 * Run it alone, from a clean checkout (U is the working tree: uncommitted changes would make A/A an A/B).
 *
 *   npx tsx bench/ab-accuracy.ts against-capture --mode generation --rotations 20 --out pools-against.json
 *   npx tsx bench/ab-accuracy.ts against-evaluate --pools pools-against.json --decisions 20
 */
import os from "node:os";
import { AB_DEFAULTS } from "../src/cli/ab-commands.js";
import { defaultGateConfig } from "../src/config/gate-config.js";
import { type AbBudget, type AbSide, runAb } from "../src/gate/paired.js";
import type { Verdict } from "../src/gate/verdict.js";
import { mulberry32, randomInt } from "../src/util/prng.js";
import type { Mode } from "../src/workload/workload.js";
import { AGAINST_ARM_KEYS, type AgainstArmKey, benchIn, withAgainstTrees } from "./lib/against-arms.js";
import { decimalOpt, intOpt, modeOpt, parseScript, positiveOpt, textOpt, usageExit } from "./lib/args.js";
import {
  AB_ARM_KEYS,
  type AbArmKey,
  type ArmCapture,
  abArms,
  abSlowdowns,
  captureArm,
  shuffled,
} from "./lib/arms.js";
import { median, metricMedian } from "./lib/figures.js";
import { gateDrawnPair, loadPools, savePools } from "./lib/pools.js";

const info = {
  name: "bench/ab-accuracy.ts",
  summary:
    "How accurate `perf-baseline ab` and the stored-baseline gate are here: capture pools, then evaluate them.",
  usage: "npx tsx bench/ab-accuracy.ts capture|evaluate|against-capture|against-evaluate [options]",
  positionals: 1,
};
const { values, positionals } = parseScript(info, {
  mode: modeOpt("generation"),
  rotations: intOpt("capture: rotations (one run of each arm each)", 12),
  rounds: intOpt("capture: measured rounds per run", 6),
  warmup: intOpt("capture: warmup rounds per run", 1, { allowZero: true }),
  "max-new-tokens": intOpt("capture: new tokens per generation round", 16),
  out: textOpt("capture: the pool file to write (after every rotation)"),
  pools: textOpt("evaluate: the pool file to read"),
  decisions: intOpt("evaluate: ab decisions per arm (stored-baseline pairs: half as many)", 200),
  "min-blocks": intOpt("evaluate: ab's --min-blocks", 8),
  "max-blocks": intOpt("evaluate: ab's --max-blocks (at most the rotations)", 12),
  "max-seconds": positiveOpt("evaluate: ab's --max-seconds", 100000),
  seed: intOpt("the seed of the arm orders and of the draws", 1, { allowZero: true }),
  "slow-fraction": decimalOpt(
    "against-capture: the slowed clone spins after every llama_decode for this fraction of its time",
    1 / 3,
    0.01,
    2,
  ),
});
const config = defaultGateConfig();
type Run = ArmCapture;
type Rotation = Record<AbArmKey, Run>;
interface Pools {
  mode: Mode;
  slowdowns: { S1: number; S2: number };
  rounds: number;
  warmup: number;
  max_new_tokens: number;
  rotations: Rotation[];
  capture_s: number;
  loadavg: number[];
}

async function capture() {
  const mode = values.mode;
  const k = values.rotations;
  const out = values.out;
  if (!out) usageExit(info, "capture needs --out FILE");
  const s = abSlowdowns(mode, config);
  const arms = abArms(s);
  const pools: Pools = {
    mode,
    slowdowns: s,
    rounds: values.rounds,
    warmup: values.warmup,
    max_new_tokens: values["max-new-tokens"],
    rotations: [],
    capture_s: 0,
    loadavg: [],
  };
  const shape = {
    mode,
    rounds: values.rounds,
    warmup: values.warmup,
    maxNewTokens: values["max-new-tokens"],
  };
  const base = { ...shape, preset: "tiny", seed: 42, command: "bench/ab-accuracy.ts" };
  const rng = mulberry32(values.seed);
  const t0 = performance.now();
  for (let i = 0; i < k; i++) {
    const rot: Partial<Rotation> = {};
    for (const arm of shuffled(rng, AB_ARM_KEYS)) rot[arm] = await captureArm(arms[arm], base);
    pools.rotations.push(rot as Rotation);
    pools.loadavg.push(os.loadavg()[0] ?? 0);
    pools.capture_s = (performance.now() - t0) / 1000;
    savePools(out, pools); // partial pools survive an interruption
    process.stderr.write(
      `${mode}: rotation ${i + 1}/${k} (${pools.capture_s.toFixed(0)} s, load average ${os.loadavg()[0]?.toFixed(1)})\n`,
    );
  }
}

/** The pools' shape, load and the measured drop of each slowed arm. */
function summary(pools: Pools, budget: AbBudget): Record<string, unknown> {
  const rot = pools.rotations;
  const k = rot.length;
  const drop = (arm: AbArmKey) =>
    1 - median(rot.map((r) => metricMedian(r[arm].result) / metricMedian(r.A1.result)));
  return {
    mode: pools.mode,
    rotations: k,
    runs: k * AB_ARM_KEYS.length,
    capture_s: pools.capture_s,
    loadavg_1m: {
      min: Math.min(...pools.loadavg),
      median: median(pools.loadavg),
      max: Math.max(...pools.loadavg),
    },
    shape: { rounds: pools.rounds, warmup: pools.warmup, max_new_tokens: pools.max_new_tokens },
    run_wall_s_median: median(rot.flatMap((r) => AB_ARM_KEYS.map((a) => r[a].wall_s))),
    measured_drop: { S1: drop("S1"), S2: drop("S2"), Aburn: drop("Aburn") },
    budget,
  };
}

/** `decisions` ab decisions of A1 against `arm`, each on rotations drawn without replacement. */
async function abDecisions(pools: Pools, arm: "A2" | "S1" | "S2", budget: AbBudget, decisions: number) {
  const rot = pools.rotations;
  const rng = mulberry32(values.seed + arm.length * 7 + arm.charCodeAt(1));
  const verdicts: Record<string, number> = { PASS: 0, REGRESSION: 0, INCONCLUSIVE: 0 };
  const seconds: number[] = [];
  const blocksUsed: number[] = [];
  for (let d = 0; d < decisions; d++) {
    const order = shuffled(rng, [...Array(rot.length).keys()]);
    let clock = 0;
    const runSide = async (side: AbSide, block: number) => {
      const r = rot[order[block] as number] as Rotation;
      const x = side === "a" ? r.A1 : r[arm];
      clock += x.wall_s;
      return x.result;
    };
    const o = await runAb(pools.mode, config, budget, runSide, () => clock);
    verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
    seconds.push(clock);
    blocksUsed.push(o.blocks.length);
  }
  return {
    decisions,
    verdicts,
    seconds_per_decision: { median: median(seconds), max: Math.max(...seconds) },
    blocks_per_decision: { median: median(blocksUsed), max: Math.max(...blocksUsed) },
  };
}

/** Stored-baseline gate pairs: baselines of two neighbouring A1 (or, `burned`, Aburn) captures pooled. */
async function storedGate(pools: Pools, arm: "A2" | "S2", burned: boolean, decisions: number) {
  const rot = pools.rotations;
  const k = rot.length;
  const rng = mulberry32(values.seed * 31 + (burned ? 1 : 0) + arm.charCodeAt(1));
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
    const pair = [(rot[b1] as Rotation)[side].result, (rot[(b1 + 1) % k] as Rotation)[side].result] as const;
    const candidate = (rot[c1] as Rotation)[arm].result;
    const again = (rot[(c1 + 1) % k] as Rotation)[arm].result;
    const report = await gateDrawnPair([...pair], candidate, again, config);
    verdicts[report.verdict]++;
    if (report.machine_load.baseline_busier) hidden++;
  }
  return { pairs, verdicts, baseline_flagged_busier: hidden };
}

async function evaluate() {
  const path = values.pools;
  if (!path) usageExit(info, "evaluate needs --pools FILE");
  const pools = loadPools<Pools>(path);
  const k = pools.rotations.length;
  const decisions = values.decisions;
  const budget = {
    min_blocks: values["min-blocks"],
    max_blocks: Math.min(values["max-blocks"], k),
    max_seconds: values["max-seconds"],
  };
  const out = summary(pools, budget);
  const label = (arm: "A2" | "S1" | "S2") =>
    arm === "A2"
      ? "A/A"
      : arm === "S1"
        ? `${(pools.slowdowns.S1 * 100).toFixed(1)} % slowdown`
        : `${pools.slowdowns.S2 * 100} % slowdown`;
  const ab: Record<string, unknown> = {};
  for (const arm of ["A2", "S1", "S2"] as const)
    ab[label(arm)] = await abDecisions(pools, arm, budget, decisions);
  out.ab = ab;
  // stored-baseline gate; half the pairs' baselines captured under the CPU burner
  const gate: Record<string, unknown> = {};
  for (const arm of ["A2", "S2"] as const)
    for (const burned of [false, true])
      gate[`${label(arm)}, baseline ${burned ? "under the burner" : "quiet"}`] = await storedGate(
        pools,
        arm,
        burned,
        decisions,
      );
  out.stored_baseline_gate = gate;
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

/** One run of an --against capture: its result and wall time. */
type AgainstRun = Awaited<ReturnType<typeof benchIn>>;

/** The pools of an --against capture. */
interface AgainstPools {
  mode: Mode;
  slow_fraction: number;
  setup_s: number;
  rotations: Record<AgainstArmKey, AgainstRun>[];
  capture_s: number;
  loadavg: number[];
}

/** `against-capture`: rotations of A, U and S (seeded order), the pools saved after each. */
async function againstCapture() {
  const out = values.out;
  if (!out) usageExit(info, "against-capture needs --out FILE");
  const shape = {
    mode: values.mode,
    rounds: AB_DEFAULTS.rounds,
    warmup: AB_DEFAULTS.warmup,
    maxNewTokens: AB_DEFAULTS.max_new_tokens,
  };
  const fraction = values["slow-fraction"];
  await withAgainstTrees(fraction, async (trees, setup_s) => {
    const pools: AgainstPools = {
      mode: values.mode,
      slow_fraction: fraction,
      setup_s,
      rotations: [],
      capture_s: 0,
      loadavg: [],
    };
    const rng = mulberry32(values.seed);
    const t0 = performance.now();
    for (let i = 0; i < values.rotations; i++) {
      const rot: Partial<Record<AgainstArmKey, AgainstRun>> = {};
      for (const arm of shuffled(rng, AGAINST_ARM_KEYS))
        rot[arm] = await benchIn(trees[arm], shape, `rotation ${i + 1} ${arm}`);
      pools.rotations.push(rot as Record<AgainstArmKey, AgainstRun>);
      pools.loadavg.push(os.loadavg()[0] ?? 0);
      pools.capture_s = (performance.now() - t0) / 1000;
      savePools(out, pools);
      process.stderr.write(
        `against: rotation ${i + 1}/${values.rotations} (${pools.capture_s.toFixed(0)} s)\n`,
      );
    }
  });
}

/** `decisions` --against decisions of A against `arm` (U: unchanged, S: slowed), each paying the setup once. */
async function againstDecisions(pools: AgainstPools, arm: "U" | "S", budget: AbBudget, decisions: number) {
  const rot = pools.rotations;
  const rng = mulberry32(values.seed + arm.charCodeAt(0));
  const verdicts: Record<string, number> = { PASS: 0, REGRESSION: 0, INCONCLUSIVE: 0 };
  const seconds: number[] = [];
  for (let d = 0; d < decisions; d++) {
    const order = shuffled(rng, [...Array(rot.length).keys()]);
    let clock = pools.setup_s;
    const runSide = async (side: AbSide, block: number) => {
      const r = rot[order[block] as number] as Record<AgainstArmKey, AgainstRun>;
      const x = side === "a" ? r.A : r[arm];
      clock += x.wall_s;
      return x.result;
    };
    const o = await runAb(pools.mode, config, budget, runSide, () => clock);
    verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
    seconds.push(clock);
  }
  return {
    decisions,
    verdicts,
    seconds_per_decision: { median: median(seconds), max: Math.max(...seconds) },
  };
}

/** `against-evaluate`: the decisions on the unchanged and the slowed tree, with the measured drop. */
async function againstEvaluate() {
  const path = values.pools;
  if (!path) usageExit(info, "against-evaluate needs --pools FILE");
  const pools = loadPools<AgainstPools>(path);
  const rot = pools.rotations;
  const budget = {
    min_blocks: AB_DEFAULTS.min_blocks,
    max_blocks: Math.min(AB_DEFAULTS.max_blocks, rot.length),
    max_seconds: AB_DEFAULTS.max_seconds,
  };
  const drop = (arm: "U" | "S") =>
    1 - median(rot.map((r) => metricMedian(r[arm].result) / metricMedian(r.A.result)));
  const out = {
    mode: pools.mode,
    rotations: rot.length,
    slow_fraction: pools.slow_fraction,
    setup_s: pools.setup_s,
    capture_s: pools.capture_s,
    loadavg_1m: {
      min: Math.min(...pools.loadavg),
      median: median(pools.loadavg),
      max: Math.max(...pools.loadavg),
    },
    measured_drop: { U: drop("U"), S: drop("S") },
    budget,
    unchanged: await againstDecisions(pools, "U", budget, values.decisions),
    slowed: await againstDecisions(pools, "S", budget, values.decisions),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (positionals[0] === "capture") await capture();
else if (positionals[0] === "evaluate") await evaluate();
else if (positionals[0] === "against-capture") await againstCapture();
else if (positionals[0] === "against-evaluate") await againstEvaluate();
else {
  process.stderr.write(
    "usage: npx tsx bench/ab-accuracy.ts capture|evaluate|against-capture|against-evaluate [options] (see the header)\n",
  );
  process.exit(2);
}
