import { percentile } from "../stats/index.js";
import type { EmbeddingRound, GenerationRound } from "./engine-contract.js";

/** One measured generation round, in the units results carry. */
export interface GenerationSample {
  round: number;
  elapsed_s: number;
  ttft_ms: number | null;
  prompt_tokens: number;
  output_tokens: number;
  /** output tokens / round time (prefill included): the gated figure */
  tokens_per_second: number;
  /**
   * prompt tokens / time to first token; a prompt-only round (no new tokens): prompt tokens / round time
   */
  prefill_tokens_per_second: number | null;
  /** (output tokens - 1) / (end - first token) */
  decode_tokens_per_second: number | null;
  /** mean time between output chunks after the first, in ms */
  itl_ms: number | null;
  /**
   * the round's own 99th percentile of its gaps between output chunks, in ms (percentile of
   * src/stats/descriptive.ts, linear interpolation); null with fewer than two chunks
   */
  itl_p99_ms?: number | null;
  /** `--parallel` (more than one sequence): one sequence's output tokens / round time */
  tokens_per_second_per_sequence?: number;
  /** `--parallel`: one sequence's (output tokens - 1) / (end - first token); decode_tokens_per_second is all of them */
  decode_tokens_per_second_per_sequence?: number | null;
  /**
   * the engine's own time per token in this round, in us (GenerationRound.harness_ns), one value per token
   * but the last; absent where the engine does not measure it
   */
  harness_us?: number[];
}

/** One measured embedding round. */
export interface EmbeddingSample {
  round: number;
  elapsed_s: number;
  calls: number;
  inputs: number;
  input_tokens: number;
  /** calls / round time: the gated figure */
  calls_per_second: number;
  tokens_per_second: number;
  call_latency_ms: number[];
}

const seconds = (ns: bigint) => Number(ns) / 1e9;
const millis = (ns: bigint) => Number(ns) / 1e6;

/** Prompt tokens over the prefill's time (seconds), null without one. */
function prefillRate(promptTokens: number, prefill: number | null): number | null {
  return prefill && prefill > 0 ? promptTokens / prefill : null;
}

/** The 99th percentile of the gaps between consecutive chunk times, in ms; null without a gap. */
function gapP99(times: readonly bigint[]): number | null {
  if (times.length < 2) return null;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(millis((times[i] as bigint) - (times[i - 1] as bigint)));
  return percentile(gaps, 99);
}

/** The per-sequence rates of a round of several sequences (`--parallel`); nothing for one sequence. */
function perSequence(
  r: GenerationRound,
  elapsed: number,
  decode: number | null,
): Pick<GenerationSample, "tokens_per_second_per_sequence" | "decode_tokens_per_second_per_sequence"> {
  const n = r.sequences ?? 1;
  if (n <= 1) return {};
  const each = r.output_tokens / n;
  return {
    tokens_per_second_per_sequence: elapsed > 0 ? each / elapsed : 0,
    decode_tokens_per_second_per_sequence: decode && decode > 0 && each > 1 ? (each - 1) / decode : null,
  };
}

/**
 * Converts a raw generation round to a sample. A round of N sequences (`--parallel`) counts every
 * sequence's tokens: its prefill rate is N x prompt tokens / time to first token, its decode rate
 * N x (tokens per sequence - 1) / decode time (llama-batched-bench's S_PP and S_TG), and its chunks are its
 * steps (ITL is the time between steps).
 */
export function generationSample(round: number, r: GenerationRound): GenerationSample {
  const n = r.sequences ?? 1;
  const elapsed = seconds(r.end_ns - r.start_ns);
  const first = r.first_token_ns;
  const ttft = first === null ? null : seconds(first - r.start_ns);
  const decode = first === null ? null : seconds(r.end_ns - first);
  const gaps = r.chunk_times_ns.length - 1;
  const lastChunk = r.chunk_times_ns[r.chunk_times_ns.length - 1];
  return {
    round,
    elapsed_s: elapsed,
    ttft_ms: ttft === null ? null : ttft * 1000,
    prompt_tokens: r.prompt_tokens,
    output_tokens: r.output_tokens,
    tokens_per_second: elapsed > 0 ? r.output_tokens / elapsed : 0,
    prefill_tokens_per_second: prefillRate(n * r.prompt_tokens, r.output_tokens === 0 ? elapsed : ttft),
    decode_tokens_per_second:
      decode && decode > 0 && r.output_tokens > n ? (r.output_tokens - n) / decode : null,
    itl_ms: first !== null && lastChunk !== undefined && gaps > 0 ? millis(lastChunk - first) / gaps : null,
    itl_p99_ms: gapP99(r.chunk_times_ns),
    ...perSequence(r, elapsed, decode),
    ...(r.harness_ns ? { harness_us: r.harness_ns.map((ns) => ns / 1000) } : {}),
  };
}

/** Converts a raw embedding round to a sample. */
export function embeddingSample(round: number, r: EmbeddingRound): EmbeddingSample {
  const elapsed = seconds(r.end_ns - r.start_ns);
  return {
    round,
    elapsed_s: elapsed,
    calls: r.calls,
    inputs: r.inputs,
    input_tokens: r.input_tokens,
    calls_per_second: elapsed > 0 ? r.calls / elapsed : 0,
    tokens_per_second: elapsed > 0 ? r.input_tokens / elapsed : 0,
    call_latency_ms: r.call_durations_ns.map(millis),
  };
}
