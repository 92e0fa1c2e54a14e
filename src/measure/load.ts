import { setMaxListeners } from "node:events";
import { nowNs } from "../util/clock.js";
import { arrivalOffsets } from "./arrivals.js";
import { BigColumn, NumberColumn } from "./columns.js";
import { Metronome } from "./metronome.js";
import { inShard, type ShardSpec } from "./shard.js";

/**
 * The load generator: issues requests at planned arrival times (or as fast as the concurrency allows), never
 * more than `concurrency` in flight, for a number of requests or a duration. It records when each request
 * was planned, when it could have been sent and when it was sent; it computes no statistics.
 * Timestamps are process.hrtime.bigint() nanoseconds.
 */

/** What to run. */
export interface LoadPlan<T = unknown> {
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
  /** this process's share of the schedule (./shard.ts): requests of other shards are skipped. Defaults to all. */
  shard?: ShardSpec | null;
  /** called as each request settles (progress display) */
  onSettled?: (settled: number) => void;
  /** the run's start (ns, process.hrtime.bigint(), may lie ahead): workers of one run share it. Defaults to now. */
  startNs?: bigint;
  /**
   * Whether an outcome says the server is not there (requests.ts connectionRefused): UNREACHABLE_STOP of them in
   * a row, none in between that said otherwise, stop the run (`unreachable` in the outcome). Defaults to never.
   */
  unreachable?: (outcome: unknown) => boolean;
  /**
   * How the run keeps each settled outcome until its end (a serving run's: ./outcome-columns.ts, as columns).
   * Defaults to keeping the objects as they are.
   */
  keeper?: OutcomeKeeper<T>;
  /** warmup requests at the head of the same schedule (WarmupPlan); defaults to none */
  warmup?: WarmupPlan<T> | null;
}

/**
 * Warmup requests planned ahead of the measured ones in the same run: the schedule's first `requests`
 * arrivals (the same gaps, under the same concurrency cap) go to `send` and are not recorded. The run's
 * start, its duration, and the records' indexes and planned offsets begin at the first measured arrival,
 * just before which `onMeasuredStart` is called (a serving run starts its measured-phase probes there).
 *
 * Why one run and not two: each new run builds new objects (the run's state, the arrival generator, its
 * columns), and V8 throws away the load loop's optimized code that was specialised to the previous run's
 * (`--trace-deopt`: "weak objects", "wrong map"); the first second of a second run, until it is optimized
 * again, had 21-43 arrivals more than 1 ms late at 1,000 requests/s Poisson against 0-5 in the same second
 * of a run that had sent its warmup itself (notes/openai-performance.md).
 */
export interface WarmupPlan<T> {
  /** how many warmup requests (>= 0) */
  requests: number;
  /** sends warmup request `index` (0-based); as LoadPlan's `send`, never rejects */
  send: (index: number, signal: AbortSignal) => Promise<T>;
  /** called once, when the first measured request is due (not called when the run stops before) */
  onMeasuredStart?: () => void;
}

/**
 * Keeps a run's settled outcomes until its end: `keep` stores one and names it by a slot number (a
 * non-negative integer), `take` gives back, after the run, an outcome equal to the one kept.
 */
export interface OutcomeKeeper<T> {
  keep(outcome: T): number;
  take(slot: number): T;
}

/** The default keeper: the outcomes as they are, in an array. */
class ObjectKeeper<T> implements OutcomeKeeper<T> {
  private readonly kept: T[] = [];
  keep(outcome: T): number {
    return this.kept.push(outcome) - 1;
  }
  take(slot: number): T {
    return this.kept[slot] as T;
  }
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
  /** the measured requests (not the warmup's: LoadPlan.warmup) */
  records: LoadRecord<T>[];
  /** the start of the measured requests: the first one's planned arrival (after any warmup) */
  start_ns: bigint;
  /** when the last measured request settled (the run's end, when none did) */
  end_ns: bigint;
  /** false when the run was stopped before its planned end */
  complete: boolean;
  /** the run stopped because UNREACHABLE_STOP requests in a row found no server (LoadPlan.unreachable) */
  unreachable?: boolean;
}

/**
 * Requests in a row whose outcome said the server is not there (LoadPlan.unreachable) after which a run stops: a
 * server that went away would otherwise be sent a refused request per free slot until the run's end (thousands
 * per second), none of them measuring anything.
 */
export const UNREACHABLE_STOP = 100;

const NS_PER_S = 1e9;
/**
 * A timer beside each metronome wake, this many ms after the planned arrival: the wake still comes if the
 * metronome's thread fails.
 */
const METRONOME_FALLBACK_MS = 50;
/** How often `shouldStop` is polled while waiting, in ms. */
const STOP_POLL_MS = 50;

