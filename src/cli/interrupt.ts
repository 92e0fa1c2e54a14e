/**
 * Ctrl-C for the whole CLI process. Outside a run it exits at once with 130. During a run the first Ctrl-C
 * aborts the run's signal (the engine finishes the round in flight and the partial result is printed,
 * `complete: false`); a second one exits with 130 at once (the engine process is killed on exit). A SIGINT that
 * comes within SIGINT_REPEAT_MS of the first is that same interruption, not a second Ctrl-C: timeout(1) and some
 * job controls signal the process and then its whole process group, so one interruption can arrive twice.
 */
import { EXIT } from "../util/errors.js";

/** A SIGINT this soon after the one that interrupted a run is the same interruption, in ms. */
export const SIGINT_REPEAT_MS = 200;

const controller = new AbortController();
let runs = 0;
let installed = false;
/** when the run was interrupted (performance.now() ms) */
let interruptedAt = 0;

function onSigint(): void {
  if (controller.signal.aborted && performance.now() - interruptedAt < SIGINT_REPEAT_MS) return;
  if (runs === 0 || controller.signal.aborted) {
    process.stderr.write("perf-baseline: interrupted\n");
    process.exit(EXIT.interrupted);
  }
  process.stderr.write(
    "perf-baseline: interrupted: finishing the round in flight (a serving run drops its requests in flight), then printing a partial result (Ctrl-C again to quit now)\n",
  );
  interruptedAt = performance.now();
  controller.abort();
}

/** Replaces any earlier SIGINT handler (the entry point's start-up one) with the CLI's. Idempotent. */
export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", onSigint);
}

/** True once the user pressed Ctrl-C during a run. */
export function interrupted(): boolean {
  return controller.signal.aborted;
}

/**
 * Runs `fn` as an interruptible run: Ctrl-C aborts the signal it is given instead of exiting.
 * @returns what `fn` returns.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  runs++;
  try {
    return await fn(controller.signal);
  } finally {
    runs--;
  }
}
