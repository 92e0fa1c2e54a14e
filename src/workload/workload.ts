import { sha256OfJson } from "../util/canonical-json.js";

/**
 * The built-in, versioned workload. Change the texts or the sampling and you must bump WORKLOAD_VERSION:
 * results of different workloads are never compared (their digests differ).
 */
export const WORKLOAD_VERSION = "wl1";

/** The generation prompt: one fixed prompt, so every round does the same work. */
export const GENERATION_PROMPT =
  "Once upon a time, in a small village at the edge of a great forest, there lived an old clockmaker who";

/** The embedding inputs (the specification's example has 2 input texts). Each round embeds each text once. */
export const EMBEDDING_TEXTS: readonly string[] = [
  "The quick brown fox jumps over the lazy dog near the riverbank at dawn.",
  "Performance baselines make regressions visible before a release ships to users.",
];

/** Benchmark modes. */
export type Mode = "generation" | "embedding";
export const MODES: readonly Mode[] = ["generation", "embedding"];

/** Everything that defines what a round computes; its digest is part of the comparability key. */
export interface WorkloadSpec {
  version: string;
  mode: Mode;
  /** generation only */
  prompt?: string;
  max_new_tokens?: number;
  /** embedding only */
  texts?: readonly string[];
  sampling: "greedy";
  seed: number;
}

/** Default seed (sampling is greedy, so it matters only to engines that sample anyway). */
export const WORKLOAD_SEED = 1;

/** The generation workload for a given number of new tokens per round. */
export function generationWorkload(maxNewTokens: number): WorkloadSpec {
  return {
    version: WORKLOAD_VERSION,
    mode: "generation",
    prompt: GENERATION_PROMPT,
    max_new_tokens: maxNewTokens,
    sampling: "greedy",
    seed: WORKLOAD_SEED,
  };
}

/** The embedding workload. */
export function embeddingWorkload(): WorkloadSpec {
  return {
    version: WORKLOAD_VERSION,
    mode: "embedding",
    texts: EMBEDDING_TEXTS,
    sampling: "greedy",
    seed: WORKLOAD_SEED,
  };
}

/** sha256 of the canonical JSON of a workload spec. Round counts are not part of it: they change n, not the work. */
export function workloadDigest(spec: WorkloadSpec): string {
  return sha256OfJson(spec);
}
