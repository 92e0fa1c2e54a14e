/**
 * One local benchmark run, start to end: environment (captured before timing), engine, warmup and measured
 * rounds (timed here, in the process that runs the engine), machine load, result. It runs inside the
 * supervised engine process (./child.ts), and in the caller's process for the in-process executor
 * (../in-process.ts: the fake engine of the unit tests).
 */

import type { RunShape } from "../../engines/definition.js";
import type { LocalEngineFactory } from "../../engines/local/define.js";
import type { LocalOptions } from "../../engines/local/options.js";
import { captureEnvironment, type Environment } from "../../environment/capture.js";
import { type GitProvenance, gitProvenance } from "../../environment/git.js";
import { startMachineLoadProbe } from "../../environment/machine-load.js";
import { countedCpuVariant } from "../../instructions/valgrind.js";
import type { Engine } from "../../measure/engine-contract.js";
import { type RoundPlan, runEmbeddingRounds, runGenerationRounds } from "../../measure/run.js";
import type { ModelInfo } from "../../models/model-info.js";
import { buildEmbeddingResult, buildGenerationResult, type ResultContext } from "../../results/build.js";
import type { BenchmarkResult } from "../../results/schema.js";
import type { Warning } from "../../results/warnings.js";
import { toolVersion } from "../../util/tool-version.js";
import {
  embeddingWorkload,
  generationWorkload,
  type WorkloadShape,
  type WorkloadSpec,
  workloadDigest,
} from "../../workload/workload.js";
import { type EngineDevice, wrapWithDevice } from "../device.js";
import type { Invocation } from "../executor.js";

/** Everything a local run needs, as plain data (it crosses the process boundary). */
export interface LocalRunRequest {
  /** the registry name of the engine */
  engine: string;
  /** the resolved, validated model */
  model: ModelInfo;
  options: LocalOptions;
  shape: RunShape;
  invocation: Invocation;
  /** a test device that wraps the loaded engine (../device.ts); absent in every run the CLI makes */
  device?: EngineDevice;
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
  const before = { environment: captureEnvironment(), git: gitProvenance() };
  const workload = localWorkload(req);
  hooks.status?.(`loading ${req.model.path}`);
  const engine = await loadEngine(create, req, hooks);
  try {
    if (hooks.beforeRounds) await hooks.beforeRounds();
    if (hooks.signal?.aborted) return null;
    return await measure(engine, req, hooks, { ...before, workload });
  } finally {
    await engine.dispose();
  }
}

/** The workload of a local run: the shape's new tokens and the options' workload shape flags. */
export function localWorkload(req: Pick<LocalRunRequest, "shape" | "options">): WorkloadSpec {
  const o = req.options;
  const shape: WorkloadShape = {
    ...(o.promptTokens !== undefined ? { syntheticTokens: o.promptTokens } : {}),
    ...(o.depth ? { depth: o.depth } : {}),
    ...(o.inputTexts !== undefined ? { inputTexts: o.inputTexts } : {}),
    ...(o.parallel !== undefined && o.parallel > 1 ? { parallel: o.parallel } : {}),
  };
  return req.shape.mode === "generation"
    ? generationWorkload(req.shape.maxNewTokens, shape)
    : embeddingWorkload(shape);
}

/** Depth plus a synthetic prompt or input: tokens the context holds beyond the new ones (0 without them). */
function contextRoom(req: Pick<LocalRunRequest, "shape" | "options">): number {
  const generation = req.shape.mode === "generation";
  return (generation ? (req.options.depth ?? 0) : 0) + (req.options.promptTokens ?? 0);
}

/** The engine from its factory, wrapped by the request's test device when it has one. */
async function loadEngine(
  create: LocalEngineFactory,
  req: LocalRunRequest,
  hooks: LocalRunHooks,
): Promise<Engine> {
  const { shape, model, options } = req;
  const counted = options.counter === "instructions";
  const loaded = await create({
    modelPath: model.path,
    mode: shape.mode,
    threads: options.threads,
    embeddingThreads: options.embeddingThreads,
    batchSize: options.batchSize,
    ...(options.ubatchSize !== undefined ? { ubatchSize: options.ubatchSize } : {}),
    contextSize: options.contextSize,
    contextRoom: contextRoom(req),
    ...(options.parallel !== undefined && options.parallel > 1 ? { parallel: options.parallel } : {}),
    gpu: options.gpu,
    maxNewTokens: shape.mode === "generation" ? shape.maxNewTokens : 0,
    llamaLib: options.llamaLib,
    log: (line) => hooks.log?.(line),
    counted,
    // a counted run pins ggml's CPU variant (valgrind emulates FMA slowly), so counts compare across CPUs
    cpuVariant: counted ? countedCpuVariant() : undefined,
    onModelLoaded: hooks.onModelLoaded,
  });
  return req.device ? await wrapWithDevice(loaded, req.device) : loaded;
}

/** What a local run captured before loading the engine. */
interface Before {
  environment: Environment;
  git: GitProvenance;
  workload: WorkloadSpec;
}

/** The warmup and measured rounds, the machine's load during them, and the result they make. */
async function measure(
  engine: Engine,
  req: LocalRunRequest,
  hooks: LocalRunHooks,
  before: Before,
): Promise<BenchmarkResult | null> {
  const { shape } = req;
  const started = new Date().toISOString();
  const plan: RoundPlan = {
    rounds: shape.rounds,
    warmup: shape.warmup,
    onRound: hooks.onRound,
    signal: hooks.signal,
  };
  const warnings: Warning[] = req.model.dummy ? [{ code: "dummy_weights" }] : [];
  const finish = (o: {
    samples: unknown[];
    output_consistent: boolean;
    complete: boolean;
  }): ResultContext => {
    warnings.push(...roundWarnings(shape, o));
    return resultContext(engine, req, before, { started, warnings });
  };
  const probe = startMachineLoadProbe();
  if (shape.mode === "generation") {
    const outcome = await runGenerationRounds(engine, before.workload, plan);
    const machine_load = probe();
    if (outcome.samples.length === 0) return null;
    return { ...buildGenerationResult(finish(outcome), outcome), machine_load };
  }
  const outcome = await runEmbeddingRounds(engine, before.workload, plan);
  const machine_load = probe();
  if (outcome.samples.length === 0) return null;
  return { ...buildEmbeddingResult(finish(outcome), outcome), machine_load };
}

/** The warnings the rounds call for: outputs that differed, a run stopped early. */
function roundWarnings(
  shape: RunShape,
  o: { samples: unknown[]; output_consistent: boolean; complete: boolean },
): Warning[] {
  const warnings: Warning[] = [];
  if (!o.output_consistent)
    warnings.push({
      code: "nondeterministic_output",
      what: shape.mode === "generation" ? "tokens" : "embeddings",
    });
  if (!o.complete)
    warnings.push({ code: "partial_result", rounds_done: o.samples.length, rounds_planned: shape.rounds });
  return warnings;
}

/** Everything the result records besides the samples, finished now. */
function resultContext(
  engine: Engine,
  req: LocalRunRequest,
  before: Before,
  run: { started: string; warnings: Warning[] },
): ResultContext {
  return {
    tool_version: toolVersion(),
    rounds: req.shape.rounds,
    warmup_rounds: req.shape.warmup,
    environment: before.environment,
    engine: engine.identity,
    settings: engine.settings,
    model: req.model,
    workload: before.workload,
    workload_digest: workloadDigest(before.workload),
    invocation: req.invocation,
    git: before.git,
    started_at: run.started,
    finished_at: new Date().toISOString(),
    warnings: run.warnings,
  };
}