/**
 * Runs the plan. `send` gets the request index and an AbortSignal that fires when the run is interrupted;
 * it must settle promptly after the signal fires and should not reject (return failures as values).
 */
export async function runLoad<T>(
  plan: LoadPlan<T>,
  send: (index: number, signal: AbortSignal) => Promise<T>,
): Promise<LoadOutcome<T>> {
  if (!(plan.concurrency >= 1)) throw new RangeError(`concurrency must be >= 1, got ${plan.concurrency}`);
  if (plan.numRequests === null && plan.durationS === null)
    throw new RangeError("a load plan needs a request count or a duration");
  // the metronome's thread starts before the run's clock does: its first wake is on time
  const metronome = plan.requestRate === null ? null : await Metronome.start();
  return new LoadRun(plan, send, metronome).run();
}

/** A request in flight: its settling (which frees its slot). */
interface InFlight {
  done: Promise<void>;
}

/**
 * One load run's state: the arrival schedule, the requests in flight, the stop flag, and the one waiter of the
 * issuing loop (`pause`), woken (`poke`) when a request settles, the duration ends or the run stops.
 */
class LoadRun<T> {
  private readonly nextOffset: () => number | null;
  private readonly durationNs: bigint | null;
  /** the records, a row per request sent (columns: nothing per request stays on the collected heap) */
  private readonly rows = new RecordColumns();
  private readonly keeper: OutcomeKeeper<T>;
  private readonly inFlight = new Map<number, InFlight>();
  private stopped = false;
  /** requests in a row, as they settled, that found no server; -1 once the run stopped for it */
  private unreachableInRow = 0;
  private lastReleaseNs = 0n;
  /** when the latest measured request settled, ns; 0 while none has */
  private lastMeasuredNs = 0n;
  private settled = 0;
  private wake: (() => void) | null = null;
  /**
   * the planned arrival the loop waits for (`pauseUntil`), ns; null when it waits for none (a slot, or nothing).
   * A request that settles after it is due wakes the loop (the thread was busy when the metronome's wake came
   * due); one that settles before leaves the loop, and the metronome's pending wake, alone.
   */
  private dueNs: bigint | null = null;
  private readonly stopPoll: NodeJS.Timeout;
  /** the schedule's start (the warmup's, when there is one), ns */
  private readonly start: bigint;
  /** the measured requests' start: the first one's planned arrival; null until it is due */
  private measuredStart: bigint | null = null;
  /** the first measured arrival's planned offset from the schedule's start, ns */
  private measuredOffsetNs = 0n;
  private readonly warmupRequests: number;
  private durationTimer: NodeJS.Timeout | null = null;
  /**
   * One abort for every request of the run (a stop aborts all in flight): one AbortController per run, not
   * per request (Node's AbortController and its signal cost several us each on the client's hot path).
   */
  private readonly controller = new AbortController();

  constructor(
    private readonly plan: LoadPlan<T>,
    private readonly send: (index: number, signal: AbortSignal) => Promise<T>,
    /** wakes the loop at planned arrivals; null without a request rate */
    private readonly metronome: Metronome | null,
  ) {
    this.warmupRequests = plan.warmup?.requests ?? 0;
    this.nextOffset = arrivalOffsets(
      { requestRate: plan.requestRate, burstiness: plan.burstiness, seed: plan.arrivalSeed },
      plan.numRequests === null ? null : plan.numRequests + this.warmupRequests,
    );
    this.durationNs = plan.durationS === null ? null : BigInt(Math.round(plan.durationS * NS_PER_S));
    this.stopPoll = setInterval(() => this.checkStop(), STOP_POLL_MS);
    this.start = plan.startNs ?? nowNs();
    this.keeper = plan.keeper ?? new ObjectKeeper<T>();
    // every request in flight listens to the one signal: no "possible memory leak" warning past 10
    setMaxListeners(Number.POSITIVE_INFINITY, this.controller.signal);
  }

  /**
   * Marks the measured requests' start and arms the duration's timer, as the first of them is sent (at
   * `plannedAbs`): the run's start without a warmup; after one, the first measured arrival's planned time (the
   * moment it is sent without a request rate).
   */
  private beginMeasured(plannedAbs: bigint): void {
    if (this.warmupRequests === 0) this.measuredStart = this.start;
    else if (this.plan.requestRate === null) this.measuredStart = plannedAbs;
    else this.measuredStart = this.start + this.measuredOffsetNs;
    this.plan.warmup?.onMeasuredStart?.();
    if (this.durationNs !== null) {
      const leftMs = Number(this.measuredStart + this.durationNs - nowNs()) / 1e6;
      this.durationTimer = setTimeout(() => this.poke(), Math.max(0, leftMs) + 1);
    }
  }

