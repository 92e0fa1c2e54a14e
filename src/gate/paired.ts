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
 * A side's run is this tool's result or an import of another tool's output (src/import/, `ab --a-cmd`): the
 * block takes the per-run samples of the metric either way (rounds, or llama-bench's samples_ts, hyperfine's
 * times, ...); an import carries no machine load, so its blocks have no busier side.
 */
import { type GateConfig, thresholdOf } from "../config/gate-config.js";
import type { ImportedResult } from "../import/types.js";
import type { BenchmarkResult } from "../results/schema.js";
import { median } from "../stats/index.js";
import { wilcoxonSignedRank } from "../stats/signed-rank.js";
import { ResultFileError } from "../util/errors.js";
import { mulberry32, randomInt } from "../util/prng.js";
import type { Mode } from "../workload/workload.js";
import { gatedMetric, metricSamples } from "./analysis.js";
import { busierThan } from "./contention.js";
import { GATE_METRIC_NAMES, type GateMetricName, type MetricSpec } from "./metrics.js";
import type { Verdict } from "./verdict-exit.js";

/** The two sides: A is the reference, B the candidate (a drop is B slower than A). */
export type AbSide = "a" | "b";

/** One run of a side: this tool's result, or an import of another tool's output (one test of it). */
export type AbRun = BenchmarkResult | ImportedResult;

/**
 * A metric an A/B run decides: one of this tool's ({@link MetricSpec}), or an imported metric by its name
 * (`time_s`, ...), with the direction its format gives and a threshold (a fraction).
 */
export interface AbMetric {
  name: string;
  direction: "higher" | "lower";
  threshold: number;
}

/** Whether a run is an import of another tool's output (it lists what it did not carry). */
export function isImportedRun(run: AbRun): run is ImportedResult {
  return "not_carried" in run && "metrics" in run;
}

/**
 * The per-run samples of `name` in a run: a result's measured rounds, or an import's samples.
 * @throws ResultFileError naming `where` when the run does not carry the metric, or carries a summary only.
 */
export function runSamples(run: AbRun, where: string, name: string): number[] {
  if (!isImportedRun(run)) {
    if (!(GATE_METRIC_NAMES as readonly string[]).includes(name))
      throw new ResultFileError(where, `carries no metric ${name}`);
    return metricSamples(run, where, name as GateMetricName);
  }
  const m = run.metrics.find((x) => x.name === name);
  if (!m)
    throw new ResultFileError(
      where,
      `carries no metric ${name} (it carries: ${run.metrics.map((x) => x.name).join(", ")})`,
    );
  if (m.samples === null || m.samples.length === 0)
    throw new ResultFileError(
      where,
      `${name} is a summary only (no per-run figures): an A/B block needs the samples of each run`,
    );
  return m.samples;
}

