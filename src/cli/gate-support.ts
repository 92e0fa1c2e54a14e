/**
 * What the gate, baseline and check-release commands share: reading baselines for a mode, deriving a
 * candidate run's options from the baseline (so that a fresh run is comparable by default; a serving
 * baseline, engine "openai", gives a serving run with its recorded load), the equivalent
 * `perf-baseline bench` command of a capture, and the git lookup of the rebaseline trigger.
 */
import { basename } from "node:path";
import type { BenchOptions } from "../bench/run-benchmark.js";
import type { ServingOptions } from "../bench/run-serving.js";
import { GPU_CHOICES, type GpuChoice } from "../engines/llama/llama-engine.js";
import { DEFAULT_API_KEY_ENV, DEFAULT_TIMEOUTS } from "../engines/openai/options.js";
import { changedPathsSince } from "../environment/git.js";
import type { ChangedPathsFn } from "../gate/staleness.js";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS } from "../models/presets.js";
import { readResult } from "../results/io.js";
import type { BenchmarkResult } from "../results/schema.js";
import { ResultFileError, UsageError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";
import type { FlagSpec } from "./args.js";
import { choiceFlag, intFlag, optionalIntFlag, stringFlag } from "./args.js";
import { DEFAULT_EMBEDDING_BATCH, servingOptionsFromFlags } from "./commands/bench-openai.js";
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
  model: {
    type: "string",
    description: "a GGUF model file (serving baseline: the served model name)",
    default: "the baseline's model",
  },
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
  gpu: { type: "string", description: `GPU: ${GPU_CHOICES.join(", ")}`, default: "the baseline's" },
  "base-url": {
    type: "string",
    description: "serving baseline (engine openai): the server's OpenAI base URL",
    default: "the baseline's engine.details.base_url",
  },
  "trust-recorded-base-url": {
    type: "boolean",
    description:
      "serving baseline: send the API key to the base URL the baseline recorded (else give --base-url)",
  },
  "api-key-env": {
    type: "string",
    description: "serving baseline: environment variable that holds the API key (never written anywhere)",
    default: DEFAULT_API_KEY_ENV,
  },
};

/** RUN_FLAGS that only a serving baseline takes, and those only a llama baseline takes. */
const SERVING_ONLY = ["base-url", "api-key-env", "trust-recorded-base-url"] as const;
const LLAMA_ONLY = ["preset", "seed", "threads", "embedding-threads", "context-size", "gpu"] as const;

function asGpu(v: string): GpuChoice {
  return (GPU_CHOICES as readonly string[]).includes(v) ? (v as GpuChoice) : "auto";
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
  if (baseline.engine.name === "openai") return servingCandidateOptions(baseline, values);
  const serving = SERVING_ONLY.find((k) => values[k] !== undefined);
  if (serving)
    throw new UsageError(
      `--${serving} applies to a serving baseline (engine openai); this baseline's engine is ${baseline.engine.name}`,
    );
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
    gpu: choiceFlag(values, "gpu", GPU_CHOICES, asGpu(s.gpu)),
  };
}

/**
 * Options for a serving candidate comparable with a serving `baseline`: the openai engine with the baseline's
 * load (endpoint, concurrency, arrivals, requests, output length, batch, timeouts), served model and workload,
 * validated by the same code as `bench --engine openai`. The base URL is --base-url, else the one the
 * baseline recorded; the API key is read from $--api-key-env when the run starts (never recorded).
 * @throws UsageError for llama-only flags, a baseline without a load block, or no base URL to be had.
 */
