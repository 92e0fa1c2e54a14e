import { MODE_FLAG } from "../../engines/definition.js";
import type { RunSpec } from "../../execute/executor.js";
import { exitCodeOf, type RunOutcome } from "../../execute/outcome.js";
import { runBenchmark } from "../../execute/run-benchmark.js";
import { sweepPlanOf } from "../../execute/serving-sweep.js";
import { recordToHistory } from "../../history/record.js";
import { writeReports } from "../../report/registry.js";
import { matrixSummaryLines, runSummaryLines } from "../../report/run-summary.js";
import { serializeResult, writeResult } from "../../results/io.js";
import { serializeResultLines, writeResultLines } from "../../results/json-lines.js";
import { printWarnings } from "../../results/warnings.js";
import { EXIT, UsageError } from "../../util/errors.js";
import type { FlagValues } from "../../util/flags.js";
import { assertWritablePath, isStandardStream } from "../../util/output-path.js";
import type { Mode } from "../../workload/workload.js";
import { type Command, type FlagTable, flagReader, stringFlag } from "../args.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { interruptible } from "../interrupt.js";
import { invocationOf } from "../invocation.js";
import { type MatrixPlan, planMatrix, REPETITIONS_FLAG, withMatrixFlags } from "../matrix-flags.js";
import { runMatrix } from "../matrix-run.js";
import { detail, printSummary, QUIET_FLAG, roundProgress, status } from "../progress.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";
import { engineRunFromFlags, ownFlagNames, runFlags, runShapeFromFlags } from "../run-flags.js";
import { runServingSweep } from "../serving-sweep.js";

/** The flags of `bench`: the run's (the matrix flags taking lists), and its own. */
const FLAGS: FlagTable = {
  mode: MODE_FLAG,
  ...withMatrixFlags(runFlags()),
  repetitions: REPETITIONS_FLAG,
  output: {
    kind: "path",
    short: "o",
    description:
      "also write the result to this file (atomically; the safe form of `> file`); a matrix run: its JSON Lines",
  },
  ...reportFlags(false),
  history: RECORD_HISTORY_FLAG,
  quiet: QUIET_FLAG,
};

/** What every run of `bench` reads besides the run itself: where the result goes, and how loud. */
interface BenchOutput {
  output: string | undefined;
  quiet: boolean;
  history: string | undefined;
}

/** `perf-baseline bench`: one benchmark run, one JSON result on stdout; a matrix run, JSON Lines. */
export const benchCommand: Command = {
  name: "bench",
  summary:
    "Run a generation or embedding benchmark and print one JSON result on stdout (flags given as lists: a matrix, one result per line).",
  usage: "perf-baseline bench --mode generation|embedding [--engine NAME] [options]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const mode = read.choice<Mode>("mode", "generation");
    // one run's flags: what does not apply to its mode is refused, not ignored (baseline and check-release pass
    // one set of flags to the tests of both modes, so the check is bench's)
    if (mode === "embedding" && values["max-new-tokens"] !== undefined)
      throw new UsageError(
        "--max-new-tokens applies to --mode generation (an embedding call generates nothing)",
      );
    // a list of --concurrency or --request-rate (--engine openai): a load sweep, points in increasing order
    const sweep = sweepPlanOf(values);
    if (sweep !== null)
      return runServingSweep(sweep, values, mode, {
        output: read.string("output"),
        quiet: read.boolean("quiet"),
        history: stringFlag(values, "history"),
        commandFlags: ownFlagNames(FLAGS),
        invocationPrefix,
      });
    const counted = values.counter === "instructions";
    const plan = planMatrix(values, { mode, counted, commandFlags: ownFlagNames(FLAGS) });
    const out = {
      output: read.string("output"),
      quiet: read.boolean("quiet"),
      history: stringFlag(values, "history"),
    };
    if (plan === null) return benchOne(values, mode, out);
    if (out.output !== undefined) assertWritablePath(out.output);
    if (reportsFromFlags(values).files.length > 0)
      throw new UsageError(
        "--report and --report-json write the report of one run: a matrix run prints JSON Lines (-o FILE writes them too)",
      );
    return benchMatrix(plan, out);
  },
};

/** One run (no flag given as a list): one JSON document on stdout, as the specification's benchmark prints it. */
async function benchOne(values: FlagValues, mode: Mode, out: BenchOutput): Promise<number> {
  const shape = runShapeFromFlags(values, mode, { counted: values.counter === "instructions" });
  const { engine, options } = engineRunFromFlags(values, shape, ownFlagNames(FLAGS));
  const { output, quiet } = out;
  if (output !== undefined) assertWritablePath(output);
  const reports = reportsFromFlags(values);
  const progress = roundProgress(mode, process.stderr, shape);
  const outcome = await interruptible((signal) => {
    const spec: RunSpec = {
      ...shape,
      invocation: invocationOf(invocationPrefix, process.argv.slice(2)),
      status: quiet ? undefined : status,
      detail,
      onRound: progress.onRound,
      signal,
    };
    return runBenchmark(engine.name, options, spec);
  });
  progress.done();
  const result = outcome.result;
  if (result) {
    printWarnings(result.warnings);
    // `-o -` (or /dev/stdout) is the standard output the result is printed on anyway: print it once
    if (output !== undefined && !isStandardStream(output)) writeResult(output, result);
    writeReports(reports.files, { kind: "result", result });
    process.stdout.write(serializeResult(result));
    printSummary(runSummaryLines(result), quiet);
    if (result.complete)
      await recordToHistory([{ result, source: output ?? "bench run" }], { history: out.history });
  }
  return finish(outcome, result !== null);
}

/** A matrix run: its blocks interleaved, one joined result per combination as JSON Lines, a table on stderr. */
async function benchMatrix(plan: MatrixPlan, out: BenchOutput): Promise<number> {
  const invocation = invocationOf(invocationPrefix, process.argv.slice(2));
  const { results, stopped } = await runMatrix(plan, invocation, out.quiet);
  const list = results.map((r) => r.result);
  if (list.length > 0) {
    for (const r of list) printWarnings(r.warnings);
    if (out.output !== undefined && !isStandardStream(out.output)) writeResultLines(out.output, list);
    process.stdout.write(serializeResultLines(list));
    const rows = results.map((r) => ({ settings: r.entry.combination.values, result: r.result }));
    printSummary(matrixSummaryLines(rows), out.quiet);
    const complete = list.filter((r) => r.complete);
    if (complete.length > 0)
      await recordToHistory(
        complete.map((result) => ({ result, source: out.output ?? "bench run" })),
        { history: out.history },
      );
  }
  return stopped === null ? EXIT.ok : finish(stopped, list.length > 0);
}

/** The exit code of a run's outcome, with the line that says why it did not complete. */
function finish(outcome: RunOutcome, printed: boolean): number {
  if (outcome.state === "failed") status(outcome.error.message);
  else if (outcome.state === "interrupted" && !printed)
    status("interrupted before a measured round finished: no result");
  return exitCodeOf(outcome);
}

let invocationPrefix: readonly string[] = ["perf-baseline"];

/** How this process was invoked, for the result's `invocation.command`: set by each entry point. */
export function setBenchInvocationPrefix(p: readonly string[]): void {
  invocationPrefix = p;
}