  /**
   * Issues the requests, each at its planned arrival once a slot is free, until the count, the duration or a
   * stop; then waits for the requests in flight. Awaits only where it must wait, so that requests that can go
   * at once are sent in one go.
   */
  async run(): Promise<LoadOutcome<T>> {
    const { plan } = this;
    try {
      await this.untilStart();
      const warmups = this.warmupRequests;
      const total = plan.numRequests === null ? null : plan.numRequests + warmups;
      for (let k = 0; total === null || k < total; k++) {
        if (this.checkStop() || this.durationOver()) break;
        // k: the schedule's arrival; index: the measured request's number (negative for a warmup one)
        const index = k - warmups;
        const plannedNs = this.plannedOffsetNs();
        if (index === 0 && plannedNs !== null) this.measuredOffsetNs = plannedNs;
        if (index >= 0 && plannedNs !== null && this.durationNs !== null)
          if (plannedNs - this.measuredOffsetNs >= this.durationNs) break;
        if (index >= 0 && !inShard(plan.shard, index)) continue;
        const plannedAbs = plannedNs === null ? nowNs() : this.start + plannedNs;
        // wait for the planned arrival (woken by the metronome: ./metronome.ts)
        while (!this.checkStop() && !this.durationOver()) {
          if (plannedAbs <= nowNs()) break;
          await this.pauseUntil(plannedAbs);
        }
        if (this.stopped || this.durationOver()) break;
        // the measured requests start when the first of them is due, even if it then waits for a slot
        if (index >= 0 && this.measuredStart === null) this.beginMeasured(plannedAbs);
        // wait for a free slot
        let readyNs = plannedAbs;
        if (this.inFlight.size >= plan.concurrency) {
          while (this.inFlight.size >= plan.concurrency && !this.checkStop() && !this.durationOver())
            await this.pause();
          if (this.stopped || this.durationOver()) break;
          // ready when the slot was freed, if after the planned arrival (bigints: no Math.max)
          if (this.lastReleaseNs > plannedAbs) readyNs = this.lastReleaseNs;
        }
        if (index < 0) {
          this.launchWarmup(k);
          continue;
        }
        const offsetNs = plannedNs === null ? null : plannedNs - this.measuredOffsetNs;
        this.launch(index, offsetNs, plannedAbs, readyNs);
      }
      while (this.inFlight.size > 0) await Promise.race([...this.inFlight.values()].map((e) => e.done));
    } finally {
      this.metronome?.close();
      clearInterval(this.stopPoll);
      if (this.durationTimer) clearTimeout(this.durationTimer);
    }
    // after a warmup in the run, the measured requests end with the last of them, not with a warmup one
    // still in flight after it
    const end = this.warmupRequests > 0 && this.lastMeasuredNs > 0n ? this.lastMeasuredNs : nowNs();
    const outcome: LoadOutcome<T> = {
      records: this.rows.records(this.keeper),
      start_ns: this.measuredStart ?? this.start,
      end_ns: end,
      complete: !this.stopped,
    };
    if (this.unreachableInRow < 0) outcome.unreachable = true;
    return outcome;
  }

