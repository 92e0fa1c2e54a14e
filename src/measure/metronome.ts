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
 * One wake is pending at a time: `wakeAt` replaces the previous one (a stale wake that still arrives is
 * ignored). The worker is unref'd: it never keeps the process alive.
 */

/** The worker's source (CommonJS, evaluated: no file to resolve or transpile). */
const SOURCE = `
const { parentPort } = require("node:worker_threads");
const cell = new Int32Array(new SharedArrayBuffer(4));
parentPort.on("message", (m) => {
  const ms = Number(m.at - process.hrtime.bigint()) / 1e6;
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
  parentPort.postMessage(m.seq);
});
`;

/** A wake-up thread for planned arrivals; see the module comment. */
export class Metronome {
  private readonly worker: Worker;
  private seq = 0;
  private pending: (() => void) | null = null;

  /** A metronome whose thread is up and answering (one wake round trip): its first wake is not late. */
  static async start(): Promise<Metronome> {
    const m = new Metronome();
    await new Promise<void>((resolve) => m.wakeAt(0n, resolve));
    return m;
  }

  private constructor() {
    this.worker = new Worker(SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on("message", (seq: number) => {
      if (seq !== this.seq) return;
      const wake = this.pending;
      this.pending = null;
      wake?.();
    });
    // a metronome that fails leaves its wakes to the caller's fallback timer
    this.worker.on("error", () => {});
  }

  /**
   * Calls `wake` at `atNs` (process.hrtime.bigint() ns), replacing any pending wake.
   * @param atNs when to wake; a time already past wakes at once
   */
  wakeAt(atNs: bigint, wake: () => void): void {
    this.seq++;
    this.pending = wake;
    this.worker.postMessage({ seq: this.seq, at: atNs });
  }

  /** Drops the pending wake. */
  cancel(): void {
    this.seq++;
    this.pending = null;
  }

  /** Stops the thread (not awaited: a sleeping thread ends when it wakes or the process exits). */
  close(): void {
    this.cancel();
    void this.worker.terminate();
  }
}
