import { MODE_FLAG } from "../../engines/definition.js";
import type { RunSpec } from "../../execute/executor.js";
import { exitCodeOf } from "../../execute/outcome.js";
import { runBenchmark } from "../../execute/run-benchmark.js";
import { sweepPlanOf } from "../../execute/serving-sweep.js";
import { recordToHistory } from "../../history/record.js";
import { writeReports } from "../../report/registry.js";
import { runSummaryLines } from "../../report/run-summary.js";
import { serializeResult, writeResult } from "../../results/io.js";
import { printWarnings } from "../../results/warnings.js";
import { assertWritablePath, isStandardStream } from "../../util/output-path.js";
import { type Command, type FlagTable, flagReader, stringFlag } from "../args.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { interruptible } from "../interrupt.js";
import { invocationOf } from "../invocation.js";
import { detail, printSummary, QUIET_FLAG, roundProgress, status } from "../progress.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";
import { engineRunFromFlags, ownFlagNames, runFlags, runShapeFromFlags } from "../run-flags.js";
import { runServingSweep } from "../serving-sweep.js";

/** The flags of `bench`: the run's, and its own. */
const FLAGS: FlagTable = {
  mode: MODE_FLAG,
  ...runFlags(),
  output: {
    kind: "path",
    short: "o",
    description: "also write the result to this file (atomically; the safe form of `> file`)",
  },
  ...reportFlags(false),
  history: RECORD_HISTORY_FLAG,
  quiet: QUIET_FLAG,
};

/** `perf-baseline bench`: one benchmark run, one JSON result on stdout. */
export const benchCommand: Command = {
  name: "bench",
  summary: "Run a generation or embedding benchmark and print one JSON result on stdout.",
  usage: "perf-baseline bench --mode generation|embedding [--engine NAME] [options]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const mode = read.choice("mode", "generation");
    const sweep = sweepPlanOf(values);
    if (sweep !== null)
      return runServingSweep(sweep, values, mode, {
        output: read.string("output"),
        quiet: read.boolean("quiet"),
        history: stringFlag(values, "history"),
        commandFlags: ownFlagNames(FLAGS),
        invocationPrefix,
      });
    const shape = runShapeFromFlags(values, mode, { counted: values.counter === "instructions" });
    const { engine, options } = engineRunFromFlags(values, shape, ownFlagNames(FLAGS));
    const output = read.string("output");
    if (output !== undefined) assertWritablePath(output);
    const reports = reportsFromFlags(values);
    const progress = roundProgress(mode, process.stderr, shape);
    const quiet = read.boolean("quiet");
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
        await recordToHistory([{ result, source: output ?? "bench run" }], {
          history: stringFlag(values, "history"),
        });
    }
    if (outcome.state === "failed") status(outcome.error.message);
    else if (outcome.state === "interrupted" && !result)
      status("interrupted before a measured round finished: no result");
    return exitCodeOf(outcome);
  },
};

let invocationPrefix: readonly string[] = ["perf-baseline"];

/** How this process was invoked, for the result's `invocation.command`: set by each entry point. */
export function setBenchInvocationPrefix(p: readonly string[]): void {
  invocationPrefix = p;
}
