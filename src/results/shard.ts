/**
 * The `serving.shard` block of a shard's result (--shard I/N, src/measure/shard.ts): which run it belongs to,
 * its index and count, the common start asked for and how late it began.
 */
import type { ShardSpec } from "../measure/shard.js";
import { sha256OfJson } from "../util/canonical-json.js";
import type { BenchmarkResult } from "./schema.js";

/**
 * The run id of a serving result: sha256 of what makes one run (its schedule and workload): the load block
 * (shard count, rate, seed, requests ...), the workload digest, the served model and the common start. Shards
 * of one run have the same; two runs with the same settings and no --start-at cannot be told apart.
 */
export function runIdOf(result: BenchmarkResult, plannedStart: string | null): string {
  return sha256OfJson({
    load: result.load ?? null,
    workload: result.workload.digest,
    model: result.model.name,
    mode: result.mode,
    planned_start: plannedStart,
  });
}

/** What a shard's run knows about its share and start. */
export interface ShardRun {
  /** null: not sharded */
  shard: ShardSpec | null;
  /** --start-at, epoch ms; null when none */
  startAtMs: number | null;
  /** how late the measured phase began after it, ms */
  lagMs: number | null;
}

/** Records, in place, the shard block of a serving result run with --shard or --start-at (else nothing). */
export function recordShard(result: BenchmarkResult, run: ShardRun): void {
  const s = result.serving;
  if (!s || (run.shard === null && run.startAtMs === null)) return;
  const plannedStart = run.startAtMs === null ? null : new Date(run.startAtMs).toISOString();
  s.shard = {
    run_id: runIdOf(result, plannedStart),
    index: run.shard?.index ?? 0,
    count: run.shard?.count ?? 1,
    planned_start: plannedStart,
    start_lag_ms: run.lagMs,
  };
}
