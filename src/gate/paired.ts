/**
 * The paired analysis of an interleaved A/B run (`perf-baseline ab`). Pure.
 *
 * A block is one run of each side, back to back, in alternating order (AB, BA, AB, BA, ...: ABBA), each run a
 * fresh engine process. What drifts over minutes (the machine's load, its clock, other tenants) hits both runs
 * of a block alike, so the per-block log ratio ln(median B / median A) of the gated metric cancels it; the
 * blocks' spread is what is left. The estimate is the Hodges-Lehmann estimator of the log ratios (the median of
 * their Walsh averages; Hodges & Lehmann 1963, the estimator that goes with the signed-rank test), its interval
 * a seeded percentile bootstrap over blocks, the test a one-sided Wilcoxon signed-rank test of "B is slower".
 * The thresholds are the gate's (12 % generation, 15 % embedding):
 * - REGRESSION: drop >= T, signed-rank p < alpha and the interval's upper end below 1 (the gate's rule);
 * - PASS: the interval lies above 1 - T (a drop of T or more is excluded);
 * - INCONCLUSIVE otherwise: run more blocks while the budget lasts (Chromium Pinpoint's UNKNOWN, then more
 *   repeats).
 */
import { type GateConfig, thresholdOf } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { median } from "../stats/index.js";
import { wilcoxonSignedRank } from "../stats/signed-rank.js";
import { mulberry32, randomInt } from "../util/prng.js";
import type { Mode } from "../workload/workload.js";
import { gatedMetric, metricSamples } from "./analysis.js";
import { busierThan } from "./contention.js";
import type { GateMetricName, MetricSpec } from "./metrics.js";
import type { Verdict } from "./verdict-exit.js";

/** The two sides: A is the reference, B the candidate (a drop is B slower than A). */
export type AbSide = "a" | "b";

/** One block: a run of each side, back to back. */
export interface AbBlock {
  /** 0-based */
  index: number;
  /** which side ran first */
  order: "AB" | "BA";
  /** median of the gated metric over the run's measured rounds */
  a_median: number;
  b_median: number;
  /** ln(b_median / a_median) */
  log_ratio: number;
  /** CPU cores other processes used during each run, where recorded */
  a_other_cores: number | null;
  b_other_cores: number | null;
  /** the side whose run was busier than the other's (contention.ts), or null */
  busier: AbSide | null;
}

/** Order of block `index`: AB, BA, AB, BA, ... (runs A B B A A B B A: ABBA). */
export function blockOrder(index: number): "AB" | "BA" {
  return index % 2 === 0 ? "AB" : "BA";
}

/**
 * A block from its two results.
 * @param metric the per-round figure compared (default: the mode's); for a lower-is-better one (ttft_ms) the
 *   log ratio is ln(A / B), so that a drop is always B worse than A.
 * @throws ResultFileError when a run has no usable rounds.
 */
export function blockOf(
  index: number,
  a: BenchmarkResult,
  b: BenchmarkResult,
  config: GateConfig,
  metric?: MetricSpec,
): AbBlock {
  const am = median(metricSamples(a, `block ${index + 1} side A`, metric?.name));
  const bm = median(metricSamples(b, `block ${index + 1} side B`, metric?.name));
  const t = thresholdOf(config, a.mode);
  const busier = busierThan(b, a, "B", "A", config, t)
    ? "b"
    : busierThan(a, b, "A", "B", config, t)
      ? "a"
      : null;
  return {
    index,
    order: blockOrder(index),
    a_median: am,
    b_median: bm,
    log_ratio: metric?.direction === "lower" ? Math.log(am / bm) : Math.log(bm / am),
    a_other_cores: a.machine_load?.other_cores ?? null,
    b_other_cores: b.machine_load?.other_cores ?? null,
    busier,
  };
}

/** Hodges-Lehmann estimate: the median of the Walsh averages (x_i + x_j) / 2, i <= j. */
export function hodgesLehmann(xs: readonly number[]): number {
  const w: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i; j < xs.length; j++) w.push(((xs[i] as number) + (xs[j] as number)) / 2);
  return median(w);
}

/** The paired analysis of the blocks so far. */
export interface PairedAnalysis {
  blocks: number;
  metric: GateMetricName;
  /** B / A: exp(Hodges-Lehmann estimate of the log ratios) */
  ratio: number;
  /** 1 - ratio: B's throughput drop, a fraction (negative when B is faster) */
  drop: number;
  /** seeded percentile bootstrap over blocks of the ratio */
  ci: { low: number; high: number; confidence: number };
  /** one-sided Wilcoxon signed-rank p of "B is slower" (log ratios below 0) */
  p_value: number;
  w_plus: number;
  /** sd of the block log ratios (the noise the pairing leaves) */
  sd_log_ratio: number;
  threshold: number;
  alpha: number;
  shows_regression: boolean;
  clearly_below_threshold: boolean;
}

/**
 * Analyses the blocks' log ratios.
 * @param metric the metric the blocks compared and its threshold (default: the mode's metric and threshold).
 * @throws RangeError with fewer than two blocks.
 */
