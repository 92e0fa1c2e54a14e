/**
 * `perf-baseline merge OUT SHARD.json...`: joins the results of the shards of one serving run (--shard I/N)
 * into one result from their raw per-request samples (src/results/merge.ts), and writes it atomically.
 */

import { readResultsFile } from "../../import/registry.js";
import { MAX_SHARDS } from "../../measure/shard.js";
import { writeResult } from "../../results/io.js";
import { mergeShards } from "../../results/merge.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { ResultFileError, UsageError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, type FlagTable, flagReader } from "../args.js";
import { QUIET_FLAG, status } from "../progress.js";

const FLAGS: FlagTable = { quiet: QUIET_FLAG };

/** `perf-baseline merge`. */
export const mergeCommand: Command = {
  name: "merge",
  summary:
    "Merge the results of the shards of one serving run (--shard I/N) into one result, percentiles exact.",
  usage: "perf-baseline merge OUT.json SHARD.json... [--quiet] (every shard 0..N-1 of one run, once each)",
  positionals: MAX_SHARDS + 1,
  flags: FLAGS,
  async run(values, positionals) {
    const [out, ...files] = positionals;
    if (out === undefined || files.length === 0)
      throw new UsageError("merge: needs the output file and the shard results: OUT.json SHARD.json...");
    if (files.includes(out)) throw new UsageError(`merge: the output ${out} is also a shard given`);
    assertWritablePath(out);
    const merged = mergeShards(files.map((source) => ({ result: shardResult(source), source })));
    writeResult(out, merged);
    const s = merged.serving;
    if (!flagReader(FLAGS, values).boolean("quiet"))
      status(
        `merged ${files.length} shards: ${s?.requests.completed ?? 0} completed, ${s?.requests.failed ?? 0} failed in ${(s?.duration_s ?? 0).toFixed(2)} s -> ${out}`,
      );
    return 0;
  },
};

/**
 * One shard's result: a file of this tool holding exactly one result (read with its samples side file).
 * @throws ResultFileError for another tool's file or a file of several results (a sweep's JSON Lines).
 */
function shardResult(source: string): BenchmarkResult {
  const found = readResultsFile(source);
  const [only] = found;
  if (found.length !== 1 || only?.result === undefined)
    throw new ResultFileError(
      source,
      only?.result === undefined
        ? `a ${only?.format ?? "foreign"} file: merge takes shard results of this tool`
        : `holds ${found.length} results (JSON Lines): merge takes one shard result per file`,
    );
  return only.result;
}
