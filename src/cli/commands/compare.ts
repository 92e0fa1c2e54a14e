/**
 * `perf-baseline compare A.json B.json`: the gate's analysis for any two result files. It loads no model and
 * never imports the native addon (a test proves it): only result files, statistics and the report.
 */
import { findGateConfig } from "../../config/find-config.js";
import type { GateConfig } from "../../config/gate-config.js";
import {
  type Combined,
  combineComparison,
  combineMetricComparison,
  combineVerdicts,
  comparisonScope,
  type VerdictPart,
} from "../../gate/combine.js";
import { metricsToGate } from "../../gate/metrics.js";
import { matchTests } from "../../import/match.js";
import type { ImportedResult } from "../../import/types.js";
import { renderInstructionReport } from "../../report/instructions-text.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { UsageError } from "../../util/errors.js";
import type { FlagValues } from "../../util/flags.js";
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
    const t0 = process.hrtime.bigint();
    const opts = importOptions(values);
    const [baseImports = [], candImports = []] = readImports([a, b], opts);
    const baseline = singleOwn(baseImports);
    const candidate = singleOwn(candImports);
    if (allOwn(baseImports) && allOwn(candImports) && (baseline === null || candidate === null))
      return compareOwnTests(
        baseImports,
        candImports,
        { a, b, loadS: Number(process.hrtime.bigint() - t0) / 1e9 },
        { values, config, reports },
      );
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
    const combined = await compareOwnPair(baseline, candidate, { a, b, loadS }, { values, config, reports });
    printVerdictSummary(reports.stdout.name, combined, read.boolean("quiet"));
    return combined.exit_code;
  },
};

type Reports = ReturnType<typeof reportsFromFlags>;

/** The names of the compared sides, and the time loading them took (s). */
interface Sources {
  a: string;
  b: string;
  loadS: number;
  /** A's file, when `a` names one test of it ("A.jsonl line 2"): the file the gate's advice recaptures */
  file?: string;
}

/** What every comparison of one `compare` shares: its flags, the configuration (read once) and its reports. */
interface CompareContext {
  values: FlagValues;
  config: GateConfig;
  reports: Reports;
}

/**
 * The gate's analysis of two results of this tool, one decision per metric (`--metric`), each report printed and
 * written; the instruction counts join when both sides were counted.
 * @returns the combined verdict (src/gate/combine.ts); the caller prints its summary.
 */
async function compareOwnPair(
  baseline: BenchmarkResult,
  candidate: BenchmarkResult,
  sources: Sources,
  { values, config, reports }: CompareContext,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<Combined> {
  const t0 = process.hrtime.bigint();
  const scope = comparisonScope(baseline, candidate, config);
  if (!scope.timed && scope.counts) {
    // a counted run's wall time ran under valgrind: only its counts are compared
    write(renderInstructionReport(scope.counts, reports.stdout.name));
    return combineComparison(scope, null, baseline.mode);
  }
  const outcomes = await gateEachMetric(
    {
      baseline,
      candidate,
      config,
      baselineSource: sources.a,
      candidateSource: sources.b,
      baselineFile: sources.file ?? sources.a,
      allowIncomplete: values["allow-incomplete"] === true,
    },
    metricsToGate(baseline, readMetrics(values)),
  );
  const analysisS = Number(process.hrtime.bigint() - t0) / 1e9;
  status(
    `loaded ${baseline.samples.length} + ${candidate.samples.length} rounds in ${sources.loadS.toFixed(2)} s; analysis took ${analysisS.toFixed(2)} s`,
  );
  for (const { report } of outcomes) write(reports.stdout.render({ kind: "gate", report }));
  writeMetricReports(reports.files, outcomes);
  if (scope.countsJoin && scope.counts) write(renderInstructionReport(scope.counts, reports.stdout.name));
  const verdicts = outcomes.map((o) => ({ metric: o.metric, verdict: o.report.verdict }));
  return combineMetricComparison(scope, verdicts, baseline.mode);
}

/** Every import of a file is a result of this tool (one document or JSON Lines of several). */
function allOwn(imports: readonly ImportedResult[]): boolean {
  return imports.length > 0 && imports.every((i) => i.result !== undefined);
}

/**
 * Two files of this tool's results, one of them several (a matrix run's JSON Lines): each test of A is paired
 * with B's test of the same name and settings (src/import/match.ts) and gated with the full analysis, as two
 * single results are; the verdicts are combined (a REGRESSION in any test is a REGRESSION).
 * @throws UsageError when no test of A has a counterpart in B.
 */
async function compareOwnTests(
  base: readonly ImportedResult[],
  cand: readonly ImportedResult[],
  sources: Sources,
  context: CompareContext,
): Promise<number> {
  const { values, reports } = context;
  if (values.report !== undefined || values["report-json"] !== undefined)
    throw new UsageError(
      "--report and --report-json write the report of one comparison: files of several tests print each test's report on stdout",
    );
  const matching = matchTests(base, cand);
  for (const t of matching.unmatched_baseline) status(`not compared, only in ${sources.a}: ${t}`);
  for (const t of matching.unmatched_candidate) status(`not compared, only in ${sources.b}: ${t}`);
  if (matching.pairs.length === 0)
    throw new UsageError(`compare: no test of ${sources.a} has a counterpart in ${sources.b}`);
  const json = reports.stdout.name === "json";
  const parts: VerdictPart[] = [];
  const tests: Array<{ test: string; verdict: string; reports: unknown[] }> = [];
  for (const pair of matching.pairs) {
    const [b, c] = [pair.baseline.result, pair.candidate.result] as [BenchmarkResult, BenchmarkResult];
    const label = `${pair.baseline.test} (${settingsLabel(b)})`;
    // JSON: every test's reports go into one document; text: a heading before each test's reports
    const texts: string[] = [];
    if (!json) process.stdout.write(`== test ${label} ==\n`);
    const combined = await compareOwnPair(
      b,
      c,
      { a: pair.baseline.source, b: pair.candidate.source, loadS: sources.loadS, file: sources.a },
      context,
      json ? (text) => texts.push(text) : undefined,
    );
    parts.push({ kind: "metric", mode: b.mode, metric: label, verdict: combined.verdict });
    tests.push({ test: label, verdict: combined.verdict, reports: texts.map((t) => JSON.parse(t)) });
  }
  const combined = combineVerdicts(parts);
  process.stdout.write(
    json
      ? `${JSON.stringify({ tests, verdict: combined.verdict, exit_code: combined.exit_code }, null, 2)}\n`
      : `verdict: ${combined.verdict} over ${parts.length} tests (a REGRESSION in any is a REGRESSION)\n`,
  );
  printVerdictSummary(reports.stdout.name, combined, values.quiet === true);
  return combined.exit_code;
}

/** The settings that tell a matrix's tests apart: threads, batch and micro-batch. */
function settingsLabel(r: BenchmarkResult): string {
  const s = r.settings;
  return `threads ${s.threads}, batch ${s.batch_size}${s.ubatch_size ? `, ubatch ${s.ubatch_size}` : ""}`;
}
