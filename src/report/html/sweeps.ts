/**
 * The load sweeps among serving results, for the HTML report's throughput-versus-latency (Pareto) chart:
 * results of one server, model, workload and load that differ only in their concurrency (or only in their
 * request rate) form a sweep, one point each (as `bench --engine openai --concurrency 1,4,16` writes them).
 */
import type { BenchmarkResult } from "../../results/schema.js";
import type { SweepChartInput, SweepPointInput } from "./types.js";

/** Most sweeps drawn. */
const MAX_SWEEPS = 4;

/** What a sweep's results share: everything but the varied load value. */
function sweepKey(r: BenchmarkResult, variable: "concurrency" | "request-rate"): string {
  const load = { ...r.load, [variable === "concurrency" ? "concurrency" : "request_rate"]: null };
  return JSON.stringify([r.mode, r.model.name, r.engine.details.base_url ?? null, r.workload.digest, load]);
}

/** A result's point in a sweep. */
function pointOf(r: BenchmarkResult, value: number): SweepPointInput {
  const s = r.serving;
  const gen = r.mode === "generation" ? r.serving : undefined;
  const emb = r.mode === "embedding" ? r.serving : undefined;
  return {
    value,
    throughput: gen ? gen.output_tokens_per_second : (s?.requests_per_second ?? 0),
    latency_p50_ms: gen ? (gen.ttft_ms?.median ?? null) : (emb?.latency_ms.median ?? null),
    latency_p99_ms: gen ? (gen.ttft_ms?.p99 ?? null) : (emb?.latency_ms.p99 ?? null),
    failed: s?.requests.failed ?? 0,
  };
}

/**
 * The sweeps among `entries` (serving results with a load block): per variable, groups of at least two
 * distinct values, points in increasing load (the latest result of a value kept), at most MAX_SWEEPS.
 */
export function sweepsOf(
  entries: ReadonlyArray<{ result: BenchmarkResult; source: string }>,
): SweepChartInput[] {
  const out: SweepChartInput[] = [];
  for (const variable of ["concurrency", "request-rate"] as const) {
    const groups = new Map<string, Map<number, { result: BenchmarkResult; source: string }>>();
    for (const e of entries) {
      const load = e.result.load;
      if (!load || !e.result.serving) continue;
      const value = variable === "concurrency" ? load.concurrency : load.request_rate;
      if (value === null) continue;
      const key = sweepKey(e.result, variable);
      const g = groups.get(key) ?? new Map();
      const seen = g.get(value);
      if (!seen || seen.result.started_at < e.result.started_at) g.set(value, e);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      if (g.size < 2) continue;
      const sorted = [...g.entries()].sort((a, b) => a[0] - b[0]);
      const first = (sorted[0] as (typeof sorted)[number])[1].result;
      const generation = first.mode === "generation";
      out.push({
        label: `${first.model.name ?? "model"} at ${String(first.engine.details.base_url ?? "?")} (${sorted.length} points)`,
        mode: first.mode,
        variable,
        throughput_unit: generation ? "output tokens/s" : "requests/s",
        latency_name: generation ? "TTFT" : "request latency",
        points: sorted.map(([value, e]) => pointOf(e.result, value)),
      });
    }
  }
  return out.slice(0, MAX_SWEEPS);
}
