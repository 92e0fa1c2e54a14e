import type { GpuChoice } from "../engines/node-llama-cpp/engine.js";
import type { Engine } from "../engines/types.js";
import { captureEnvironment } from "../environment/capture.js";
import { gitInfo } from "../environment/git.js";
import { startMachineLoadProbe } from "../environment/machine-load.js";
import { type RoundPlan, runEmbeddingRounds, runGenerationRounds } from "../measure/run.js";
import { ensureDummyModel } from "../models/cache.js";
import { inspectModel, type ModelInfo } from "../models/model-info.js";
import { buildEmbeddingResult, buildGenerationResult, type ResultContext } from "../results/build.js";
import type { BenchmarkResult } from "../results/schema.js";
import { toolVersion } from "../util/tool-version.js";
import { embeddingWorkload, generationWorkload, type Mode, workloadDigest } from "../workload/workload.js";
import type { ServingOptions } from "./run-serving.js";

/** Validated options of one benchmark run. */
export interface BenchOptions {
  mode: Mode;
  rounds: number;
  warmup: number;
  maxNewTokens: number;
  /** a GGUF file; when absent the dummy model of `preset` and `seed` is used */
  model?: string;
  preset: string;
  seed: number;
  threads?: number;
  embeddingThreads?: number;
  batchSize?: number;
  contextSize?: number;
  gpu: GpuChoice;
  invocation: { command: string; argv: string[]; cwd: string };
  /** status lines for stderr (model generation, loading) */
  status?: (line: string) => void;
  onRound?: RoundPlan["onRound"];
  shouldStop?: () => boolean;
  /** set for --engine openai: an OpenAI-compatible server under load instead of the in-process engine */
  openai?: ServingOptions;
  /** wraps the loaded engine (the slowdown device of the gate-accuracy script and tests); none in the CLI */
  wrapEngine?: (engine: Engine) => Engine;
}

/** Resolves the model to run: a user's GGUF, validated, or the cached dummy model (written on first use). */
export function resolveModel(opts: Pick<BenchOptions, "model" | "preset" | "seed" | "status">): ModelInfo {
  if (opts.model !== undefined) return inspectModel(opts.model);
  const cached = ensureDummyModel(opts.preset, opts.seed);
  if (cached.generated) {
    opts.status?.(
      `wrote dummy model ${opts.preset} (seed ${opts.seed}) in ${cached.generate_s.toFixed(2)} s: ${cached.path}`,
    );
  }
  return inspectModel(cached.path, cached.sha256);
}

/**
 * Runs one benchmark end to end: model, environment (captured before timing), engine, warmup and measured
 * rounds, result. The engine is loaded lazily so that commands that do not run a model never load the addon.
 */
export async function runBenchmark(opts: BenchOptions): Promise<BenchmarkResult> {
  if (opts.openai) {
    const { runServingBenchmark } = await import("./run-serving.js");
    return runServingBenchmark({ ...opts, openai: opts.openai });
  }
  const model = resolveModel(opts);
  const environment = captureEnvironment();
  const git = gitInfo();
  const workload = opts.mode === "generation" ? generationWorkload(opts.maxNewTokens) : embeddingWorkload();
  const { createLlamaEngine } = await import("../engines/node-llama-cpp/engine.js");
  opts.status?.(`loading ${model.path}`);
  const loaded: Engine = await createLlamaEngine({
    modelPath: model.path,
    mode: opts.mode,
    threads: opts.threads,
    embeddingThreads: opts.embeddingThreads,
    batchSize: opts.batchSize,
    contextSize: opts.contextSize,
    gpu: opts.gpu,
    maxNewTokens: opts.mode === "generation" ? opts.maxNewTokens : 0,
    log: (line) => opts.status?.(`llama.cpp: ${line}`),
  });
  const engine = opts.wrapEngine ? opts.wrapEngine(loaded) : loaded;
  try {
    const started = new Date().toISOString();
    const plan: RoundPlan = {
      rounds: opts.rounds,
      warmup: opts.warmup,
      onRound: opts.onRound,
      shouldStop: opts.shouldStop,
    };
    const warnings: string[] = [];
    if (model.dummy) warnings.push("dummy weights: throughput is real, generated text is not meaningful");
    const ctx = (finished: string): ResultContext => ({
      tool_version: toolVersion(),
      rounds: opts.rounds,
      warmup_rounds: opts.warmup,
      environment,
      engine: engine.identity,
      settings: engine.settings,
      model,
      workload,
      workload_digest: workloadDigest(workload),
      invocation: opts.invocation,
      git,
      started_at: started,
      finished_at: finished,
      warnings,
    });
    const probe = startMachineLoadProbe();
    if (opts.mode === "generation") {
      const outcome = await runGenerationRounds(engine, workload, plan);
      const machine_load = probe();
      if (!outcome.output_consistent)
        warnings.push("rounds generated different tokens: the engine is not deterministic here");
      return { ...buildGenerationResult(ctx(new Date().toISOString()), outcome), machine_load };
    }
    const outcome = await runEmbeddingRounds(engine, workload, plan);
    const machine_load = probe();
    if (!outcome.output_consistent)
      warnings.push("rounds computed different embeddings: the engine is not deterministic here");
    return { ...buildEmbeddingResult(ctx(new Date().toISOString()), outcome), machine_load };
  } finally {
    await engine.dispose();
  }
}
