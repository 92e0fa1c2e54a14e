import { assertConfiguredBaseline, findGateConfig } from "../../config/find-config.js";
import type { GateConfig } from "../../config/gate-config.js";
import { MODE_FLAG } from "../../engines/definition.js";
import {
  combineComparison,
  combineMetricComparison,
  combineVerdicts,
  comparisonScope,
} from "../../gate/combine.js";
import { checkComplete } from "../../gate/completeness.js";
import { metricsToGate } from "../../gate/metrics.js";
import { recordToHistory } from "../../history/record.js";
import { readResultsFile } from "../../import/registry.js";
import type { ImportedResult } from "../../import/types.js";
import { renderInstructionReport } from "../../report/instructions-text.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { ResultFileError, UsageError } from "../../util/errors.js";
import type { Mode } from "../../workload/workload.js";
import { type Command, type FlagTable, flagReader } from "../args.js";
import { runCapture } from "../capture.js";
import { CONFIG_FLAG } from "../common-flags.js";
import { candidatePlanFor, gitChangedPaths, readBaseline } from "../gate-support.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import {
  IMPORT_FLAGS,
  importOptions,
  readImports,
  refuseForImports,
  runImportedComparison,
  singleOwn,
} from "../import-flags.js";
import {
  capturesOfAll,
  gateEachMetric,
  METRIC_FLAG,
  readMetrics,
  writeMetricReports,
} from "../metric-gates.js";
import { printVerdictSummary, QUIET_FLAG } from "../progress.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";
import { captureFlags, ownFlagNames } from "../run-flags.js";

function candidateFiles(values: Record<string, unknown>): string[] {
  const raw = values.candidate;
  if (raw === undefined) return [];
  const list = (Array.isArray(raw) ? raw : [raw]) as string[];
  if (list.length > 2)
    throw new UsageError("--candidate takes at most two files (a capture and a second capture)");
  for (const f of list) if (f === "") throw new UsageError("--candidate needs a value");
  return list;
}

/** The flags of `gate`: its own, and those of a capture against the baseline. */
const FLAGS: FlagTable = {
  mode: { ...MODE_FLAG, default: "the candidate file's mode, else generation" },
  baseline: {
    kind: "path",
    description: "the baseline file",
    default: "the configuration's, relative to its file (docs/baseline-<mode>.json)",
  },
  candidate: {
    kind: "path",
    multiple: true,
    description:
      "a result file to gate instead of running the benchmark; give it twice to supply the second capture the variance rule may need",
  },
  config: CONFIG_FLAG,
  metric: METRIC_FLAG,
  ...reportFlags(true),
  "allow-incomplete": {
    kind: "boolean",
    description: 'also gate partial results ("complete": false, an interrupted run); refused by default',
  },
  ...captureFlags(),
  history: RECORD_HISTORY_FLAG,
  quiet: QUIET_FLAG,
  ...IMPORT_FLAGS,
};

/**
 * `gate --candidate FILE` where a candidate is not a single result of this tool: the gate of imported results
 * against `--baseline` (any format), reported on stdout.
 * @throws UsageError without --baseline (a configured baseline is this tool's result of a mode).
 */
function gateImportedFiles(
  values: Record<string, unknown>,
  files: string[],
  imports: ImportedResult[][],
  config: GateConfig,
  baselinePath?: string,
): number {
  const read = flagReader(FLAGS, values);
  refuseForImports(values, ["report", "report-json", "allow-incomplete", "history"]);
  const opts = importOptions(values);
  const given = baselinePath ?? read.string("baseline");
  if (given === undefined)
    throw new UsageError(
      "gate: a candidate of another tool's format needs --baseline FILE (its baseline, any format)",
    );
  const metric = readMetrics(values)[0];
  return runImportedComparison({
    baseline: readImports([given], opts)[0] ?? [],
    candidates: imports,
    sources: { baseline: given, candidates: files },
    config,
    ...(metric ? { metric } : {}),
    opts,
    format: reportsFromFlags(values).stdout.name,
    quiet: read.boolean("quiet"),
  });
}

/**
 * The baseline of `mode` (src/cli/gate-support.ts readBaseline); null when it is another tool's file and the
 * candidates are files (their comparison is the gate of imported results).
 * @throws ResultFileError of readBaseline for a bad baseline, or one of another tool's without candidate files.
 */
