/**
 * The one place where the bench scripts run a capture through the product's run pipeline (every import of
 * src/execute/ and of the test devices lives here), so that a change of that pipeline is answered in this
 * file alone. A capture is what `perf-baseline bench` does: a fresh supervised engine
 * process (or, with `counter: "instructions"`, one under callgrind) that loads the model and runs the rounds.
 */

import { localOptionsFromFlags } from "../../src/engines/local/options.js";
import { DEFAULT_TIMEOUTS, normalizeBaseUrl } from "../../src/engines/openai/options.js";
import { DEFAULT_ENGINE } from "../../src/engines/registry.js";
import type { EngineDevice } from "../../src/execute/device.js";
import { completedResult } from "../../src/execute/outcome.js";
import { runBenchmark } from "../../src/execute/run-benchmark.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import type { Mode } from "../../src/workload/workload.js";
import { extraWorkDevice, phaseSlowdownDevice, slowdownDevice } from "../../test/support/engine-devices.js";

/** One local capture: engine, model, shape, and the test devices that make a known regression. */
export interface CaptureSpec {
  /** a local engine's registry name (default: the default engine) */
  engine?: string;
  mode: Mode;
  /** measured rounds */
  rounds: number;
  /** unmeasured rounds first */
  warmup: number;
  /** new tokens per generation round (passed as given, whatever the mode) */
  maxNewTokens: number;
  /** dummy-model preset and weight seed (default: the engine's, as `bench` without flags) */
  preset?: string;
  seed?: number;
  /** engine threads (default: the engine's) */
  threads?: number;
  /** "instructions": counted under callgrind (needs valgrind) */
  counter?: "time" | "instructions";
  /**
   * The test slowdown device: a fraction (0.25: every round 25 % slower), or every other round only
   * ({ alternate: 0.4 }). 0 or absent: none.
   */
  slowdown?: number | { alternate: number };
  /** The extra-work device: a fraction of real work added per reported token or call (0.03). 0 or absent: none. */
  extraWork?: number;
  /**
   * The phase slowdown device instead of the slowdown device: `slowdown` (a number) slows only prompt
   * processing ("prefill") or only decoding ("decode") of each generation round. Absent: the whole round.
   */
  phase?: "prefill" | "decode";
  /** `--prompt-tokens`: a synthetic prompt (generation) or inputs (embedding) of this many tokens; absent: the seed's */
  promptTokens?: number;
  /** `--depth`: tokens in the context before each round's timing (generation); absent: 0 */
  depth?: number;
  /** recorded as the result's invocation.command (the bench script, e.g. "bench/gate-accuracy.ts") */
  command: string;
  /** recorded as the result's invocation.cwd (default: this process's) */
  cwd?: string;
}

/** A capture's result and the wall time it took (engine process start to result), in seconds. */
export interface Captured {
  result: BenchmarkResult;
  wall_s: number;
}

function localOptions(spec: CaptureSpec) {
  return localOptionsFromFlags({
    ...(spec.preset !== undefined ? { preset: spec.preset } : {}),
    ...(spec.seed !== undefined ? { seed: String(spec.seed) } : {}),
    ...(spec.threads !== undefined ? { threads: String(spec.threads) } : {}),
    ...(spec.counter !== undefined ? { counter: spec.counter } : {}),
    ...(spec.promptTokens !== undefined ? { "prompt-tokens": String(spec.promptTokens) } : {}),
    ...(spec.depth !== undefined && spec.mode === "generation" ? { depth: String(spec.depth) } : {}),
  });
}

/**
 * The test device a capture spec asks for (extra work wins over a slowdown, as before; a slowdown with a
 * phase slows that phase only), or none.
 */
function deviceOf(spec: CaptureSpec): EngineDevice | undefined {
  if (spec.extraWork !== undefined && spec.extraWork > 0) return extraWorkDevice(spec.extraWork);
  const slow = spec.slowdown;
  if (typeof slow === "number" && slow > 0 && spec.phase) return phaseSlowdownDevice(spec.phase, slow);
  if (typeof slow === "number" && slow > 0) return slowdownDevice(slow);
  if (typeof slow === "object") return slowdownDevice(slow);
  return undefined;
}

/**
 * Runs one capture.
 * @throws UsageError for a bad preset, seed or thread count, or `counter: "instructions"` without valgrind;
 *   the run's own failure (a RunOutcome that is not complete) as completedResult throws it.
 */
export async function capture(spec: CaptureSpec): Promise<Captured> {
  const options = localOptions(spec);
  const shape = {
    mode: spec.mode,
    rounds: spec.rounds,
    warmup: spec.warmup,
    maxNewTokens: spec.maxNewTokens,
  };
  const invocation = { command: spec.command, argv: [], cwd: spec.cwd ?? process.cwd() };
  const t0 = performance.now();
  const result = completedResult(
    await runBenchmark(
      spec.engine ?? DEFAULT_ENGINE,
      options,
      { ...shape, invocation },
      { device: deviceOf(spec) },
    ),
  );
  return { result, wall_s: (performance.now() - t0) / 1000 };
}

/** An embedding run of the openai engine against a server (the measured phase of `bench --engine openai`). */
export interface ServingCaptureSpec {
  /** the server's base URL, e.g. http://127.0.0.1:8080/v1 */
  baseUrl: string;
  model: string;
  concurrency: number;
  numRequests: number;
  /** inputs per embeddings request */
  batchSize: number;
  /** recorded as the result's invocation.command */
  command: string;
}

/**
 * Runs the openai engine's embedding load (no warmup, a fixed number of requests, no API key, the default
 * timeouts, failures not tolerated) and returns its result.
 */
export function captureServingEmbeddings(spec: ServingCaptureSpec): Promise<BenchmarkResult> {
  return runServingBenchmark({
    mode: "embedding",
    warmup: 0,
    maxNewTokens: 0,
    invocation: { command: spec.command, argv: [], cwd: process.cwd() },
    openai: {
      baseUrl: normalizeBaseUrl(spec.baseUrl),
      model: spec.model,
      endpoint: "completions",
      apiKeyEnv: "PERF_BASELINE_BENCH_NO_KEY",
      concurrency: spec.concurrency,
      requestRate: null,
      burstiness: 1,
      arrivalSeed: 0,
      numRequests: spec.numRequests,
      durationS: null,
      outputLength: "fixed",
      batchSize: spec.batchSize,
      timeouts: DEFAULT_TIMEOUTS,
      tolerateFailures: false,
    },
  });
}
