import type { Environment } from "../environment/capture.js";
import type { GitInfo, GitProvenance } from "../environment/git.js";
import type { EngineIdentity, EngineSettings } from "../measure/engine-contract.js";
import type { RoundsOutcome } from "../measure/run.js";
import type { EmbeddingSample, GenerationSample } from "../measure/samples.js";
import type { ModelInfo } from "../models/model-info.js";
import { sum, summarize } from "../stats/index.js";
import { inputCount, testName, type WorkloadSpec } from "../workload/workload.js";
import {
  type BenchmarkResult,
  type EmbeddingResult,
  type GenerationResult,
  SCHEMA_VERSION,
} from "./schema.js";
import { type Warning, warningRecord } from "./warnings.js";

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
  /**
   * the repository state; a {@link GitProvenance} (environment/git.ts gitProvenance) also says why git gave
   * none, which the result records once as a `git_unavailable` warning
   */
  git: GitInfo | GitProvenance | null;
  started_at: string;
  finished_at: string;
  /** the warnings known when the result is built, in order; the result stores them as `{code, ...fields, text}` */
  warnings: Warning[];
}

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

/** The result's `git` block, and the warning that says why it is null when git said why. */
function gitFields(git: RunIdentity["git"]): { git: GitInfo | null; warnings: Warning[] } {
  if (git === null || !("unavailable" in git)) return { git, warnings: [] };
  const why = git.git === null ? git.unavailable : null;
  return { git: git.git, warnings: why ? [{ code: "git_unavailable", reason: why }] : [] };
}

/**
 * The top-level fields every result shares (the specification's fields among them), for the llama rounds and the
 * serving runs alike. `calls` over `elapsed_s` gives `calls_per_second`.
 */
