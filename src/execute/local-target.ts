/**
 * What the executors of a local engine (in-process, engine process, counted) take: the engine, its options,
 * optionally the model already resolved and a test device; and the model resolution they share.
 */
import type { LocalEngineFactory } from "../engines/local/define.js";
import type { LocalOptions } from "../engines/local/options.js";
import type { ModelInfo } from "../models/model-info.js";
import { resolveModel } from "../models/resolve.js";
import { PerfBaselineError } from "../util/errors.js";
import type { EngineDevice } from "./device.js";
import type { RunOutcome } from "./outcome.js";

/** A run of a local engine (a GGUF model run on this machine by native code). */
export interface LocalTarget {
  /** the engine: its registry name (the engine process looks it up by name) and its factory's loader */
  engine: { name: string; load: () => Promise<LocalEngineFactory> };
  options: LocalOptions;
  /** the model, already resolved (tests with a fake engine); resolved from `options` when absent */
  model?: ModelInfo;
  /** a test device wrapping the loaded engine (./device.ts); never set by the CLI */
  device?: EngineDevice;
}

/**
 * The target's model: given, or resolved from its options (which may write the dummy model, one detail line).
 * @returns the model, or the failed outcome of a model that cannot be had (ModelFileError, exit 6).
 */
export function targetModel(
  target: LocalTarget,
  detail?: (line: string) => void,
): { model: ModelInfo } | { failed: RunOutcome } {
  if (target.model) return { model: target.model };
  try {
    return { model: resolveModel(target.options, detail) };
  } catch (err) {
    if (err instanceof PerfBaselineError) return { failed: { state: "failed", error: err, result: null } };
    throw err;
  }
}
