/**
 * The run plan: which executor runs an engine with its options, and with what target. Engines only describe
 * a run; this is where a way to run is chosen:
 *   a local engine counting instructions (`--counter instructions`)  -> counted (callgrind)
 *   any other local engine run                                        -> engine-process (supervised)
 *   a serving engine                                                  -> load-generator
 * The in-process executor is never planned: tests run it directly. The picked executor checks that it can
 * run here when the run is planned (the counted one probes valgrind), not when flags are parsed.
 */

import type { LocalOptions } from "../engines/local/options.js";
import type { ServingOptions } from "../engines/openai/options.js";
import { getEngine, getLocalEngine, getServingEngine } from "../engines/registry.js";
import type { EngineDevice } from "./device.js";
import { checkPlanned, type PlannedRun } from "./registry.js";

/** What only a programmatic caller (a test, a bench script) may add to a run: the CLI never sets it. */
export interface RunTesting {
  /** wraps the loaded engine of a local run (./device.ts; test/support/engine-devices.ts makes them) */
  device?: EngineDevice;
}

/**
 * Plans a run and checks that its executor can run here.
 * @param engine a registry name ("llama-cpp", "openai", ...).
 * @param options what that engine's optionsFromFlags or captureOptions returned.
 * @throws UsageError for an unknown engine, or one line when the executor cannot run here (valgrind missing
 *   for `--counter instructions`, with the install command; exit 2).
 */
export function planRun(engine: string, options: unknown, testing: RunTesting = {}): PlannedRun {
  const plan = pick(engine, options, testing);
  checkPlanned(plan);
  return plan;
}

/**
 * Checks, as soon as a command has a run's options and before anything runs, that the run they plan can
 * run here: the same one-line errors as planRun.
 * @throws UsageError as planRun.
 */
export function checkRunnable(engine: string, options: unknown): void {
  planRun(engine, options);
}

/** The executor and target of a run (unchecked). */
function pick(engine: string, options: unknown, testing: RunTesting): PlannedRun {
  const local = getLocalEngine(engine);
  if (local) {
    const o = options as LocalOptions;
    const target = { engine: local, options: o, ...(testing.device ? { device: testing.device } : {}) };
    return o.counter === "instructions"
      ? { executor: "counted", target }
      : { executor: "engine-process", target };
  }
  const serving = getServingEngine(engine);
  if (serving) {
    if (testing.device) throw new Error(`a test device wraps a local engine, not ${engine}`);
    return { executor: "load-generator", target: { options: options as ServingOptions } };
  }
  getEngine(engine); // throws UsageError for a name the registry does not have
  throw new Error(`engine ${engine} is neither local nor serving: the run plan has no executor for it`);
}