function servingCandidateOptions(
  baseline: BenchmarkResult,
  values: Record<string, unknown>,
): Omit<BenchOptions, "invocation"> {
  const wrong = LLAMA_ONLY.find((k) => values[k] !== undefined);
  if (wrong)
    throw new UsageError(`--${wrong} applies to llama baselines only (this one is a serving result)`);
  const load = baseline.load;
  if (load === undefined)
    throw new UsageError(
      "the baseline records engine openai but no load block: recapture it with bench --engine openai",
    );
  const recorded = baseline.engine.details.base_url;
  const baseUrl = stringFlag(values, "base-url") ?? (typeof recorded === "string" ? recorded : undefined);
  if (baseUrl === undefined)
    throw new UsageError("the baseline is a serving result: pass --base-url URL or --candidate FILE");
  // a baseline file is data anyone may have edited: its URL gets the key only when the user says so
  const keyEnv = stringFlag(values, "api-key-env") ?? DEFAULT_API_KEY_ENV;
  if (
    stringFlag(values, "base-url") === undefined &&
    values["trust-recorded-base-url"] !== true &&
    (process.env[keyEnv] ?? "") !== ""
  )
    throw new UsageError(
      `the API key in $${keyEnv} would go to the base URL the baseline recorded (${baseUrl}): pass --base-url ${baseUrl} or --trust-recorded-base-url to confirm it`,
    );
  const rounds = intFlag(values, "rounds", load.num_requests ?? baseline.rounds, { max: 10_000_000 });
  const numRequests = values.rounds !== undefined || load.num_requests !== null ? rounds : null;
  const timeouts = baseline.serving?.timeouts_ms;
  const sec = (ms: number | undefined) => (ms === undefined ? undefined : String(ms / 1000));
  // the baseline's load as bench flags, so that one function validates and builds the serving options
  const flags: Record<string, unknown> = {
    "base-url": baseUrl,
    "api-key-env": values["api-key-env"],
    model: stringFlag(values, "model") ?? baseline.model.name ?? undefined,
    concurrency: String(load.concurrency),
    "request-rate": load.request_rate === null ? "inf" : String(load.request_rate),
    burstiness: load.request_rate === null ? undefined : String(load.burstiness),
    "arrival-seed": String(load.arrival_seed),
    "num-requests": numRequests === null ? undefined : String(numRequests),
    duration: load.duration_s === null ? undefined : String(load.duration_s),
    "connect-timeout": sec(timeouts?.connect),
    "first-byte-timeout": sec(timeouts?.first_byte),
    "idle-timeout": sec(timeouts?.idle),
    "request-timeout": sec(timeouts?.total),
    "omit-fields": load.omitted_fields?.join(","),
  };
  if (baseline.mode === "generation") {
    flags.endpoint = load.endpoint;
    flags["output-length"] = load.output_length ?? undefined;
    flags["batch-size"] = values["batch-size"]; // an error: batch size is embedding-only here
  } else {
    flags["batch-size"] =
      values["batch-size"] ??
      String(baseline.serving?.inputs_per_request ?? baseline.settings.batch_size ?? DEFAULT_EMBEDDING_BATCH);
  }
  return {
    mode: baseline.mode,
    rounds,
    warmup: intFlag(values, "warmup", baseline.warmup_rounds, { allowZero: true, max: 10_000 }),
    maxNewTokens: baseline.mode === "generation" ? baseline.max_new_tokens : 0,
    preset: DEFAULT_PRESET,
    seed: DEFAULT_MODEL_SEED,
    gpu: "off",
    openai: servingOptionsFromFlags(flags, baseline.mode, rounds),
  };
}

/** The `bench --engine openai` flags of a serving capture (the API key's variable name only, never the key). */
function servingBenchArgv(o: Omit<BenchOptions, "invocation">, s: ServingOptions): string[] {
  const argv = ["bench", "--engine", "openai", "--mode", o.mode, "--base-url", s.baseUrl.href];
  argv.push("--warmup", String(o.warmup));
  if (o.mode === "generation")
    argv.push("--max-new-tokens", String(o.maxNewTokens), "--endpoint", s.endpoint);
  if (o.mode === "generation") argv.push("--output-length", s.outputLength);
  else argv.push("--batch-size", String(s.batchSize));
  if (s.model !== undefined) argv.push("--model", s.model);
  argv.push("--concurrency", String(s.concurrency));
  argv.push("--request-rate", s.requestRate === null ? "inf" : String(s.requestRate));
  if (s.requestRate !== null) argv.push("--burstiness", String(s.burstiness));
  argv.push("--arrival-seed", String(s.arrivalSeed));
  if (s.numRequests !== null) argv.push("--num-requests", String(s.numRequests));
  if (s.durationS !== null) argv.push("--duration", String(s.durationS));
  if (s.apiKeyEnv !== DEFAULT_API_KEY_ENV) argv.push("--api-key-env", s.apiKeyEnv);
  if (s.omitFields?.length) argv.push("--omit-fields", s.omitFields.join(","));
  const t = s.timeouts;
  const d = DEFAULT_TIMEOUTS;
  if (t.connect_ms !== d.connect_ms) argv.push("--connect-timeout", String(t.connect_ms / 1000));
  if (t.first_byte_ms !== d.first_byte_ms) argv.push("--first-byte-timeout", String(t.first_byte_ms / 1000));
  if (t.idle_ms !== d.idle_ms) argv.push("--idle-timeout", String(t.idle_ms / 1000));
  if (t.total_ms !== d.total_ms) argv.push("--request-timeout", String(t.total_ms / 1000));
  return argv;
}

/** The `perf-baseline bench` command that makes the same capture: recorded as each capture's invocation. */
export function benchArgv(o: Omit<BenchOptions, "invocation">): string[] {
  if (o.openai) return servingBenchArgv(o, o.openai);
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
