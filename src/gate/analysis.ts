/**
 * The statistics of one baseline-vs-candidate comparison of the gated metric: medians, robust CVs, the ratio
 * of medians with its seeded bootstrap interval, and the one-sided Mann-Whitney p-value. Pure.
 */

import { type GateConfig, type GateMetricName, thresholdOf } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { bootstrapRatioCi, DIRECT_RESAMPLE_MAX_N, mannWhitneyU, median, robustCv } from "../stats/index.js";
import { ResultFileError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";
import { type MetricSpec, roundValues } from "./metrics.js";

/** The per-round figure the gate compares: generation tokens/s, embedding calls/s (higher is better). */
export type GatedMetric = "tokens_per_second" | "calls_per_second";

/** The gated metric of a mode. */
export function gatedMetric(mode: Mode): GatedMetric {
  return mode === "generation" ? "tokens_per_second" : "calls_per_second";
}

/**
 * A metric of every measured round of a result: by default the specification's metric of its mode.
 * @param where the file (or label) to name in an error.
 * @param name the metric (src/gate/metrics.ts); defaults to {@link gatedMetric} of the result's mode.
 * @throws ResultFileError when a round's value is not a positive finite number (nothing to divide by), or a
 *   round does not carry the metric.
 */
export function metricSamples(result: BenchmarkResult, where: string, name?: GateMetricName): number[] {
  const metric = name ?? gatedMetric(result.mode);
  const raw = roundValues(result, metric);
  const values = raw.map((v, i) => {
    if (v === null || v === undefined)
      throw new ResultFileError(where, `field samples.${i}.${metric}: not recorded in this round`);
    if (!(Number.isFinite(v) && v > 0)) {
      const what = metric.endsWith("_ms") ? "latency" : "throughput";
      throw new ResultFileError(where, `field samples.${i}.${metric}: ${v} is not a positive ${what}`);
    }
    return v;
  });
  if (values.length === 0) throw new ResultFileError(where, "field samples: no measured rounds");
  return values;
}

/** Median, robust CV and size of one side's samples. */
export interface SideStats {
  n: number;
  median: number;
  /** 1.4826 x MAD / median, a fraction */
  robust_cv: number;
}

/** One comparison of candidate samples against the baseline's. */
export interface Analysis {
  /** "capture 1", "capture 2" or "pooled" */
  label: string;
  baseline: SideStats;
  candidate: SideStats;
  /** median(candidate) / median(baseline); for a lower-is-better metric median(baseline) / median(candidate) */
  ratio: number;
  /** 1 - ratio: the throughput drop (the worsening), a fraction (negative when the candidate is better) */
  drop: number;
  /** seeded percentile-bootstrap interval of the ratio */
  ci: { low: number; high: number; confidence: number };
  /** one-sided Mann-Whitney U p-value of "candidate throughput is lower" */
  p_value: number;
  /** the threshold T used, a fraction */
  threshold: number;
  /** a side's robust CV exceeds T x noisy_cv_fraction_of_threshold */
  noisy: boolean;
  /** the interval contains 1 - T: the data cannot tell a drop of T from less */
  straddles: boolean;
  /** size and significance together: drop >= T, p < alpha and the interval's upper end below 1 */
  shows_regression: boolean;
  /** the interval lies above 1 - T: the drop is below T with the stated confidence */
  clearly_below_threshold: boolean;
}

function side(xs: ArrayLike<number>): SideStats {
  return { n: xs.length, median: median(xs), robust_cv: robustCv(xs) };
}

/**
 * Compares candidate samples with baseline samples of the gated metric of `mode`, or of `metric` (its
 * threshold and direction; src/gate/metrics.ts). For a lower-is-better metric the ratio and its interval are
 * median(baseline) / median(candidate) and p tests "candidate higher", so a drop is always a worsening.
 */
export function analyze(
  label: string,
  baseline: readonly number[],
  candidate: readonly number[],
  mode: Mode,
  config: GateConfig,
  metric?: MetricSpec,
): Analysis {
  const t = metric?.threshold ?? thresholdOf(config, mode);
  const lower = metric?.direction === "lower";
  const noisyCv = t * config.noisy_cv_fraction_of_threshold;
  // each side sorted once: the statistics below find a sorted sample in one pass instead of sorting again
  const bSorted = Float64Array.from(baseline).sort();
  const cSorted = Float64Array.from(candidate).sort();
  const b = side(bSorted);
  const c = side(cSorted);
  // a large sample's bootstrap depends only on its values (order-statistic draws), so it gets the sorted copy;
  // a small one is resampled by index, so it gets the sample as recorded (the same draws as ever)
  const forBootstrap = (xs: readonly number[], sorted: Float64Array) =>
    xs.length > DIRECT_RESAMPLE_MAX_N ? sorted : xs;
  const bs = forBootstrap(baseline, bSorted);
  const cs = forBootstrap(candidate, cSorted);
  const opts = {
    seed: config.bootstrap.seed,
    iterations: config.bootstrap.iterations,
    confidence: config.bootstrap.confidence,
  };
  const ci = lower ? bootstrapRatioCi(cs, bs, opts) : bootstrapRatioCi(bs, cs, opts);
  const p = (lower ? mannWhitneyU(bSorted, cSorted, "less") : mannWhitneyU(cSorted, bSorted, "less")).p_value;
  const ratio = lower ? b.median / c.median : c.median / b.median;
  const drop = 1 - ratio;
  const floor = 1 - t;
  return {
    label,
    baseline: b,
    candidate: c,
    ratio,
    drop,
    ci: { low: ci.low, high: ci.high, confidence: ci.confidence },
    p_value: p,
    threshold: t,
    noisy: b.robust_cv > noisyCv || c.robust_cv > noisyCv,
    straddles: ci.low < floor && ci.high >= floor,
    shows_regression: drop >= t && p < config.alpha && ci.high < 1,
    clearly_below_threshold: ci.low >= floor && drop < t,
  };
}
