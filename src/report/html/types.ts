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
}
