import { createHash } from "node:crypto";
import { inputCount, type WorkloadSpec } from "../workload/workload.js";
import type { Engine, SyntheticInputs, SyntheticShape } from "./engine-contract.js";
import { type EmbeddingSample, embeddingSample, type GenerationSample, generationSample } from "./samples.js";

/** How many rounds to run. */
export interface RoundPlan {
  rounds: number;
  /** rounds run first and not counted (caches, page faults, thread start-up) */
  warmup: number;
  /**
   * called after each round, warmup included, counted within its phase from 1 (warmup 1/3, then round
   * 1/30), as serving counts its requests; for progress display only
   */
  onRound?: (done: number, total: number, warmup: boolean) => void;
  /** checked before each round: once aborted, the run stops early and is marked incomplete */
  signal?: AbortSignal;
}

/** The outcome of the rounds: samples plus what the engine computed. */
export interface RoundsOutcome<S> {
  samples: S[];
  /** sha256 of what the first measured round computed (token ids or embedding values) */
  output_digest: string | null;
  /** true when every measured round computed the same output as the first */
  output_consistent: boolean;
  complete: boolean;
}

function digestTokens(ids: readonly number[] | null, text: string | null): string | null {
  if (ids) return createHash("sha256").update(Int32Array.from(ids)).digest("hex");
  if (text !== null) return createHash("sha256").update(text).digest("hex");
  return null;
}

function digestVectors(vectors: readonly ArrayLike<number>[]): string {
  const hash = createHash("sha256");
  for (const v of vectors) hash.update(Float32Array.from(v as ArrayLike<number>));
  return hash.digest("hex");
}

async function runRounds<S>(
  plan: RoundPlan,
  once: () => Promise<{ sample: (round: number) => S; digest: string | null }>,
): Promise<RoundsOutcome<S>> {
  const total = plan.warmup + plan.rounds;
  const samples: S[] = [];
  let first: string | null | undefined;
  let consistent = true;
  for (let i = 0; i < total; i++) {
    if (plan.signal?.aborted)
      return { samples, output_digest: first ?? null, output_consistent: consistent, complete: false };
    const warm = i < plan.warmup;
    const r = await once();
    if (!warm) {
      samples.push(r.sample(i - plan.warmup));
      if (first === undefined) first = r.digest;
      else if (r.digest !== first) consistent = false;
    }
    if (warm) plan.onRound?.(i + 1, plan.warmup, true);
    else plan.onRound?.(i + 1 - plan.warmup, plan.rounds, false);
  }
  return { samples, output_digest: first ?? null, output_consistent: consistent, complete: true };
}

/**
 * Runs warmup then measured generation rounds of the workload's prompt (or its synthetic prompt, at its
 * depth; in its parallel sequences).
 */
export function runGenerationRounds(engine: Engine, workload: WorkloadSpec, plan: RoundPlan) {
  const prompt = workload.prompt ?? "";
  const maxNew = workload.max_new_tokens ?? 0;
  const shape: SyntheticShape = {
    ...(workload.synthetic_tokens !== undefined ? { syntheticTokens: workload.synthetic_tokens } : {}),
    ...(workload.depth ? { depth: workload.depth } : {}),
    ...(workload.parallel ? { parallel: workload.parallel } : {}),
  };
  const shaped = Object.keys(shape).length > 0;
  return runRounds<GenerationSample>(plan, async () => {
    const r = shaped ? await engine.generate(prompt, maxNew, shape) : await engine.generate(prompt, maxNew);
    return { sample: (round) => generationSample(round, r), digest: digestTokens(r.token_ids, r.text) };
  });
}

/**
 * Runs warmup then measured embedding rounds: each round embeds every workload text (or synthetic input)
 * once.
 */
export function runEmbeddingRounds(engine: Engine, workload: WorkloadSpec, plan: RoundPlan) {
  const texts = workload.texts ?? [];
  const synthetic: SyntheticInputs | undefined =
    workload.synthetic_tokens !== undefined
      ? { tokens: workload.synthetic_tokens, inputs: inputCount(workload) }
      : undefined;
  return runRounds<EmbeddingSample>(plan, async () => {
    const r = synthetic ? await engine.embed(texts, synthetic) : await engine.embed(texts);
    return { sample: (round) => embeddingSample(round, r), digest: digestVectors(r.vectors) };
  });
}
