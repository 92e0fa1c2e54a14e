/**
 * llama-bench's `-o json` (an array of tests), `-o jsonl` (one test per line) and `-o csv` (a header, one test
 * per row). The field names are those of https://github.com/ggml-org/llama.cpp/blob/master/tools/llama-bench/README.md;
 * the comparability key is the key properties llama.cpp's compare-llama-bench.py script compares on. JSON and JSON Lines carry each
 * repetition's tokens/s (`samples_ts`); CSV only the mean and standard deviation.
 */
import { ResultFileError } from "../../util/errors.js";
import { figure, figures, isObject, keyValue } from "../parse.js";
import type { ImportedResult, Importer, ParsedText } from "../types.js";

/** The settings compare-llama-bench.py matches tests on (those a file lacks are unknown). */
export const LLAMA_BENCH_KEY = [
  "cpu_info",
  "gpu_info",
  "backends",
  "n_gpu_layers",
  "n_cpu_moe",
  "tensor_buft_overrides",
  "model_filename",
  "model_type",
  "n_batch",
  "n_ubatch",
  "embeddings",
  "cpu_mask",
  "cpu_strict",
  "poll",
  "n_threads",
  "type_k",
  "type_v",
  "use_mmap",
  "no_kv_offload",
  "split_mode",
  "main_gpu",
  "tensor_split",
  "flash_attn",
  "n_prompt",
  "n_gen",
  "n_depth",
] as const;

/** The columns a test cannot be read without. */
const REQUIRED = ["model_type", "n_prompt", "n_gen", "avg_ts"] as const;

/** Fields read besides the key. */
const READ = new Set<string>([
  ...LLAMA_BENCH_KEY,
  "build_commit",
  "build_number",
  "avg_ts",
  "stddev_ts",
  "samples_ts",
]);

/** llama-bench's test name: `pp512`, `tg128`, `pp512+tg128`, and ` @ d<depth>` after any of them. */
export function llamaBenchTestName(nPrompt: number, nGen: number, nDepth: number): string {
  const base = nGen === 0 ? `pp${nPrompt}` : nPrompt === 0 ? `tg${nGen}` : `pp${nPrompt}+tg${nGen}`;
  return nDepth > 0 ? `${base} @ d${nDepth}` : base;
}

function looksLikeTest(v: unknown): boolean {
  return isObject(v) && "avg_ts" in v && "n_prompt" in v && "n_gen" in v;
}

function readTest(row: Record<string, unknown>, where: string, hasSamples: boolean): ImportedResult {
  for (const f of REQUIRED)
    if (row[f] === undefined || row[f] === "") throw new ResultFileError(where, `field ${f}: missing`);
  const nPrompt = figure(row.n_prompt, where, "n_prompt");
  const nGen = figure(row.n_gen, where, "n_gen");
  const nDepth = row.n_depth === undefined ? 0 : figure(row.n_depth, where, "n_depth");
  const avg = figure(row.avg_ts, where, "avg_ts");
  let samples: number[] | null = null;
  if (hasSamples) {
    samples = figures(row.samples_ts, where, "samples_ts");
    if (samples.length === 0) throw new ResultFileError(where, "field samples_ts: no repetitions");
    if (Array.isArray(row.samples_ns) && row.samples_ns.length !== samples.length)
      throw new ResultFileError(
        where,
        `field samples_ts: ${samples.length} repetitions but samples_ns has ${row.samples_ns.length}`,
      );
  }
  const key = Object.fromEntries(LLAMA_BENCH_KEY.map((k) => [k, keyValue(keyTyped(row[k]))]));
  const commit = keyValue(row.build_commit);
  const build = keyValue(row.build_number);
  return {
    format: "llama-bench",
    tool: "llama-bench",
    tool_version: commit === null ? null : `${commit}${build === null ? "" : ` (build ${build})`}`,
    source: where,
    test: llamaBenchTestName(nPrompt, nGen, nDepth),
    mode: keyTyped(row.embeddings) === 1 ? "embedding" : "generation",
    key,
    metrics: [
      {
        name: "tokens_per_second",
        unit: "tokens/s",
        direction: "higher",
        samples,
        value: avg,
        value_kind: "mean",
      },
    ],
    not_carried: [
      ...(hasSamples ? [] : ["per-repetition samples (this output keeps only avg_ts and stddev_ts)"]),
      ...Object.keys(row).filter((k) => !READ.has(k)),
    ],
  };
}

/**
 * A setting as the key holds it, the same from JSON and CSV: CSV cells are text and its booleans 0/1, so
 * numbers are read as numbers and booleans (JSON's true/false, CSV's "true"/"false") as 1/0.
 */
function keyTyped(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return v;
  if (v === "true" || v === "false") return v === "true" ? 1 : 0;
  return v.trim() !== "" && Number.isFinite(Number(v)) && !/^0x/i.test(v) ? Number(v) : v;
}

function fromCsv(parsed: Extract<ParsedText, { kind: "csv" }>, source: string): ImportedResult[] {
  for (const f of REQUIRED)
    if (!parsed.header.includes(f))
      throw new ResultFileError(source, `column ${f}: missing from the CSV header`);
  return parsed.rows.map((cells, i) => {
    const where = `${source} row ${i + 1}`;
    if (cells.length !== parsed.header.length)
      throw new ResultFileError(
        where,
        `has ${cells.length} cells, the header names ${parsed.header.length} columns`,
      );
    return readTest(Object.fromEntries(parsed.header.map((h, j) => [h, cells[j]])), where, false);
  });
}

/** llama-bench -o json, jsonl or csv. */
export const llamaBenchImporter: Importer = {
  name: "llama-bench",
  description:
    "llama-bench -o json, -o jsonl or -o csv (one test per entry; samples_ts per repetition in json/jsonl)",
  detect(parsed: ParsedText): boolean {
    // a JSON Lines file of one test parses as one JSON document
    if (parsed.kind === "json")
      return (
        looksLikeTest(parsed.doc) ||
        (Array.isArray(parsed.doc) && parsed.doc.length > 0 && looksLikeTest(parsed.doc[0]))
      );
    if (parsed.kind === "jsonl") return looksLikeTest(parsed.docs[0]);
    if (parsed.kind === "csv") return parsed.header.includes("n_prompt") && parsed.header.includes("n_gen");
    return false;
  },
  read(parsed, source) {
    if (parsed.kind === "csv") return fromCsv(parsed, source);
    const docs =
      parsed.kind === "json"
        ? Array.isArray(parsed.doc)
          ? parsed.doc
          : [parsed.doc]
        : parsed.kind === "jsonl"
          ? parsed.docs
          : [];
    if (docs.length === 0) throw new ResultFileError(source, "no llama-bench test in the file");
    const unit = parsed.kind === "jsonl" ? "line" : "entry";
    return docs.map((d, i) => {
      const where = `${source} ${unit} ${i + 1}`;
      if (!looksLikeTest(d))
        throw new ResultFileError(where, "not a llama-bench test (no avg_ts, n_prompt, n_gen)");
      const row = d as Record<string, unknown>;
      return readTest(row, where, row.samples_ts !== undefined);
    });
  },
};
