/**
 * The importers, one per format, and the one entry that reads a results file of any of them:
 * {@link readResultsFile} (and {@link importResultsText} for text already in hand, such as a command's
 * stdout). The format is detected from the content, first match in {@link IMPORTERS}' order (the most
 * specific shapes first; Bencher's, the most general, last), or forced by name (`--input-format`).
 */
import { emptyResultProblem, MAX_RESULT_BYTES } from "../results/io.js";
import { ResultFileError, UsageError } from "../util/errors.js";
import { readRegularText, stripBom } from "../util/read-file.js";
import { aiperfRecordsImporter, aiperfSummaryImporter } from "./formats/aiperf.js";
import { bencherImporter } from "./formats/bencher.js";
import {
  customBiggerIsBetterImporter,
  customSmallerIsBetterImporter,
  githubActionBenchmarkImporter,
} from "./formats/github-action-benchmark.js";
import { guidellmImporter } from "./formats/guidellm.js";
import { hyperfineImporter } from "./formats/hyperfine.js";
import { llamaBenchImporter } from "./formats/llama-bench.js";
import { ownImporter } from "./formats/own.js";
import { seedImporter } from "./formats/seed.js";
import { vllmImporter } from "./formats/vllm.js";
import { parseText } from "./parse.js";
import type { ImportedResult, Importer, ImportOptions, ParsedText } from "./types.js";

/** Every importer, in the order detection tries them. */
export const IMPORTERS: readonly Importer[] = [
  ownImporter,
  seedImporter,
  llamaBenchImporter,
  vllmImporter,
  aiperfSummaryImporter,
  aiperfRecordsImporter,
  guidellmImporter,
  hyperfineImporter,
  githubActionBenchmarkImporter,
  customBiggerIsBetterImporter,
  customSmallerIsBetterImporter,
  bencherImporter,
];

/** The names `--input-format` takes. */
export const INPUT_FORMAT_NAMES: readonly string[] = IMPORTERS.map((i) => i.name);

/** The importer named `name`. @throws UsageError naming the formats there are. */
export function importerNamed(name: string): Importer {
  const found = IMPORTERS.find((i) => i.name === name);
  if (!found)
    throw new UsageError(
      `--input-format: unknown format "${name}" (formats: ${INPUT_FORMAT_NAMES.join(", ")})`,
    );
  return found;
}

/** The first importer that recognises the parsed text, or undefined. */
export function detectImporter(parsed: ParsedText): Importer | undefined {
  return IMPORTERS.find((i) => i.detect(parsed));
}

/** A JSON Lines file holds one format: every line must look like the format of the first. */
function checkOneFormat(parsed: ParsedText, importer: Importer, source: string): void {
  if (parsed.kind !== "jsonl") return;
  for (const [i, doc] of parsed.docs.entries()) {
    const line: ParsedText = { kind: "jsonl", docs: [doc] };
    if (importer.detect(line)) continue;
    const other = detectImporter(line) ?? detectImporter({ kind: "json", doc });
    throw new ResultFileError(
      `${source} line ${i + 1}`,
      `${other ? `is ${other.name}` : "is of no known format"}, but line 1 is ${importer.name}: a file holds one format`,
    );
  }
}

/** Why text that starts like JSON does not parse: JSON.parse's message for the whole text. */
function jsonProblem(text: string): string {
  try {
    JSON.parse(stripBom(text));
    return "not one document";
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Imports text of any known format.
 * @param source the file (or "stdout of ...") to name in errors and in each import.
 * @throws ResultFileError naming the source and field for a bad figure or a file half one format; naming
 *   the formats tried for text of no known format. UsageError for an unknown `opts.format`.
 */
export function importResultsText(text: string, source: string, opts: ImportOptions = {}): ImportedResult[] {
  if (text.length === 0) throw new ResultFileError(source, emptyResultProblem(source));
  const parsed = parseText(text);
  const bad = parsed.kind === "text" ? /"([^"\n]+)"\s*:\s*\[?[^"]*?(-?Infinity|NaN)\b/.exec(text) : null;
  if (bad)
    throw new ResultFileError(
      source,
      `field ${bad[1]}: ${bad[2]} is not a number JSON can hold (a figure that could not be measured)`,
    );
  if (parsed.kind === "text" && /^\s*[[{]/.test(stripBom(text)))
    throw new ResultFileError(source, `not valid JSON (${jsonProblem(text)})`);
  const importer = opts.format ? importerNamed(opts.format) : detectImporter(parsed);
  if (!importer)
    throw new ResultFileError(
      source,
      `not a results file of any known format (${parsed.kind === "text" ? "not JSON, JSON Lines or CSV" : `read as ${parsed.kind}`}; tried ${INPUT_FORMAT_NAMES.filter((n) => !n.startsWith("custom")).join(", ")}; --input-format forces one)`,
    );
  checkOneFormat(parsed, importer, source);
  const out = importer.read(parsed, source, opts);
  if (out.length === 0) throw new ResultFileError(source, `no test in this ${importer.name} file`);
  return out;
}

/**
 * Reads a results file of any known format: this tool's own result (one document or JSON Lines of several),
 * the specification's shape, llama-bench json/jsonl/csv, vLLM, AIPerf, GuideLLM, Bencher,
 * github-action-benchmark or hyperfine. The path must be a regular file of at most MAX_RESULT_BYTES.
 * @returns one import per test the file holds (in file order).
 * @throws ResultFileError as {@link importResultsText}, and for a missing, non-regular or too large file.
 */
export function readResultsFile(path: string, opts: ImportOptions = {}): ImportedResult[] {
  const text = readRegularText(
    path,
    { maxBytes: MAX_RESULT_BYTES, what: "a result file" },
    (problem, cause) => new ResultFileError(path, problem, { cause }),
  );
  return importResultsText(text, path, { ...opts, resultPath: path });
}
