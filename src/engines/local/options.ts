/**
 * Flags and options of the local engines (a GGUF model run on this machine): the model (a file, or the dummy
 * model of a preset and seed), threads, batch, context and GPU. One definition serves `bench`, `baseline`,
 * `gate` and `check-release`; the gate derives its capture from a baseline's recorded settings.
 */
import { basename } from "node:path";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS } from "../../models/presets.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { UsageError } from "../../util/errors.js";
import { choiceFlag, type FlagSpec, type FlagValues, intFlag, stringFlag } from "../../util/flags.js";
import type { CapturePlan, RunShape } from "../definition.js";
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
  contextSize?: number;
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

/** The flags every local engine takes. */
export const LOCAL_FLAGS: Record<string, FlagSpec> = {
  model: { type: "string", description: "a GGUF model file to run instead of the built-in dummy model" },
  preset: {
    type: "string",
    description: `dummy model preset when no --model: ${Object.keys(PRESETS).join(", ")}`,
    default: DEFAULT_PRESET,
  },
  seed: {
    type: "string",
    description: "dummy model weight seed (0 to 4294967295)",
    default: String(DEFAULT_MODEL_SEED),
  },
  threads: {
    type: "string",
    description: `compute threads for generation (1 to the logical cores, up to ${LOCAL_LIMITS.threads.max} with --allow-oversubscribe)`,
    default: String(DEFAULT_GENERATION_THREADS),
  },
  "embedding-threads": {
    type: "string",
    description: "compute threads for embedding (same range as --threads)",
    default: String(DEFAULT_EMBEDDING_THREADS),
  },
  "allow-oversubscribe": {
    type: "boolean",
    description: "allow more compute threads than this machine has logical cores",
  },
  "batch-size": {
    type: "string",
    description: `tokens per evaluation batch (${LOCAL_LIMITS.batch_size.min} to ${LOCAL_LIMITS.batch_size.max})`,
    default: String(DEFAULT_BATCH_SIZE),
  },
  "context-size": {
    type: "string",
    description: `context size in tokens, padded up to a multiple of 256 by llama.cpp (up to ${LOCAL_LIMITS.context_size.max})`,
    default: "max(512, new tokens + 256)",
  },
  gpu: { type: "string", description: `GPU: ${GPU_CHOICES.join(", ")}`, default: "off" },
  counter: {
    type: "string",
    description:
      "time, or instructions: count the instructions of decoding and embedding under valgrind (Linux, CPU, 1 thread; apt-get install valgrind)",
    default: "time",
  },
};

function threadsFlag(values: FlagValues, name: string, fallback: number | undefined): number | undefined {
  if (values[name] === undefined) return fallback;
  const cores = logicalCores();
  const text = String(values[name]).trim();
  if (!/^\+?\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(
      `--${name} must be a whole number of threads from 1 to the ${cores} logical cores here (up to ${LOCAL_LIMITS.threads.max} with --allow-oversubscribe), got "${text}"`,
    );
  const n = intFlag(values, name, 1, { max: LOCAL_LIMITS.threads.max });
  if (n > cores && values["allow-oversubscribe"] !== true)
    throw new UsageError(
      `--${name} ${n} is more than the ${cores} logical cores here: threads that wait for a core measure the scheduler, not the engine (add --allow-oversubscribe to run it anyway)`,
    );
  return n;
}

function boundedInt(values: FlagValues, name: string, limits: { max: number }, fallback?: number) {
  return values[name] === undefined ? fallback : intFlag(values, name, 1, { max: limits.max });
}

/**
 * Local options from flags, each absent flag falling back to `base` (a baseline's settings for the gate's
 * capture; nothing for bench).
 * @throws UsageError naming the flag and its range.
 */
export function localOptionsFromFlags(values: FlagValues, base: Partial<LocalOptions> = {}): LocalOptions {
  return {
    model: stringFlag(values, "model") ?? base.model,
    preset: choiceFlag(values, "preset", Object.keys(PRESETS), base.preset ?? DEFAULT_PRESET),
    seed: intFlag(values, "seed", base.seed ?? DEFAULT_MODEL_SEED, { allowZero: true, max: 2 ** 32 - 1 }),
    threads: threadsFlag(values, "threads", base.threads),
    embeddingThreads: threadsFlag(values, "embedding-threads", base.embeddingThreads),
    batchSize: boundedInt(values, "batch-size", LOCAL_LIMITS.batch_size, base.batchSize),
    contextSize: boundedInt(values, "context-size", LOCAL_LIMITS.context_size, base.contextSize),
    gpu: choiceFlag(values, "gpu", GPU_CHOICES, base.gpu ?? "off"),
    ...(base.llamaLib !== undefined ? { llamaLib: base.llamaLib } : {}),
    ...counterOf(values, base.counter),
  };
}

/**
 * The counter flag; `--counter instructions` runs on the CPU only. Whether valgrind is here is the run
 * plan's question (src/execute/plan.ts), not the flag's.
 */
function counterOf(values: FlagValues, base: LocalOptions["counter"]): Pick<LocalOptions, "counter"> {
  const counter = choiceFlag(values, "counter", COUNTERS, base ?? "time");
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
    contextSize: pick("context_size"),
    gpu: asGpu(s.gpu),
  });
  return {
    shape: {
      mode: baseline.mode,
      rounds: intFlag(values, "rounds", roundsPerCapture(baseline), { max: 100_000 }),
      warmup: intFlag(values, "warmup", baseline.warmup_rounds, { allowZero: true, max: 10_000 }),
      maxNewTokens:
        baseline.mode === "generation"
          ? intFlag(values, "max-new-tokens", baseline.max_new_tokens, { max: 32_768 })
          : 0,
    },
    options,
  };
}

/** The `bench` arguments of a local run (without --engine). */
export function localBenchArgv(o: LocalOptions, shape: RunShape): string[] {
  const argv = ["--mode", shape.mode, "--rounds", String(shape.rounds), "--warmup", String(shape.warmup)];
  if (shape.mode === "generation") argv.push("--max-new-tokens", String(shape.maxNewTokens));
  if (o.model !== undefined) argv.push("--model", o.model);
  else argv.push("--preset", o.preset, "--seed", String(o.seed));
  if (shape.mode === "generation" && o.threads !== undefined) argv.push("--threads", String(o.threads));
  if (shape.mode === "embedding" && o.embeddingThreads !== undefined)
    argv.push("--embedding-threads", String(o.embeddingThreads));
  if (o.batchSize !== undefined) argv.push("--batch-size", String(o.batchSize));
  if (o.contextSize !== undefined) argv.push("--context-size", String(o.contextSize));
  argv.push("--gpu", o.gpu);
  if (o.counter === "instructions") argv.push("--counter", "instructions");
  return argv;
}
