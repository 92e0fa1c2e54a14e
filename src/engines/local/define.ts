/**
 * Builds the definition of a local engine (a GGUF model run on this machine by native code). It describes;
 * its runs happen in a supervised engine process (src/execute/engine-process/), so that a native abort, an
 * OOM kill or a hang becomes one line and an exit code, never a lost terminal. A local engine is its factory
 * plus this.
 */
import type { Engine } from "../../measure/engine-contract.js";
import { UsageError } from "../../util/errors.js";
import type { FlagTable, FlagValues } from "../../util/flags.js";
import type { EngineDefinition, RunShape } from "../definition.js";
import {
  LOCAL_FLAGS,
  type LocalOptions,
  localBenchArgv,
  localCapturePlan,
  localOptionsFromFlags,
} from "./options.js";
import type { GpuChoice } from "./settings.js";

/** What a local engine's factory is given (in the engine process). */
export interface LocalEngineFactoryOptions {
  modelPath: string;
  mode: "generation" | "embedding";
  /** compute threads for generation. Defaults to the engine's measured default. */
  threads?: number;
  /** compute threads for embedding. Defaults to the engine's measured default. */
  embeddingThreads?: number;
  /** tokens per evaluation batch. Defaults to 512. */
  batchSize?: number;
  /** n_ubatch in tokens (`--ubatch-size`, the llama-cpp engine). Defaults to the batch size. */
  ubatchSize?: number;
  /** context tokens. Defaults to max(512, new tokens + contextRoom + 256), padded to 256. */
  contextSize?: number;
  /** tokens beyond the new ones the default context must hold: depth plus a synthetic prompt. Default 0. */
  contextRoom?: number;
  /** `--parallel`: sequences decoded together (the llama-cpp engine); the default context holds each. Default 1. */
  parallel?: number;
  gpu: GpuChoice;
  /** new tokens per round (sizes the default context); 0 for embedding */
  maxNewTokens: number;
  /** `--llama-lib`: another build of llama.cpp's libraries (the llama-cpp engine; others ignore it) */
  llamaLib?: string;
  /** llama.cpp's log lines (warnings and errors); they never reach stdout */
  log: (line: string) => void;
  /**
   * true when the run counts instructions under callgrind (`--counter instructions`): an engine keeps its
   * native calls on the engine process's main thread there (callgrind does not see a worker thread's calls
   * made through koffi). Default false.
   */
  counted?: boolean;
  /**
   * the ggml CPU variant to load (e.g. "ivybridge"), where the engine can choose one: a counted run pins it
   * (src/instructions/valgrind.ts countedCpuVariant). Default: the engine's own choice.
   */
  cpuVariant?: string;
  /** called once the model file is loaded: a failure after it is the engine's, not the model's */
  onModelLoaded?: () => void;
}

/**
 * Loads a model and returns a ready engine.
 * @throws ModelFileError when the model cannot be loaded; EngineError for a context or backend failure.
 */
export type LocalEngineFactory = (options: LocalEngineFactoryOptions) => Promise<Engine>;

/** A local engine's own part: name, help, extra flags and a lazily imported factory. */
export interface LocalEngineSpec {
  name: string;
  summary: string;
  /** flags of this engine beyond the local ones */
  extraFlags?: FlagTable;
  /** the options its extra flags set (validated), e.g. `{ llamaLib }` */
  extraOptions?: (values: FlagValues) => Partial<Pick<LocalOptions, "llamaLib">>;
  /** imports the factory (and with it the native code) only when a run needs it */
  load: () => Promise<LocalEngineFactory>;
  /**
   * the workload shape flags this engine cannot run (e.g. `depth`), refused with one line naming the flag
   * and the engine; `max-new-tokens-0` stands for `--max-new-tokens 0`
   */
  refuses?: readonly string[];
}

/** A local engine's definition: what it describes, and the loader of its factory (what its executors run). */
export interface LocalEngineDefinition extends EngineDefinition<LocalOptions> {
  /** imports the factory (and with it the native code); only the process that runs the engine calls it */
  load: () => Promise<LocalEngineFactory>;
}

/**
 * `options`, unless they ask for a workload shape the engine refuses.
 * @throws UsageError "--depth is not supported by --engine node-llama-cpp (use --engine llama-cpp)".
 */
function refuseShapes(spec: LocalEngineSpec, options: LocalOptions, shape: RunShape): LocalOptions {
  if (shape.mode === "embedding" && options.depth !== undefined)
    throw new UsageError(
      "--depth applies to --mode generation (an embedding call starts on an empty context)",
    );
  if (shape.mode === "embedding" && options.parallel !== undefined)
    throw new UsageError("--parallel applies to --mode generation");
  if (shape.maxNewTokensDistribution !== undefined)
    throw new UsageError("--max-new-tokens takes a distribution with --engine openai only: give a count");
  if (shape.mode === "generation" && options.inputTexts !== undefined)
    throw new UsageError("--input-texts applies to --mode embedding");
  const asked: [string, boolean][] = [
    ["prompt-tokens", options.promptTokens !== undefined],
    ["depth", options.depth !== undefined],
    ["input-texts", options.inputTexts !== undefined],
    ["ubatch-size", options.ubatchSize !== undefined],
    ["parallel", options.parallel !== undefined],
    ["max-new-tokens-0", shape.mode === "generation" && shape.maxNewTokens === 0],
  ];
  for (const [flag, given] of asked)
    if (given && spec.refuses?.includes(flag))
      throw new UsageError(
        `${flag === "max-new-tokens-0" ? "--max-new-tokens 0" : `--${flag}`} is not supported by --engine ${spec.name} (use --engine llama-cpp)`,
      );
  return options;
}

/** The definition of a local engine from its spec. */
export function localEngine(spec: LocalEngineSpec): LocalEngineDefinition {
  const withExtra = (o: LocalOptions, values: FlagValues): LocalOptions => ({
    ...o,
    ...(spec.extraOptions?.(values) ?? {}),
  });
  return {
    name: spec.name,
    summary: spec.summary,
    flags: { ...LOCAL_FLAGS, ...(spec.extraFlags ?? {}) },
    ...(spec.refuses ? { refusedFlags: spec.refuses } : {}),
    load: spec.load,
    optionsFromFlags: (values, shape) =>
      refuseShapes(spec, withExtra(localOptionsFromFlags(values), values), shape),
    captureOptions(baseline, values) {
      const plan = localCapturePlan(baseline, values);
      return { ...plan, options: refuseShapes(spec, withExtra(plan.options, values), plan.shape) };
    },
    benchArgv: (o: LocalOptions, shape: RunShape) => ["--engine", spec.name, ...localBenchArgv(o, shape)],
    describe: (_o: LocalOptions, shape: RunShape) => `${shape.rounds} round${shape.rounds === 1 ? "" : "s"}`,
  };
}
