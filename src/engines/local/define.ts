/**
 * Builds the definition of a local engine (a GGUF model run on this machine by native code). It describes;
 * its runs happen in a supervised engine process (src/execute/engine-process/), so that a native abort, an
 * OOM kill or a hang becomes one line and an exit code, never a lost terminal. A local engine is its factory
 * plus this.
 */
import type { Engine } from "../../measure/engine-contract.js";
import type { FlagSpec, FlagValues } from "../../util/flags.js";
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
  /** context tokens. Defaults to max(512, new tokens + 256), padded to 256. */
  contextSize?: number;
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
  extraFlags?: Record<string, FlagSpec>;
  /** the options its extra flags set (validated), e.g. `{ llamaLib }` */
  extraOptions?: (values: FlagValues) => Partial<Pick<LocalOptions, "llamaLib">>;
  /** imports the factory (and with it the native code) only when a run needs it */
  load: () => Promise<LocalEngineFactory>;
}

/** A local engine's definition: what it describes, and the loader of its factory (what its executors run). */
export interface LocalEngineDefinition extends EngineDefinition<LocalOptions> {
  /** imports the factory (and with it the native code); only the process that runs the engine calls it */
  load: () => Promise<LocalEngineFactory>;
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
    load: spec.load,
    optionsFromFlags: (values) => withExtra(localOptionsFromFlags(values), values),
    captureOptions(baseline, values) {
      const plan = localCapturePlan(baseline, values);
      return { ...plan, options: withExtra(plan.options, values) };
    },
    benchArgv: (o: LocalOptions, shape: RunShape) => ["--engine", spec.name, ...localBenchArgv(o, shape)],
    describe: (_o: LocalOptions, shape: RunShape) => `${shape.rounds} rounds`,
  };
}
