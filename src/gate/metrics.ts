/**
 * The per-round figures the gate can compare and how: each metric's direction (higher or lower is better),
 * its threshold (the configuration's `metrics`, else the mode's threshold) and which modes carry it; and
 * what a comparison gates by default: the specification's metric of the mode (tokens/s for generation,
 * calls/s for embedding), or the prefill rate for a prompt-only test (max_new_tokens 0, whose tokens/s is 0).
 * Pure.
 */
import { type GateConfig, type GateMetricName, thresholdOf } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { UsageError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";

export { GATE_METRIC_NAMES, type GateMetricName } from "../config/gate-config.js";

/** How one metric is gated. */
export interface MetricSpec {
  name: GateMetricName;
  direction: "higher" | "lower";
  /** the largest tolerated worsening, a fraction (see gate-config.ts `metrics`) */
  threshold: number;
}

/** Each metric's own direction and the modes whose rounds carry it. */
const METRIC_TABLE: Record<GateMetricName, { direction: "higher" | "lower"; modes: readonly Mode[] }> = {
  tokens_per_second: { direction: "higher", modes: ["generation", "embedding"] },
  prefill_tokens_per_second: { direction: "higher", modes: ["generation"] },
  decode_tokens_per_second: { direction: "higher", modes: ["generation"] },
  calls_per_second: { direction: "higher", modes: ["embedding"] },
  ttft_ms: { direction: "lower", modes: ["generation"] },
  itl_ms: { direction: "lower", modes: ["generation"] },
  itl_p99_ms: { direction: "lower", modes: ["generation"] },
  // per request 1 (met every objective) or 0: a proportion, gated by src/gate/goodput.ts
  goodput_share: { direction: "higher", modes: ["generation"] },
};

/** Metrics whose default threshold is their own, not the mode's: goodput_share's is an absolute fraction. */
const OWN_THRESHOLD: Partial<Record<GateMetricName, number>> = { goodput_share: 0.05 };

/** The specification's metric of a mode: generation tokens/s, embedding calls/s. */
export function specificationMetric(mode: Mode): "tokens_per_second" | "calls_per_second" {
  return mode === "generation" ? "tokens_per_second" : "calls_per_second";
}

/** A prompt-only generation test (max_new_tokens 0): its tokens/s is 0, its rate is the prefill's. */
export function isPromptOnly(result: BenchmarkResult): boolean {
  return result.mode === "generation" && result.max_new_tokens === 0;
}

/** The metric a result is gated on without `--metric`. */
export function defaultMetricOf(result: BenchmarkResult): GateMetricName {
  return isPromptOnly(result) ? "prefill_tokens_per_second" : specificationMetric(result.mode);
}

/** Direction and threshold of `name` for `mode`: the configuration's `metrics` entry, else the defaults. */
export function metricSpec(config: GateConfig, mode: Mode, name: GateMetricName): MetricSpec {
  const own = config.metrics[name];
  return {
    name,
    direction: own?.direction ?? METRIC_TABLE[name].direction,
    threshold: own?.threshold ?? OWN_THRESHOLD[name] ?? thresholdOf(config, mode),
  };
}

/**
 * The metrics to gate a result of `mode` on: the names given (`--metric`), else the result's default.
 * @throws UsageError naming a metric the mode's rounds do not carry.
 */
export function metricsToGate(result: BenchmarkResult, names: readonly GateMetricName[]): GateMetricName[] {
  if (names.length === 0) return [defaultMetricOf(result)];
  return metricsOfMode(result.mode, names);
}

/**
 * The metrics named, each once, when rounds of `mode` carry them all.
 * @throws UsageError naming a metric the mode's rounds do not carry.
 */
export function metricsOfMode(mode: Mode, names: readonly GateMetricName[]): GateMetricName[] {
  for (const n of names) {
    if (!METRIC_TABLE[n].modes.includes(mode))
      throw new UsageError(`--metric ${n}: ${mode} rounds do not carry it`);
  }
  return [...new Set(names)];
}

/** The value of `name` in every measured round (null where a round does not carry it). */
export function roundValues(result: BenchmarkResult, name: GateMetricName): (number | null | undefined)[] {
  const rows = result.samples as readonly Record<string, unknown>[];
  return rows.map((s) => {
    const v = s[name];
    return typeof v === "number" ? v : v === null ? null : undefined;
  });
}
