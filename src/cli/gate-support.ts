/**
 * What the gate, baseline and check-release commands share: reading baselines for a mode, deriving a
 * candidate run's options from the baseline (so that a fresh run is comparable by default), the equivalent
 * `perf-baseline bench` command of a capture, and the git lookup of the rebaseline trigger.
 */
import { basename } from "node:path";
import type { BenchOptions } from "../bench/run-benchmark.js";
import { changedPathsSince } from "../environment/git.js";
import type { ChangedPathsFn } from "../gate/staleness.js";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS } from "../models/presets.js";
import { readResult } from "../results/io.js";
import type { BenchmarkResult } from "../results/schema.js";
import { ResultFileError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";
import type { FlagSpec } from "./args.js";
import { choiceFlag, intFlag, optionalIntFlag, stringFlag } from "./args.js";
import { shellQuote } from "./invocation.js";

/**
 * Reads and validates a baseline of `mode`.
 * @throws ResultFileError (exit 5) when it is missing, not JSON, of another schema version or mode, or invalid.
 */
export function readBaseline(path: string, mode: Mode): BenchmarkResult {
  const result = readResult(path);
  if (result.mode !== mode) {
    throw new ResultFileError(path, `field mode: "${result.mode}", but a ${mode} baseline is needed here`);
  }
  return result;
}

/** The flags that choose how a candidate is run; each defaults to what the baseline recorded. */
export const RUN_FLAGS: Record<string, FlagSpec> = {
  rounds: { type: "string", description: "measured rounds per capture", default: "the baseline's" },
  warmup: { type: "string", description: "uncounted rounds run first", default: "the baseline's" },
  model: { type: "string", description: "a GGUF model file", default: "the baseline's model" },
  preset: { type: "string", description: "dummy model preset when no --model", default: "the baseline's" },
  seed: { type: "string", description: "dummy model weight seed", default: String(DEFAULT_MODEL_SEED) },
  threads: { type: "string", description: "compute threads for generation", default: "the baseline's" },
  "embedding-threads": {
    type: "string",
    description: "compute threads for embedding",
    default: "the baseline's",
  },
  "batch-size": { type: "string", description: "tokens per evaluation batch", default: "the baseline's" },
  "context-size": { type: "string", description: "context size in tokens", default: "the baseline's" },
  gpu: { type: "string", description: "GPU: off, auto, cuda, vulkan", default: "the baseline's" },
};

const GPU = ["off", "auto", "cuda", "vulkan"] as const;

function asGpu(v: string): (typeof GPU)[number] {
  return (GPU as readonly string[]).includes(v) ? (v as (typeof GPU)[number]) : "auto";
}

/** Rounds of one capture of a baseline (a pooled baseline records each capture's). */
export function roundsPerCapture(baseline: BenchmarkResult): number {
  return baseline.baseline?.rounds_per_capture[0] ?? baseline.samples.length;
}

/** The weight seed of a baseline's dummy model, read from the cached file's name (dummy-tiny-seed42-g1.gguf). */
function dummySeedOf(baseline: BenchmarkResult): number {
  const m = /-seed(\d+)-/.exec(basename(baseline.model.path));
  return baseline.model.dummy && m ? Number(m[1]) : DEFAULT_MODEL_SEED;
}

/**
 * Options for a candidate run comparable with `baseline`: its mode, rounds per capture, warmup, new tokens,
 * model and settings, each overridable by a flag (an override that changes the comparability key makes the
 * verdict INCOMPARABLE, as it should).
 */
export function candidateOptions(
  baseline: BenchmarkResult,
  values: Record<string, unknown>,
): Omit<BenchOptions, "invocation"> {
  const s = baseline.settings;
  const model = stringFlag(values, "model") ?? (baseline.model.dummy ? undefined : baseline.model.path);
  return {
    mode: baseline.mode,
    rounds: intFlag(values, "rounds", roundsPerCapture(baseline), { max: 100_000 }),
    warmup: intFlag(values, "warmup", baseline.warmup_rounds, { allowZero: true, max: 10_000 }),
    maxNewTokens: baseline.mode === "generation" ? baseline.max_new_tokens : 0,
    model,
    preset: choiceFlag(values, "preset", Object.keys(PRESETS), baseline.model.preset ?? DEFAULT_PRESET),
    seed: intFlag(values, "seed", dummySeedOf(baseline), { allowZero: true, max: 2 ** 32 - 1 }),
    threads: optionalIntFlag(values, "threads") ?? s.threads ?? undefined,
    embeddingThreads: optionalIntFlag(values, "embedding-threads") ?? s.embedding_threads ?? undefined,
    batchSize: optionalIntFlag(values, "batch-size") ?? s.batch_size ?? undefined,
    contextSize: optionalIntFlag(values, "context-size") ?? s.context_size ?? undefined,
    gpu: choiceFlag(values, "gpu", GPU, asGpu(s.gpu)),
  };
}

/** The `perf-baseline bench` command that makes the same capture: recorded as each capture's invocation. */
export function benchArgv(o: Omit<BenchOptions, "invocation">): string[] {
  const argv = ["bench", "--mode", o.mode, "--rounds", String(o.rounds), "--warmup", String(o.warmup)];
  if (o.mode === "generation") argv.push("--max-new-tokens", String(o.maxNewTokens));
  if (o.model !== undefined) argv.push("--model", o.model);
  else argv.push("--preset", o.preset, "--seed", String(o.seed));
  if (o.mode === "generation" && o.threads !== undefined) argv.push("--threads", String(o.threads));
  if (o.mode === "embedding" && o.embeddingThreads !== undefined)
    argv.push("--embedding-threads", String(o.embeddingThreads));
  if (o.batchSize !== undefined) argv.push("--batch-size", String(o.batchSize));
  if (o.contextSize !== undefined) argv.push("--context-size", String(o.contextSize));
  argv.push("--gpu", o.gpu);
  return argv;
}

/** The invocation block of a capture made by `via` (e.g. "perf-baseline gate"), as its bench equivalent. */
export function captureInvocation(o: Omit<BenchOptions, "invocation">) {
  const argv = benchArgv(o);
  return { command: ["perf-baseline", ...argv].map(shellQuote).join(" "), argv, cwd: process.cwd() };
}

/** The git lookup of the rebaseline trigger, in the working folder's repository. */
export const gitChangedPaths: ChangedPathsFn = (commit, pathspecs) => changedPathsSince(commit, pathspecs);

/** The command line of this process as typed: "perf-baseline gate --mode generation". */
export function thisCommand(): string {
  return ["perf-baseline", ...process.argv.slice(2)].map(shellQuote).join(" ");
}
