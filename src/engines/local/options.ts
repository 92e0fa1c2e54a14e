/**
 * Flags and options of the local engines (a GGUF model run on this machine): the model (a file, or the dummy
 * model of a preset and seed), threads, batch, context and GPU. One definition serves `bench`, `baseline`,
 * `gate` and `check-release`; the gate derives its capture from a baseline's recorded settings.
 */
import { basename } from "node:path";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS } from "../../models/presets.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { UsageError } from "../../util/errors.js";
import { type FlagTable, type FlagValues, flagArgv, flagReader } from "../../util/flags.js";
import { isDistributionText } from "../../workload/distribution.js";
import { benchArgvTable, type CapturePlan, type RunShape, shapeFromFlags } from "../definition.js";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_EMBEDDING_THREADS,
  DEFAULT_GENERATION_THREADS,
  GPU_CHOICES,
  type GpuChoice,
  LOCAL_LIMITS,
  logicalCores,
} from "./settings.js";

/** Validated options of a local engine run (the model not yet resolved: resolution may write the dummy model). */
export interface LocalOptions {
  /** a GGUF file; when absent the dummy model of `preset` and `seed` */
  model?: string;
  preset: string;
  seed: number;
  threads?: number;
  embeddingThreads?: number;
  batchSize?: number;
  /** `--ubatch-size`: llama.cpp's n_ubatch (llama-bench `-ub`); absent: the batch size */
  ubatchSize?: number;
  contextSize?: number;
  /** `--prompt-tokens`: a synthetic prompt (generation) or input (embedding) of this many tokens */
  promptTokens?: number;
  /** `--depth`: synthetic tokens in the context before each round's timing (generation) */
  depth?: number;
  /** `--input-texts`: embedding inputs per call */
  inputTexts?: number;
  /** `--parallel`: sequences decoded together (generation, the llama-cpp engine); absent: 1 */
  parallel?: number;
  gpu: GpuChoice;
  /**
   * `--llama-lib DIR` of the llama-cpp engine: an absolute folder with another build of the same llama.cpp
   * release; absent, the engine loads node-llama-cpp's prebuilt libraries (the result records which, in
   * engine.details.llama_lib)
   */
  llamaLib?: string;
  /** "instructions": count instructions under valgrind's callgrind (one thread) instead of timing only */
  counter?: "time" | "instructions";
}

/** The counters a local run can use. */
export const COUNTERS = ["time", "instructions"] as const;

/** The largest weight seed of the dummy model (a uint32). */
export const MAX_MODEL_SEED = 2 ** 32 - 1;

const threadsRange = `1 to the logical cores, up to ${LOCAL_LIMITS.threads.max} with --allow-oversubscribe`;

/** The flags every local engine takes. */
export const LOCAL_FLAGS = {
  model: { kind: "path", description: "a GGUF model file to run instead of the built-in dummy model" },
  preset: {
    kind: "choice",
    choices: Object.keys(PRESETS),
    description: "dummy model preset when no --model",
    default: DEFAULT_PRESET,
  },
  seed: {
    kind: "int",
    min: 0,
    max: MAX_MODEL_SEED,
    description: "dummy model weight seed",
    default: DEFAULT_MODEL_SEED,
  },
  threads: {
    kind: "int",
    min: LOCAL_LIMITS.threads.min,
    max: LOCAL_LIMITS.threads.max,
    range: threadsRange,
    description: "compute threads for generation",
    default: DEFAULT_GENERATION_THREADS,
  },
  "embedding-threads": {
    kind: "int",
    min: LOCAL_LIMITS.threads.min,
    max: LOCAL_LIMITS.threads.max,
    range: threadsRange,
    description: "compute threads for embedding",
    default: DEFAULT_EMBEDDING_THREADS,
  },
  "allow-oversubscribe": {
    kind: "boolean",
    description: "allow more compute threads than this machine has logical cores",
  },
  "batch-size": {
    kind: "int",
    min: LOCAL_LIMITS.batch_size.min,
    max: LOCAL_LIMITS.batch_size.max,
    unit: "tokens",
    description: "tokens per evaluation batch",
    default: DEFAULT_BATCH_SIZE,
  },
  "ubatch-size": {
    kind: "int",
    min: LOCAL_LIMITS.batch_size.min,
    max: LOCAL_LIMITS.batch_size.max,
    unit: "tokens",
    description: "tokens per physical batch, llama.cpp's n_ubatch (llama-bench -ub); llama-cpp engine",
    default: "the batch size",
  },
  "prompt-tokens": {
    kind: "int",
    min: 1,
    max: LOCAL_LIMITS.workload_tokens.max,
    unit: "tokens",
    description:
      "a deterministic synthetic prompt of exactly this many tokens of the model's vocabulary (llama-bench -p; 1 with new tokens: its tg test); embedding: the length of each input; llama-cpp engine",
    default: "the specification's prompt and texts",
  },
  depth: {
    kind: "int",
    min: 0,
    max: LOCAL_LIMITS.workload_tokens.max,
    unit: "tokens",
    description:
      "synthetic tokens already in the context before each round's timing starts (llama-bench -d); generation, llama-cpp engine",
    default: 0,
  },
  "input-texts": {
    kind: "int",
    min: 1,
    max: 1024,
    description:
      "embedding inputs per call: the specification's texts in turn, or synthetic inputs with --prompt-tokens",
    default: 2,
  },
  parallel: {
    kind: "int",
    min: LOCAL_LIMITS.parallel.min,
    max: LOCAL_LIMITS.parallel.max,
    unit: "sequences",
    description:
      "sequences of the same prompt decoded together, one batch per step, each with its own context of --context-size / N (llama-batched-bench -npl); generation, llama-cpp engine",
    default: 1,
  },
  "context-size": {
    kind: "int",
    min: LOCAL_LIMITS.context_size.min,
    max: LOCAL_LIMITS.context_size.max,
    unit: "tokens",
    description: "context size, padded up to a multiple of 256 by llama.cpp",
    default: "max(512, new tokens + 256)",
  },
  gpu: { kind: "choice", choices: GPU_CHOICES, description: "GPU", default: "off" },
  counter: {
    kind: "choice",
    choices: COUNTERS,
    description:
      "what a run counts: time, or instructions (the instructions of decoding and embedding under valgrind: Linux, CPU, 1 thread; apt-get install valgrind)",
    default: "time",
  },
} as const satisfies FlagTable;

