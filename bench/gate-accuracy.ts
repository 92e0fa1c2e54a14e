/**
 * How accurate is the gate? On this machine, with the default model, it estimates
 *   (a) the false-alarm rate: A/A comparisons of the same code (no change at all) that end in REGRESSION;
 *   (b) the detection rate of a real 15 % and 25 % slowdown (the test slowdown device makes every round
 *       decode extra tokens, calibrated so that tokens/s really drops by that proportion; the measured
 *       drop of each arm is printed beside the figures);
 *   (c) the same two figures for the naive rule "single-capture throughput ratio below 1 - T" (what
 *       github-action-benchmark and the specification's plain "more than 12 % drop" reading do).
 *
 * Design (practical on 2 cores): captures are expensive and the gate's decisions are cheap, so the script
 * takes a pool of K captures per arm (A = unchanged, S15, S25), interleaved A, S15, S25, A, ... (rotating the
 * order) so that the machine's drift meets every arm alike, each capture a fresh engine load with short
 * rounds. It then draws many comparisons from the pools with a seeded generator, each as the real gate meets
 * it: the baseline is two A captures neighbouring in time, pooled (as `perf-baseline baseline` makes it), the
 * candidate another capture, and the variance rule's "capture again" the candidate's neighbour in time (the
 * gate captures again at once); in A/A all four are distinct. The naive rule compares one A
 * capture's top-level throughput with the candidate's. Pairs share captures, so they are not independent:
 * the effective sample is nearer the pool size than the pair count; both are printed.
 *
 * A fourth arm, "A under a CPU burner" (bench/lib/burner.ts: one busy loop per core during the capture), gives
 * baselines captured under load: every arm is then also gated against a baseline of two neighbouring burner
 * captures (the table's "baseline under the burner" rows), as a baseline captured on a busy CI runner is.
 * `--arms` picks the arms to capture (default all: A,S15,S25,Aburn; A is always taken).
 *
 * `perf-baseline ab` (and stored-baseline pairs at ab's short shape): bench/ab-accuracy.ts.
 *
 *   npx tsx bench/gate-accuracy.ts [--mode generation|embedding|both] [--captures 40] [--pairs 200]
 *                                  [--rounds 15] [--max-new-tokens 16] [--seed 1] [--out results.json]
 *                                  [--arms A,S15,S25,Aburn]
 *   npx tsx bench/gate-accuracy.ts --counter instructions ...   (instruction counts: bench/instruction-accuracy.ts)
 */
import { writeFileSync } from "node:fs";
import { defaultGateConfig, type GateConfig, parseGateConfig } from "../src/config/gate-config.js";
import type { Verdict } from "../src/gate/verdict.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import { mulberry32, randomInt } from "../src/util/prng.js";
import type { Mode } from "../src/workload/workload.js";
import {
  choiceOpt,
  decimalItem,
  intOpt,
  knownItem,
  listOpt,
  modesOf,
  modesOpt,
  parseScript,
  peekFlag,
  textOpt,
} from "./lib/args.js";
import { captureArm, GATE_ARMS } from "./lib/arms.js";
import { roundMetric } from "./lib/figures.js";
import { gateDrawnPair, loadPools, savePools } from "./lib/pools.js";
import { markdownTable } from "./lib/tables.js";

