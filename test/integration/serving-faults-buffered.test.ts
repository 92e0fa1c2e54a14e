/**
 * A buffered stream (a proxy that delivers the stream in one piece, compression, a server's flush policy)
 * gives no token timings: a request whose text chunks all arrived at once has null TTFT, TPOT and ITL (never
 * 0), keeps its end-to-end latency, and a warning names buffering and its usual sources.
 */
import { describe, expect, it } from "vitest";
import { runServingBenchmark } from "../../src/execute/serving.js";
import type { GenerationSuccess } from "../../src/measure/requests.js";
import { BUFFERED_WINDOW_NS, bufferedStream } from "../../src/results/build-serving.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();

describe("buffered streams", () => {
  it("the window: two text chunks or more within 1 ms (or in one read); one chunk is never buffered", () => {
    const at = (...times: bigint[]) => ({ chunk_times_ns: BigInt64Array.from(times) }) as GenerationSuccess;
    expect(BUFFERED_WINDOW_NS).toBe(1_000_000n);
    expect(bufferedStream(at(5n, 5n, 5n))).toBe(true);
    expect(bufferedStream(at(5n, 1_000_005n))).toBe(true);
    expect(bufferedStream(at(5n, 1_000_006n))).toBe(false);
    expect(bufferedStream(at(5n))).toBe(false);
    expect(bufferedStream(at())).toBe(false);
  });

  it("every stream buffered (generated 10 ms apart, delivered in one write): TTFT, TPOT, ITL null, E2E kept", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 8, chunkDelayMs: 10, buffered: true }));
    const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl)));
    expect(r.serving?.requests).toMatchObject({ completed: 3, failed: 0 });
    for (const x of r.samples) {
      expect(x).toMatchObject({ ttft_ms: null, tpot_ms: null, itl_ms: null, buffered: true });
      expect(x.decode_tokens_per_second).toBeNull();
      expect(x.chunk_gaps_ms).toEqual([]);
      expect(x.output_tokens).toBe(8);
      expect(x.elapsed_s * 1000).toBeGreaterThan(70);
    }
    expect(r.serving?.ttft_ms).toBeNull();
    expect(r.serving?.tpot_ms).toBeNull();
    expect(r.serving?.itl_ms).toBeNull();
    expect(r.statistics.ttft_ms).toBeNull();
    expect(r.serving?.e2e_latency_ms.n).toBe(3);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "stream_buffered",
        buffered: 3,
        completed: 3,
        window_ms: 1,
        text: expect.stringMatching(
          /buffered on its way \(a proxy, compression, or the server's flush policy\)/,
        ),
      }),
    );
  });

  it("one buffered request among streamed ones: the summaries are over the others", async () => {
    const s = await serve((n) => ({ kind: "stream", tokens: 4, chunkDelayMs: 10, buffered: n === 1 }));
    const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl, { maxNewTokens: 4 })));
    expect(r.samples.map((x) => x.ttft_ms === null)).toEqual([false, true, false]);
    expect(r.samples[0]?.tpot_ms).toBeGreaterThan(5);
    expect(r.serving?.ttft_ms?.n).toBe(2);
    expect(r.serving?.tpot_ms?.n).toBe(2);
    expect(r.serving?.itl_ms?.n).toBe(6);
    expect(r.serving?.itl_ms?.min).toBeGreaterThan(5);
    expect(r.serving?.e2e_latency_ms.n).toBe(3);
    expect(r.warnings).toContainEqual(expect.objectContaining({ code: "stream_buffered", buffered: 1 }));
  });

  it("a stream whose chunks come apart is not buffered: no warning", async () => {
    const s = await serve(() => ({ kind: "stream", tokens: 4, chunkDelayMs: 5 }));
    const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl, { maxNewTokens: 4 })));
    expect(r.samples.every((x) => x.ttft_ms !== null && x.buffered === undefined)).toBe(true);
    expect(r.warnings.map((w) => w.code)).not.toContain("stream_buffered");
  });
});
