/**
 * The counted captures the commands make: a baseline's counted capture beside its timed ones, and the
 * gate's and check-release's counted capture against a baseline that has counts (the same shape as the
 * baseline's counted run, or the counts are not comparable).
 */
import type { CapturePlan, RunShape } from "../engines/definition.js";
import type { LocalOptions } from "../engines/local/options.js";
import { getLocalEngine } from "../engines/registry.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { Mode } from "../workload/workload.js";

/**
 * The shape of a counted capture made beside timed ones: counts are deterministic (two processes agree within
 * 0.004 %, notes/gate-accuracy.md), so one measured round and no warmup: the counted work is what a counted
 * capture's time goes to under callgrind (about 60 s for generation, 95 s for embedding on a quiet 2-core
 * machine). A first round counts a little more than later ones (embedding 1.8 %, generation 0.08 %), the
 * same in the baseline and the candidate; 16 new tokens per generation round.
 */
export const COUNTED_SHAPE = { rounds: 1, warmup: 0, maxNewTokens: 16 } as const;

/** The counted shape of a mode. */
export function countedShape(mode: Mode): RunShape {
  return {
    mode,
    rounds: COUNTED_SHAPE.rounds,
    warmup: COUNTED_SHAPE.warmup,
    maxNewTokens: mode === "generation" ? COUNTED_SHAPE.maxNewTokens : 0,
  };
}

/** True when an engine can count instructions (a local engine: a GGUF run by native code here). */
export function canCount(engineName: string): boolean {
  return getLocalEngine(engineName) !== undefined;
}

/** The options of a plan with counting switched on or off (local engines only). */
export function withCounter(options: unknown, counter: "time" | "instructions"): LocalOptions {
  const o = { ...(options as LocalOptions) };
  if (counter === "instructions") o.counter = "instructions";
  else delete o.counter;
  return o;
}

/**
 * The counted capture comparable with a baseline's counts: the baseline's counted shape, the plan's options
 * with counting on.
 * @returns null when the baseline has no counts or its engine cannot count.
 */
export function countedPlanFor(
  baseline: BenchmarkResult,
  plan: CapturePlan<unknown>,
): CapturePlan<unknown> | null {
  const b = baseline.instructions;
  if (!b || !canCount(baseline.engine.name)) return null;
  return {
    shape: {
      mode: baseline.mode,
      rounds: b.rounds,
      warmup: b.warmup_rounds,
      maxNewTokens: baseline.mode === "generation" ? b.max_new_tokens : 0,
    },
    options: withCounter(plan.options, "instructions"),
  };
}
