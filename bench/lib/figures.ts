/**
 * Small figures the bench scripts share: the clock, the rates of an engine's generation round, the gated
 * metric of every round of a result and a median that, unlike src/stats's, does not refuse an empty list (it
 * gives NaN), as the scripts' summaries expect.
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

/** The monotonic clock, in nanoseconds. */
export const now = (): bigint => process.hrtime.bigint();

/** Seconds from t0 to t1 (nanosecond stamps of {@link now}). */
export const secondsBetween = (t0: bigint, t1: bigint): number => Number(t1 - t0) / 1e9;

/**
 * The rates of one engine generation round (an Engine's generate() result: clock stamps in ns): tokens per
 * second over the whole round, and decode tokens per second from the first token on.
 */
export function generationRates(r: {
  output_tokens: number;
  start_ns: bigint;
  end_ns: bigint;
  first_token_ns?: bigint | null;
}): { tokens_per_second: number; decode_tokens_per_second: number } {
  return {
    tokens_per_second: r.output_tokens / secondsBetween(r.start_ns, r.end_ns),
    decode_tokens_per_second:
      (r.output_tokens - 1) / secondsBetween(r.first_token_ns ?? r.start_ns, r.end_ns),
  };
}
