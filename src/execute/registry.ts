/**
 * The executor registry: every way the tool can run a benchmark, by name. Adding a way to run is one file
 * (an Executor, ./executor.ts) and one entry here; the run plan (./plan.ts) says when it is picked.
 */
import { commandExecutor } from "./command.js";
import { countedExecutor } from "./counted.js";
import { engineProcessExecutor } from "./engine-process/executor.js";
import type { Executor, RunSpec } from "./executor.js";
import { inProcessExecutor } from "./in-process.js";
import { loadGeneratorExecutor } from "./load-generator.js";
import type { RunOutcome } from "./outcome.js";

const EXECUTORS = {
  "in-process": inProcessExecutor,
  "engine-process": engineProcessExecutor,
  counted: countedExecutor,
  "load-generator": loadGeneratorExecutor,
  command: commandExecutor,
} as const;

/** The registry names of the executors. */
export type ExecutorName = keyof typeof EXECUTORS;

/** The target an executor takes. */
export type TargetOf<K extends ExecutorName> = Parameters<(typeof EXECUTORS)[K]["run"]>[0];

/** A run planned: the executor's name and its target (one of the pairs the registry allows). */
export type PlannedRun = { [K in ExecutorName]: { executor: K; target: TargetOf<K> } }[ExecutorName];

/** The executor of a planned run, typed for its target. */
function executorOf(plan: PlannedRun): Executor<PlannedRun["target"]> {
  // each name's executor takes that name's target (PlannedRun pairs them): the union is correlated
  return EXECUTORS[plan.executor] as Executor<PlannedRun["target"]>;
}

/**
 * Checks that the planned run's executor can run here.
 * @throws UsageError (one line) when it cannot: e.g. `--counter instructions` without valgrind.
 */
export function checkPlanned(plan: PlannedRun): void {
  executorOf(plan).check?.(plan.target);
}

/** Runs a planned run with its executor. */
export function runPlanned(plan: PlannedRun, spec: RunSpec): Promise<RunOutcome> {
  return executorOf(plan).run(plan.target, spec);
}

/** Registry names, in registry order. */
export function executorNames(): ExecutorName[] {
  return Object.keys(EXECUTORS) as ExecutorName[];
}
