import type { EngineIdentity, EngineSettings } from "../engines/types.js";
import type { Environment } from "../environment/capture.js";
import type { GitInfo } from "../environment/git.js";
import type { RoundsOutcome } from "../measure/run.js";
import type { EmbeddingSample, GenerationSample } from "../measure/samples.js";
import type { ModelInfo } from "../models/model-info.js";
import { summarize } from "../stats/index.js";
import type { WorkloadSpec } from "../workload/workload.js";
import {
  type BenchmarkResult,
  type EmbeddingResult,
  type GenerationResult,
  SCHEMA_VERSION,
} from "./schema.js";

/** Everything a result records besides the samples. */
export interface ResultContext {
  tool_version: string;
  rounds: number;
  warmup_rounds: number;
  environment: Environment;
  engine: EngineIdentity;
  settings: EngineSettings;
  /** null fields where the engine cannot tell (a server's model file) */
  model:
    | ModelInfo
    | (Omit<ModelInfo, "sha256" | "size_bytes"> & { sha256: string | null; size_bytes: number | null });
  workload: WorkloadSpec;
  workload_digest: string;
  invocation: { command: string; argv: string[]; cwd: string };
  git: GitInfo | null;
  started_at: string;
  finished_at: string;
  warnings: string[];
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The summary of the non-null values, or null when there are none. */
export function summaryOrNull(xs: ReadonlyArray<number | null>) {
  const vals = xs.filter((x): x is number => x !== null);
  return vals.length ? summarize(vals) : null;
}

/** What every result records about where and how it ran, whatever the engine. */
export type RunIdentity = Pick<
  ResultContext,
  | "tool_version"
  | "environment"
  | "engine"
  | "settings"
  | "invocation"
  | "git"
  | "started_at"
  | "finished_at"
  | "warnings"
> & { model: BenchmarkResult["model"] };

/**
 * The top-level fields every result shares (the seed's fields among them), for the llama rounds and the
 * serving runs alike. `calls` over `elapsed_s` gives `calls_per_second`.
 */
export function commonResultFields(
  ctx: RunIdentity,
  counts: { rounds: number; warmup_rounds: number; elapsed_s: number; calls: number; complete: boolean },
) {
  return {
    schema_version: SCHEMA_VERSION,
    tool: { name: "perf-baseline" as const, version: ctx.tool_version },
    rounds: counts.rounds,
    warmup_rounds: counts.warmup_rounds,
    model_path: ctx.model.path,
    elapsed_s: counts.elapsed_s,
    calls_per_second: counts.elapsed_s > 0 ? counts.calls / counts.elapsed_s : 0,
    environment: ctx.environment,
    engine: ctx.engine,
    settings: ctx.settings,
    model: ctx.model,
    invocation: ctx.invocation,
    git: ctx.git,
    started_at: ctx.started_at,
    finished_at: ctx.finished_at,
    complete: counts.complete,
    warnings: ctx.warnings,
  };
}

function commonFields(ctx: ResultContext, elapsed: number, calls: number, complete: boolean) {
  return commonResultFields(ctx, {
    rounds: ctx.rounds,
    warmup_rounds: ctx.warmup_rounds,
    elapsed_s: elapsed,
    calls,
    complete,
  });
}

/**
 * Builds a generation result. `elapsed_s` is the measured rounds' time (warmup excluded); `tokens_per_second`
 * is all output tokens over it, and `calls_per_second` is generation calls (rounds) over it.
 */
export function buildGenerationResult(
  ctx: ResultContext,
  outcome: RoundsOutcome<GenerationSample>,
): GenerationResult {
  const s = outcome.samples;
  const elapsed = sum(s.map((x) => x.elapsed_s));
  const tokens = sum(s.map((x) => x.output_tokens));
  return {
    ...commonFields(ctx, elapsed, s.length, outcome.complete),
    mode: "generation",
    max_new_tokens: ctx.workload.max_new_tokens ?? 0,
    tokens_per_second: elapsed > 0 ? tokens / elapsed : 0,
    workload: {
      version: ctx.workload.version,
      digest: ctx.workload_digest,
      prompt_tokens: s[0]?.prompt_tokens ?? null,
      input_tokens: null,
      seed: ctx.workload.seed,
      sampling: ctx.workload.sampling,
    },
    output: { digest: outcome.output_digest, consistent: outcome.output_consistent },
    samples: s,
    statistics: {
      tokens_per_second: summarize(s.map((x) => x.tokens_per_second)),
      decode_tokens_per_second: summaryOrNull(s.map((x) => x.decode_tokens_per_second)),
      prefill_tokens_per_second: summaryOrNull(s.map((x) => x.prefill_tokens_per_second)),
      ttft_ms: summaryOrNull(s.map((x) => x.ttft_ms)),
      itl_ms: summaryOrNull(s.map((x) => x.itl_ms)),
    },
  };
}

/** Builds an embedding result: `calls_per_second` is embedding calls over the measured rounds' time. */
export function buildEmbeddingResult(
  ctx: ResultContext,
  outcome: RoundsOutcome<EmbeddingSample>,
): EmbeddingResult {
  const s = outcome.samples;
  const elapsed = sum(s.map((x) => x.elapsed_s));
  const calls = sum(s.map((x) => x.calls));
  const tokens = sum(s.map((x) => x.input_tokens));
  return {
    ...commonFields(ctx, elapsed, calls, outcome.complete),
    mode: "embedding",
    input_texts: ctx.workload.texts?.length ?? 0,
    tokens_per_second: elapsed > 0 ? tokens / elapsed : 0,
    workload: {
      version: ctx.workload.version,
      digest: ctx.workload_digest,
      prompt_tokens: null,
      input_tokens: s[0]?.input_tokens ?? null,
      seed: ctx.workload.seed,
      sampling: ctx.workload.sampling,
    },
    output: { digest: outcome.output_digest, consistent: outcome.output_consistent },
    samples: s,
    statistics: {
      calls_per_second: summarize(s.map((x) => x.calls_per_second)),
      tokens_per_second: summarize(s.map((x) => x.tokens_per_second)),
      call_latency_ms: summarize(s.flatMap((x) => x.call_latency_ms)),
    },
  };
}
