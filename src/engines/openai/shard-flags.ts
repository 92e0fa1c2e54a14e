/**
 * The `bench` flags of the openai engine that spread one run over several client processes (shards, from a
 * common start) and sample the server's own metrics. Their table joins OPENAI_FLAGS (./flags.ts).
 */
import { MAX_SHARDS, parseShard, parseStartAt, type ShardSpec } from "../../measure/shard.js";
import { UsageError } from "../../util/errors.js";
import { type FlagTable, type FlagValues, intFlag, stringFlag } from "../../util/flags.js";

/** The most load worker threads of one run (--workers; src/execute/load-workers.ts). */
export const MAX_WORKERS = 64;

/** The flags. */
export const SHARD_FLAGS = {
  shard: {
    kind: "string",
    description:
      "send share I of N of one seeded global schedule (requests i with i mod N = I); merge the shards' results with `perf-baseline merge`",
    range: `I/N, N 1 to ${MAX_SHARDS}`,
    default: "0/1 (all)",
  },
  "start-at": {
    kind: "string",
    description:
      "wall-clock time the measured phase starts (shards of one run start together): ISO-8601 with its zone, or epoch ms",
    range: "at most 5 s past, 24 h ahead",
    default: "once warmed up",
  },
  workers: {
    kind: "int",
    min: 1,
    max: MAX_WORKERS,
    description:
      "worker threads that send the load, each with its own sockets and the share i mod N of one schedule; raw samples joined into one result",
    default: 1,
  },
} as const satisfies FlagTable;

/** What the flags give: the shard (null: all requests) and the common start (epoch ms; null: none). */
export interface ShardOptions {
  shard: ShardSpec | null;
  startAtMs: number | null;
  /** load worker threads (--workers) */
  workers: number;
}

/**
 * The shard options from the flags.
 * @param nowMs the wall clock, for --start-at's bounds (Date.now()).
 * @throws UsageError for a bad --shard or --start-at.
 */
export function shardOptionsFromFlags(values: FlagValues, nowMs: number = Date.now()): ShardOptions {
  const shardText = stringFlag(values, "shard");
  const startText = stringFlag(values, "start-at");
  const shard = shardText === undefined ? null : parseShard(shardText);
  if (shard && values["request-rate"] === undefined && values.duration !== undefined)
    throw new UsageError("--shard with --duration needs a --request-rate (one planned schedule to share)");
  const workers = intFlag(values, "workers", 1, { max: MAX_WORKERS });
  // each worker takes i mod N of the whole schedule: inside a shard that would send other shards' requests
  if (shard && workers > 1)
    throw new UsageError(
      "--workers with --shard is not supported: run one process per shard (more shards instead)",
    );
  // refused here, before the server is asked anything (src/execute/serving.ts checks it again for callers; a
  // sweep's list of concurrencies is checked point by point there)
  const concurrency = Number(values.concurrency ?? 1);
  if (Number.isSafeInteger(concurrency) && workers > concurrency)
    throw new UsageError(
      `--workers ${workers} needs --concurrency of at least ${workers} (one request each)`,
    );
  return {
    shard,
    startAtMs: startText === undefined ? null : parseStartAt(startText, nowMs),
    workers,
  };
}
