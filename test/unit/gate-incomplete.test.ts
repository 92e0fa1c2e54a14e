/**
 * Issue 8, fault 7: a partial result ("complete": false, an interrupted run) is refused by the gate with a
 * one-line reason, unless the user allows it; then the report says which result was partial.
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { checkComplete } from "../../src/gate/completeness.js";
import { runGate } from "../../src/gate/verdict.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { EXIT, ResultFileError } from "../../src/util/errors.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const genA = fixture("generation-a");
const genB = fixture("generation-b");

function partial(r: BenchmarkResult): BenchmarkResult {
  const c = clone(r);
  c.complete = false;
  return c;
}

async function refusal(p: Promise<unknown>): Promise<ResultFileError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResultFileError) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("partial results", () => {
  it("a partial candidate is refused, naming it, why, and the flag", async () => {
    const err = await refusal(
      runGate({
        baseline: genA,
        candidate: partial(genB),
        config,
        baselineSource: "a.json",
        candidateSource: "b.json",
      }),
    );
    expect(err.exitCode).toBe(EXIT.badResultFile);
    expect(err.message).toMatch(
      /^b\.json: is a partial result \("complete": false: its run was interrupted; \d+ rounds measured\)/,
    );
    expect(err.message).toContain("--allow-incomplete");
    expect(err.message).not.toContain("\n");
  });

  it("a partial baseline is refused too", async () => {
    const err = await refusal(
      runGate({
        baseline: partial(genA),
        candidate: genB,
        config,
        baselineSource: "a.json",
        candidateSource: "b.json",
      }),
    );
    expect(err.message).toMatch(/^a\.json: is a partial result/);
  });

  it("a partial second capture is refused", async () => {
    // a noisy capture needs a second one; that one is partial
    const noisy = clone(genB);
    if (noisy.mode !== "generation") throw new Error("fixture");
    noisy.samples = noisy.samples.map((s, i) => ({
      ...s,
      tokens_per_second: s.tokens_per_second * (i % 2 ? 1.3 : 0.7),
    }));
    const err = await refusal(
      runGate({
        baseline: genA,
        candidate: noisy,
        config,
        baselineSource: "a.json",
        candidateSource: "b.json",
        captureAgain: async () => partial(genB),
      }),
    );
    expect(err.message).toMatch(/second capture.*is a partial result/);
  });

  it("with allowIncomplete the gate runs and its report says which result was partial", async () => {
    const { report } = await runGate({
      baseline: genA,
      candidate: partial(genB),
      config,
      baselineSource: "a.json",
      candidateSource: "b.json",
      allowIncomplete: true,
    });
    expect(
      report.reasons.some((r) => /b\.json is a partial result .*gated because of --allow-incomplete/.test(r)),
    ).toBe(true);
    expect(report.reasons[0]).not.toMatch(/partial/); // the verdict's own reason comes first
  });

  it("checkComplete passes a complete result", () => {
    expect(checkComplete(genA, "a.json", false)).toBeNull();
  });
});
