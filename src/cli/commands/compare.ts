/**
 * `perf-baseline compare A.json B.json`: the gate's analysis for any two result files. It loads no model and
 * never imports the native addon (a test proves it): only result files, statistics and the report.
 */
import { findGateConfig } from "../../config/find-config.js";
import { combineComparison, combineMetricComparison, comparisonScope } from "../../gate/combine.js";
import { metricsToGate } from "../../gate/metrics.js";
import { renderInstructionReport } from "../../report/instructions-text.js";
import { UsageError } from "../../util/errors.js";
import { type Command, type FlagTable, flagReader } from "../args.js";
import { CONFIG_FLAG } from "../common-flags.js";
import {
  IMPORT_FLAGS,
  importOptions,
  readImports,
  refuseForImports,
  runImportedComparison,
  singleOwn,
} from "../import-flags.js";
import { gateEachMetric, METRIC_FLAG, readMetrics, writeMetricReports } from "../metric-gates.js";
import { printVerdictSummary, QUIET_FLAG, status } from "../progress.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";

/** The flags of `compare`. */
const FLAGS: FlagTable = {
  config: CONFIG_FLAG,
  metric: METRIC_FLAG,
  ...reportFlags(true),
  "allow-incomplete": {
    kind: "boolean",
    description: 'also compare partial results ("complete": false, an interrupted run); refused by default',
  },
  quiet: QUIET_FLAG,
  ...IMPORT_FLAGS,
};

/**
 * `perf-baseline compare`: A is the baseline, B the candidate. Either may be a file of another tool
 * (src/import/): then each test of A is gated against B's test of the same name and settings.
 */
export const compareCommand: Command = {
  name: "compare",
  summary: "Compare two result files (A = baseline, B = candidate) with the gate's analysis; loads no model.",
  usage:
    "perf-baseline compare A B [--config FILE] [--metric NAME,...] [--format text|json|markdown] [--report FORMAT=PATH] [--allow-incomplete] [--input-format NAME] [--direction higher|lower]",
  positionals: 2,
  flags: FLAGS,
  async run(values, positionals) {
    const [a, b] = positionals;
    if (a === undefined || b === undefined)
      throw new UsageError("compare: needs two result files: A.json B.json");
    const read = flagReader(FLAGS, values);
    const { config } = findGateConfig(read.string("config"));
    const reports = reportsFromFlags(values);
    let t0 = process.hrtime.bigint();
    const opts = importOptions(values);
    const [baseImports = [], candImports = []] = readImports([a, b], opts);
    const baseline = singleOwn(baseImports);
    const candidate = singleOwn(candImports);
    if (baseline === null || candidate === null) {
      refuseForImports(values, ["report", "report-json", "allow-incomplete"]);
      return runImportedComparison({
        baseline: baseImports,
        candidates: [candImports],
        sources: { baseline: a, candidates: [b] },
        config,
        ...(readMetrics(values)[0] ? { metric: readMetrics(values)[0] } : {}),
        opts,
        format: reports.stdout.name,
        quiet: read.boolean("quiet"),
      });
    }
    const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    const scope = comparisonScope(baseline, candidate, config);
    if (!scope.timed && scope.counts) {
      // a counted run's wall time ran under valgrind: only its counts are compared
      process.stdout.write(renderInstructionReport(scope.counts, reports.stdout.name));
      return combineComparison(scope, null, baseline.mode).exit_code;
    }
    const metrics = metricsToGate(baseline, readMetrics(values));
    const outcomes = await gateEachMetric(
      {
        baseline,
        candidate,
        config,
        baselineSource: a,
        candidateSource: b,
        allowIncomplete: read.boolean("allow-incomplete"),
      },
      metrics,
    );
    const analysisS = Number(process.hrtime.bigint() - t0) / 1e9;
    status(
      `loaded ${baseline.samples.length} + ${candidate.samples.length} rounds in ${loadS.toFixed(2)} s; analysis took ${analysisS.toFixed(2)} s`,
    );
    for (const { report } of outcomes) process.stdout.write(reports.stdout.render({ kind: "gate", report }));
    writeMetricReports(reports.files, outcomes);
    if (scope.countsJoin && scope.counts)
      process.stdout.write(renderInstructionReport(scope.counts, reports.stdout.name));
    const verdicts = outcomes.map((o) => ({ metric: o.metric, verdict: o.report.verdict }));
    const combined = combineMetricComparison(scope, verdicts, baseline.mode);
    printVerdictSummary(reports.stdout.name, combined, read.boolean("quiet"));
    return combined.exit_code;
  },
};
