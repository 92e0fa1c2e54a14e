/**
 * vLLM's `vllm bench serve --save-result` JSON (benchmarks/benchmark_serving.py before it): the run's settings
 * and summary figures, and, where saved (`--save-detailed`; always in older versions), per-request arrays
 * `ttfts` and `itls` (seconds), `input_lens`, `output_lens`, `start_times`, `errors` and `generated_texts`.
 * Per request: TTFT and the mean ITL of each successful request (an empty `errors` entry), in ms.
 */
import { mean } from "../../stats/index.js";
import { ResultFileError } from "../../util/errors.js";
import { figure, figures, isObject, keyValue } from "../parse.js";
import type { ImportedMetric, Importer, ParsedText } from "../types.js";

/** The per-request arrays: all describe the same requests, so all must have one length. */
const PER_REQUEST = [
  "ttfts",
  "itls",
  "input_lens",
  "output_lens",
  "errors",
  "generated_texts",
  "start_times",
] as const;

/** Summary figures read when there are no per-request arrays: name, field, unit, direction. */
const SUMMARY: ReadonlyArray<[string, string, string, "higher" | "lower"]> = [
  ["ttft_ms", "median_ttft_ms", "ms", "lower"],
  ["itl_ms", "median_itl_ms", "ms", "lower"],
  ["tpot_ms", "median_tpot_ms", "ms", "lower"],
  ["output_tokens_per_second", "output_throughput", "tokens/s", "higher"],
  ["requests_per_second", "request_throughput", "requests/s", "higher"],
];

function isVllm(doc: unknown): doc is Record<string, unknown> {
  return (
    isObject(doc) &&
    typeof doc.request_throughput === "number" &&
    "output_throughput" in doc &&
    ("model_id" in doc || "ttfts" in doc)
  );
}

function perRequest(doc: Record<string, unknown>, source: string): ImportedMetric[] {
  const lengths = PER_REQUEST.filter((f) => doc[f] !== undefined).map((f) => {
    if (!Array.isArray(doc[f])) throw new ResultFileError(source, `field ${f}: not an array`);
    return [f, (doc[f] as unknown[]).length] as const;
  });
  const [first, n] = lengths[0] ?? ["ttfts", 0];
  for (const [f, len] of lengths)
    if (len !== n)
      throw new ResultFileError(source, `field ${f}: ${len} entries but ${first} has ${n} (one per request)`);
  const ttfts = figures(doc.ttfts, source, "ttfts");
  const errors = Array.isArray(doc.errors) ? doc.errors : [];
  const ok = ttfts.map((_, i) => errors[i] === undefined || errors[i] === "" || errors[i] === null);
  const itls = Array.isArray(doc.itls) ? doc.itls : [];
  const ttftMs = ttfts.flatMap((t, i) => (ok[i] ? [t * 1000] : []));
  const itlMs = itls.flatMap((gaps, i) => {
    if (!ok[i]) return [];
    const xs = figures(gaps, source, `itls.${i}`);
    return xs.length === 0 ? [] : [mean(xs) * 1000];
  });
  if (ttftMs.length === 0) throw new ResultFileError(source, "field errors: no successful request");
  const out: ImportedMetric[] = [
    {
      name: "ttft_ms",
      unit: "ms",
      direction: "lower",
      samples: ttftMs,
      value: mean(ttftMs),
      value_kind: "mean",
    },
  ];
  if (itlMs.length > 0)
    out.push({
      name: "itl_ms",
      unit: "ms",
      direction: "lower",
      samples: itlMs,
      value: mean(itlMs),
      value_kind: "mean",
    });
  return out;
}

/** vLLM bench serve --save-result. */
export const vllmImporter: Importer = {
  name: "vllm",
  description:
    "vLLM bench serve --save-result JSON (per-request ttfts, itls, output_lens, start_times, errors where saved)",
  detect: (parsed: ParsedText) => parsed.kind === "json" && isVllm(parsed.doc),
  read(parsed, source) {
    const doc = parsed.kind === "json" ? parsed.doc : undefined;
    if (!isVllm(doc)) throw new ResultFileError(source, "not a vLLM --save-result file");
    const detailed = doc.ttfts !== undefined;
    const metrics = detailed ? perRequest(doc, source) : [];
    for (const [name, field, unit, direction] of SUMMARY) {
      if (doc[field] === undefined || metrics.some((m) => m.name === name)) continue;
      metrics.push({
        name,
        unit,
        direction,
        samples: null,
        value: figure(doc[field], source, field),
        value_kind: field.startsWith("median") ? "median" : "value",
      });
    }
    if (metrics.length === 0)
      throw new ResultFileError(
        source,
        "field ttfts: no figure the gate knows (no ttfts, no median_ttft_ms)",
      );
    const key = {
      model_id: keyValue(doc.model_id),
      endpoint_type: keyValue(doc.endpoint_type ?? doc.backend),
      request_rate: keyValue(doc.request_rate),
      burstiness: keyValue(doc.burstiness),
      max_concurrency: keyValue(doc.max_concurrency),
      num_prompts: keyValue(doc.num_prompts),
      total_input_tokens: keyValue(doc.total_input_tokens),
    };
    return [
      {
        format: "vllm",
        tool: "vllm bench serve",
        tool_version: keyValue(doc.vllm_version) === null ? null : String(doc.vllm_version),
        source,
        test: typeof doc.label === "string" && doc.label !== "" ? doc.label : String(doc.model_id ?? "serve"),
        mode: "generation",
        key,
        metrics,
        not_carried: [
          ...(detailed
            ? ["generated_texts", "start_times (arrival times: not a figure)"]
            : ["per-request figures (saved only with --save-detailed)"]),
          "percentile summaries (p99_*, std_*): recomputed from the requests where there are any",
        ],
      },
    ];
  },
};
