/**
 * Load sweeps of a serving engine (`bench --engine openai --concurrency 1,4,16,64` or `--request-rate
 * 1,2,4`): the points in increasing order, one result each, stopped at saturation. Pure: the points, the
 * saturation rule and the table; src/cli/serving-sweep.ts runs them.
 *
 * Saturation (the rule docs/serving.md states): after a point, the sweep stops when that point had failed
 * requests, or when its throughput (output tokens/s; embedding: requests/s) rose less than 5 % over the
 * previous point's while its median TTFT (embedding: median latency) at least doubled: more load then buys
 * only queueing.
 */
import type { BenchmarkResult } from "../results/schema.js";
import { UsageError } from "../util/errors.js";

/** The variable a sweep varies. */
export type SweepVariable = "concurrency" | "request-rate";

/** A sweep: its variable and its points, increasing. */
export interface SweepPlan {
  variable: SweepVariable;
  points: number[];
}

/** The most points a sweep runs. */
export const MAX_SWEEP_POINTS = 64;
/** Throughput must rise by at least this fraction over the previous point (else, with TTFT doubled, saturated). */
export const SATURATION_MIN_GAIN = 0.05;
/** ... while the median TTFT (or latency) grew by this factor. */
export const SATURATION_LATENCY_FACTOR = 2;

/**
 * The sweep `values` ask for: a comma-separated list of --concurrency or --request-rate (at most one of the
 * two), points sorted increasing and deduplicated; null when neither flag holds a list.
 * A --request-rate point may be `inf` (as fast as --concurrency allows: Infinity, the last point).
 * @throws UsageError for both lists, a list over MAX_SWEEP_POINTS, or a point that is not a positive number
 *   (each point's own range is checked by the engine's flags).
 */
export function sweepPlanOf(values: Record<string, unknown>): SweepPlan | null {
  const lists = (["concurrency", "request-rate"] as const).filter(
    (k) => typeof values[k] === "string" && (values[k] as string).includes(","),
  );
  if (lists.length === 0) return null;
  if (lists.length === 2)
    throw new UsageError("a sweep varies one of --concurrency and --request-rate: give a list for one only");
  const variable = lists[0] as SweepVariable;
  const raw = (values[variable] as string).split(",").map((p) => p.trim());
  const points = raw.map((p) => {
    if (variable === "request-rate" && p.toLowerCase() === "inf") return Number.POSITIVE_INFINITY;
    const v = Number(p);
    if (p === "" || !Number.isFinite(v) || v <= 0)
      throw new UsageError(`--${variable} ${values[variable]}: "${p}" is not a positive number`);
    return v;
  });
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  if (sorted.length > MAX_SWEEP_POINTS)
    throw new UsageError(
      `--${variable}: ${sorted.length} points, more than the ${MAX_SWEEP_POINTS} a sweep runs`,
    );
  return { variable, points: sorted };
}

/** A point as its flag writes it: the number, or `inf` for a --request-rate without a rate. */
export function pointText(point: number): string {
  return Number.isFinite(point) ? String(point) : "inf";
}

/** The figures of one point the rule and the table read. */
export interface SweepFigures {
  /** output tokens/s (generation) or requests/s (embedding) */
  throughput: number;
  /** median TTFT (generation) or median request latency (embedding), ms; null when unknown */
  latency_ms: number | null;
  /** what latency_ms is, as the saturation line names it */
  latency_is: "median TTFT" | "median latency";
  requests_per_second: number;
  failed: number;
  ttft_p99_ms: number | null;
  tpot_median_ms: number | null;
  goodput_rps: number | null;
}

/** The figures of a serving result. */
export function sweepFigures(r: BenchmarkResult): SweepFigures {
  const s = r.serving;
  const base = { requests_per_second: s?.requests_per_second ?? 0, failed: s?.requests.failed ?? 0 };
  if (r.mode === "generation")
    return {
      ...base,
      throughput: r.serving?.output_tokens_per_second ?? 0,
      latency_ms: r.serving?.ttft_ms?.median ?? null,
      latency_is: "median TTFT",
      ttft_p99_ms: r.serving?.ttft_ms?.p99 ?? null,
      tpot_median_ms: r.serving?.tpot_ms?.median ?? null,
      goodput_rps: r.serving?.goodput?.requests_per_second ?? null,
    };
  return {
    ...base,
    throughput: base.requests_per_second,
    latency_ms: r.mode === "embedding" ? (r.serving?.latency_ms.median ?? null) : null,
    latency_is: "median latency",
    ttft_p99_ms: null,
    tpot_median_ms: null,
    goodput_rps: null,
  };
}

/**
 * Why the sweep stops after `current` (the previous point `previous`, null for the first), or null to go on.
 * See the module comment for the rule.
 */
export function saturationReason(previous: SweepFigures | null, current: SweepFigures): string | null {
  if (current.failed > 0) return `${current.failed} requests failed`;
  if (previous === null || previous.latency_ms === null || current.latency_ms === null) return null;
  const gain =
    previous.throughput > 0 ? current.throughput / previous.throughput - 1 : Number.POSITIVE_INFINITY;
  const factor =
    previous.latency_ms > 0 ? current.latency_ms / previous.latency_ms : Number.POSITIVE_INFINITY;
  if (gain < SATURATION_MIN_GAIN && factor >= SATURATION_LATENCY_FACTOR)
    return `saturated: throughput ${gain >= 0 ? "+" : ""}${(gain * 100).toFixed(1)} % while the ${current.latency_is} grew ${factor.toFixed(1)}x`;
  return null;
}

const cell = (v: number | null, digits = 1) => (v === null ? "-" : v.toFixed(digits));

/** The sweep's table on stderr: one row per point, as a Markdown table (llama-bench's style). */
export function sweepTable(
  variable: SweepVariable,
  rows: ReadonlyArray<{ point: number; figures: SweepFigures }>,
): string[] {
  const head = [
    variable,
    "requests/s",
    "throughput",
    "median TTFT ms",
    "p99 TTFT ms",
    "median TPOT ms",
    "goodput rps",
    "failed",
  ];
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const { point, figures: f } of rows)
    lines.push(
      `| ${[pointText(point), cell(f.requests_per_second, 2), cell(f.throughput), cell(f.latency_ms), cell(f.ttft_p99_ms), cell(f.tpot_median_ms), cell(f.goodput_rps, 2), f.failed].join(" | ")} |`,
    );
  return lines;
}
