/**
 * This tool's own result (src/results/schema.ts): one JSON document, or JSON Lines of several (a matrix run's
 * `bench` prints one result per line). Each is validated exactly as `readResult` does and kept whole.
 */
import { parseResult } from "../../results/io.js";
import { joinSamplesFile } from "../../results/samples-file.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { canonicalJson } from "../../util/canonical-json.js";
import { isObject } from "../parse.js";
import type { ComparabilityKey, ImportedMetric, ImportedResult, Importer, ParsedText } from "../types.js";

function isOwn(doc: unknown): boolean {
  return isObject(doc) && "schema_version" in doc;
}

function metricOf(r: BenchmarkResult, name: string, direction: "higher" | "lower"): ImportedMetric | null {
  const values = (r.samples as readonly Record<string, unknown>[]).map((s) => s[name]);
  if (values.length === 0 || !values.every((v) => typeof v === "number")) return null;
  const samples = values as number[];
  const unit = name.endsWith("_ms") ? "ms" : name === "calls_per_second" ? "calls/s" : "tokens/s";
  const value = samples.reduce((s, x) => s + x, 0) / samples.length;
  return { name, unit, direction, samples, value, value_kind: "mean" };
}

/**
 * The parts of the gate's comparability key (src/gate/comparability.ts) that tell the results of one file
 * apart (a matrix run's): the workload, the model, the engine, the settings, the hardware and the load.
 */
function ownKey(r: BenchmarkResult): ComparabilityKey {
  const load = (r as { load?: unknown }).load;
  return {
    mode: r.mode,
    workload_digest: r.workload.digest,
    model: r.model.sha256 ?? r.model.name,
    engine: r.engine.name,
    threads: r.settings.threads,
    embedding_threads: r.settings.embedding_threads,
    batch_size: r.settings.batch_size,
    context_size: r.settings.context_size,
    gpu: r.settings.gpu,
    gpu_layers: r.settings.gpu_layers,
    ubatch_size: r.settings.ubatch_size ?? "(default)",
    hardware_fingerprint: r.environment.hardware_fingerprint,
    load: load === undefined ? "(none)" : canonicalJson(load),
  };
}

/** A validated result as an import: its rounds' figures, its test name, the result itself kept whole. */
export function ownImport(r: BenchmarkResult, source: string): ImportedResult {
  const names: Array<[string, "higher" | "lower"]> =
    r.mode === "generation"
      ? [
          ["tokens_per_second", "higher"],
          ["prefill_tokens_per_second", "higher"],
          ["ttft_ms", "lower"],
          ["itl_ms", "lower"],
        ]
      : [
          ["calls_per_second", "higher"],
          ["tokens_per_second", "higher"],
        ];
  const metrics = names.flatMap(([n, d]) => metricOf(r, n, d) ?? []);
  return {
    format: "perf-baseline",
    tool: "perf-baseline",
    tool_version: r.tool.version,
    source,
    test: r.test ?? r.mode,
    mode: r.mode,
    key: ownKey(r),
    metrics,
    not_carried: [],
    result: r,
  };
}

/** This tool's result, one document or JSON Lines of several. */
export const ownImporter: Importer = {
  name: "perf-baseline",
  description: "this tool's own result (one JSON document, or JSON Lines of several)",
  detect(parsed: ParsedText): boolean {
    if (parsed.kind === "json") return isOwn(parsed.doc);
    return parsed.kind === "jsonl" && isOwn(parsed.docs[0]);
  },
  read(parsed, source, opts) {
    const docs = parsed.kind === "json" ? [parsed.doc] : parsed.kind === "jsonl" ? parsed.docs : [];
    return docs.map((doc, i) => {
      const where = docs.length > 1 ? `${source} line ${i + 1}` : source;
      const whole = opts?.resultPath === undefined ? doc : joinSamplesFile(doc, opts.resultPath);
      return ownImport(parseResult(whole, where), where);
    });
  },
};
