/**
 * The input of the HTML report (writeHtmlReport): everything the page draws, already computed. Plain data
 * (JSON-serialisable): the page embeds it and draws it with uPlot in the browser.
 */
import type { GateReport } from "../../gate/verdict.js";
import type { Trends } from "../../history/trend.js";
import type { Mode } from "../../workload/workload.js";

/** The rounds of the gated metric of a baseline and its candidate captures (one gate). */
export interface DistributionInput {
  mode: Mode;
  metric: string;
  unit: string;
  verdict: string | null;
  baseline: { label: string; values: number[] };
  candidates: Array<{ label: string; values: number[] }>;
}

/** Percentiles of a latency, ms. */
export interface LatencyPercentiles {
  p50: number;
  p90: number;
  p99: number;
  n: number;
}

/** Serving latencies of one run (TTFT, ITL, TPOT, E2E for generation; request latency for embedding). */
export interface ServingLatencyInput {
  label: string;
  mode: Mode;
  /** metric name (ttft_ms, itl_ms, tpot_ms, e2e_latency_ms, latency_ms) -> percentiles in ms */
  latencies: Record<string, LatencyPercentiles>;
}

/**
 * One mode's instruction verdict (an evidence folder's instructions.json, written by
 * src/report/evidence/release-markdown.ts countsJson), or why the mode was not counted.
 */
export interface InstructionVerdictInput {
  mode: Mode;
  /** PASS, REGRESSION or INCOMPARABLE; null when the mode was not counted (`reasons` says why) */
  verdict: string | null;
  /** what the counts are per: output_token (generation) or embedding_call; null when not counted */
  unit: string | null;
  /** the largest tolerated rise of instructions per unit, a fraction (0.02 = 2 %); null when not counted */
  threshold: number | null;
  /** instructions per unit of the baseline; null when it has no counts */
  baseline_per_unit: number | null;
  /** instructions per unit of the candidate; null when it has no counts */
  candidate_per_unit: number | null;
  /** candidate / baseline - 1, a fraction; null when not finite or a side has no counts */
  change: number | null;
  /** one line each: why this verdict (or why the mode was skipped) */
  reasons: string[];
}

/** One point of a load sweep (one serving result): its load value and what it achieved. */
export interface SweepPointInput {
  /** the concurrency or request rate of the point */
  value: number;
  /** output tokens/s (generation) or requests/s (embedding) */
  throughput: number;
  /** median and p99 TTFT (generation) or request latency (embedding), ms */
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  failed: number;
}

/** A load sweep: serving results that differ only in their concurrency or request rate (the Pareto view). */
export interface SweepChartInput {
  label: string;
  mode: Mode;
  variable: "concurrency" | "request-rate";
  /** "output tokens/s" or "requests/s" */
  throughput_unit: string;
  /** "TTFT" or "request latency" */
  latency_name: string;
  /** in increasing load */
  points: SweepPointInput[];
}

/** What the page shows. */
export interface HtmlReportInput {
  title: string;
  /** ISO time */
  generated_at: string;
  /** where the data came from, one line each (store location, folders) */
  sources: string[];
  /** per mode and metric, the trends of each comparability group */
  trends: Trends[];
  distributions: DistributionInput[];
  serving: ServingLatencyInput[];
  /** the gate reports (verdicts.json's gates) whose evidence is tabulated */
  gates: GateReport[];
  /** the instruction verdicts of the same evidence folder (empty when it has none) */
  instructions: InstructionVerdictInput[];
  /** load sweeps among the results (throughput against latency, one point per load). Defaults to none. */
  sweeps?: SweepChartInput[];
}
