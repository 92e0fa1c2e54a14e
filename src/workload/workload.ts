import { sha256OfJson } from "../util/canonical-json.js";
import { mulberry32, randomInt } from "../util/prng.js";

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
  /**
   * `--prompt-tokens N` (absent unless given, so that the default workload keeps its digest): the prompt is N
   * synthetic tokens of the model's vocabulary ({@link syntheticTokens}) instead of `prompt`; for embedding,
   * each input is N synthetic tokens instead of a text
   */
  synthetic_tokens?: number;
  /** `--depth N` (generation; absent unless given): N synthetic tokens in the context before each round's timing */
  depth?: number;
  /** `--input-texts N` with `--prompt-tokens` (embedding): synthetic inputs per call (the texts say it otherwise) */
  input_texts?: number;
  /**
   * `--parallel N` (generation; absent unless N > 1): N sequences of the prompt decoded together, one batch
   * per step (llama-batched-bench's B)
   */
  parallel?: number;
  /**
   * serving (`--engine openai`; absent unless given): what else shapes its requests, e.g. length
   * distributions, their seed, who counted the prompt tokens, a dataset's digest (src/engines/openai/request-plan.ts)
   */
  requests?: Readonly<Record<string, string | number | boolean | null>>;
}

/** The workload shape flags of the local engines (issue 22): each absent unless given. */
export interface WorkloadShape {
  /** `--prompt-tokens`: synthetic prompt length (generation) or input length (embedding), in tokens */
  syntheticTokens?: number;
  /** `--depth`: tokens in the context before the measured work (generation) */
  depth?: number;
  /** `--input-texts`: embedding inputs per call */
  inputTexts?: number;
  /** `--parallel`: sequences decoded together (generation); 1 or absent: one */
  parallel?: number;
}

/** Default seed (sampling is greedy, so it matters only to engines that sample anyway). */
export const WORKLOAD_SEED = 1;

/**
 * The generation workload for a given number of new tokens per round (0: prompt processing only), with the
 * shape's synthetic prompt and depth when given (the default workload is unchanged, and so is its digest).
 */
export function generationWorkload(maxNewTokens: number, shape: WorkloadShape = {}): WorkloadSpec {
  const synthetic = shape.syntheticTokens;
  return {
    version: WORKLOAD_VERSION,
    mode: "generation",
    ...(synthetic === undefined ? { prompt: GENERATION_PROMPT } : { synthetic_tokens: synthetic }),
    max_new_tokens: maxNewTokens,
    sampling: "greedy",
    seed: WORKLOAD_SEED,
    ...(shape.depth !== undefined ? { depth: shape.depth } : {}),
    ...(shape.parallel !== undefined && shape.parallel > 1 ? { parallel: shape.parallel } : {}),
  };
}

/**
 * The embedding workload: the specification's texts (`--input-texts N` takes N of them, cycling through
 * them), or N inputs of `--prompt-tokens` synthetic tokens each. Without shape flags (or with
 * `--input-texts 2`) it is the default workload, digest unchanged.
 */
export function embeddingWorkload(shape: WorkloadShape = {}): WorkloadSpec {
  const n = shape.inputTexts ?? EMBEDDING_TEXTS.length;
  const base = { version: WORKLOAD_VERSION, mode: "embedding" as const };
  const tail = { sampling: "greedy" as const, seed: WORKLOAD_SEED };
  if (shape.syntheticTokens !== undefined)
    return { ...base, ...tail, synthetic_tokens: shape.syntheticTokens, input_texts: n };
  const texts = Array.from({ length: n }, (_, i) => EMBEDDING_TEXTS[i % EMBEDDING_TEXTS.length] as string);
  return { ...base, texts, ...tail };
}

/** Embedding inputs per call of a workload. */
export function inputCount(spec: WorkloadSpec): number {
  return spec.input_texts ?? spec.texts?.length ?? 0;
}

/**
 * Salts of the synthetic token streams: the depth's tokens and the prompt's (generation), embedding input i
 * uses EMBEDDING_SALT + i. Different streams, so that a prompt never repeats its depth.
 */
export const SYNTHETIC_SALT = { depth: 1, prompt: 2, embedding: 100 } as const;

/**
 * `count` deterministic synthetic tokens of a vocabulary of `vocabSize` ids (uniform, as llama-bench draws
 * its prompt tokens with `std::rand() % n_vocab`, but seeded: the same ids on every machine and run).
 * @param salt which stream ({@link SYNTHETIC_SALT}).
 */
export function syntheticTokens(count: number, vocabSize: number, salt: number): Int32Array {
  const rng = mulberry32((WORKLOAD_SEED * 0x9e3779b1 + salt) >>> 0);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = randomInt(rng, vocabSize);
  return out;
}

/**
 * The test's name as llama-bench writes it: `pp512` (prompt only), `tg128` (a one-token synthetic prompt and
 * 128 new tokens: the work of llama-bench's tg test, 128 single-token decodes), `pp38+tg64` (both), with
 * ` @ d1024` at a depth, and ` B4` for 4 parallel sequences (`--parallel`: llama-batched-bench's B column, its
 * PP and TG being the pp and tg of the name, per sequence); embedding: `emb2` (inputs per call), `emb4x128`
 * (synthetic inputs of 128 tokens).
 * @param promptTokens the prompt's measured tokens (generation; unused for embedding).
 */
export function testName(spec: WorkloadSpec, promptTokens: number | null): string {
  if (spec.mode === "embedding")
    return `emb${inputCount(spec)}${spec.synthetic_tokens !== undefined ? `x${spec.synthetic_tokens}` : ""}`;
  const gen = spec.max_new_tokens ?? 0;
  const p = promptTokens ?? "?";
  let name = gen === 0 ? `pp${p}` : `pp${p}+tg${gen}`;
  if (gen > 0 && spec.synthetic_tokens === 1) name = `tg${gen}`;
  if (spec.depth) name = `${name} @ d${spec.depth}`;
  return spec.parallel ? `${name} B${spec.parallel}` : name;
}

/** sha256 of the canonical JSON of a workload spec. Round counts are not part of it: they change n, not the work. */
export function workloadDigest(spec: WorkloadSpec): string {
  return sha256OfJson(spec);
}
