/**
 * Shards of one serving run (issue 27, item 5): N client processes, possibly on N machines, each send their
 * share of one seeded global schedule (request i goes to shard i mod N, at its planned arrival in the global
 * schedule) from a common wall-clock start; `perf-baseline merge` joins their raw samples into one result
 * (src/results/merge.ts). This module holds what the load loop needs: which requests are a shard's, the
 * common start's bounded wait, and parsing `I/N` and the start time.
 */
import { UsageError } from "../util/errors.js";

/** A shard: index I of N (0 <= I < N). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** The most shards one run may have. */
export const MAX_SHARDS = 10_000;

/** How far in the past `--start-at` may lie (clocks of several machines differ a little), in ms. */
export const START_AT_PAST_MS = 5_000;

/** How far ahead `--start-at` may lie: a wait is bounded, in ms (24 h). */
export const START_AT_AHEAD_MS = 86_400_000;

/** Whether request `index` of the global schedule is this shard's (every request when not sharded). */
export function inShard(shard: ShardSpec | null | undefined, index: number): boolean {
  return !shard || index % shard.count === shard.index;
}

/**
 * `I/N` as a shard, e.g. "0/4" (a Kubernetes Indexed Job passes `$JOB_COMPLETION_INDEX/N`).
 * @throws UsageError naming the flag for anything else, N out of 1..MAX_SHARDS or I not below N.
 */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) throw new UsageError(`--shard must be I/N (e.g. 0/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`--shard ${text}: N must be 1 to ${MAX_SHARDS}`);
  if (index >= count) throw new UsageError(`--shard ${text}: I must be 0 to ${count - 1}`);
  return { index, count };
}

/**
 * A wall-clock start time: an ISO-8601 date-time with its zone (`2026-12-06T10:00:00Z`) or epoch ms.
 * @param nowMs the clock to check against (Date.now()).
 * @returns epoch ms.
 * @throws UsageError for another form, a time more than START_AT_PAST_MS in the past or more than
 *   START_AT_AHEAD_MS ahead.
 */
export function parseStartAt(text: string, nowMs: number): number {
  const t = text.trim();
  let ms: number;
  if (/^\d{10,16}$/.test(t)) ms = Number(t);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(t))
    ms = Date.parse(t);
  else
    throw new UsageError(
      `--start-at must be an ISO-8601 time with its zone (2026-12-06T10:00:00Z) or epoch ms, got "${text}"`,
    );
  if (!Number.isFinite(ms)) throw new UsageError(`--start-at ${text}: not a valid time`);
  if (ms < nowMs - START_AT_PAST_MS)
    throw new UsageError(
      `--start-at ${text} is ${((nowMs - ms) / 1000).toFixed(1)} s in the past (at most ${START_AT_PAST_MS / 1000} s)`,
    );
  if (ms > nowMs + START_AT_AHEAD_MS) throw new UsageError(`--start-at ${text} is more than 24 h ahead`);
  return ms;
}

/**
 * Waits until the wall clock reaches `startAtMs` (at most START_AT_AHEAD_MS), or the signal fires.
 * @returns how late the wait ended after `startAtMs`, ms (>= 0: 0 means on time or the time already past
 *   by less than a timer's tick; a time already past gives its lag).
 */
export async function waitForStart(startAtMs: number, signal?: AbortSignal): Promise<number> {
  const left = Math.min(startAtMs - Date.now(), START_AT_AHEAD_MS);
  if (left > 0 && !signal?.aborted)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  return Math.max(0, Date.now() - startAtMs);
}
