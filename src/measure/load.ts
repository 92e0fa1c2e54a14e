import { nowNs } from "../util/clock.js";
import { arrivalOffsets } from "./arrivals.js";

/**
 * The load generator: issues requests at planned arrival times (or as fast as the concurrency allows), never
 * more than `concurrency` in flight, for a number of requests or a duration. It records when each request
 * was planned, when it could have been sent and when it was sent; it computes no statistics.
 * Timestamps are process.hrtime.bigint() nanoseconds.
 */

/** What to run. */
export interface LoadPlan {
  /** most requests in flight at once */
  concurrency: number;
  /** requests per second; null sends each request as soon as a slot is free */
  requestRate: number | null;
  /** gamma shape of the arrival gaps (1 = Poisson). Defaults to 1. */
  burstiness?: number;
  /** seed of the arrival gaps. Defaults to 0. */
  arrivalSeed?: number;
  /** requests to send; null when bounded by duration only */
  numRequests: number | null;
  /** no request is sent after this many seconds from the start; null when bounded by count only */
  durationS: number | null;
  /** checked often; when it returns true no new request is sent and requests in flight are aborted */
  shouldStop?: () => boolean;
  /** called as each request settles (progress display) */
  onSettled?: (settled: number) => void;
}

/** One request as the load generator saw it. */
export interface LoadRecord<T> {
  index: number;
  /** planned arrival, ns after the run's start; null without a request rate */
  planned_offset_ns: bigint | null;
  /** when it was sent (ns, absolute) */
  sent_ns: bigint;
  /** planned arrival (or the start) to the moment a concurrency slot was free: waiting by design */
  queue_wait_ns: bigint;
  /** the moment it could be sent (planned time reached and a slot free) to the moment it was: client lateness */
  scheduling_delay_ns: bigint;
  /** what `send` returned; null when the request was aborted by an interruption */
  outcome: T | null;
}

/** The result of a load run. */
export interface LoadOutcome<T> {
  records: LoadRecord<T>[];
  start_ns: bigint;
  /** when the last request settled */
  end_ns: bigint;
  /** false when the run was stopped before its planned end */
  complete: boolean;
}

const NS_PER_S = 1e9;
/** How often `shouldStop` is polled while waiting, in ms. */
const STOP_POLL_MS = 50;

/**
 * Runs the plan. `send` gets the request index and an AbortSignal that fires when the run is interrupted;
 * it must settle promptly after the signal fires and should not reject (return failures as values).
 */
export async function runLoad<T>(
  plan: LoadPlan,
  send: (index: number, signal: AbortSignal) => Promise<T>,
): Promise<LoadOutcome<T>> {
  if (!(plan.concurrency >= 1)) throw new RangeError(`concurrency must be >= 1, got ${plan.concurrency}`);
  if (plan.numRequests === null && plan.durationS === null)
    throw new RangeError("a load plan needs a request count or a duration");
  const nextOffset = arrivalOffsets(
    { requestRate: plan.requestRate, burstiness: plan.burstiness, seed: plan.arrivalSeed },
    plan.numRequests,
  );
  const durationNs = plan.durationS === null ? null : BigInt(Math.round(plan.durationS * NS_PER_S));
  const records: LoadRecord<T>[] = [];
  const inFlight = new Map<number, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;
  let lastReleaseNs = 0n;
  let settled = 0;

  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  /** Waits until poked or `ms` passed (ms null: until poked). */
  const pause = (ms: number | null) =>
    new Promise<void>((resolve) => {
      const timer = ms === null ? null : setTimeout(() => poke(), Math.max(0, ms));
      wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  const stop = () => {
    stopped = true;
    for (const { controller } of inFlight.values()) controller.abort();
    poke();
  };
  const checkStop = () => {
    if (!stopped && plan.shouldStop?.()) stop();
    return stopped;
  };
  const stopPoll = setInterval(checkStop, STOP_POLL_MS);

  const start = nowNs();
  let durationTimer: NodeJS.Timeout | null = null;
  if (durationNs !== null) durationTimer = setTimeout(poke, Number(durationNs / 1_000_000n) + 1);
  const durationOver = () => durationNs !== null && nowNs() - start >= durationNs;

  try {
    for (let index = 0; plan.numRequests === null || index < plan.numRequests; index++) {
      if (checkStop() || durationOver()) break;
      const offsetS = nextOffset();
      const plannedNs = offsetS === null ? null : BigInt(Math.round(offsetS * NS_PER_S));
      if (plannedNs !== null && durationNs !== null && plannedNs >= durationNs) break;
      const plannedAbs = plannedNs === null ? nowNs() : start + plannedNs;
      // wait for the planned arrival
      while (!checkStop() && !durationOver()) {
        const left = plannedAbs - nowNs();
        if (left <= 0n) break;
        await pause(Number(left) / 1e6);
      }
      if (stopped || durationOver()) break;
      // wait for a free slot
      let readyNs = plannedAbs;
      if (inFlight.size >= plan.concurrency) {
        while (inFlight.size >= plan.concurrency && !checkStop() && !durationOver()) await pause(null);
        if (stopped || durationOver()) break;
        readyNs = lastReleaseNs > plannedAbs ? lastReleaseNs : plannedAbs;
      }
      const sent = nowNs();
      const controller = new AbortController();
      const record: LoadRecord<T> = {
        index,
        planned_offset_ns: plannedNs,
        sent_ns: sent,
        queue_wait_ns: readyNs - plannedAbs,
        scheduling_delay_ns: sent - readyNs,
        outcome: null,
      };
      records.push(record);
      const done = send(index, controller.signal).then(
        (outcome) => {
          record.outcome = controller.signal.aborted ? null : outcome;
        },
        () => {
          record.outcome = null;
        },
      );
      const entry = {
        controller,
        done: done.finally(() => {
          inFlight.delete(index);
          lastReleaseNs = nowNs();
          settled++;
          plan.onSettled?.(settled);
          poke();
        }),
      };
      inFlight.set(index, entry);
    }
    while (inFlight.size > 0) await Promise.race([...inFlight.values()].map((e) => e.done));
  } finally {
    clearInterval(stopPoll);
    if (durationTimer) clearTimeout(durationTimer);
  }
  const end = nowNs();
  return { records, start_ns: start, end_ns: end, complete: !stopped };
}
