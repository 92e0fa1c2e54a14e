/**
 * The execution seam: an Executor is one way to run a benchmark, below the engines (which only describe a
 * run: flags, options, identity, a runtime factory). The run plan (./plan.ts) picks the executor from the
 * engine and its options; the registry (./registry.ts) holds them by name; ./run-benchmark.ts is the entry.
 *
 * Each executor takes its own target (the data it needs to run, e.g. a local engine and its options, or a
 * server's load options) and the caller's RunSpec (shape, invocation, progress callbacks, interrupt signal),
 * and gives back a RunOutcome. Nothing in the target type is shared between executors, so a new way to run
 * brings its own: a `command` executor (run an arbitrary command per side of `ab` and import its output)
 * takes `{ argv, cwd, format }`; a sharded load generator takes the serving options plus its workers and
 * shards. Neither needs a change in engines/.
 */
import type { RunShape } from "../engines/definition.js";
import type { RunOutcome } from "./outcome.js";

/** How a result records the command that made it. */
export interface Invocation {
  /** the command as a user would type it again */
  command: string;
  argv: string[];
  cwd: string;
}

/** A run to make: its shape, how it records itself, and the callbacks and signal of the caller. */
export interface RunSpec extends RunShape {
  invocation: Invocation;
  /** status lines worth a log (a serving run's summary), for stderr */
  status?: (line: string) => void;
  /** detail lines (loading, model generation, llama.cpp's own log): shown on a terminal or when debugging */
  detail?: (line: string) => void;
  /** after each round, warmup included: progress display only */
  onRound?: (done: number, total: number, warmup: boolean) => void;
  /** aborted when the user interrupts: the run stops after the round in flight and returns what it has */
  signal?: AbortSignal;
}

/**
 * One way to run a benchmark.
 * @typeParam T the executor's target: everything it needs to run, besides the RunSpec.
 */
export interface Executor<T> {
  /** the registry name (./registry.ts) */
  readonly name: string;
  /** one line: what runs where */
  readonly summary: string;
  /**
   * Checks, when the run is planned, that this executor can run here (a tool installed, the platform).
   * Cheap and without side effects besides probing.
   * @throws UsageError (one line, saying how to fix it).
   */
  check?(target: T): void;
  /**
   * Runs one benchmark of `target`. Never throws for what the engine, the model or the server did: that is a
   * `failed` outcome (an interrupt is an `interrupted` one).
   * @throws UsageError for what the user can fix before running (as check).
   */
  run(target: T, spec: RunSpec): Promise<RunOutcome>;
}
