/**
 * The metrics a trend can follow, and how each is read from a result: the median of its rounds (or of its
 * requests for a serving run) with the 10th and 90th percentiles. Higher is better for throughputs, lower for
 * latencies.
 */
import { timedUnderValgrind } from "../gate/instructions.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { Mode } from "../workload/workload.js";
import type { MetricValue } from "./types.js";

/** A metric's name, unit and direction. */
export interface MetricInfo {
  name: string;
  unit: string;
  /** "higher" for throughputs, "lower" for latencies */
  better: "higher" | "lower";
  label: string;
}

/** The metrics of each mode, the gated one first. */
export const METRICS: Record<Mode, readonly MetricInfo[]> = {
  generation: [
    { name: "tokens_per_second", unit: "tokens/s", better: "higher", label: "generation throughput" },
    { name: "decode_tokens_per_second", unit: "tokens/s", better: "higher", label: "decode throughput" },
    { name: "prefill_tokens_per_second", unit: "tokens/s", better: "higher", label: "prefill throughput" },
    { name: "ttft_ms", unit: "ms", better: "lower", label: "time to first token (TTFT)" },
    { name: "itl_ms", unit: "ms", better: "lower", label: "inter-token latency (ITL)" },
    { name: "itl_p99_ms", unit: "ms", better: "lower", label: "a round's p99 inter-token latency" },
    { name: "tpot_ms", unit: "ms", better: "lower", label: "time per output token (TPOT)" },
    { name: "e2e_latency_ms", unit: "ms", better: "lower", label: "end-to-end latency (E2E)" },
    {
      name: "output_tokens_per_second",
      unit: "tokens/s",
      better: "higher",
      label: "serving output throughput",
    },
    { name: "requests_per_second", unit: "requests/s", better: "higher", label: "serving request rate" },
  ],
  embedding: [
    { name: "calls_per_second", unit: "calls/s", better: "higher", label: "embedding calls" },
    { name: "tokens_per_second", unit: "tokens/s", better: "higher", label: "embedding tokens" },
    { name: "call_latency_ms", unit: "ms", better: "lower", label: "call latency" },
    { name: "inputs_per_second", unit: "inputs/s", better: "higher", label: "serving inputs" },
    { name: "requests_per_second", unit: "requests/s", better: "higher", label: "serving request rate" },
  ],
};

/** The info of a metric of a mode, or undefined. */
export function metricInfo(mode: Mode, name: string): MetricInfo | undefined {
  return METRICS[mode].find((m) => m.name === name);
}

type Summaryish = { median: number; p10: number; p90: number; n: number } | null | undefined;

function fromSummary(s: Summaryish): MetricValue | null {
  if (!s || !Number.isFinite(s.median)) return null;
  return { median: s.median, p10: s.p10, p90: s.p90, n: s.n };
}

function scalar(v: number | null | undefined, n: number): MetricValue | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : { median: v, p10: v, p90: v, n };
}

/**
 * True when a result's wall-time figures come from a run counted under valgrind (an `instructions` block with
 * wall_time_comparable false, or the `counted_under_valgrind` warning): they never enter a wall-time trend,
 * tile or distribution.
 */
export function isCountedCapture(r: BenchmarkResult): boolean {
  return timedUnderValgrind(r) || r.warnings.some((w) => w.code === "counted_under_valgrind");
}

/**
 * Every metric a result carries, by name; none for a counted capture ({@link isCountedCapture}), whose
 * wall-time figures are valgrind's. Serving latencies come from the serving block (per request);
 * the llama engine's from its statistics (per round).
 */
export function extractMetrics(r: BenchmarkResult): Record<string, MetricValue> {
  const out: Record<string, MetricValue | null> = {};
  if (isCountedCapture(r)) return {};
  if (r.mode === "generation") {
    const st = r.statistics;
    const sv = r.serving;
    out.tokens_per_second = fromSummary(st.tokens_per_second);
    out.decode_tokens_per_second = fromSummary(st.decode_tokens_per_second);
    out.prefill_tokens_per_second = fromSummary(st.prefill_tokens_per_second);
    out.ttft_ms = fromSummary(sv?.ttft_ms ?? st.ttft_ms);
    out.itl_ms = fromSummary(sv?.itl_ms ?? st.itl_ms);
    // a local round's own p99 of its token gaps (serving runs carry their requests' ITL percentiles instead)
    out.itl_p99_ms = fromSummary(sv ? null : st.itl_p99_ms);
    out.tpot_ms = fromSummary(sv?.tpot_ms);
    out.e2e_latency_ms = fromSummary(sv?.e2e_latency_ms);
    out.output_tokens_per_second = scalar(sv?.output_tokens_per_second, sv?.requests.completed ?? 0);
    out.requests_per_second = scalar(sv?.requests_per_second, sv?.requests.completed ?? 0);
  } else {
    const st = r.statistics;
    const sv = r.serving;
    out.calls_per_second = fromSummary(st.calls_per_second);
    out.tokens_per_second = fromSummary(st.tokens_per_second);
    out.call_latency_ms = fromSummary(sv?.latency_ms ?? st.call_latency_ms);
    out.inputs_per_second = scalar(sv?.inputs_per_second, sv?.requests.completed ?? 0);
    out.requests_per_second = scalar(sv?.requests_per_second, sv?.requests.completed ?? 0);
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null)) as Record<string, MetricValue>;
}