// --counter instructions: the instruction-count gate's accuracy instead (bench/instruction-accuracy.ts reads
// the same arguments with its own flags)
if (peekFlag(process.argv.slice(2), "counter") === "instructions") {
  const { main } = await import("./instruction-accuracy.js");
  await main();
  process.exit(0);
}
const { values } = parseScript(
  {
    name: "bench/gate-accuracy.ts",
    summary:
      "How accurate the stored-baseline gate is here: false alarms and detection, against the naive rule.",
    usage: "npx tsx bench/gate-accuracy.ts [options]",
  },
  {
    mode: modesOpt("generation"),
    captures: intOpt("captures per arm", 40),
    pairs: intOpt("comparisons drawn per arm", 200),
    rounds: intOpt("measured rounds per capture", 15),
    "max-new-tokens": intOpt("new tokens per generation round", 16),
    warmup: intOpt("warmup rounds per capture", 1, { allowZero: true }),
    seed: intOpt("the seed of the draws", 1, { allowZero: true }),
    out: textOpt("write the figures (without the pools) to this JSON file"),
    "drift-floors": listOpt(
      "extra drift floors to evaluate on the same captures, e.g. 0.08,0.12",
      "",
      decimalItem(0, 0.999),
    ),
    "save-pools": textOpt("write the captures to this file (after each rotation)"),
    "load-pools": textOpt("evaluate the captures of this file instead of capturing"),
    arms: listOpt(
      "the arms to capture (A is always taken)",
      "A,S15,S25,Aburn",
      knownItem(
        GATE_ARMS.map((a) => a.key),
        "arm",
      ),
    ),
    counter: choiceOpt(
      "the counter; instructions hands these arguments to bench/instruction-accuracy.ts",
      ["time", "instructions"],
      "time",
    ),
  },
);
const K = values.captures;
const PAIRS = values.pairs;
const ROUNDS = values.rounds;
const TOKENS = values["max-new-tokens"];
const WARMUP = values.warmup;
const modes: Mode[] = modesOf(values.mode);
const config = defaultGateConfig();

/** The arms, in pool order (a saved pool file holds one list per arm, empty for an arm not captured). */
const ARMS = GATE_ARMS;
const BURN = 3;
const wanted = new Set(["A", ...values.arms]);

/** The gate's reason codes that blame a busier machine (src/gate/reasons.ts). */
const BUSY_REASONS: ReadonlySet<string> = new Set([
  "drop_may_be_contention",
  "busier_baseline_may_hide_drop",
  "capture_busier",
]);

/** The specification's top-level figure of a result: what a naive single-capture rule compares. */
function topLevel(r: BenchmarkResult): number {
  return r.mode === "generation" ? r.tokens_per_second : r.calls_per_second;
}

interface ArmOutcome {
  arm: string;
  /** where the baseline's captures came from */
  baseline: "quiet" | "under the burner";
  slowdown: number;
  pairs: number;
  verdicts: Record<Verdict, number>;
  second_captures: number;
  /** INCONCLUSIVE because a capture ran on a busier machine than the baseline */
  inconclusive_busy: number;
  naive_regressions: number;
  /** the A/A comparisons that ended in REGRESSION, for inspection */
  false_alarms: Array<{ reasons: string[]; machine_load: unknown }>;
}

