/** What a new user meets on a first run: defaults that fit the run, summaries a person reads. */
import { describe, expect, it } from "vitest";
import { runShapeFromFlags } from "../../src/cli/run-flags.js";
import { COUNTED_SHAPE } from "../../src/execute/counted-plan.js";

describe("a counted run's rounds", () => {
  it("defaults to the counted shape (1 measured round, no warmup): counts are deterministic", () => {
    const s = runShapeFromFlags({ counter: "instructions" }, "generation", { counted: true });
    expect([s.rounds, s.warmup]).toEqual([COUNTED_SHAPE.rounds, COUNTED_SHAPE.warmup]);
    expect([s.rounds, s.warmup]).toEqual([1, 0]);
  });

  it("--rounds and --warmup still apply; a timed run keeps 30 rounds", () => {
    const s = runShapeFromFlags({ counter: "instructions", rounds: "3", warmup: "1" }, "embedding", {
      counted: true,
    });
    expect([s.rounds, s.warmup]).toEqual([3, 1]);
    expect(runShapeFromFlags({}, "generation").rounds).toBe(30);
  });
});
