/**
 * Runs a matrix (src/cli/matrix-flags.ts planMatrix): the blocks in the interleaved order of
 * src/execute/matrix.ts matrixSchedule, each a fresh engine, and joins each combination's blocks into one
 * result (src/execute/matrix-join.ts).
 */
import type { LocalOptions } from "../engines/local/options.js";
import type { Invocation } from "../execute/executor.js";
import { checkContextFits } from "../execute/local-target.js";
import { describeCombination, matrixSchedule } from "../execute/matrix.js";
import { joinBlocks } from "../execute/matrix-join.js";
import type { RunOutcome } from "../execute/outcome.js";
import { runBenchmark } from "../execute/run-benchmark.js";
import { resolveModel } from "../models/resolve.js";
import type { BenchmarkResult } from "../results/schema.js";
import { interruptible } from "./interrupt.js";
import { type MatrixEntry, type MatrixPlan, prefixed } from "./matrix-flags.js";
import { detail, roundProgress, status } from "./progress.js";

/** One combination's joined result. */
export interface MatrixResult {
  entry: MatrixEntry;
  result: BenchmarkResult;
}

/** What a matrix run comes to. */
export interface MatrixOutcome {
  /** one result per combination that ran at least one block with a measured round, in declared order */
  results: MatrixResult[];
  /** the first block that did not complete (interrupted or failed), or null when every block completed */
  stopped: Exclude<RunOutcome, { state: "completed" }> | null;
}

/**
 * Checks, before the first block runs, that every combination's depth, prompt and new tokens fit the model's
 * context (src/execute/local-target.ts checkContextFits, which each block checks again): a combination that
 * does not fit is refused at once, not after the blocks before it ran. The model is not an axis: it is
 * resolved once (writing the dummy model on first use, as a run would).
 * @throws UsageError "--depth 4000: --depth 4000 + ... tokens do not fit the model's context of 2048 tokens";
 *   ModelFileError for a model that cannot be read.
 */
export function checkMatrixFits(plan: MatrixPlan): void {
  const first = plan.entries[0];
  if (!first) return;
  const model = resolveModel(first.options as LocalOptions, detail);
  for (const e of plan.entries)
    prefixed(describeCombination(e.combination), () =>
      checkContextFits(e.shape, e.options as LocalOptions, model),
    );
}

/**
 * Runs every block of `plan` in the schedule's order; stops at the first block that is interrupted (Ctrl-C)
 * or fails, keeping what ran (a partial block with a measured round included).
 * @param invocation the command line, recorded by every result.
 * @param quiet no status lines. The blocks' warnings are the joined results' (printed by the caller).
 */
export async function runMatrix(
  plan: MatrixPlan,
  invocation: Invocation,
  quiet: boolean,
): Promise<MatrixOutcome> {
  checkMatrixFits(plan);
  const n = plan.entries.length;
  const first = plan.entries[0] as MatrixEntry;
  const schedule = matrixSchedule(n, plan.repetitions, first.shape.rounds);
  const blocks: BenchmarkResult[][] = plan.entries.map(() => []);
  let stopped: MatrixOutcome["stopped"] = null;
  for (const [i, block] of schedule.entries()) {
    const entry = plan.entries[block.combination] as MatrixEntry;
    const label = `block ${i + 1}/${schedule.length}`;
    const shape = { ...entry.shape, rounds: block.rounds };
    if (!quiet)
      status(
        `${label}: ${describeCombination(entry.combination)}, ${block.rounds} round${block.rounds === 1 ? "" : "s"}`,
      );
    const progress = roundProgress(label, process.stderr, shape);
    const outcome = await interruptible((signal) =>
      runBenchmark(entry.engine.name, entry.options, {
        ...shape,
        invocation,
        status: quiet ? undefined : status,
        detail,
        onRound: progress.onRound,
        signal,
      }),
    );
    progress.done();
    if (outcome.result) (blocks[block.combination] as BenchmarkResult[]).push(outcome.result);
    if (outcome.state !== "completed") {
      stopped = outcome;
      break;
    }
  }
  const results = plan.entries.flatMap((entry, c) => {
    const mine = blocks[c] as BenchmarkResult[];
    return mine.length === 0
      ? []
      : [
          {
            entry,
            result: joinBlocks(mine, { blocks: plan.repetitions, rounds: first.shape.rounds }, invocation),
          },
        ];
  });
  return { results, stopped };
}
