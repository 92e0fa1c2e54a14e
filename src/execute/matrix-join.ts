/**
 * One result from a matrix combination's blocks (src/execute/matrix.ts): their samples pooled and renumbered,
 * the figures recomputed over them (src/results/build.ts, the one home of the figures), the first block's
 * identity (engine, settings, model, workload, test). Pure.
 */
import { pooledFigures, pooledMachineLoad } from "../results/pool.js";
import type { BenchmarkResult } from "../results/schema.js";
import { warningRecord } from "../results/warnings.js";
import type { Invocation } from "./executor.js";

/**
 * Joins a combination's blocks into one result.
 * @param blocks the blocks that ran, in the order they ran (at least one; the last may be partial).
 * @param planned blocks planned: the result is complete only when all of them ran and completed.
 * @param plannedRounds measured rounds planned over all blocks (a partial result's warning says how many ran).
 * @param invocation the matrix run's command line, recorded as the result's.
 * @throws RangeError without blocks.
 */
export function joinBlocks(
  blocks: readonly BenchmarkResult[],
  planned: { blocks: number; rounds: number },
  invocation: Invocation,
): BenchmarkResult {
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  if (!first || !last) throw new RangeError("a matrix combination without blocks has no result");
  const f = pooledFigures(blocks);
  const complete = blocks.length === planned.blocks && blocks.every((b) => b.complete);
  const warnings = new Map<string, BenchmarkResult["warnings"][number]>();
  for (const w of blocks.flatMap((b) => b.warnings))
    if (w.code !== "partial_result" && !warnings.has(w.text)) warnings.set(w.text, w);
  const digests = new Set(blocks.map((b) => b.output.digest));
  if (digests.size > 1) warnings.set("digests", warningRecord({ code: "captures_differ_in_output" }));
  if (!complete)
    warnings.set(
      "partial",
      warningRecord({
        code: "partial_result",
        rounds_done: f.samples.length,
        rounds_planned: planned.rounds,
      }),
    );
  const machineLoad = pooledMachineLoad(blocks);
  return {
    ...first,
    ...f,
    rounds: f.samples.length,
    invocation: { ...invocation, argv: [...invocation.argv] },
    finished_at: last.finished_at,
    complete,
    warnings: [...warnings.values()],
    ...(machineLoad ? { machine_load: machineLoad } : {}),
    output: {
      digest: first.output.digest,
      consistent: digests.size === 1 && blocks.every((b) => b.output.consistent),
    },
  } as BenchmarkResult;
}