/** One block: a run of each side, back to back. */
export interface AbBlock {
  /** 0-based */
  index: number;
  /** which side ran first */
  order: "AB" | "BA";
  /** median of the gated metric over the run's measured rounds */
  a_median: number;
  b_median: number;
  /** ln(b_median / a_median), or ln(a_median / b_median) for a lower-is-better metric: below 0 is B worse */
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

/** The metric an A/B run gates when none is named: the mode's (tokens/s, calls/s), with the mode's threshold. */
export function defaultAbMetric(mode: Mode, config: GateConfig): MetricSpec {
  return { name: gatedMetric(mode), direction: "higher", threshold: thresholdOf(config, mode) };
}

/** The side whose run was busier than the other's, where both are this tool's results (with machine load). */
function busierSide(a: AbRun, b: AbRun, config: GateConfig): AbSide | null {
  if (isImportedRun(a) || isImportedRun(b)) return null;
  const t = thresholdOf(config, a.mode);
  if (busierThan(b, a, "B", "A", config, t)) return "b";
  return busierThan(a, b, "A", "B", config, t) ? "a" : null;
}

/** Machine load other processes put on a run, where recorded (never for an import). */
function otherCores(run: AbRun): number | null {
  return isImportedRun(run) ? null : (run.machine_load?.other_cores ?? null);
}

/**
 * A block from its two runs, on `metric` (default: the mode's, {@link defaultAbMetric}): the median of each
 * run's per-run samples ({@link runSamples}).
 * @throws ResultFileError when a run has no usable rounds or samples, or does not carry the metric.
 */
export function blockOf(
  index: number,
  a: AbRun,
  b: AbRun,
  config: GateConfig,
  metric: AbMetric = defaultAbMetric(a.mode, config),
): AbBlock {
  const am = median(runSamples(a, `block ${index + 1} side A`, metric.name));
  const bm = median(runSamples(b, `block ${index + 1} side B`, metric.name));
  const busier = busierSide(a, b, config);
  return {
    index,
    order: blockOrder(index),
    a_median: am,
    b_median: bm,
    log_ratio: metric.direction === "higher" ? Math.log(bm / am) : Math.log(am / bm),
    a_other_cores: otherCores(a),
    b_other_cores: otherCores(b),
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
  /** the metric decided: one of this tool's, or an imported one's name */
  metric: string;
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
 * Analyses the blocks' log ratios of `metric` (default: the mode's, {@link defaultAbMetric}); its threshold
 * decides. For a lower-is-better metric the ratio is A/B (below 1: B worse), as the gate's drop of
 * baseline/candidate.
 * @throws RangeError with fewer than two blocks.
 */
export function analyzePaired(
  blocks: readonly AbBlock[],
  mode: Mode,
  config: GateConfig,
  metric: AbMetric = defaultAbMetric(mode, config),
): PairedAnalysis {
  if (blocks.length < 2) throw new RangeError("the paired analysis needs at least two blocks");
  const d = blocks.map((b) => b.log_ratio);
  const t = metric.threshold;
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
    metric: metric.name,
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

/** What runs one side once: a fresh engine process for a local engine, a command for `ab --a-cmd`. */
export type RunSide = (side: AbSide, block: number) => Promise<AbRun>;

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
  /** the first block's results (for the report's description of each side); null for imported runs */
  first: { a: BenchmarkResult; b: BenchmarkResult } | null;
  /**
   * with several metrics: each one's own outcome on the same runs, in the order given (the fields above are
   * the first metric's)
   */
  by_metric?: AbOutcome[];
}

/** The blocks, analyses and verdict of one metric so far. */
interface MetricTrack {
  spec: AbMetric;
  blocks: AbBlock[];
  analyses: PairedAnalysis[];
  verdict: Exclude<Verdict, "INCOMPARABLE">;
}

/**
 * Runs blocks in ABBA order until a decision or the budget: `min_blocks` first, then two at a time (one AB,
 * one BA, so the order stays balanced), deciding after each step; an INCONCLUSIVE decision runs more blocks
 * while the budget allows. With several `metrics` (`ab --metric`), each is decided on the same runs, and
 * more blocks run while any of them is INCONCLUSIVE.
 * @param now seconds since some origin (a clock; injected so tests control it).
 * @param metrics the metrics to decide, each with its direction and threshold; default: the mode's
 *   ({@link defaultAbMetric}).
 */
export async function runAb(
  mode: Mode,
  config: GateConfig,
  budget: AbBudget,
  runSide: RunSide,
  now: () => number,
  metrics: readonly AbMetric[] = [],
): Promise<AbOutcome> {
  const t0 = now();
  const specs = metrics.length > 0 ? metrics : [defaultAbMetric(mode, config)];
  const tracks: MetricTrack[] = specs.map((spec) => ({
    spec,
    blocks: [],
    analyses: [],
    verdict: "INCONCLUSIVE",
  }));
  let first: AbOutcome["first"] = null;
  let blocks = 0;
  const runBlock = async (i: number) => {
    const order = blockOrder(i);
    const r1 = await runSide(order === "AB" ? "a" : "b", i);
    const r2 = await runSide(order === "AB" ? "b" : "a", i);
    const [a, b] = order === "AB" ? [r1, r2] : [r2, r1];
    if (!first && !isImportedRun(a) && !isImportedRun(b)) first = { a, b };
    for (const t of tracks) t.blocks.push(blockOf(i, a, b, config, t.spec));
    blocks++;
  };
  let target = Math.min(budget.min_blocks, budget.max_blocks);
  for (;;) {
    while (blocks < target) {
      if (blocks >= 2 && now() - t0 >= budget.max_seconds) break;
      await runBlock(blocks);
    }
    for (const t of tracks) {
      const a = analyzePaired(t.blocks, mode, config, t.spec);
      t.analyses.push(a);
      t.verdict = pairedVerdict(a);
    }
    const elapsed = now() - t0;
    const done = (stopped_by: AbOutcome["stopped_by"]): AbOutcome => {
      const each = tracks.map(
        (t): AbOutcome => ({
          verdict: t.verdict,
          blocks: t.blocks,
          analyses: t.analyses,
          elapsed_s: elapsed,
          stopped_by,
          budget,
          first,
        }),
      );
      const head = each[0] as AbOutcome;
      return metrics.length > 1 ? { ...head, by_metric: each } : head;
    };
    if (tracks.every((t) => t.verdict !== "INCONCLUSIVE")) return done("decided");
    if (blocks >= budget.max_blocks) return done("max_blocks");
    if (elapsed >= budget.max_seconds || blocks < target) return done("max_seconds");
    target = Math.min(budget.max_blocks, blocks + 2);
  }
}
