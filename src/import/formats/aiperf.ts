/**
 * AIPerf's exports: `profile_export_aiperf.json` (aggregated statistics of each metric, `{unit, avg, p50,
 * ...}`, and `input_config`, the run's settings) and `profile_export.jsonl` (one record per request:
 * `metadata`, `metrics` of `{value, unit}`, `error`). Field names from AIPerf's tutorial "Working with Profile
 * Export Files" (https://github.com/ai-dynamo/aiperf, its docs folder).
 */
import { mean } from "../../stats/index.js";
import { ResultFileError } from "../../util/errors.js";
import { figure, isObject, keyValue } from "../parse.js";
import type { ImportedMetric, Importer, ParsedText } from "../types.js";

/** AIPerf metric -> this tool's name, unit and direction. */
const METRICS: ReadonlyArray<[string, string, string, "higher" | "lower"]> = [
  ["time_to_first_token", "ttft_ms", "ms", "lower"],
  ["inter_token_latency", "itl_ms", "ms", "lower"],
  ["request_latency", "request_latency_ms", "ms", "lower"],
  ["output_token_throughput_per_user", "output_tokens_per_second_per_user", "tokens/s", "higher"],
  ["output_token_throughput", "output_tokens_per_second", "tokens/s", "higher"],
  ["request_throughput", "requests_per_second", "requests/s", "higher"],
];

function isAggregate(doc: unknown): doc is Record<string, unknown> {
  return isObject(doc) && isObject(doc.request_throughput) && "unit" in doc.request_throughput;
}

function isRecord(doc: unknown): doc is Record<string, unknown> {
  return isObject(doc) && isObject(doc.metadata) && "metrics" in doc && "error" in doc;
}

function path(o: unknown, ...keys: string[]): unknown {
  let cur = o;
  for (const k of keys) cur = isObject(cur) ? cur[k] : undefined;
  return cur;
}

/** AIPerf profile_export_aiperf.json (summary). */
export const aiperfSummaryImporter: Importer = {
  name: "aiperf",
  description: "AIPerf profile_export_aiperf.json (aggregated statistics: summary only)",
  detect: (parsed: ParsedText) => parsed.kind === "json" && isAggregate(parsed.doc),
  read(parsed, source) {
    const doc = parsed.kind === "json" ? parsed.doc : undefined;
    if (!isAggregate(doc)) throw new ResultFileError(source, "not an AIPerf profile_export_aiperf.json");
    const metrics: ImportedMetric[] = [];
    for (const [field, name, unit, direction] of METRICS) {
      const m = doc[field];
      if (!isObject(m) || m.avg === undefined) continue;
      metrics.push({
        name,
        unit,
        direction,
        samples: null,
        value: figure(m.avg, source, `${field}.avg`),
        value_kind: "mean",
      });
    }
    if (metrics.length === 0)
      throw new ResultFileError(source, "field time_to_first_token: no metric the gate knows");
    const cfg = doc.input_config;
    const models = path(cfg, "endpoint", "model_names");
    return [
      {
        format: "aiperf",
        tool: "aiperf",
        tool_version: keyValue(doc.aiperf_version) === null ? null : String(doc.aiperf_version),
        source,
        test: String(path(cfg, "endpoint", "type") ?? "profile"),
        mode: "generation",
        key: {
          model: Array.isArray(models) ? models.join(",") : null,
          endpoint_type: keyValue(path(cfg, "endpoint", "type")),
          streaming: keyValue(path(cfg, "endpoint", "streaming")),
          concurrency: keyValue(path(cfg, "loadgen", "concurrency")),
          request_rate: keyValue(path(cfg, "loadgen", "request_rate")),
          request_count: keyValue(path(cfg, "loadgen", "request_count")),
          input_tokens_mean: keyValue(path(cfg, "input", "prompt", "input_tokens", "mean")),
          output_tokens_mean: keyValue(path(cfg, "input", "prompt", "output_tokens", "mean")),
        },
        metrics,
        not_carried: [
          "per-request figures (in profile_export.jsonl)",
          "percentiles other than avg",
          "telemetry_data",
          "error_summary",
        ],
      },
    ];
  },
};

/** AIPerf profile_export.jsonl (per request). */
export const aiperfRecordsImporter: Importer = {
  name: "aiperf-jsonl",
  description: "AIPerf profile_export.jsonl (one record per request)",
  // a file of one record parses as one JSON document
  detect: (parsed: ParsedText) =>
    (parsed.kind === "jsonl" && isRecord(parsed.docs[0])) || (parsed.kind === "json" && isRecord(parsed.doc)),
  read(parsed, source) {
    const docs = parsed.kind === "jsonl" ? parsed.docs : parsed.kind === "json" ? [parsed.doc] : [];
    const values = new Map<string, number[]>();
    let failed = 0;
    for (const [i, d] of docs.entries()) {
      const where = `${source} line ${i + 1}`;
      if (!isRecord(d))
        throw new ResultFileError(where, "not an AIPerf record (no metadata, metrics, error)");
      if (d.error !== null) {
        failed++;
        continue;
      }
      for (const [field, name] of METRICS) {
        const v = path(d.metrics, field, "value");
        if (v === undefined) continue;
        const list = values.get(name) ?? [];
        list.push(figure(v, where, `metrics.${field}.value`));
        values.set(name, list);
      }
    }
    const metrics: ImportedMetric[] = METRICS.flatMap(([, name, unit, direction]) => {
      const xs = values.get(name);
      return xs && xs.length > 0
        ? [{ name, unit, direction, samples: xs, value: mean(xs), value_kind: "mean" as const }]
        : [];
    });
    if (metrics.length === 0)
      throw new ResultFileError(
        source,
        "field metrics: no successful request carries a metric the gate knows",
      );
    return [
      {
        format: "aiperf-jsonl",
        tool: "aiperf",
        tool_version: null,
        source,
        test: "profile",
        mode: "generation",
        key: { model: null, endpoint_type: null, concurrency: null, request_rate: null },
        metrics,
        not_carried: [
          "the run's settings (in profile_export_aiperf.json's input_config)",
          `${failed} failed request(s) (error not null)`,
          "inter_chunk_latency lists",
        ],
      },
    ];
  },
};