  /**
   * Waits for the run's start when it lies ahead (workers of one run share a start): no request is sent before
   * it. A timer may fire up to a millisecond early (libuv's clock is in whole ms), so it is waited for again.
   */
  private async untilStart(): Promise<void> {
    for (let left = this.start - nowNs(); left > 0n && !this.checkStop(); left = this.start - nowNs())
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(Number(left) / 1e6))));
  }

  /** The next planned arrival, ns after the start; null without a request rate. */
  private plannedOffsetNs(): bigint | null {
    const offsetS = this.nextOffset();
    return offsetS === null ? null : BigInt(Math.round(offsetS * NS_PER_S));
  }

  /**
   * Sends warmup request `k` now (LoadPlan.warmup), unrecorded; its settling frees its slot. Its slot is keyed
   * by -1 - k, apart from the measured requests' indexes.
   */
  private launchWarmup(k: number): void {
    const { signal } = this.controller;
    const key = -1 - k;
    const done = (this.plan.warmup as WarmupPlan<T>).send(k, signal).then(
      (outcome) => {
        if (!signal.aborted) this.countUnreachable(outcome);
        this.release(key, false);
      },
      () => this.release(key, false),
    );
    this.inFlight.set(key, { done });
  }

  /** Sends request `index` now and records it; its settling frees its slot and wakes the issuing loop. */
  private launch(index: number, plannedNs: bigint | null, plannedAbs: bigint, readyNs: bigint): void {
    const sent = nowNs();
    const { signal } = this.controller;
    const row = this.rows.push(index, plannedNs, sent, readyNs - plannedAbs, sent - readyNs);
    // one promise per request: the outcome kept and the slot freed in the same callback
    const done = this.send(index, signal).then(
      (outcome) => {
        if (!signal.aborted) {
          this.rows.settle(row, this.keeper.keep(outcome));
          this.countUnreachable(outcome);
        }
        this.release(index, true);
      },
      () => this.release(index, true),
    );
    this.inFlight.set(index, { done });
  }

  /** Counts a settled outcome that found no server (LoadPlan.unreachable); UNREACHABLE_STOP in a row stop the run. */
  private countUnreachable(outcome: T): void {
    const test = this.plan.unreachable;
    if (!test || this.unreachableInRow < 0) return;
    this.unreachableInRow = test(outcome) ? this.unreachableInRow + 1 : 0;
    if (this.unreachableInRow >= UNREACHABLE_STOP) {
      this.unreachableInRow = -1;
      this.stop();
    }
  }

  /**
   * Frees the slot keyed `key` as its request settles (a measured one is counted for onSettled); wakes the
   * issuing loop unless it waits for a planned arrival not yet due.
   */
  private release(key: number, measured: boolean): void {
    const t = nowNs();
    this.inFlight.delete(key);
    this.lastReleaseNs = t;
    if (measured) {
      this.lastMeasuredNs = t;
      this.plan.onSettled?.(++this.settled);
    }
    if (this.dueNs === null || t >= this.dueNs) this.poke();
  }

  /** Wakes the issuing loop if it waits. */
  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Waits until poked: a request settled (its slot is free), the duration ended or the run stopped. */
  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /**
   * Waits until poked or the clock reaches `atNs`: the metronome's wake, with a late timer as a fallback (a
   * planned arrival exists only with a request rate, which always has a metronome).
   */
  private pauseUntil(atNs: bigint): Promise<void> {
    const metronome = this.metronome;
    const leftMs = Number(atNs - nowNs()) / 1e6;
    this.dueNs = atNs;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.poke(), leftMs + METRONOME_FALLBACK_MS);
      metronome?.wakeAt(atNs, () => this.poke());
      this.wake = () => {
        this.dueNs = null;
        clearTimeout(timer);
        metronome?.cancel();
        resolve();
      };
    });
  }

  /** Stops the run: no new request, every request in flight aborted. */
  private stop(): void {
    this.stopped = true;
    this.controller.abort();
    this.poke();
  }

  /** Whether the run is stopped, asking `plan.shouldStop` first. */
  private checkStop(): boolean {
    if (!this.stopped && this.plan.shouldStop?.()) this.stop();
    return this.stopped;
  }

  /** Whether the duration (counted from the measured requests' start) is over. */
  private durationOver(): boolean {
    if (this.durationNs === null || this.measuredStart === null) return false;
    return nowNs() - this.measuredStart >= this.durationNs;
  }
}

/**
 * A run's records as columns, a row per request sent: its index, planned offset, send time and waits (ns), and
 * the keeper's slot of its outcome (-1 while unsettled or aborted). `records` builds the LoadRecords at the end.
 */
class RecordColumns {
  private readonly index = new NumberColumn();
  private readonly planned = new BigColumn();
  private readonly sent = new BigColumn();
  private readonly queueWait = new BigColumn();
  private readonly schedulingDelay = new BigColumn();
  private readonly slot = new NumberColumn();

  /** Adds the row of a request just sent; returns its number. */
  push(
    index: number,
    plannedNs: bigint | null,
    sentNs: bigint,
    queueWaitNs: bigint,
    delayNs: bigint,
  ): number {
    this.index.push(index);
    this.planned.push(plannedNs);
    this.sent.push(sentNs);
    this.queueWait.push(queueWaitNs);
    this.schedulingDelay.push(delayNs);
    return this.slot.push(-1);
  }

  /** Records row `row`'s outcome, kept under `slot`. */
  settle(row: number, slot: number): void {
    this.slot.set(row, slot);
  }

  /** The LoadRecords, in the order the requests were sent, their outcomes taken from `keeper`. */
  records<T>(keeper: OutcomeKeeper<T>): LoadRecord<T>[] {
    const out: LoadRecord<T>[] = [];
    for (let r = 0; r < this.slot.length; r++) {
      const slot = this.slot.get(r);
      out.push({
        index: this.index.get(r),
        planned_offset_ns: this.planned.get(r),
        sent_ns: this.sent.get(r) as bigint,
        queue_wait_ns: this.queueWait.get(r) as bigint,
        scheduling_delay_ns: this.schedulingDelay.get(r) as bigint,
        outcome: slot < 0 ? null : keeper.take(slot),
      });
    }
    return out;
  }
}
