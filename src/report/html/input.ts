/**
 * Builds the HTML report's input from a history store and/or result files and evidence folders: trends from
 * the store (or, without one, from the given files loaded into an in-memory store), the gate's evidence and
 * the rounds of baselines and candidates from evidence folders (verdicts.json), serving latencies from
 * results that have a serving block.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { metricSamples } from "../../gate/analysis.js";
import type { GateReport } from "../../gate/verdict.js";
import { collectResults } from "../../history/import.js";
import { isCountedCapture, METRICS } from "../../history/metrics.js";
import { buildTrends, type Trends } from "../../history/trend.js";
import type { HistoryStore } from "../../history/types.js";
import { readResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { stripBom } from "../../util/read-file.js";
import { MODES } from "../../workload/workload.js";
import type { DistributionInput, HtmlReportInput, LatencyPercentiles, ServingLatencyInput } from "./types.js";

/** Latency metrics drawn as trends for serving groups. */
const LATENCY_TRENDS = ["ttft_ms", "itl_ms", "e2e_latency_ms", "call_latency_ms"];
/** Most serving runs whose percentiles are shown. */
const MAX_SERVING = 6;

/** Serving latency percentiles of a result, or null when it has no serving block. */
export function servingLatencies(r: BenchmarkResult, label: string): ServingLatencyInput | null {
  if (!r.serving) return null;
  const pick = (s: { median: number; p90: number; p99: number; n: number } | null | undefined) =>
    s ? ({ p50: s.median, p90: s.p90, p99: s.p99, n: s.n } satisfies LatencyPercentiles) : null;
  const lat: Record<string, LatencyPercentiles | null> =
    r.mode === "generation"
      ? {
          ttft_ms: pick(r.serving.ttft_ms),
          itl_ms: pick(r.serving.itl_ms),
          tpot_ms: pick(r.serving.tpot_ms),
          e2e_latency_ms: pick(r.serving.e2e_latency_ms),
        }
      : { latency_ms: pick(r.serving.latency_ms) };
  const latencies = Object.fromEntries(Object.entries(lat).filter(([, v]) => v !== null)) as Record<
    string,
    LatencyPercentiles
  >;
  return { label, mode: r.mode, latencies };
}

function findVerdictFiles(dir: string, depth = 0, out: string[] = []): string[] {
  if (depth > 4) return out;
  for (const n of readdirSync(dir).sort()) {
    if (n.startsWith(".") || n === "node_modules") continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) findVerdictFiles(p, depth + 1, out);
    else if (n === "verdicts.json") out.push(p);
  }
  return out;
}

