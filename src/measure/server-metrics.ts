/**
 * Server-side figures of a serving run from the server's Prometheus `/metrics` text (llama-server with
 * `--metrics`, vLLM): each scrape parsed into series, and the scrapes of a run summarised (counters as deltas
 * over the measured phase, gauges as mean and max, histograms and summaries as deltas of count and sum).
 * Pure: the scraping itself is src/execute/server-metrics.ts.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";

/** Bounds of the server metrics: series kept, bytes and ms per scrape, the sampling interval in s. */
export const SERVER_METRICS_LIMITS = {
  series: 200,
  body_bytes: 1024 * 1024,
  timeout_ms: 2000,
  interval_s: { min: 0.1, max: 60, default: 1 },
} as const;

/** One series' value in one scrape: a counter's or gauge's value, or a histogram's (summary's) count and sum. */
export type SeriesValue =
  | { kind: "counter" | "gauge"; value: number }
  | { kind: "histogram"; count: number; sum: number };

/** One scrape: when it was taken (around the measured phase) and its series by key (`name{label="v",...}`). */
export interface MetricsScrape {
  at: "before" | "during" | "after";
  series: Map<string, SeriesValue>;
}

/** The summary of a run's scrapes (units are the server's). */
export interface MetricsSummary {
  /** counter series: last value - first value (the last value after a reset) */
  counters: Record<string, number>;
  /** gauge (and untyped) series: mean and max over the scrapes during the measured phase */
  gauges: Record<string, { mean: number; max: number }>;
  /** histogram and summary series: deltas of count and sum */
  histograms: Record<string, { count: number; sum: number }>;
  /** series past the first {@link SERVER_METRICS_LIMITS}.series, not kept */
  dropped_series: number;
}

/** A Prometheus number ("12.5", "1e3", "+Inf", "NaN"); undefined for text that is none. */
function promNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^[+-]?inf$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

/** `name{a="1",b="2"}` with the labels sorted; `name` without labels. */
export function seriesKey(name: string, labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

function familyValues(f: PrometheusFamily, out: Map<string, SeriesValue>): void {
  const histogram = f.type === "HISTOGRAM" || f.type === "SUMMARY";
  for (const m of f.metrics) {
    const key = seriesKey(f.name, m.labels);
    if (histogram) {
      const count = promNumber(m.count);
      const sum = promNumber(m.sum);
      if (count === undefined || sum === undefined)
        throw new Error(`not Prometheus text (${f.name}: no count or sum)`);
      out.set(key, { kind: "histogram", count, sum });
      continue;
    }
    const value = promNumber(m.value);
    if (value === undefined)
      throw new Error(`not Prometheus text (${JSON.stringify(f.name.slice(0, 40))}: no number)`);
    out.set(key, { kind: f.type === "COUNTER" ? "counter" : "gauge", value });
  }
}

/**
 * The series of one `/metrics` text (Prometheus text format 0.0.4): counters, gauges (untyped ones too),
 * histograms and summaries (their count and sum).
 * Empty text, or comments only, has no series; other text that yields none is not Prometheus text.
 * @throws Error whose message is the reason (an HTML page, garbage) when the text is not Prometheus text.
 */
export function parseMetricsText(text: string): Map<string, SeriesValue> {
  let families: PrometheusFamily[];
  try {
    // the parser drops a last line without its newline
    families = parsePrometheusTextFormat(text.endsWith("\n") ? text : `${text}\n`);
  } catch (err) {
    throw new Error(`not Prometheus text (${(err as Error).message.split("\n")[0]})`);
  }
  const out = new Map<string, SeriesValue>();
  for (const f of families) familyValues(f, out);
  if (out.size === 0 && text.trim() !== "" && !/^#/.test(text.trim()))
    throw new Error("not Prometheus text (no series)");
  return out;
}

/** The kept series keys (the first `limit` in order of appearance) and how many were dropped. */
function keptSeries(scrapes: readonly MetricsScrape[], limit: number): { kept: string[]; dropped: number } {
  const seen = new Set<string>();
  for (const s of scrapes) for (const k of s.series.keys()) seen.add(k);
  const all = [...seen];
  return { kept: all.slice(0, limit), dropped: Math.max(0, all.length - limit) };
}

/** last - first, or last after a reset (a counter that went down restarted from 0). */
const delta = (first: number, last: number) => (last >= first ? last - first : last);

const finite = (x: number) => Number.isFinite(x);

/**
 * Summarises a run's successful scrapes (in order). Counters and histograms: from the first to the last scrape
 * holding the series (a series seen once has no delta and is left out). Gauges: mean and max over the scrapes
 * during the measured phase, or over all of them when none fell in it (a phase shorter than the interval).
 * Non-finite values (+Inf, NaN) are left out.
 * @param limit series kept (default {@link SERVER_METRICS_LIMITS}.series); the others are counted as dropped.
 */
export function summariseScrapes(
  scrapes: readonly MetricsScrape[],
  limit: number = SERVER_METRICS_LIMITS.series,
): MetricsSummary {
  const { kept, dropped } = keptSeries(scrapes, limit);
  const out: MetricsSummary = { counters: {}, gauges: {}, histograms: {}, dropped_series: dropped };
  const during = scrapes.filter((s) => s.at === "during");
  const gaugeScrapes = during.length > 0 ? during : scrapes;
  for (const key of kept) {
    const values = scrapes.map((s) => s.series.get(key)).filter((v) => v !== undefined);
    const first = values[0];
    const last = values[values.length - 1];
    if (first?.kind === "counter" && last?.kind === "counter" && values.length >= 2) {
      const d = delta(first.value, last.value);
      if (finite(d)) out.counters[key] = d;
    } else if (first?.kind === "histogram" && last?.kind === "histogram" && values.length >= 2) {
      const count = delta(first.count, last.count);
      const sum = last.count >= first.count ? last.sum - first.sum : last.sum;
      if (finite(count) && finite(sum)) out.histograms[key] = { count, sum };
    } else if (first?.kind === "gauge") {
      const xs = gaugeScrapes
        .map((s) => s.series.get(key))
        .flatMap((v) => (v?.kind === "gauge" && finite(v.value) ? [v.value] : []));
      if (xs.length > 0)
        out.gauges[key] = { mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) };
    }
  }
  return out;
}