function baselineOrForeign(path: string, mode: Mode, candidateFiles: boolean): BenchmarkResult | null {
  try {
    return readBaseline(path, mode);
  } catch (err) {
    if (!(err instanceof ResultFileError) || !candidateFiles) throw err;
    let foreign = false;
    try {
      foreign = readResultsFile(path).some((i) => !i.result);
    } catch {
      // not another tool's file either: the baseline's own error says what is wrong
    }
    if (foreign) return null;
    throw err;
  }
}

/**
 * `perf-baseline gate`: a candidate (a file, or a run it starts) against the baseline of its mode. A run it
 * starts for a serving baseline (engine openai) puts the server at --base-url under the baseline's load.
 */
export const gateCommand: Command = {
  name: "gate",
  summary:
    "Gate a candidate against the baseline of its mode: PASS, REGRESSION, INCONCLUSIVE or INCOMPARABLE, with the evidence.",
  usage:
    "perf-baseline gate [--mode generation|embedding] [--candidate FILE [--candidate FILE2]] [--input-format NAME] [options]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const found = findGateConfig(read.string("config"));
    const { config } = found;
    const files = candidateFiles(values);
    const reports = reportsFromFlags(values);
    // candidate files are validated before anything runs; a file of another tool (src/import/) is gated by
    // the gate of imported results against a baseline read the same way
    const opts = importOptions(values);
    const imports = readImports(files, opts);
    const owned = imports.map(singleOwn);
    if (owned.some((r) => r === null)) return gateImportedFiles(values, files, imports, config);
    const fileResults = owned as BenchmarkResult[];
    const allowIncomplete = read.boolean("allow-incomplete");
    for (const [i, r] of fileResults.entries()) checkComplete(r, files[i] as string, allowIncomplete);
    const mode: Mode = read.choice("mode", fileResults[0]?.mode ?? "generation");
    const given = read.string("baseline");
    if (given === undefined) assertConfiguredBaseline(found, mode);
    const baselinePath = given ?? config.baselines[mode];
    const baseline = baselineOrForeign(baselinePath, mode, files.length > 0);
    if (baseline === null) return gateImportedFiles(values, files, imports, config, baselinePath);

    let candidate: BenchmarkResult;
    let candidateSource: string;
    let captureAgain: (() => Promise<BenchmarkResult>) | undefined;
    if (fileResults.length > 0) {
      candidate = fileResults[0] as BenchmarkResult;
      candidateSource = files[0] as string;
      const second = fileResults[1];
      if (second) captureAgain = async () => second;
    } else {
      const { engine, plan } = candidatePlanFor(baseline, values, ownFlagNames(FLAGS));
      candidate = await runCapture(engine, plan, "candidate capture 1");
      candidateSource = "candidate run";
      captureAgain = () => runCapture(engine, plan, "candidate capture 2 (variance rule)");
    }
    const scope = comparisonScope(baseline, candidate, config);
    if (!scope.timed && scope.counts) {
      // a counted run's wall time ran under valgrind: only its counts are gated
      process.stdout.write(renderInstructionReport(scope.counts, reports.stdout.name));
      return combineComparison(scope, null, mode).exit_code;
    }
    const metrics = metricsToGate(baseline, readMetrics(values));
    const input = {
      baseline,
      candidate,
      config,
      baselineSource: baselinePath,
      candidateSource,
      captureAgain,
    };
    const outcomes = await gateEachMetric(
      { ...input, changedPaths: gitChangedPaths, allowIncomplete },
      metrics,
    );
    for (const { report } of outcomes) {
      if (files[1] && report.candidate_sources.length > 1) report.candidate_sources[1] = files[1];
      process.stdout.write(reports.stdout.render({ kind: "gate", report }));
    }
    writeMetricReports(reports.files, outcomes);
    const verdicts = outcomes.map((o) => ({ metric: o.metric, verdict: o.report.verdict }));
    const timeVerdict = combineVerdicts(verdicts.map((v) => ({ kind: "metric", mode, ...v }))).verdict;
    const sources = [candidateSource, files[1] ?? `${candidateSource} (second capture)`];
    const recorded = capturesOfAll(outcomes).map((c, i) => ({
      result: c,
      verdict: timeVerdict,
      source: sources[i] ?? candidateSource,
    }));
    await recordToHistory(recorded, { history: read.string("history") });
    if (scope.countsJoin && scope.counts)
      process.stdout.write(renderInstructionReport(scope.counts, reports.stdout.name));
    const combined = combineMetricComparison(scope, verdicts, mode);
    printVerdictSummary(reports.stdout.name, combined, read.boolean("quiet"));
    return combined.exit_code;
  },
};
