/**
 * Small figures of results the accuracy scripts share: the gated metric of every round and a median that,
 * unlike src/stats's, does not refuse an empty list (it gives NaN), as the scripts' summaries expect.
 */
import type { BenchmarkResult } from "../../src/results/schema.js";

/** The gated metric of every measured round: tokens/s (generation) or calls/s (embedding). */
export function roundMetric(r: BenchmarkResult): number[] {
  return r.mode === "generation"
    ? r.samples.map((x) => x.tokens_per_second)
    : r.samples.map((x) => x.calls_per_second);
}

/** The median: the mean of the two middle values for an even count; NaN for an empty list. */
export function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}

/** The median of a result's rounds on its gated metric. */
export function metricMedian(r: BenchmarkResult): number {
  return median(roundMetric(r));
}
