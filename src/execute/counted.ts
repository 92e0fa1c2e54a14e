/**
 * The callgrind-counted process (`--counter instructions`): the supervised engine process runs under
 * callgrind, on one thread, from compiled JavaScript (./compiled-child.ts); afterwards the callgrind output is
 * read (src/instructions/block.ts) and the result gains its `instructions` block and a warning that its
 * wall-time figures are not comparable.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalOptions } from "../engines/local/options.js";
import { instructionsBlock, readParts } from "../instructions/block.js";
import {
  callgrindWrapper,
  canSwitchInstrumentation,
  requireValgrind,
  switchInstrumentationOn,
} from "../instructions/valgrind.js";
import { warningRecord } from "../results/warnings.js";
import { compiledChildCommand } from "./compiled-child.js";
import { runInEngineProcess } from "./engine-process/executor.js";
import type { Executor, RunSpec } from "./executor.js";
import { type LocalTarget, targetModel } from "./local-target.js";
import type { RunOutcome } from "./outcome.js";

/** Under valgrind Node starts 20-50x slower: the engine process may be silent this long, ms. */
export const COUNTED_STALL_TIMEOUT_MS = 1_200_000;

/** Options of a counted run: always one compute thread (more would count ggml's spin-waits). */
export function countedOptions(options: LocalOptions): LocalOptions {
  return { ...options, threads: 1, embeddingThreads: 1 };
}

/**
 * Runs a local engine under callgrind and returns its outcome, the result carrying its `instructions` block.
 * The model is resolved first (a bad one fails before anything is compiled or counted); the engine runs on
 * the CPU, one thread.
 * @throws UsageError (one line, naming `apt-get install valgrind`) when valgrind is missing or the platform
 *   is not supported; EngineError when callgrind counted nothing.
 */
export async function runCounted(target: LocalTarget, spec: RunSpec): Promise<RunOutcome> {
  const resolved = targetModel(target, spec.detail, spec);
  if ("failed" in resolved) return resolved.failed;
  const valgrindVersion = requireValgrind();
  const childCommand = compiledChildCommand((l) => spec.detail?.(l));
  const dir = mkdtempSync(join(tmpdir(), "perf-baseline-callgrind-"));
  try {
    const options = countedOptions({ ...target.options, gpu: "off" });
    // uninstrumented until the model is loaded, where callgrind_control can switch it on
    const switchable = canSwitchInstrumentation();
    const outcome = await runInEngineProcess({ ...target, model: resolved.model, options }, spec, {
      wrapper: callgrindWrapper(join(dir, "cg.%p"), true, "valgrind", !switchable),
      beforeRounds: switchable ? switchInstrumentationOn : undefined,
      // V8 without its JIT: under valgrind every JIT compile is emulated too (about 10 % of a counted
      // embedding capture's time); nothing counted runs JavaScript
      childCommand: ["--jitless", ...childCommand],
      stallTimeoutMs: COUNTED_STALL_TIMEOUT_MS,
    });
    if (outcome.state !== "completed") return outcome;
    const result = outcome.result;
    const callsPerRound = result.mode === "embedding" ? (result.samples[0]?.calls ?? 1) : 1;
    const block = instructionsBlock(result, readParts(dir), {
      valgrindVersion,
      callsPerRound,
      wallTimeComparable: false,
    });
    const warning = warningRecord({ code: "counted_under_valgrind" });
    return {
      state: "completed",
      result: { ...result, instructions: block, warnings: [...result.warnings, warning] },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts a local engine's instructions under callgrind (`--counter instructions`). */
export const countedExecutor: Executor<LocalTarget> = {
  name: "counted",
  summary: "a local engine in a supervised engine process under callgrind, counting instructions",
  check: () => void requireValgrind(),
  run: runCounted,
};