export function commonResultFields(
  ctx: RunIdentity,
  counts: { rounds: number; warmup_rounds: number; elapsed_s: number; calls: number; complete: boolean },
) {
  const git = gitFields(ctx.git);
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
    git: git.git,
    started_at: ctx.started_at,
    finished_at: ctx.finished_at,
    complete: counts.complete,
    warnings: [...git.warnings, ...ctx.warnings].map(warningRecord),
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
 * The figures a generation result derives from its samples (one home for them: a run and a pooled baseline
 * alike). `elapsed_s` is the rounds' time; `tokens_per_second` all output tokens over it; `calls_per_second`
 * rounds over it; `statistics` the per-round summaries, and `harness_us_per_token` the summary of every
 * token's harness time of every round pooled (null where the engine does not measure it).
 */
export function generationFigures(s: readonly GenerationSample[]) {
  const elapsed = sum(s.map((x) => x.elapsed_s));
  const tokens = sum(s.map((x) => x.output_tokens));
  return {
    elapsed_s: elapsed,
    calls_per_second: elapsed > 0 ? s.length / elapsed : 0,
    tokens_per_second: elapsed > 0 ? tokens / elapsed : 0,
    statistics: {
      tokens_per_second: summarize(s.map((x) => x.tokens_per_second)),
      decode_tokens_per_second: summaryOrNull(s.map((x) => x.decode_tokens_per_second)),
      prefill_tokens_per_second: summaryOrNull(s.map((x) => x.prefill_tokens_per_second)),
      ttft_ms: summaryOrNull(s.map((x) => x.ttft_ms)),
      itl_ms: summaryOrNull(s.map((x) => x.itl_ms)),
      ...optionalSummary(
        "itl_p99_ms",
        s.map((x) => x.itl_p99_ms),
      ),
      ...optionalSummary(
        "tokens_per_second_per_sequence",
        s.map((x) => x.tokens_per_second_per_sequence),
      ),
      ...optionalSummary(
        "decode_tokens_per_second_per_sequence",
        s.map((x) => x.decode_tokens_per_second_per_sequence),
      ),
      harness_us_per_token: summaryOrNull(s.flatMap((x) => x.harness_us ?? [])),
    },
  };
}

/** `{ [key]: summary }` where some round carries the figure (null values skipped), else nothing. */
function optionalSummary<K extends string>(
  key: K,
  xs: ReadonlyArray<number | null | undefined>,
): Partial<Record<K, ReturnType<typeof summaryOrNull>>> {
  if (xs.every((x) => x === undefined)) return {};
  return { [key]: summaryOrNull(xs.map((x) => x ?? null)) } as Record<K, ReturnType<typeof summaryOrNull>>;
}

/**
 * The figures an embedding result derives from its samples: `calls_per_second` is embedding calls over the
 * rounds' time, `tokens_per_second` input tokens over it.
 */
export function embeddingFigures(s: readonly EmbeddingSample[]) {
  const elapsed = sum(s.map((x) => x.elapsed_s));
  const calls = sum(s.map((x) => x.calls));
  const tokens = sum(s.map((x) => x.input_tokens));
  return {
    elapsed_s: elapsed,
    calls_per_second: elapsed > 0 ? calls / elapsed : 0,
    tokens_per_second: elapsed > 0 ? tokens / elapsed : 0,
    statistics: {
      calls_per_second: summarize(s.map((x) => x.calls_per_second)),
      tokens_per_second: summarize(s.map((x) => x.tokens_per_second)),
      call_latency_ms: summarize(s.flatMap((x) => x.call_latency_ms)),
    },
  };
}

/** The result's workload block: what was run (the digest identifies it), with its measured token counts. */
export function workloadBlock(
  ctx: Pick<ResultContext, "workload" | "workload_digest">,
  tokens: { prompt_tokens: number | null; input_tokens: number | null },
) {
  return {
    version: ctx.workload.version,
    digest: ctx.workload_digest,
    prompt_tokens: tokens.prompt_tokens,
    input_tokens: tokens.input_tokens,
    seed: ctx.workload.seed,
    sampling: ctx.workload.sampling,
    ...(ctx.workload.synthetic_tokens !== undefined
      ? { synthetic_tokens: ctx.workload.synthetic_tokens }
      : {}),
    ...(ctx.workload.depth ? { depth: ctx.workload.depth } : {}),
    ...(ctx.workload.parallel ? { parallel: ctx.workload.parallel } : {}),
  };
}

/** Builds a generation result from the rounds' samples. */
export function buildGenerationResult(
  ctx: ResultContext,
  outcome: RoundsOutcome<GenerationSample>,
): GenerationResult {
  const s = outcome.samples;
  const f = generationFigures(s);
  return {
    ...commonFields(ctx, f.elapsed_s, s.length, outcome.complete),
    mode: "generation",
    test: testName(ctx.workload, s[0]?.prompt_tokens ?? null),
    max_new_tokens: ctx.workload.max_new_tokens ?? 0,
    tokens_per_second: f.tokens_per_second,
    workload: workloadBlock(ctx, { prompt_tokens: s[0]?.prompt_tokens ?? null, input_tokens: null }),
    output: { digest: outcome.output_digest, consistent: outcome.output_consistent },
    samples: s,
    statistics: f.statistics,
  };
}

/** Builds an embedding result from the rounds' samples. */
export function buildEmbeddingResult(
  ctx: ResultContext,
  outcome: RoundsOutcome<EmbeddingSample>,
): EmbeddingResult {
  const s = outcome.samples;
  const f = embeddingFigures(s);
  const calls = sum(s.map((x) => x.calls));
  return {
    ...commonFields(ctx, f.elapsed_s, calls, outcome.complete),
    mode: "embedding",
    test: testName(ctx.workload, null),
    input_texts: inputCount(ctx.workload),
    tokens_per_second: f.tokens_per_second,
    workload: workloadBlock(ctx, { prompt_tokens: null, input_tokens: s[0]?.input_tokens ?? null }),
    output: { digest: outcome.output_digest, consistent: outcome.output_consistent },
    samples: s,
    statistics: f.statistics,
  };
}
