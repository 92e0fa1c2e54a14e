/**
 * What the executors of a local engine (in-process, engine process, counted) take: the engine, its options,
 * optionally the model already resolved and a test device; and the model resolution they share.
 */
import type { RunShape } from "../engines/definition.js";
import type { LocalEngineFactory } from "../engines/local/define.js";
import type { LocalOptions } from "../engines/local/options.js";
import type { ModelInfo } from "../models/model-info.js";
import { resolveModel } from "../models/resolve.js";
import { PerfBaselineError, UsageError } from "../util/errors.js";
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
 * The target's model: given, or resolved from its options (which may write the dummy model, one detail line),
 * and checked to hold the run's depth, synthetic prompt and new tokens when `shape` is given.
 * @returns the model, or the failed outcome of a model that cannot be had (ModelFileError, exit 6) or a
 *   shape that does not fit it (UsageError, exit 2).
 */
export function targetModel(
  target: LocalTarget,
  detail?: (line: string) => void,
  shape?: RunShape,
): { model: ModelInfo } | { failed: RunOutcome } {
  try {
    const model = target.model ?? resolveModel(target.options, detail);
    if (shape) checkContextFits(shape, target.options, model);
    return { model };
  } catch (err) {
    if (err instanceof PerfBaselineError) return { failed: { state: "failed", error: err, result: null } };
    throw err;
  }
}

/**
 * Refuses a run whose depth, synthetic prompt and new tokens do not fit the model's context (or the
 * `--context-size` given), before anything is loaded.
 * @throws UsageError naming the numbers.
 */
export function checkContextFits(shape: RunShape, o: LocalOptions, model: ModelInfo): void {
  if (o.depth === undefined && o.promptTokens === undefined) return;
  const generation = shape.mode === "generation";
  const parts: [string, number][] = generation
    ? [
        ["--depth", o.depth ?? 0],
        ["--prompt-tokens", o.promptTokens ?? 0],
        ["--max-new-tokens", shape.maxNewTokens],
      ]
    : [["--prompt-tokens", o.promptTokens ?? 0]];
  const need = parts.reduce((a, [, n]) => a + n, 0);
  const limits: [string, number | null | undefined][] = [
    ["the model's context", model.context_length],
    ["--context-size", o.contextSize],
  ];
  for (const [what, limit] of limits)
    if (limit && need > limit)
      throw new UsageError(
        `${parts.map(([f, n]) => `${f} ${n}`).join(" + ")} = ${need} tokens do not fit ${what} of ${limit} tokens`,
      );
}
