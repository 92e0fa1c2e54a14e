/**
 * The one combiner (src/gate/combine.ts): its precedence (REGRESSION, INCOMPARABLE, INCONCLUSIVE, PASS), the
 * exit codes, and which parts a comparison of one candidate with one baseline gates.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import {
  combineComparison,
  combineVerdicts,
  comparisonScope,
  VERDICT_PRECEDENCE,
  type VerdictPart,
} from "../../src/gate/combine.js";
import type { Verdict } from "../../src/gate/verdict.js";
import type { BenchmarkResult, InstructionsBlock } from "../../src/results/schema.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const gen = fixture("generation-a");

const part = (verdict: Verdict, kind: VerdictPart["kind"] = "time"): VerdictPart => ({
  kind,
  mode: "generation",
  verdict,
});

/** `r` with an instructions block (`wall_time_comparable` as given) of `perUnit` instructions per token. */
function withCounts(r: BenchmarkResult, perUnit: number, wallTimeComparable: boolean): BenchmarkResult {
  const c = clone(r);
  const block: InstructionsBlock = {
    counter: "callgrind",
    valgrind_version: "3.19.0",
    cpu_backend_variant: "haswell",
    threads: 1,
    counted_functions: ["llama_decode"],
    rounds: 1,
    warmup_rounds: 0,
    max_new_tokens: 16,
    workload_digest: c.workload.digest,
    wall_time_comparable: wallTimeComparable,
    unit: "output_token",
    per_round: [perUnit * 16],
    units_per_round: [16],
    per_unit: perUnit,
    functions: [{ name: "llama_decode", self: perUnit * 16, inclusive: perUnit * 16 }],
  };
  return { ...c, instructions: block } as BenchmarkResult;
}

describe("the combiner", () => {
  it("takes the first verdict of the precedence that any part gives, with its exit code", () => {
    expect(VERDICT_PRECEDENCE).toEqual(["REGRESSION", "INCOMPARABLE", "INCONCLUSIVE", "PASS"]);
    const exit = { PASS: 0, REGRESSION: 1, INCONCLUSIVE: 3, INCOMPARABLE: 4 };
    const all: Verdict[] = ["PASS", "REGRESSION", "INCONCLUSIVE", "INCOMPARABLE"];
    for (const x of all)
      for (const y of all) {
        const c = combineVerdicts([part(x), part(y, "instructions")]);
        const expected = VERDICT_PRECEDENCE.find((v) => v === x || v === y);
        expect(c.verdict, `${x} + ${y}`).toBe(expected);
        expect(c.exit_code).toBe(exit[c.verdict]);
      }
  });

  it("names the first part that gave the overall verdict; a check without parts passes", () => {
    const c = combineVerdicts([part("PASS"), part("INCONCLUSIVE", "instructions"), part("INCONCLUSIVE")]);
    expect(c.decided_by).toEqual(part("INCONCLUSIVE", "instructions"));
    expect(combineVerdicts([])).toEqual({ verdict: "PASS", exit_code: 0, decided_by: null });
  });

  it("a REGRESSION anywhere beats INCOMPARABLE elsewhere (check-release: one mode slower, the other not comparable)", () => {
    const parts = [part("INCOMPARABLE"), { ...part("REGRESSION"), mode: "embedding" as const }];
    expect(combineVerdicts(parts).verdict).toBe("REGRESSION");
  });
});

describe("the parts of a comparison", () => {
  it("no counts on either side: time only", () => {
    const scope = comparisonScope(gen, gen, config);
    expect(scope).toEqual({ counts: null, timed: true, countsJoin: false });
    expect(combineComparison(scope, "INCONCLUSIVE", "generation").exit_code).toBe(3);
  });

  it("a counted candidate whose wall time ran under valgrind: counts only", () => {
    const base = withCounts(gen, 1000, true);
    const cand = withCounts(gen, 1100, false);
    const scope = comparisonScope(base, cand, config);
    expect(scope.timed).toBe(false);
    expect(scope.countsJoin).toBe(true);
    expect(scope.counts?.verdict).toBe("REGRESSION");
    expect(combineComparison(scope, null, "generation")).toMatchObject({
      verdict: "REGRESSION",
      exit_code: 1,
    });
  });

  it("counts only on the baseline: the instruction verdict (INCOMPARABLE) neither prints nor joins", () => {
    const scope = comparisonScope(withCounts(gen, 1000, true), gen, config);
    expect(scope.counts?.verdict).toBe("INCOMPARABLE");
    expect(scope.countsJoin).toBe(false);
    expect(combineComparison(scope, "PASS", "generation").verdict).toBe("PASS");
  });

  it("both sides counted with comparable wall time: time and counts join", () => {
    const scope = comparisonScope(withCounts(gen, 1000, true), withCounts(gen, 1001, true), config);
    expect(scope).toMatchObject({ timed: true, countsJoin: true });
    expect(scope.counts?.verdict).toBe("PASS");
    expect(combineComparison(scope, "INCONCLUSIVE", "generation").decided_by).toEqual(part("INCONCLUSIVE"));
  });
});