async function capturePools(
  mode: Mode,
  save: (pools: BenchmarkResult[][]) => void,
): Promise<{ pools: BenchmarkResult[][]; seconds: number }> {
  const t0 = Date.now();
  const pools: BenchmarkResult[][] = ARMS.map(() => []);
  const base = { mode, rounds: ROUNDS, warmup: WARMUP, maxNewTokens: TOKENS, preset: "tiny", seed: 42 };
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < ARMS.length; j++) {
      const arm = (i + j) % ARMS.length;
      const spec = ARMS[arm];
      if (spec === undefined || !wanted.has(spec.key)) continue;
      pools[arm]?.push((await captureArm(spec, { ...base, command: "bench/gate-accuracy.ts" })).result);
    }
    save(pools);
    process.stderr.write(
      `\r${mode}: captured ${i + 1}/${K} of each arm (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  process.stderr.write("\n");
  return { pools, seconds: (Date.now() - t0) / 1000 };
}
/**
 * Draws PAIRS comparisons per arm from the pools and gates each with `config`: baselines of quiet A captures,
 * and, when the burner arm was captured, baselines of burner captures too.
 */
async function evaluate(mode: Mode, pools: BenchmarkResult[][], config: GateConfig): Promise<ArmOutcome[]> {
  const outcomes: ArmOutcome[] = [];
  const burned = pools[BURN] ?? [];
  for (const from of ["quiet", "under the burner"] as const) {
    if (from === "under the burner" && burned.length < 2) continue;
    outcomes.push(
      ...(await evaluateFrom(mode, pools, config, from, from === "quiet" ? (pools[0] ?? []) : burned)),
    );
  }
  return outcomes;
}

/** The pairs of every candidate arm against baselines drawn from `a` (quiet A or burner captures). */
async function evaluateFrom(
  mode: Mode,
  pools: BenchmarkResult[][],
  config: GateConfig,
  from: ArmOutcome["baseline"],
  a: BenchmarkResult[],
): Promise<ArmOutcome[]> {
  const t = config.thresholds[mode];
  const rng = mulberry32(values.seed + (from === "quiet" ? 0 : 1000));
  const outcomes: ArmOutcome[] = [];
  for (let arm = 0; arm < BURN; arm++) {
    const pool = pools[arm] as BenchmarkResult[];
    // the baseline and the candidate pools may differ in size: indices wrap in each
    const kb = a.length;
    const k = pool.length;
    if (k < 2 || kb < 2) continue;
    const o: ArmOutcome = {
      arm: ARMS[arm]?.name ?? "",
      baseline: from,
      slowdown: ARMS[arm]?.slowdown ?? 0,
      pairs: PAIRS,
      verdicts: { PASS: 0, REGRESSION: 0, INCONCLUSIVE: 0, INCOMPARABLE: 0 },
      second_captures: 0,
      inconclusive_busy: 0,
      naive_regressions: 0,
      false_alarms: [],
    };
    for (let p = 0; p < PAIRS; p++) {
      // As in real use, the baseline's two captures are neighbours in time, and so are the candidate's first
      // capture and the one the variance rule asks for; A/A takes four distinct A captures.
      let b1 = randomInt(rng, kb);
      let c1 = randomInt(rng, k);
      while (
        arm === 0 &&
        from === "quiet" &&
        new Set([b1, (b1 + 1) % kb, c1, (c1 + 1) % k]).size < 4 &&
        k >= 4
      ) {
        b1 = randomInt(rng, kb);
        c1 = randomInt(rng, k);
      }
      const b2 = (b1 + 1) % kb;
      const c2 = (c1 + 1) % k;
      const base1 = a[b1] as BenchmarkResult;
      const candidate = pool[c1] as BenchmarkResult;
      const report = await gateDrawnPair(
        [base1, a[b2] as BenchmarkResult],
        candidate,
        pool[c2] as BenchmarkResult,
        config,
      );
      o.verdicts[report.verdict]++;
      if (report.second_capture.taken) o.second_captures++;
      if (report.verdict === "INCONCLUSIVE" && BUSY_REASONS.has(report.coded_reasons[0]?.code ?? ""))
        o.inconclusive_busy++;
      if (arm === 0 && report.verdict === "REGRESSION")
        o.false_alarms.push({ reasons: report.reasons, machine_load: report.machine_load });
      if (topLevel(candidate) / topLevel(base1) < 1 - t) o.naive_regressions++;
    }
    outcomes.push(o);
  }
  return outcomes;
}

/** The pools of every mode so far, written to --save-pools after each rotation (an interrupted run keeps them). */
const saved: Record<string, BenchmarkResult[][]> = {};
function saveModePools(mode: Mode, pools: BenchmarkResult[][]): void {
  saved[mode] = pools;
  if (values["save-pools"]) savePools(values["save-pools"], saved);
}

async function measureMode(mode: Mode, loaded?: BenchmarkResult[][]) {
  const { pools, seconds: captureS } = loaded
    ? { pools: [...loaded, ...ARMS.slice(loaded.length).map(() => [])], seconds: 0 }
    : await capturePools(mode, (p) => saveModePools(mode, p));
  const t = config.thresholds[mode];
  const a = pools[0] as BenchmarkResult[];
  const outcomes = await evaluate(mode, pools, config);
  const variants: Array<{ drift_floor: number; outcomes: ArmOutcome[] }> = [];
  for (const f of values["drift-floors"]) {
    variants.push({
      drift_floor: f,
      outcomes: await evaluate(mode, pools, parseGateConfig({ drift_floor: f }, "--drift-floors")),
    });
  }
  const cv = (r: BenchmarkResult) =>
    r.mode === "generation"
      ? r.statistics.tokens_per_second.robust_cv
      : r.statistics.calls_per_second.robust_cv;
  const sorted = (xs: number[]) => xs.sort((x, y) => x - y);
  const cvs = sorted(a.map(cv));
  const others = sorted(pools.flat().map((r) => r.machine_load?.other_cores ?? Number.NaN));
  const range = (xs: number[]) => ({
    min: xs[0] ?? 0,
    median: xs[xs.length >> 1] ?? 0,
    max: xs[xs.length - 1] ?? 0,
  });
  const medianOf = (xs: number[]) => sorted([...xs])[xs.length >> 1] ?? 0;
  const armMedian = (pool: BenchmarkResult[]) => medianOf(pool.map((r) => medianOf(roundMetric(r))));
  const aMedian = armMedian(a);
  const effective = pools.map((pool) => (pool.length === 0 ? null : 1 - armMedian(pool) / aMedian));
  return {
    mode,
    threshold: t,
    /** measured drop of each arm: 1 - median of its capture medians / the A arm's */
    effective_drop: effective,
    captures_per_arm: a.length,
    rounds_per_capture: ROUNDS,
    max_new_tokens: mode === "generation" ? TOKENS : null,
    capture_time_s: captureS,
    a_capture_robust_cv: range(cvs),
    other_processes_cores: range(others),
    drift_floor: config.drift_floor,
    outcomes,
    variants,
    pools,
  };
}

const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)} %`;

/** One outcome table: the title, a blank line, the Markdown table, a blank line. */
function outcomeTable(title: string, outcomes: ArmOutcome[]): string[] {
  const head = ["case", "baseline", "pairs", "gate REGRESSION", "PASS", "INCONCLUSIVE (busier machine)"];
  head.push("second capture", "naive rule REGRESSION");
  const rows = outcomes.map((o) => [
    o.arm,
    o.baseline,
    String(o.pairs),
    `${o.verdicts.REGRESSION} (${pct(o.verdicts.REGRESSION, o.pairs)})`,
    String(o.verdicts.PASS),
    `${o.verdicts.INCONCLUSIVE} (${o.inconclusive_busy})`,
    pct(o.second_captures, o.pairs),
    `${o.naive_regressions} (${pct(o.naive_regressions, o.pairs)})`,
  ]);
  const align = ["left", "left", "right", "right", "right", "right", "right", "right"] as const;
  return [title, "", ...markdownTable(head, align, rows), ""];
}

/** The printed report of one mode. */
function modeReport(r: Awaited<ReturnType<typeof measureMode>>): string[] {
  const c = r.a_capture_robust_cv;
  const m = r.other_processes_cores;
  const drops = r.effective_drop.map((d, i) => `${ARMS[i]?.key} ${d === null ? "not captured" : pct(d, 1)}`);
  const lines = [
    `## ${r.mode} (T = ${r.threshold * 100} %; ${r.captures_per_arm} captures per arm of ${r.rounds_per_capture} rounds${r.max_new_tokens ? ` x ${r.max_new_tokens} tokens` : ""}; capturing took ${r.capture_time_s.toFixed(0)} s)`,
    "",
    `Robust CV of the A captures: min ${pct(c.min, 1)}, median ${pct(c.median, 1)}, max ${pct(c.max, 1)}.`,
    `CPU cores used by other processes during a capture: min ${m.min.toFixed(2)}, median ${m.median.toFixed(2)}, max ${m.max.toFixed(2)}.`,
    `Measured drop of each arm (median of capture medians against the A arm's): ${drops.join(", ")}.`,
    "",
    ...outcomeTable(`Committed configuration (drift_floor ${r.drift_floor}):`, r.outcomes),
  ];
  for (const v of r.variants) lines.push(...outcomeTable(`With drift_floor ${v.drift_floor}:`, v.outcomes));
  for (const f of r.outcomes.flatMap((o) => o.false_alarms)) {
    lines.push("");
    lines.push(`False alarm: ${f.reasons[0]} (machine load ${JSON.stringify(f.machine_load)})`);
  }
  lines.push("");
  return lines;
}

const loadedPools = values["load-pools"]
  ? loadPools<Record<string, BenchmarkResult[][]>>(values["load-pools"])
  : undefined;
const results = [];
for (const mode of modes) results.push(await measureMode(mode, loadedPools?.[mode]));
process.stdout.write(`${results.flatMap(modeReport).join("\n")}\n`);
if (values.out) {
  const slim = results.map(({ pools: _pools, ...rest }) => rest);
  writeFileSync(values.out, `${JSON.stringify(slim, null, 2)}\n`);
}
