/**
 * GuideLLM's `benchmarks.json`: `benchmarks`, one per strategy run (synchronous, throughput, constant rate,
 * concurrent, ...), each with `metrics.<name>.successful` statistics (`mean`, `median`, ...) and, where kept,
 * `requests.successful` (one entry per request). Per request where the entries carry the figure, else the
 * successful requests' median.
 */
import { mean } from "../../stats/index.js";
import { ResultFileError } from "../../util/errors.js";
import { figure, isObject, keyValue } from "../parse.js";
import type { ImportedMetric, ImportedResult, Importer, ParsedText } from "../types.js";

/** GuideLLM metric (and per-request field) -> this tool's name, unit, direction, scale to the unit. */
const METRICS: ReadonlyArray<[string, string, string, "higher" | "lower", number]> = [
  ["time_to_first_token_ms", "ttft_ms", "ms", "lower", 1],
  ["inter_token_latency_ms", "itl_ms", "ms", "lower", 1],
  ["time_per_output_token_ms", "tpot_ms", "ms", "lower", 1],
  ["request_latency", "request_latency_ms", "ms", "lower", 1000],
  ["output_tokens_per_second", "output_tokens_per_second", "tokens/s", "higher", 1],
  ["requests_per_second", "requests_per_second", "requests/s", "higher", 1],
];

function get(o: unknown, ...keys: string[]): unknown {
  let cur = o;
  for (const k of keys) cur = isObject(cur) ? cur[k] : undefined;
  return cur;
}

function isGuidellm(doc: unknown): doc is { benchmarks: unknown[] } & Record<string, unknown> {
  return isObject(doc) && Array.isArray(doc.benchmarks) && isObject(get(doc.benchmarks[0], "metrics"));
}

function metricsOf(b: Record<string, unknown>, where: string): ImportedMetric[] {
  const requests = get(b, "requests", "successful");
  const out: ImportedMetric[] = [];
  for (const [field, name, unit, direction, scale] of METRICS) {
    const perRequest = Array.isArray(requests)
      ? requests.filter((r) => isObject(r) && r[field] !== undefined)
      : [];
    if (perRequest.length > 0) {
      const xs = perRequest.map(
        (r, i) =>
          figure((r as Record<string, unknown>)[field], where, `requests.successful.${i}.${field}`) * scale,
      );
      out.push({ name, unit, direction, samples: xs, value: mean(xs), value_kind: "mean" });
      continue;
    }
    const med = get(b, "metrics", field, "successful", "median");
    if (med !== undefined)
      out.push({
        name,
        unit,
        direction,
        samples: null,
        value: figure(med, where, `metrics.${field}.successful.median`) * scale,
        value_kind: "median",
      });
  }
  return out;
}

function readBenchmark(doc: Record<string, unknown>, b: unknown, where: string): ImportedResult {
  if (!isObject(b)) throw new ResultFileError(where, "not a benchmark object");
  const strategy = get(b, "config", "strategy") ?? get(b, "args", "strategy");
  const type = keyValue(get(strategy, "type_")) ?? keyValue(get(strategy, "type"));
  const rate = keyValue(get(strategy, "rate"));
  const streams = keyValue(get(strategy, "streams"));
  const metrics = metricsOf(b, where);
  if (metrics.length === 0) throw new ResultFileError(where, "field metrics: no metric the gate knows");
  return {
    format: "guidellm",
    tool: "guidellm",
    tool_version:
      keyValue(get(doc, "metadata", "guidellm_version")) === null
        ? null
        : String(get(doc, "metadata", "guidellm_version")),
    source: where,
    test: `${type ?? "benchmark"}${rate !== null ? `@${rate}` : streams !== null ? `@${streams}` : ""}`,
    mode: "generation",
    key: {
      strategy: type,
      rate,
      streams,
      model: keyValue(get(b, "config", "model") ?? get(b, "worker", "backend_model")),
      target: keyValue(get(b, "config", "target") ?? get(b, "worker", "backend_target")),
      data: keyValue(get(b, "config", "data")),
    },
    metrics,
    not_carried: [
      "errored and incomplete requests",
      "percentiles other than the median",
      "metrics without a per-request field",
    ],
  };
}

/** GuideLLM benchmarks.json. */
export const guidellmImporter: Importer = {
  name: "guidellm",
  description: "GuideLLM benchmarks.json (one test per benchmark; per request where kept, else the median)",
  detect: (parsed: ParsedText) => parsed.kind === "json" && isGuidellm(parsed.doc),
  read(parsed, source) {
    const doc = parsed.kind === "json" ? parsed.doc : undefined;
    if (!isGuidellm(doc)) throw new ResultFileError(source, "not a GuideLLM benchmarks.json");
    return doc.benchmarks.map((b, i) => readBenchmark(doc, b, `${source} benchmarks.${i}`));
  },
};
