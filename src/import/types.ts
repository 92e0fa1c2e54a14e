/**
 * What an importer makes of a file another tool wrote (or this tool's own result): one {@link ImportedResult}
 * per test the file holds, with where it came from, what it could not carry, each metric's direction and a
 * comparability key built from that tool's own settings. Types only.
 */
import type { BenchmarkResult } from "../results/schema.js";

/** Which way a metric gets better: a rate is "higher", a latency or a time "lower". */
export type Direction = "higher" | "lower";

/** A comparability key: setting name -> value; null where the file does not record it (unknown, never a match). */
export type ComparabilityKey = Record<string, string | number | boolean | null>;

/** One figure of one test. */
export interface ImportedMetric {
  /** the field's term with its unit: tokens_per_second, ttft_ms, time_s, calls_per_second, ... */
  name: string;
  /** the unit as written ("tokens/s", "ms", "s", or the format's own, e.g. Bencher's measure) */
  unit: string;
  /** from the format, else `--direction`; null when neither says (such a metric is not gated) */
  direction: Direction | null;
  /** one value per repetition, round or request, where the format keeps them; null for a summary only */
  samples: number[] | null;
  /** the format's headline figure: the mean of the samples, or the summary it writes */
  value: number;
  /** what {@link value} is: "mean", "median" or "value" (a figure the format gives without saying) */
  value_kind: "mean" | "median" | "value";
}

/** One test of an imported file. */
export interface ImportedResult {
  /** the importer's name (src/import/registry.ts) */
  format: string;
  /** the tool that wrote the file */
  tool: string;
  /** its version where the file gives one (a build commit, a version string), else null */
  tool_version: string | null;
  /** the file (and the line or entry inside it) */
  source: string;
  /** the test's name: llama-bench's `pp512`, `tg128`, `pp512+tg128`, `tg128 @ d512`; a command; a benchmark */
  test: string;
  /** "generation" or "embedding": picks the threshold of the mode (the specification's 12 % / 15 %) */
  mode: "generation" | "embedding";
  /** the tool's own settings that must match for two results to be compared */
  key: ComparabilityKey;
  /** the figures, the default gated one first */
  metrics: ImportedMetric[];
  /** the file's fields (or kinds of field) this import did not carry */
  not_carried: string[];
  /** this tool's own result, kept whole (the gate, history and report take it as ever) */
  result?: BenchmarkResult;
}

/** What an importer is handed: the file's text parsed once. */
export type ParsedText =
  | { kind: "json"; doc: unknown }
  | { kind: "jsonl"; docs: unknown[] }
  | { kind: "csv"; header: string[]; rows: string[][] }
  | { kind: "text" };

/** Options of an import. */
export interface ImportOptions {
  /** force a format by name (`--input-format`), instead of detecting it from the content */
  format?: string;
  /** direction of metrics whose format does not say (`--direction`) */
  direction?: Direction;
  /** the file the text was read from, set by readResultsFile: a result of this tool may name a samples side
   * file beside it (src/results/samples-file.ts), read back and checked */
  resultPath?: string;
}

/** One format: how to recognise it and how to read it. */
export interface Importer {
  /** the name `--input-format` takes */
  name: string;
  /** what it reads, for the error that lists the formats tried and docs/importers.md */
  description: string;
  /** whether parsed text looks like this format (cheap, structural; never throws) */
  detect(parsed: ParsedText): boolean;
  /**
   * Reads every test of the file.
   * @throws ResultFileError naming the source and the field, for a file of this format it cannot use.
   */
  read(parsed: ParsedText, source: string, opts: ImportOptions): ImportedResult[];
}
