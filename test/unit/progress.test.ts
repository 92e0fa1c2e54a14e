/** What a person at the terminal sees while a run goes on: progress lines and warnings said once. */
import { describe, expect, it } from "vitest";
import { progressLine, roundProgress } from "../../src/cli/progress.js";
import { runEmbeddingRounds } from "../../src/measure/run.js";
import { printWarnings, warningRecord } from "../../src/results/warnings.js";

describe("progress", () => {
  it("counts warmup and measured rounds separately from 1", async () => {
    const seen: string[] = [];
    const round = {
      vectors: [[1]],
      start_ns: 0n,
      end_ns: 1000n,
      calls: 1,
      inputs: 1,
      input_tokens: 1,
      call_durations_ns: [1000n],
    };
    const engine = { embed: async () => round };
    await runEmbeddingRounds(engine as never, { texts: ["a"] } as never, {
      rounds: 3,
      warmup: 2,
      onRound: (d, t, w) => seen.push(`${w ? "warmup" : "round"} ${d}/${t}`),
    });
    expect(seen).toEqual(["warmup 1/2", "warmup 2/2", "round 1/3", "round 2/3", "round 3/3"]);
  });

  it("shows the running rate and the time left from a phase's second round", () => {
    expect(progressLine("generation", 1, 30, false, null)).toBe("generation: round 1/30");
    expect(progressLine("generation", 3, 30, false, 1000)).toBe(
      "generation: round 3/30, 2.0 rounds/s, 14 s left",
    );
    // during warmup, the measured rounds to come are in the time left
    expect(progressLine("embedding", 2, 3, true, 4000, { warmup: 3, rounds: 30 })).toBe(
      "embedding: warmup 2/3, 4.0 s/round, 2 min 04 s left",
    );
  });

  it("draws nothing where stderr is not a terminal", () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const p = roundProgress("generation", stream);
    p.onRound(1, 3, true);
    p.done();
    expect(out).toEqual([]);
  });
});

describe("warnings", () => {
  it("are said once per command, however many results carry them", () => {
    const out: string[] = [];
    const said = new Set<string>();
    const dummy = warningRecord({ code: "dummy_weights" });
    for (let i = 0; i < 16; i++) printWarnings([dummy], (s) => out.push(s), said);
    printWarnings([{ code: "text", text: "another" }], (s) => out.push(s), said);
    expect(out).toEqual([
      "perf-baseline: warning: dummy weights: throughput is real, generated text is not meaningful\n",
      "perf-baseline: warning: another\n",
    ]);
  });
});
