/**
 * One local benchmark run, start to end: environment (captured before timing), engine, warmup and measured
 * rounds (timed here, in the process that runs the engine), machine load, result. It runs inside the
 * supervised engine process (./engine-process/child.ts), and in the test process for the fake engine.
 */

import type { Invocation, RunShape } from "../../engines/definition.js";
import type { LocalEngineFactory } from "../../engines/local/define.js";
import type { LocalOptions } from "../../engines/local/options.js";
import { captureEnvironment } from "../../environment/capture.js";
import { gitInfo } from "../../environment/git.js";
import { startMachineLoadProbe } from "../../environment/machine-load.js";
import type { Engine } from "../../measure/engine-contract.js";
import { type RoundPlan, runEmbeddingRounds, runGenerationRounds } from "../../measure/run.js";
import type { ModelInfo } from "../../models/model-info.js";
import { buildEmbeddingResult, buildGenerationResult, type ResultContext } from "../../results/build.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { renderWarning, type Warning } from "../../results/warnings.js";
import { toolVersion } from "../../util/tool-version.js";
import { embeddingWorkload, generationWorkload, workloadDigest } from "../../workload/workload.js";

/** Everything a local run needs, as plain data (it crosses the process boundary). */
export interface LocalRunRequest {
  /** the registry name of the engine */
  engine: string;
  /** the resolved, validated model */
  model: ModelInfo;
  options: LocalOptions;
  shape: RunShape;
  invocation: Invocation;
}

/** Callbacks of a local run. */
export interface LocalRunHooks {
  status?: (line: string) => void;
  /** llama.cpp's own log lines (warnings, errors) */
  log?: (line: string) => void;
  /** called once the engine has loaded the model (a failure before it is the model's, after it the engine's) */
  onModelLoaded?: () => void;
  onRound?: RoundPlan["onRound"];
  /** aborted: stop after the round in flight */
  signal?: AbortSignal;
  /**
   * awaited once the engine is ready, before the first (warmup) round: a counted run waits here while the
   * supervisor switches callgrind's instrumentation on, so that Node's start-up and the model load run
   * uninstrumented
   */
  beforeRounds?: () => Promise<void>;
  /** wraps the loaded engine (the slowdown device of the gate-accuracy script and tests) */
  wrapEngine?: (engine: Engine) => Engine;
}

/**
 * Loads the engine and runs the rounds.
 * @returns the result (complete: false when the signal stopped it), or null when it stopped before any
 *   measured round finished.
 * @throws the factory's and the engine's typed errors (ModelFileError, EngineError).
 */
export async function runLocalBenchmark(
  create: LocalEngineFactory,
  req: LocalRunRequest,
  hooks: LocalRunHooks = {},
): Promise<BenchmarkResult | null> {
  const { shape, model, options } = req;
  const environment = captureEnvironment();
  const git = gitInfo();
  const workload = shape.mode === "generation" ? generationWorkload(shape.maxNewTokens) : embeddingWorkload();
  hooks.status?.(`loading ${model.path}`);
  const loaded = await create({
    modelPath: model.path,
    mode: shape.mode,
    threads: options.threads,
    embeddingThreads: options.embeddingThreads,
    batchSize: options.batchSize,
    contextSize: options.contextSize,
    gpu: options.gpu,
    maxNewTokens: shape.mode === "generation" ? shape.maxNewTokens : 0,
    extra: options.extra,
    log: (line) => hooks.log?.(line),
    counted: options.counter === "instructions",
    onModelLoaded: hooks.onModelLoaded,
  });
  let engine = hooks.wrapEngine ? hooks.wrapEngine(loaded) : loaded;
  const slowdown = options.extra.test_slowdown;
  if (slowdown !== undefined) {
    // the gate's known regression for bench/gate-accuracy.ts and the tests (never set by a flag)
    const { withSlowdownForTests } = await import("../../engines/slowdown-for-tests.js");
    // "0.25": every round; "alternate:0.4": every other round (a noisy capture); "work:0.03": 3 % more work
    const alt = /^alternate:(.+)$/.exec(slowdown);
    const work = /^work:(.+)$/.exec(slowdown);
    if (work) {
      const { withExtraWorkForTests } = await import("../../engines/slowdown-for-tests.js");
      engine = withExtraWorkForTests(engine, Number(work[1]));
    } else
      engine = withSlowdownForTests(
        engine,
        alt ? (round: number) => (round % 2 === 0 ? 0 : Number(alt[1])) : Number(slowdown),
      );
  }
  try {
    if (hooks.beforeRounds) await hooks.beforeRounds();
    if (hooks.signal?.aborted) return null;
    const started = new Date().toISOString();
    const plan: RoundPlan = {
      rounds: shape.rounds,
      warmup: shape.warmup,
      onRound: hooks.onRound,
      signal: hooks.signal,
    };
    const warnings: Warning[] = [];
    if (model.dummy) warnings.push({ code: "dummy_weights" });
    const ctx = (finished: string): ResultContext => ({
      tool_version: toolVersion(),
      rounds: shape.rounds,
      warmup_rounds: shape.warmup,
      environment,
      engine: engine.identity,
      settings: engine.settings,
      model,
      workload,
      workload_digest: workloadDigest(workload),
      invocation: req.invocation,
      git,
      started_at: started,
      finished_at: finished,
      warnings: warnings.map(renderWarning),
    });
    const probe = startMachineLoadProbe();
    const finish = (o: { samples: unknown[]; output_consistent: boolean; complete: boolean }) => {
      if (!o.output_consistent)
        warnings.push({
          code: "nondeterministic_output",
          what: shape.mode === "generation" ? "tokens" : "embeddings",
        });
      if (!o.complete)
        warnings.push({
          code: "partial_result",
          rounds_done: o.samples.length,
          rounds_planned: shape.rounds,
        });
      return ctx(new Date().toISOString());
    };
    if (shape.mode === "generation") {
      const outcome = await runGenerationRounds(engine, workload, plan);
      const machine_load = probe();
      if (outcome.samples.length === 0) return null;
      return { ...buildGenerationResult(finish(outcome), outcome), machine_load };
    }
    const outcome = await runEmbeddingRounds(engine, workload, plan);
    const machine_load = probe();
    if (outcome.samples.length === 0) return null;
    return { ...buildEmbeddingResult(finish(outcome), outcome), machine_load };
  } finally {
    await engine.dispose();
  }
}
