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
 * `--arms` picks the arms to capture (default all: A,S15,S25,Aburn,P25,D25; A is always taken).
 *
 * Per metric (issue 22): the arms P25 and D25 slow only prompt processing or only decoding of each generation
 * round by 25 % (test/support/slowdown-device.ts withPhaseSlowdownForTests), and `--metric NAME,...`
 * evaluates every drawn pair with that metric's gate (its direction and threshold from the configuration's
 * `metrics`, src/gate/metrics.ts); the default is the mode's metric. Each metric gets its own tables and a
 * summary line per mode: the false-alarm rate (A/A) and the detection rate of every slowed arm. A saved pool
 * holds whole results, so `--load-pools FILE --metric X` re-evaluates it for another metric without capturing.
 * `--prompt-tokens N` and `--depth N` shape the captures as on `bench` (the llama-cpp engine).
 *
 * `perf-baseline ab` (and stored-baseline pairs at ab's short shape): bench/ab-accuracy.ts.
 *
 *   npx tsx bench/gate-accuracy.ts [--mode generation|embedding|both] [--captures 40] [--pairs 200]
 *                                  [--rounds 15] [--max-new-tokens 16] [--seed 1] [--out results.json]
 *                                  [--arms A,S15,S25,Aburn,P25,D25] [--metric NAME,...]
 *                                  [--prompt-tokens N] [--depth N] [--save-pools F | --load-pools F]
 *   npx tsx bench/gate-accuracy.ts --counter instructions ...   (instruction counts: bench/instruction-accuracy.ts)
 */
import { writeFileSync } from "node:fs";
import { defaultGateConfig, type GateConfig, parseGateConfig } from "../src/config/gate-config.js";
import {
  defaultMetricOf,
  GATE_METRIC_NAMES,
  type GateMetricName,
  type MetricSpec,
  metricSpec,
  metricsOfMode,
  roundValues,
  specificationMetric,
} from "../src/gate/metrics.js";
import type { Verdict } from "../src/gate/verdict.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import { PerfBaselineError } from "../src/util/errors.js";
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
  optionalIntOpt,
  parseScript,
  peekFlag,
  textOpt,
  usageExit,
} from "./lib/args.js";
import { captureArm, GATE_ARMS } from "./lib/arms.js";
import { median } from "./lib/figures.js";
import { gateDrawnPair, loadPools, savePools } from "./lib/pools.js";
import { markdownTable } from "./lib/tables.js";

