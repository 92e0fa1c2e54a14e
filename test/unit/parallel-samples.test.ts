/**
 * The per-round figures of `--parallel` and `itl_p99_ms` (issue 22 items 1 and 3) on synthesised rounds: a
 * round of N sequences counts every sequence's tokens (llama-batched-bench's S_PP and S_TG), its per-sequence
 * rates are the totals over N, its ITL the time between steps; a round's own p99 of its gaps; the test name
 * and the workload digest of a parallel run.
 */
import { describe, expect, it } from "vitest";
import type { GenerationRound } from "../../src/measure/engine-contract.js";
import { generationSample } from "../../src/measure/samples.js";
import { generationFigures } from "../../src/results/build.js";
import { generationWorkload, testName, workloadDigest } from "../../src/workload/workload.js";

const ms = (x: number) => BigInt(Math.round(x * 1e6));

/** A round: start at 0, first step at `ttft` ms, then steps `gaps` ms apart; `sequences` tokens per step. */
function round(ttft: number, gaps: number[], sequences?: number): GenerationRound {
  const times = [ms(ttft)];
  for (const g of gaps) times.push((times.at(-1) as bigint) + ms(g));
  const n = sequences ?? 1;
  return {
    start_ns: 0n,
    first_token_ns: times[0] as bigint,
    end_ns: times.at(-1) as bigint,
    prompt_tokens: 40,
    output_tokens: n * times.length,
    token_ids: null,
    text: null,
    chunk_times_ns: times,
    ...(sequences ? { sequences } : {}),
  };
}

describe("parallel rounds and itl_p99_ms", () => {
  it("4 sequences: totals count every sequence, per-sequence rates are a quarter, ITL between steps", () => {
    const s = generationSample(0, round(100, [10, 10, 10, 10], 4));
    expect(s.output_tokens).toBe(20);
    expect(s.prefill_tokens_per_second).toBeCloseTo((4 * 40) / 0.1, 6);
    expect(s.decode_tokens_per_second).toBeCloseTo((4 * 4) / 0.04, 6);
    expect(s.decode_tokens_per_second_per_sequence).toBeCloseTo(4 / 0.04, 6);
    expect(s.tokens_per_second_per_sequence).toBeCloseTo(5 / 0.14, 6);
    expect(s.itl_ms).toBeCloseTo(10, 6);
  });

  it("statistics summarise both per-sequence rates of parallel rounds, and neither without them", () => {
    const par = generationFigures([
      generationSample(0, round(100, [10, 10, 10, 10], 4)),
      generationSample(1, round(100, [20, 20, 20, 20], 4)),
    ]).statistics;
    expect(par.tokens_per_second_per_sequence?.median).toBeCloseTo((5 / 0.14 + 5 / 0.18) / 2, 6);
    expect(par.decode_tokens_per_second_per_sequence?.median).toBeCloseTo((4 / 0.04 + 4 / 0.08) / 2, 6);
    const one = generationFigures([generationSample(0, round(100, [10, 10]))]).statistics;
    expect("tokens_per_second_per_sequence" in one).toBe(false);
    expect("decode_tokens_per_second_per_sequence" in one).toBe(false);
  });

  it("one sequence: no per-sequence fields; itl_p99_ms is the round's own p99 of its gaps", () => {
    const gaps = [...Array.from({ length: 99 }, () => 5), 50];
    const s = generationSample(0, round(20, gaps));
    expect(s.tokens_per_second_per_sequence).toBeUndefined();
    expect(s.decode_tokens_per_second_per_sequence).toBeUndefined();
    // 100 gaps, linear interpolation at rank 0.99 x 99 = 98.01: 5 + 0.01 x 45
    expect(s.itl_p99_ms).toBeCloseTo(5.45, 6);
    expect(s.itl_ms).toBeCloseTo((99 * 5 + 50) / 100, 6);
    expect(generationSample(0, round(20, [])).itl_p99_ms).toBeNull();
  });

  it("test name pp40+tg64 B4; --parallel 1 keeps the default workload and its digest", () => {
    expect(testName(generationWorkload(64, { parallel: 4 }), 40)).toBe("pp40+tg64 B4");
    expect(testName(generationWorkload(64, { depth: 512, parallel: 2 }), 40)).toBe("pp40+tg64 @ d512 B2");
    expect(workloadDigest(generationWorkload(64, { parallel: 1 }))).toBe(
      workloadDigest(generationWorkload(64)),
    );
    expect(workloadDigest(generationWorkload(64, { parallel: 2 }))).not.toBe(
      workloadDigest(generationWorkload(64)),
    );
  });
});