/** Gate reports, distributions and serving runs of the evidence folders under `paths`. */
export function evidenceOf(paths: readonly string[]): {
  gates: GateReport[];
  distributions: DistributionInput[];
  serving: ServingLatencyInput[];
  /** the evidence folder shown, or null */
  folder: string | null;
} {
  const gates: GateReport[] = [];
  const distributions: DistributionInput[] = [];
  const serving: ServingLatencyInput[] = [];
  // the newest evidence folder only (by verdicts.json's date): older ones live on in the trends
  let newest: { vf: string; date: string; doc: { gates?: GateReport[] } } | null = null;
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isDirectory()) continue;
    for (const vf of findVerdictFiles(p)) {
      try {
        const doc = JSON.parse(stripBom(readFileSync(vf, "utf8")));
        const date = typeof doc?.date === "string" ? doc.date : "";
        if (!newest || date > newest.date) newest = { vf, date, doc };
      } catch {
        // not a verdicts file this tool wrote
      }
    }
  }
  if (newest) {
    const { vf, doc } = newest;
    {
      const folder = dirname(vf);
      for (const g of Array.isArray(doc.gates) ? doc.gates : []) {
        if (!g || typeof g.verdict !== "string" || !Array.isArray(g.analyses)) continue;
        gates.push(g);
        const inFolder = join(folder, "baselines", basename(g.baseline_source));
        const baselinePath = existsSync(inFolder) ? inFolder : resolve(g.baseline_source);
        try {
          const baseline = readResult(baselinePath);
          const candidates = g.candidate_sources.map((s) => ({ s, r: readResult(resolve(folder, s)) }));
          // a counted capture's rounds are valgrind's wall time: never drawn as a wall-time distribution
          if (isCountedCapture(baseline) || candidates.some(({ r }) => isCountedCapture(r))) continue;
          const metric = METRICS[baseline.mode][0];
          distributions.push({
            mode: baseline.mode,
            metric: metric?.name ?? g.metric,
            unit: metric?.unit ?? "",
            verdict: g.verdict,
            baseline: {
              label: `baseline ${basename(baselinePath)}`,
              values: metricSamples(baseline, baselinePath),
            },
            candidates: candidates.map(({ s, r }) => ({ label: s, values: metricSamples(r, s) })),
          });
          for (const { s, r } of candidates) {
            const sv = servingLatencies(r, `${basename(folder)}/${s}`);
            if (sv) serving.push(sv);
          }
        } catch {
          // a gate whose files are gone still has its evidence table
        }
      }
    }
  }
  return { gates, distributions, serving, folder: newest ? dirname(newest.vf) : null };
}

/**
 * The trends of every mode: the gated metric for every group, and the latency metrics for serving groups.
 * Metrics without points are left out.
 */
export async function allTrends(store: HistoryStore): Promise<Trends[]> {
  const out: Trends[] = [];
  for (const mode of MODES) {
    const metrics = METRICS[mode];
    const gated = metrics[0];
    if (!gated) continue;
    const t = await buildTrends(store, mode, gated.name);
    if (t.groups.length > 0) out.push(t);
    for (const m of metrics.filter((x) => LATENCY_TRENDS.includes(x.name))) {
      const lt = await buildTrends(store, mode, m.name);
      const groups = lt.groups.filter((g) => g.identity.load !== null);
      if (groups.length > 0) out.push({ ...lt, groups });
    }
  }
  return out;
}

/**
 * The report's input.
 * @param store the history to draw trends from; without one the results under `paths` are loaded into an
 *   in-memory store and drawn.
 * @param paths result files and evidence folders (may be empty when a store is given).
 */
export async function buildHtmlReportInput(opts: {
  store?: HistoryStore;
  paths: readonly string[];
  title?: string;
  now?: Date;
}): Promise<HtmlReportInput> {
  const sources: string[] = [];
  let store = opts.store;
  let temp: HistoryStore | null = null;
  const collected = opts.paths.length > 0 ? collectResults(opts.paths) : { entries: [], skipped: [] };
  if (!store) {
    const { openSqliteStore } = await import("../../history/sqlite.js");
    temp = openSqliteStore(":memory:");
    await temp.add(collected.entries);
    store = temp;
  } else sources.push(`history ${store.location}`);
  if (opts.paths.length > 0)
    sources.push(`${collected.entries.length} result files from ${opts.paths.join(", ")}`);
  try {
    const trends = await allTrends(store);
    const ev = evidenceOf(opts.paths);
    if (ev.folder) sources.push(`gate evidence from ${ev.folder}`);
    const serving = ev.serving.length
      ? ev.serving
      : collected.entries
          .slice()
          .sort((a, b) => (a.result.started_at < b.result.started_at ? 1 : -1))
          .map((e) => servingLatencies(e.result, e.source))
          .filter((x): x is ServingLatencyInput => x !== null);
    return {
      title: opts.title ?? "perf-baseline report",
      generated_at: (opts.now ?? new Date()).toISOString(),
      sources,
      trends,
      distributions: ev.distributions,
      serving: serving.slice(0, MAX_SERVING),
      gates: ev.gates,
    };
  } finally {
    if (temp) await temp.close();
  }
}