// --counter instructions: the instruction-count gate's accuracy instead (bench/instruction-accuracy.ts reads
// the same arguments with its own flags)
if (peekFlag(process.argv.slice(2), "counter") === "instructions") {
  const { main } = await import("./instruction-accuracy.js");
  await main();
  process.exit(0);
}
const INFO = {
  name: "bench/gate-accuracy.ts",
  summary:
    "How accurate the stored-baseline gate is here: false alarms and detection per metric, against the naive rule.",
  usage: "npx tsx bench/gate-accuracy.ts [options]",
};
const { values } = parseScript(INFO, {
  mode: modesOpt("generation"),
  captures: intOpt("captures per arm", 40),
  pairs: intOpt("comparisons drawn per arm", 200),
  rounds: intOpt("measured rounds per capture", 15),
  "max-new-tokens": intOpt(
    "new tokens per generation round (0: prompt processing only, with --prompt-tokens)",
    16,
    {
      allowZero: true,
    },
  ),
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
  metric: listOpt(
    "the metrics to evaluate, each with its own gate (direction and threshold from the configuration); default: the mode's",
    "",
    knownItem(GATE_METRIC_NAMES, "metric"),
  ),
  "prompt-tokens": optionalIntOpt(
    "captures: a synthetic prompt (generation) or inputs (embedding) of this many tokens (bench --prompt-tokens)",
  ),
  depth: optionalIntOpt("captures: tokens in the context before each round (bench --depth; generation)"),
  arms: listOpt(
    "the arms to capture (A is always taken; P25 and D25 slow one phase of a generation round)",
    "A,S15,S25,Aburn,P25,D25",
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
});
const K = values.captures;
const PAIRS = values.pairs;
const ROUNDS = values.rounds;
const TOKENS = values["max-new-tokens"];
const WARMUP = values.warmup;
const modes: Mode[] = modesOf(values.mode);
const config = defaultGateConfig();

/** The arms, in pool order (a saved pool file holds one list per arm, empty for an arm not captured). */
const ARMS = GATE_ARMS;
const BURN = ARMS.findIndex((a) => a.burn);
const wanted = new Set(["A", ...values.arms]);

/** The gate's reason codes that blame a busier machine (src/gate/reasons.ts). */
const BUSY_REASONS: ReadonlySet<string> = new Set([
  "drop_may_be_contention",
  "busier_baseline_may_hide_drop",
  "capture_busier",
]);

/** The median of a capture's rounds on `metric` (rounds that do not carry it skipped; NaN if none does). */
function metricMedian(r: BenchmarkResult, metric: GateMetricName): number {
  return median(roundValues(r, metric).filter((v): v is number => typeof v === "number"));
}

/**
 * What a naive single-capture rule compares: the specification's top-level figure for the mode's metric,
 * else the capture's median of the metric.
 */
function naiveFigure(r: BenchmarkResult, metric: GateMetricName): number {
  if (metric === specificationMetric(r.mode))
    return r.mode === "generation" ? r.tokens_per_second : r.calls_per_second;
  return metricMedian(r, metric);
}

/** The worsening of `candidate` against `base` as a fraction, whatever the metric's direction. */
function dropOf(spec: MetricSpec, base: number, candidate: number): number {
  return spec.direction === "higher" ? 1 - candidate / base : 1 - base / candidate;
}

interface ArmOutcome {
  arm: string;
  key: string;
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

/** The arms a mode captures: the wanted ones; the phase arms only for generation (embedding has no phases). */
function armsOf(mode: Mode): boolean[] {
  return ARMS.map((a) => wanted.has(a.key) && (mode === "generation" || !("phase" in a)));
}

async function capturePools(
  mode: Mode,
  save: (pools: BenchmarkResult[][]) => void,
): Promise<{ pools: BenchmarkResult[][]; seconds: number }> {
  const t0 = Date.now();
  const pools: BenchmarkResult[][] = ARMS.map(() => []);
  const taken = armsOf(mode);
  const base = {
    mode,
    rounds: ROUNDS,
    warmup: WARMUP,
    maxNewTokens: TOKENS,
    preset: "tiny",
    seed: 42,
    ...(values["prompt-tokens"] !== undefined ? { promptTokens: values["prompt-tokens"] } : {}),
    ...(values.depth !== undefined ? { depth: values.depth } : {}),
  };
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < ARMS.length; j++) {
      const arm = (i + j) % ARMS.length;
      const spec = ARMS[arm];
      if (spec === undefined || !taken[arm]) continue;
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
 * Draws PAIRS comparisons per arm from the pools and gates each with `config` on `metric`: baselines of quiet
 * A captures, and, when the burner arm was captured, baselines of burner captures too.
 */
async function evaluate(
  mode: Mode,
  pools: BenchmarkResult[][],
  config: GateConfig,
  metric: GateMetricName,
): Promise<ArmOutcome[]> {
  const outcomes: ArmOutcome[] = [];
  const burned = pools[BURN] ?? [];
  const spec = metricSpec(config, mode, metric);
  for (const from of ["quiet", "under the burner"] as const) {
    if (from === "under the burner" && burned.length < 2) continue;
    const a = from === "quiet" ? (pools[0] ?? []) : burned;
    outcomes.push(...(await evaluateFrom(pools, config, spec, from, a)));
  }
  return outcomes;
}

/** A fresh tally of one arm. */
function tally(arm: number, from: ArmOutcome["baseline"]): ArmOutcome {
  return {
    arm: ARMS[arm]?.name ?? "",
    key: ARMS[arm]?.key ?? "",
    baseline: from,
    slowdown: ARMS[arm]?.slowdown ?? 0,
    pairs: PAIRS,
    verdicts: { PASS: 0, REGRESSION: 0, INCONCLUSIVE: 0, INCOMPARABLE: 0 },
    second_captures: 0,
    inconclusive_busy: 0,
    naive_regressions: 0,
    false_alarms: [],
  };
}

/** The pairs of every candidate arm (all but the burner's) against baselines drawn from `a`. */
async function evaluateFrom(
  pools: BenchmarkResult[][],
  config: GateConfig,
  spec: MetricSpec,
  from: ArmOutcome["baseline"],
  a: BenchmarkResult[],
): Promise<ArmOutcome[]> {
  const rng = mulberry32(values.seed + (from === "quiet" ? 0 : 1000));
  const outcomes: ArmOutcome[] = [];
  for (let arm = 0; arm < ARMS.length; arm++) {
    if (arm === BURN) continue;
    const pool = pools[arm] ?? [];
    // the baseline and the candidate pools may differ in size: indices wrap in each
    const kb = a.length;
    const k = pool.length;
    if (k < 2 || kb < 2) continue;
    const o = tally(arm, from);
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
      const base1 = a[b1] as BenchmarkResult;
      const candidate = pool[c1] as BenchmarkResult;
      const baseline: [BenchmarkResult, BenchmarkResult] = [base1, a[(b1 + 1) % kb] as BenchmarkResult];
      const again = pool[(c1 + 1) % k] as BenchmarkResult;
      const report = await gateDrawnPair(baseline, candidate, again, config, spec.name);
      o.verdicts[report.verdict]++;
      if (report.second_capture.taken) o.second_captures++;
      if (report.verdict === "INCONCLUSIVE" && BUSY_REASONS.has(report.coded_reasons[0]?.code ?? ""))
        o.inconclusive_busy++;
      if (arm === 0 && report.verdict === "REGRESSION")
        o.false_alarms.push({ reasons: report.reasons, machine_load: report.machine_load });
      const naive = dropOf(spec, naiveFigure(base1, spec.name), naiveFigure(candidate, spec.name));
      if (naive > spec.threshold) o.naive_regressions++;
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

/** The metrics to evaluate for a mode: --metric's that its rounds carry, else the mode's default. */
function metricsFor(mode: Mode, a: BenchmarkResult[]): GateMetricName[] {
  const fallback = a[0] ? defaultMetricOf(a[0]) : specificationMetric(mode);
  const asked = values.metric as GateMetricName[];
  if (asked.length === 0) return [fallback];
  if (modes.length === 1) {
    try {
      return metricsOfMode(mode, asked);
    } catch (err) {
      return usageExit(INFO, (err as Error).message);
    }
  }
  const carried = asked.filter((m) => {
    try {
      return metricsOfMode(mode, [m]).length > 0;
    } catch {
      process.stderr.write(`${mode}: --metric ${m} skipped (${mode} rounds do not carry it)\n`);
      return false;
    }
  });
  return carried.length > 0 ? carried : [fallback];
}

/** One metric's figures: every arm's drawn pairs, with each --drift-floors variant, and each arm's drop. */
async function metricFigures(mode: Mode, pools: BenchmarkResult[][], metric: GateMetricName) {
  const spec = metricSpec(config, mode, metric);
  const outcomes = await evaluate(mode, pools, config, metric);
  const variants: Array<{ drift_floor: number; outcomes: ArmOutcome[] }> = [];
  for (const f of values["drift-floors"]) {
    const floored = parseGateConfig({ drift_floor: f }, "--drift-floors");
    variants.push({ drift_floor: f, outcomes: await evaluate(mode, pools, floored, metric) });
  }
  const armMedian = (pool: BenchmarkResult[]) => median(pool.map((r) => metricMedian(r, metric)));
  const aMedian = armMedian(pools[0] ?? []);
  const effective = pools.map((pool) => (pool.length === 0 ? null : dropOf(spec, aMedian, armMedian(pool))));
  return {
    metric,
    direction: spec.direction,
    threshold: spec.threshold,
    /** measured worsening of each arm on this metric: its median of capture medians against the A arm's */
    effective_drop: effective,
    outcomes,
    variants,
  };
}

async function measureMode(mode: Mode, loaded?: BenchmarkResult[][]) {
  const { pools, seconds: captureS } = loaded
    ? { pools: [...loaded, ...ARMS.slice(loaded.length).map(() => [])], seconds: 0 }
    : await capturePools(mode, (p) => saveModePools(mode, p));
  const a = pools[0] as BenchmarkResult[];
  const metrics = [];
  for (const m of metricsFor(mode, a)) {
    try {
      metrics.push(await metricFigures(mode, pools, m));
    } catch (err) {
      // e.g. itl_p99_ms on pools captured before rounds carried it: one line, not a stack
      if (!(err instanceof PerfBaselineError)) throw err;
      usageExit(INFO, `${mode}, --metric ${m}: ${err.message}`);
    }
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
  return {
    mode,
    test: a[0]?.test ?? null,
    captures_per_arm: a.length,
    rounds_per_capture: a[0]?.samples.length ?? ROUNDS,
    max_new_tokens: a[0]?.mode === "generation" ? a[0].max_new_tokens : null,
    capture_time_s: captureS,
    a_capture_robust_cv: range(cvs),
    other_processes_cores: range(others),
    drift_floor: config.drift_floor,
    metrics,
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

type ModeFigures = Awaited<ReturnType<typeof measureMode>>;

/**
 * The summary of a mode: one row per metric, its false-alarm rate (A/A, quiet baselines) and the detection
 * rate (gate REGRESSION) of every slowed arm captured, at the committed configuration.
 */
function summaryTable(r: ModeFigures): string[] {
  const slowed = ARMS.filter((a, i) => a.slowdown > 0 && (r.pools[i]?.length ?? 0) >= 2).map((a) => a.key);
  const head = ["metric", "T", "false alarms (A/A)", ...slowed.map((k) => `detects ${k}`)];
  const rows = r.metrics.map((m) => {
    const quiet = m.outcomes.filter((o) => o.baseline === "quiet");
    const rate = (key: string) => {
      const o = quiet.find((x) => x.key === key);
      return o ? pct(o.verdicts.REGRESSION, o.pairs) : "-";
    };
    return [m.metric, pct(m.threshold, 1), rate("A"), ...slowed.map(rate)];
  });
  const align = head.map((_, i) => (i === 0 ? "left" : "right")) as ("left" | "right")[];
  return [
    "Per metric (committed configuration, quiet baselines):",
    "",
    ...markdownTable(head, align, rows),
    "",
  ];
}

/** The printed report of one mode. */
function modeReport(r: ModeFigures): string[] {
  const c = r.a_capture_robust_cv;
  const m = r.other_processes_cores;
  const lines = [
    `## ${r.mode}${r.test ? ` ${r.test}` : ""} (${r.captures_per_arm} captures per arm of ${r.rounds_per_capture} rounds${r.max_new_tokens ? ` x ${r.max_new_tokens} tokens` : ""}; capturing took ${r.capture_time_s.toFixed(0)} s)`,
    "",
    `Robust CV of the A captures: min ${pct(c.min, 1)}, median ${pct(c.median, 1)}, max ${pct(c.max, 1)}.`,
    `CPU cores used by other processes during a capture: min ${m.min.toFixed(2)}, median ${m.median.toFixed(2)}, max ${m.max.toFixed(2)}.`,
    "",
    ...summaryTable(r),
  ];
  for (const f of r.metrics) {
    const drops = f.effective_drop.map(
      (d, i) => `${ARMS[i]?.key} ${d === null ? "not captured" : pct(d, 1)}`,
    );
    lines.push(
      `### ${f.metric} (${f.direction} is better, T = ${pct(f.threshold, 1)})`,
      "",
      `Measured worsening of each arm on ${f.metric} (median of capture medians against the A arm's): ${drops.join(", ")}.`,
      "",
      ...outcomeTable(`Committed configuration (drift_floor ${r.drift_floor}):`, f.outcomes),
    );
    for (const v of f.variants) lines.push(...outcomeTable(`With drift_floor ${v.drift_floor}:`, v.outcomes));
    for (const fa of f.outcomes.flatMap((o) => o.false_alarms))
      lines.push("", `False alarm: ${fa.reasons[0]} (machine load ${JSON.stringify(fa.machine_load)})`);
    lines.push("");
  }
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
