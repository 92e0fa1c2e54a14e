/**
 * `--input-format` and `--direction` (the flags of commands that read result files of other tools), and the
 * comparison of imported files that `compare` and `gate` run when a side is not a single result of this tool.
 */
import type { GateConfig } from "../config/gate-config.js";
import { gateImported } from "../gate/imported.js";
import { INPUT_FORMAT_NAMES, readResultsFile } from "../import/registry.js";
import type { ImportedResult, ImportOptions } from "../import/types.js";
import { renderImportedText } from "../report/imported-text.js";
import type { BenchmarkResult } from "../results/schema.js";
import { UsageError } from "../util/errors.js";
import type { FlagSpec } from "../util/flags.js";
import type { FlagTable } from "./args.js";
import { stringFlag } from "./args.js";
import { printVerdictSummary } from "./progress.js";

/** The flags of reading other tools' files. */
export const IMPORT_FLAGS: FlagTable = {
  "input-format": {
    kind: "choice",
    choices: INPUT_FORMAT_NAMES,
    description: "read the result files as this format instead of detecting it (docs/importers.md)",
    default: "detected from each file's content",
  } satisfies FlagSpec,
  direction: {
    kind: "choice",
    choices: ["higher", "lower"],
    description: "which way the metrics of an imported file get better, where its format does not say",
    default: "the format's (a rate higher, a time lower); none for Bencher's own measures and custom JSON",
  } satisfies FlagSpec,
};

/** The import options of the flags. */
export function importOptions(values: Record<string, unknown>): ImportOptions {
  const format = stringFlag(values, "input-format");
  const direction = stringFlag(values, "direction") as ImportOptions["direction"];
  return { ...(format ? { format } : {}), ...(direction ? { direction } : {}) };
}

/** The one result of this tool a file holds, or null when it holds another format or several results. */
export function singleOwn(imports: readonly ImportedResult[]): BenchmarkResult | null {
  return imports.length === 1 && imports[0]?.result ? imports[0].result : null;
}

/** Reads each path as any known format (a file of no known format is a one-line error naming the formats tried). */
export function readImports(paths: readonly string[], opts: ImportOptions): ImportedResult[][] {
  return paths.map((p) => readResultsFile(p, opts));
}

/**
 * The flags the comparison of imported files does not take yet, refused rather than ignored.
 * @throws UsageError naming the first one given.
 */
export function refuseForImports(values: Record<string, unknown>, names: readonly string[]): void {
  for (const n of names)
    if (values[n] !== undefined && values[n] !== false)
      throw new UsageError(
        `--${n} is not taken with files of other tools yet (docs/importers.md): leave it out`,
      );
}

/**
 * Gates imported tests and prints the report (text, or JSON with `--format json`) on stdout.
 * @returns the exit code of the overall verdict.
 */
export function runImportedComparison(args: {
  baseline: ImportedResult[];
  candidates: ImportedResult[][];
  sources: { baseline: string; candidates: string[] };
  config: GateConfig;
  metric?: string;
  opts: ImportOptions;
  format: string;
  quiet: boolean;
}): number {
  const [candidate = [], second] = args.candidates;
  const comparison = gateImported({
    baseline: args.baseline,
    candidate,
    ...(second ? { second } : {}),
    config: args.config,
    ...(args.metric ? { metric: args.metric } : {}),
    ...(args.opts.direction ? { direction: args.opts.direction } : {}),
  });
  process.stdout.write(
    args.format === "json"
      ? `${JSON.stringify(comparison, null, 2)}\n`
      : renderImportedText(comparison, args.sources.baseline, args.sources.candidates),
  );
  printVerdictSummary(args.format, comparison, args.quiet);
  return comparison.exit_code;
}
