import { Worker } from "node:worker_threads";

/**
 * Wakes the load loop at a planned arrival to within a fraction of a millisecond, without spinning.
 *
 * Node's timers have whole-millisecond resolution and fire up to ~1 ms late (libuv's loop time is in ms), and
 * a loop that polls the clock every event-loop turn burns a core and makes a client look saturated. The
 * metronome is a small worker thread that sleeps in `Atomics.wait` (a futex: sub-millisecond timeouts) until
 * the planned time and then posts a message, which wakes the main event loop at once (a libuv async handle).
 * The main thread stays idle in its poll until then, so its event-loop utilisation and CPU time stay honest.
 *
 * One wake is pending at a time: `wakeAt` replaces the previous one, and `cancel` drops it. The pending wake's
 * number sits in a shared cell the thread sleeps on (`Atomics.wait` on that value), so a wake replaced or
 * dropped interrupts the sleep at once (`Atomics.notify`) and is never posted; a stale number that still
 * arrives is ignored. Like a timer, a pending wake keeps the process alive and an idle metronome does not.
 * A metronome whose run ended (`close`) is kept idle for the next run of the same thread: starting a worker
 * thread (an isolate) and tearing one down take milliseconds of CPU, which at a run's start would make its
 * first planned arrivals late.
 */

/** The worker's source (CommonJS, evaluated: no file to resolve or transpile). */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const current = new Int32Array(workerData);
parentPort.on("message", (m) => {
  const ms = Number(m.at - process.hrtime.bigint()) / 1e6;
  // returns at once when the wake is no longer the pending one, and when it stops being so
  if (ms > 0) Atomics.wait(current, 0, m.seq, ms);
  if (Atomics.load(current, 0) === m.seq) parentPort.postMessage(m.seq);
});
`;

/** Metronomes whose run ended, kept for the next run of this thread (most recently used last). */
const idle: Metronome[] = [];

/** A wake-up thread for planned arrivals; see the module comment. */
export class Metronome {
  private readonly worker: Worker;
  /** the pending wake's number (int32), shared with the thread */
  private readonly current = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private pending: (() => void) | null = null;
  /** the thread has not exited */
  private alive = true;
  /** the thread's error, if it failed */
  private failure: string | null = null;
  /** told when the thread exits (start() waits on the first wake) */
  private onExit: ((why: string) => void) | null = null;

  /** A metronome whose thread is up and answering (one wake round trip): its first wake is not late. */
  static async start(): Promise<Metronome> {
    for (let m = idle.pop(); m !== undefined; m = idle.pop()) if (m.alive) return m;
    const m = new Metronome();
    await new Promise<void>((resolve, reject) => {
      m.onExit = (why) => reject(new Error(`the metronome's thread stopped before its first wake: ${why}`));
      m.wakeAt(0n, () => {
        m.onExit = null;
        resolve();
      });
    });
    return m;
  }

  private constructor() {
    // no flags of this process's (a loader, --input-type): the source is plain CommonJS
    this.worker = new Worker(SOURCE, { eval: true, workerData: this.current.buffer, execArgv: [] });
    this.worker.on("message", (seq: number) => {
      if (seq !== this.seq) return;
      const wake = this.pending;
      this.pending = null;
      this.worker.unref();
      wake?.();
    });
    // a metronome that fails leaves its wakes to the caller's fallback timer
    this.worker.on("error", (err: Error) => {
      this.failure = err.message;
    });
    this.worker.on("exit", (code: number) => {
      this.alive = false;
      this.onExit?.(this.failure ?? `exit code ${code}`);
    });
    // idle until a wake is asked for (after the listeners: adding a "message" listener refs the worker again)
    this.worker.unref();
  }

  /**
   * Calls `wake` at `atNs` (process.hrtime.bigint() ns), replacing any pending wake.
   * @param atNs when to wake; a time already past wakes at once
   */
  wakeAt(atNs: bigint, wake: () => void): void {
    this.next();
    this.pending = wake;
    this.worker.ref();
    this.worker.postMessage({ seq: this.seq, at: atNs });
  }

  /** Drops the pending wake. */
  cancel(): void {
    this.next();
    this.pending = null;
    this.worker.unref();
  }

  /** Numbers a new pending wake (or none), and interrupts the thread's sleep on the old one. */
  private next(): void {
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.current, 0, this.seq);
    Atomics.notify(this.current, 0);
  }

  /** Ends this run's use: drops the pending wake and keeps the thread, idle, for the next run of this thread. */
  close(): void {
    this.cancel();
    if (this.alive && !idle.includes(this)) idle.push(this);
  }
}
