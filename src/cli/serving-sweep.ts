/**
 * `bench --engine openai --concurrency 1,4,16` (or `--request-rate 1,2,4`): a load sweep. Every point is
 * validated first (the same flags as one run, with the point's value); then the points run in increasing
 * order, each result printed as one JSON line on stdout as soon as it exists, until saturation
 * (src/execute/serving-sweep.ts states the rule). `-o FILE` gets the JSON Lines (atomically, at the end);
 * stderr gets the table.
 */
import type { RunSpec } from "../execute/executor.js";
import { exitCodeOf, type RunOutcome } from "../execute/outcome.js";
import { runBenchmark } from "../execute/run-benchmark.js";
import {
  pointText,
  type SweepFigures,
  type SweepPlan,
  saturationReason,
  sweepFigures,
  sweepTable,
} from "../execute/serving-sweep.js";
import { recordToHistory } from "../history/record.js";
import { writeResultLines } from "../results/json-lines.js";
import type { BenchmarkResult } from "../results/schema.js";
import { printWarnings } from "../results/warnings.js";
import { EXIT, UsageError } from "../util/errors.js";
import type { FlagValues } from "../util/flags.js";
import { assertWritablePath, isStandardStream } from "../util/output-path.js";
import type { Mode } from "../workload/workload.js";
import { interruptible } from "./interrupt.js";
import { invocationOf } from "./invocation.js";
import { detail, printSummary, status } from "./progress.js";
import { engineRunFromFlags, runShapeFromFlags } from "./run-flags.js";

/** Where a sweep's results go and how loud it is. */
export interface SweepOutput {
  output: string | undefined;
  quiet: boolean;
  history: string | undefined;
  /** the command's own flags (allowed whatever the engine) */
  commandFlags: readonly string[];
  /** the words before the arguments in the recorded invocation */
  invocationPrefix: readonly string[];
}

/**
 * Runs a sweep and returns the exit code: 0 when every point ran (or the sweep stopped at saturation), the
 * failed point's code when it failed without --tolerate-failures, 130 when interrupted.
 * @throws UsageError for a sweep with another engine than openai, or a point out of its flag's range.
 */
export async function runServingSweep(
  plan: SweepPlan,
  values: FlagValues,
  mode: Mode,
  out: SweepOutput,
): Promise<number> {
  if (values.engine !== "openai")
    throw new UsageError(`--${plan.variable} takes a list (a load sweep) with --engine openai only`);
  if (values.report !== undefined || values["report-json"] !== undefined)
    throw new UsageError(
      "--report and --report-json write the report of one run: a sweep prints JSON Lines (-o FILE writes them too)",
    );
  const runs = plan.points.map((point) => {
    const v = { ...values, [plan.variable]: pointText(point) };
    const shape = runShapeFromFlags(v, mode);
    return { point, shape, ...engineRunFromFlags(v, shape, out.commandFlags) };
  });
  if (out.output !== undefined) assertWritablePath(out.output);
  const results: BenchmarkResult[] = [];
  const rows: Array<{ point: number; figures: SweepFigures }> = [];
  let stop: { outcome: RunOutcome | null; reason: string | null } = { outcome: null, reason: null };
  for (const run of runs) {
    if (!out.quiet) status(`sweep: --${plan.variable} ${pointText(run.point)}`);
    const outcome = await interruptible((signal) => {
      const spec: RunSpec = {
        ...run.shape,
        invocation: invocationOf(out.invocationPrefix, process.argv.slice(2)),
        status: out.quiet ? undefined : status,
        detail,
        signal,
      };
      return runBenchmark(run.engine.name, run.options, spec);
    });
    if (outcome.result) {
      printWarnings(outcome.result.warnings);
      process.stdout.write(`${JSON.stringify(outcome.result)}\n`);
      results.push(outcome.result);
      const figures = sweepFigures(outcome.result);
      stop.reason = saturationReason(rows[rows.length - 1]?.figures ?? null, figures);
      rows.push({ point: run.point, figures });
    }
    if (outcome.state !== "completed") stop = { outcome, reason: stop.reason };
    if (stop.outcome !== null || stop.reason !== null) break;
  }
  return finishSweep(plan, results, rows, stop, out);
}

/**
 * The line that says why a sweep ended early: "sweep stopped after --concurrency 4: saturated: ... (2 points
 * not run)"; at its last point, where nothing was left to run, "sweep ended at its last point, --concurrency
 * 16: saturated: ...".
 * @param left the points not run
 */
export function sweepStopLine(variable: string, point: number, reason: string, left: number): string {
  if (left === 0) return `sweep ended at its last point, --${variable} ${pointText(point)}: ${reason}`;
  return `sweep stopped after --${variable} ${pointText(point)}: ${reason} (${left} point${left === 1 ? "" : "s"} not run)`;
}

/** Writes -o, prints the table and the stop line, records complete results; the exit code. */
async function finishSweep(
  plan: SweepPlan,
  results: BenchmarkResult[],
  rows: Array<{ point: number; figures: SweepFigures }>,
  stop: { outcome: RunOutcome | null; reason: string | null },
  out: SweepOutput,
): Promise<number> {
  if (results.length > 0 && out.output !== undefined && !isStandardStream(out.output))
    writeResultLines(out.output, results);
  const last = rows[rows.length - 1]?.point;
  const tail =
    stop.reason && last !== undefined
      ? [sweepStopLine(plan.variable, last, stop.reason, plan.points.length - rows.length)]
      : [];
  printSummary([...sweepTable(plan.variable, rows), ...tail], out.quiet);
  const complete = results.filter((r) => r.complete);
  if (complete.length > 0)
    await recordToHistory(
      complete.map((result) => ({ result, source: out.output ?? "bench sweep" })),
      { history: out.history },
    );
  if (stop.outcome === null) return EXIT.ok;
  if (stop.outcome.state === "failed") status(stop.outcome.error.message);
  return exitCodeOf(stop.outcome);
}