export function analyzePaired(
  blocks: readonly AbBlock[],
  mode: Mode,
  config: GateConfig,
  metric?: MetricSpec,
): PairedAnalysis {
  if (blocks.length < 2) throw new RangeError("the paired analysis needs at least two blocks");
  const d = blocks.map((b) => b.log_ratio);
  const t = metric?.threshold ?? thresholdOf(config, mode);
  const est = hodgesLehmann(d);
  const rng = mulberry32(config.bootstrap.seed);
  const iters = config.bootstrap.iterations;
  const boots = new Float64Array(iters);
  const buf = new Array<number>(d.length);
  for (let k = 0; k < iters; k++) {
    for (let i = 0; i < d.length; i++) buf[i] = d[randomInt(rng, d.length)] as number;
    boots[k] = hodgesLehmann(buf);
  }
  boots.sort();
  const tail = (1 - config.bootstrap.confidence) / 2;
  const at = (q: number) => boots[Math.min(iters - 1, Math.max(0, Math.floor(q * iters)))] as number;
  const ci = {
    low: Math.exp(at(tail)),
    high: Math.exp(at(1 - tail)),
    confidence: config.bootstrap.confidence,
  };
  const sr = wilcoxonSignedRank(d, "less");
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
  const ratio = Math.exp(est);
  const drop = 1 - ratio;
  return {
    blocks: blocks.length,
    metric: metric?.name ?? gatedMetric(mode),
    ratio,
    drop,
    ci,
    p_value: sr.p_value,
    w_plus: sr.w_plus,
    sd_log_ratio: sd,
    threshold: t,
    alpha: config.alpha,
    shows_regression: drop >= t && sr.p_value < config.alpha && ci.high < 1,
    clearly_below_threshold: ci.low >= 1 - t,
  };
}

/** The verdict of an analysis: PASS, REGRESSION or INCONCLUSIVE (more blocks may decide it). */
export function pairedVerdict(a: PairedAnalysis): Exclude<Verdict, "INCOMPARABLE"> {
  if (a.shows_regression) return "REGRESSION";
  if (a.clearly_below_threshold) return "PASS";
  return "INCONCLUSIVE";
}

/** The budget of an A/B run. */
export interface AbBudget {
  /** blocks before the first decision (at least 2; with alpha 0.01 a REGRESSION needs 7 or more) */
  min_blocks: number;
  /** blocks at most */
  max_blocks: number;
  /** no new block starts after this many seconds */
  max_seconds: number;
}

/** What runs one side once: a fresh engine process for a local engine. */
export type RunSide = (side: AbSide, block: number) => Promise<BenchmarkResult>;

/** The outcome of {@link runAb}. */
export interface AbOutcome {
  verdict: Exclude<Verdict, "INCOMPARABLE">;
  blocks: AbBlock[];
  /** the analysis after each decision point (the last one decided) */
  analyses: PairedAnalysis[];
  elapsed_s: number;
  /** why it stopped: "decided", "max_blocks" or "max_seconds" */
  stopped_by: "decided" | "max_blocks" | "max_seconds";
  budget: AbBudget;
  /** the first block's results (for the report's description of each side) */
  first: { a: BenchmarkResult; b: BenchmarkResult } | null;
}

/**
 * Runs blocks in ABBA order until a decision or the budget: `min_blocks` first, then two at a time (one AB,
 * one BA, so the order stays balanced), deciding after each step; an INCONCLUSIVE decision runs more blocks
 * while the budget allows.
 * @param now seconds since some origin (a clock; injected so tests control it).
 * @param metric the metric decided on (default: the mode's).
 */
export async function runAb(
  mode: Mode,
  config: GateConfig,
  budget: AbBudget,
  runSide: RunSide,
  now: () => number,
  metric?: MetricSpec,
): Promise<AbOutcome> {
  const t0 = now();
  const blocks: AbBlock[] = [];
  const analyses: PairedAnalysis[] = [];
  let first: AbOutcome["first"] = null;
  const runBlock = async (i: number) => {
    const order = blockOrder(i);
    const r1 = await runSide(order === "AB" ? "a" : "b", i);
    const r2 = await runSide(order === "AB" ? "b" : "a", i);
    const [a, b] = order === "AB" ? [r1, r2] : [r2, r1];
    if (!first) first = { a, b };
    blocks.push(blockOf(i, a, b, config, metric));
  };
  let target = Math.min(budget.min_blocks, budget.max_blocks);
  for (;;) {
    while (blocks.length < target) {
      if (blocks.length >= 2 && now() - t0 >= budget.max_seconds) break;
      await runBlock(blocks.length);
    }
    const a = analyzePaired(blocks, mode, config, metric);
    analyses.push(a);
    const verdict = pairedVerdict(a);
    const elapsed = now() - t0;
    const done = (stopped_by: AbOutcome["stopped_by"]): AbOutcome => ({
      verdict,
      blocks,
      analyses,
      elapsed_s: elapsed,
      stopped_by,
      budget,
      first,
    });
    if (verdict !== "INCONCLUSIVE") return done("decided");
    if (blocks.length >= budget.max_blocks) return done("max_blocks");
    if (elapsed >= budget.max_seconds || blocks.length < target) return done("max_seconds");
    target = Math.min(budget.max_blocks, blocks.length + 2);
  }
}