function threadsFlag(values: FlagValues, name: string, fallback: number | undefined): number | undefined {
  if (values[name] === undefined) return fallback;
  const cores = logicalCores();
  const text = String(values[name]).trim();
  if (!/^\+?\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(
      `--${name} must be a whole number of threads from 1 to the ${cores} logical cores here (up to ${LOCAL_LIMITS.threads.max} with --allow-oversubscribe), got "${text}"`,
    );
  const n = flagReader(LOCAL_FLAGS, values).int(name, 1);
  if (n > cores && values["allow-oversubscribe"] !== true)
    throw new UsageError(
      `--${name} ${n} is more than the ${cores} logical cores here: threads that wait for a core measure the scheduler, not the engine (add --allow-oversubscribe to run it anyway)`,
    );
  return n;
}

/**
 * Local options from flags, each absent flag falling back to `base` (a baseline's settings for the gate's
 * capture; nothing for bench).
 * @throws UsageError naming the flag and its range; for a --prompt-tokens distribution, that it needs --engine openai.
 */
export function localOptionsFromFlags(values: FlagValues, base: Partial<LocalOptions> = {}): LocalOptions {
  const read = flagReader(LOCAL_FLAGS, values);
  const prompt = values["prompt-tokens"];
  if (typeof prompt === "string" && isDistributionText(prompt))
    throw new UsageError(
      `--prompt-tokens takes a distribution with --engine openai only (got ${prompt}): give a count`,
    );
  return {
    model: read.string("model") ?? base.model,
    preset: read.choice("preset", base.preset ?? DEFAULT_PRESET),
    seed: read.int("seed", base.seed ?? DEFAULT_MODEL_SEED),
    threads: threadsFlag(values, "threads", base.threads),
    embeddingThreads: threadsFlag(values, "embedding-threads", base.embeddingThreads),
    batchSize: read.optionalInt("batch-size", base.batchSize),
    ...defined("ubatchSize", read.optionalInt("ubatch-size", base.ubatchSize)),
    contextSize: read.optionalInt("context-size", base.contextSize),
    ...defined("promptTokens", read.optionalInt("prompt-tokens", base.promptTokens)),
    ...defined("depth", read.optionalInt("depth", base.depth) || undefined),
    ...defined("inputTexts", read.optionalInt("input-texts", base.inputTexts)),
    ...defined("parallel", parallelOf(read.optionalInt("parallel", base.parallel))),
    gpu: read.choice("gpu", base.gpu ?? "off"),
    ...(base.llamaLib !== undefined ? { llamaLib: base.llamaLib } : {}),
    ...counterOf(values, base.counter),
  };
}

/** `--parallel`: 1 is the default (one sequence), recorded as absent. */
function parallelOf(n: number | undefined): number | undefined {
  return n !== undefined && n > 1 ? n : undefined;
}

/** `{ [key]: value }`, or nothing when the value is undefined (optional options stay absent). */
function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/**
 * The counter flag; `--counter instructions` runs on the CPU only. Whether valgrind is here is the run
 * plan's question (src/execute/plan.ts), not the flag's.
 */
function counterOf(values: FlagValues, base: LocalOptions["counter"]): Pick<LocalOptions, "counter"> {
  const counter = flagReader(LOCAL_FLAGS, values).choice("counter", base ?? "time");
  if (counter === "instructions" && values.gpu !== undefined && values.gpu !== "off")
    throw new UsageError(
      "--counter instructions counts CPU instructions: it cannot be combined with --gpu (use --gpu off)",
    );
  return counter === "instructions" ? { counter } : {};
}

function asGpu(v: string): GpuChoice {
  return (GPU_CHOICES as readonly string[]).includes(v) ? (v as GpuChoice) : "auto";
}

/** The weight seed of a baseline's dummy model: recorded in the model block, else read from the cached file name. */
function dummySeedOf(baseline: BenchmarkResult): number {
  const m = /-seed(\d+)-/.exec(basename(baseline.model.path));
  return baseline.model.dummy && m ? Number(m[1]) : DEFAULT_MODEL_SEED;
}

/** Rounds of one capture of a baseline (a pooled baseline records each capture's). */
export function roundsPerCapture(baseline: BenchmarkResult): number {
  return baseline.baseline?.rounds_per_capture[0] ?? baseline.samples.length;
}

/**
 * A capture comparable with a local-engine `baseline`: its mode, rounds per capture, warmup, new tokens,
 * model and settings (as requested when it recorded them, else as run), each overridable by a flag. An
 * override that changes the comparability key makes the verdict INCOMPARABLE, as it should.
 */
export function localCapturePlan(baseline: BenchmarkResult, values: FlagValues): CapturePlan<LocalOptions> {
  const s = baseline.settings;
  const requested = (s as { requested?: Partial<Record<string, number | null>> }).requested ?? {};
  const pick = (k: "threads" | "embedding_threads" | "batch_size" | "context_size") =>
    (k in requested ? requested[k] : s[k]) ?? undefined;
  const options = localOptionsFromFlags(values, {
    model: baseline.model.dummy ? undefined : baseline.model.path,
    preset: baseline.model.preset ?? DEFAULT_PRESET,
    seed: dummySeedOf(baseline),
    threads: pick("threads"),
    embeddingThreads: pick("embedding_threads"),
    batchSize: pick("batch_size"),
    ...defined("ubatchSize", s.ubatch_size),
    contextSize: pick("context_size"),
    gpu: asGpu(s.gpu),
    ...baselineShape(baseline),
  });
  return {
    shape: shapeFromFlags(values, baseline.mode, {
      rounds: roundsPerCapture(baseline),
      warmup: baseline.warmup_rounds,
      maxNewTokens: baseline.mode === "generation" ? baseline.max_new_tokens : 0,
    }),
    options,
  };
}

/** The workload shape options a baseline was recorded with (its workload block says which were given). */
function baselineShape(
  baseline: BenchmarkResult,
): Partial<Pick<LocalOptions, "promptTokens" | "depth" | "inputTexts" | "parallel">> {
  const w = baseline.workload;
  const inputs = baseline.mode === "embedding" ? baseline.input_texts : undefined;
  return {
    ...defined("promptTokens", w.synthetic_tokens),
    ...defined("depth", w.depth),
    ...defined("parallel", w.parallel),
    ...defined("inputTexts", inputs !== undefined && inputs !== 2 ? inputs : undefined),
  };
}

/** The table a local engine's `bench` command line is checked against. */
const LOCAL_ARGV_TABLE = benchArgvTable(LOCAL_FLAGS);

/** The `bench` arguments of a local run (without --engine), each flag one of {@link LOCAL_FLAGS} or the shape's. */
export function localBenchArgv(o: LocalOptions, shape: RunShape): string[] {
  const generation = shape.mode === "generation";
  return flagArgv(LOCAL_ARGV_TABLE, [
    ["mode", shape.mode],
    ["rounds", shape.rounds],
    ["warmup", shape.warmup],
    ["max-new-tokens", generation ? shape.maxNewTokens : undefined],
    ["model", o.model],
    ["preset", o.model === undefined ? o.preset : undefined],
    ["seed", o.model === undefined ? o.seed : undefined],
    ["threads", generation ? o.threads : undefined],
    ["embedding-threads", generation ? undefined : o.embeddingThreads],
    ["batch-size", o.batchSize],
    ["ubatch-size", o.ubatchSize],
    ["context-size", o.contextSize],
    ["prompt-tokens", o.promptTokens],
    ["depth", generation ? o.depth : undefined],
    ["input-texts", generation ? undefined : o.inputTexts],
    ["parallel", generation ? o.parallel : undefined],
    ["gpu", o.gpu],
    ["counter", o.counter === "instructions" ? "instructions" : undefined],
  ]);
}
