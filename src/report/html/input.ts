/**
 * Builds the HTML report's input from a history store and/or result files and evidence folders: trends from
 * the store (or, without one, from the given files loaded into an in-memory store), the gate's evidence and
 * the rounds of baselines and candidates from evidence folders (verdicts.json), their instruction verdicts
 * (instructions.json), serving latencies from results that have a serving block.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { metricSamples } from "../../gate/analysis.js";
import type { GateReport } from "../../gate/verdict.js";
import { collectResults } from "../../history/import.js";
import { buildImportedTrends } from "../../history/imported-trend.js";
import { isCountedCapture, METRICS } from "../../history/metrics.js";
import { buildTrends, type Trends } from "../../history/trend.js";
import type { HistoryStore } from "../../history/types.js";
import { readResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { stripBom } from "../../util/read-file.js";
import { MODES } from "../../workload/workload.js";
import { sweepsOf } from "./sweeps.js";
import type {
  DistributionInput,
  HtmlReportInput,
  InstructionVerdictInput,
  LatencyPercentiles,
  ServingLatencyInput,
} from "./types.js";

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

const finiteOrNull = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** One entry of instructions.json as the page shows it, or null when it is not one this tool wrote. */
function instructionVerdictEntry(e: unknown): InstructionVerdictInput | null {
  if (typeof e !== "object" || e === null) return null;
  const x = e as Record<string, unknown>;
  if (typeof x.mode !== "string" || !(MODES as readonly string[]).includes(x.mode)) return null;
  const mode = x.mode as InstructionVerdictInput["mode"];
  if (typeof x.skipped === "string")
    return {
      mode,
      verdict: null,
      unit: null,
      threshold: null,
      baseline_per_unit: null,
      candidate_per_unit: null,
      change: null,
      reasons: [x.skipped],
    };
  if (x.kind !== "instructions" || typeof x.verdict !== "string") return null;
  // a side without counts is recorded as 0 per unit (gate/instructions.ts instructionVerdict): shown as none
  const absent = (side: "baseline" | "candidate") =>
    Array.isArray(x.differences) &&
    x.differences.some((d) => d?.field === "instructions" && d?.[side] === "absent");
  const noSide = absent("baseline") || absent("candidate");
  return {
    mode,
    verdict: x.verdict,
    unit: typeof x.unit === "string" ? x.unit : null,
    threshold: finiteOrNull(x.threshold),
    baseline_per_unit: absent("baseline") ? null : finiteOrNull(x.baseline_per_unit),
    candidate_per_unit: absent("candidate") ? null : finiteOrNull(x.candidate_per_unit),
    change: noSide ? null : finiteOrNull(x.change),
    reasons: Array.isArray(x.reasons) ? x.reasons.filter((r): r is string => typeof r === "string") : [],
  };
}

/**
 * The instruction verdicts of an evidence folder: its instructions.json (src/report/evidence/release-markdown.ts
 * countsJson), in order. Never throws: a folder without the file, or a file that cannot be read, has none;
 * entries this tool did not write are left out.
 */
export function instructionVerdictsOf(folder: string): InstructionVerdictInput[] {
  try {
    const doc: unknown = JSON.parse(stripBom(readFileSync(join(folder, "instructions.json"), "utf8")));
    if (!Array.isArray(doc)) return [];
    return doc.map(instructionVerdictEntry).filter((v): v is InstructionVerdictInput => v !== null);
  } catch {
    return [];
  }
}

/**
 * Gate reports, instruction verdicts, distributions and serving runs of the newest evidence folder under
 * `paths`.
 */
export function evidenceOf(paths: readonly string[]): {
  gates: GateReport[];
  /** the folder's instruction verdicts (instructions.json), in order */
  instructions: InstructionVerdictInput[];
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
  const folder = newest ? dirname(newest.vf) : null;
  const instructions = folder ? instructionVerdictsOf(folder) : [];
  return { gates, instructions, distributions, serving, folder };
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
  const collected =
    opts.paths.length > 0 ? collectResults(opts.paths) : { entries: [], imported: [], skipped: [] };
  if (!store) {
    const { openSqliteStore } = await import("../../history/sqlite.js");
    temp = openSqliteStore(":memory:");
    await temp.add(collected.entries);
    await temp.addImported(collected.imported);
    store = temp;
  } else sources.push(`history ${store.location}`);
  if (opts.paths.length > 0)
    sources.push(`${collected.entries.length} result files from ${opts.paths.join(", ")}`);
  try {
    // other tools' groups after this tool's: each heading names the format and tool
    const trends = [...(await allTrends(store)), ...(await buildImportedTrends(store))];
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
      instructions: ev.instructions,
      sweeps: sweepsOf(collected.entries),
    };
  } finally {
    if (temp) await temp.close();
  }
}
