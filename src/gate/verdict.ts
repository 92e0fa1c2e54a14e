/**
 * The regression gate: a candidate against a stored baseline, the specification's variance rule included. Pure
 * apart from the functions it is handed (a "capture again" function and a git lookup); it never reads or
 * writes files itself.
 *
 * The decision is a table (src/gate/decision-table.ts) over facts computed stage by stage (src/gate/facts.ts);
 * the report is assembled from the deciding row and the facts reached (src/gate/gate-report.ts); reasons and
 * fixes are codes whose words are src/gate/reasons.ts.
 */
import type { BenchmarkResult } from "../results/schema.js";
import { type Decision, decide } from "./decision-table.js";
import {
  captureOneFacts,
  driftOneFacts,
  type GateFacts,
  type GateInput,
  neededFacts,
  pooledFacts,
  reached,
  type Stage,
  sampleFacts,
  secondFacts,
  setupFacts,
} from "./facts.js";
import { capturesOf, type GateOutcome, gateReport } from "./gate-report.js";

export type { GateInput } from "./facts.js";
export type { GateOutcome, GateReport } from "./gate-report.js";
export { VERDICT_EXIT, type Verdict } from "./verdict-exit.js";

/**
 * Runs the gate: reads the decision table, computing each stage of facts the table asks for (taking the
 * second capture through `captureAgain` when it asks for that), then assembles the report.
 * @throws ResultFileError when a result has no usable samples (a round with zero throughput), or is partial
 *   and `allowIncomplete` is not set.
 */
export async function runGate(input: GateInput): Promise<GateOutcome> {
  const facts: GateFacts = { setup: setupFacts(input) };
  let step = decide(facts);
  while ("next" in step) {
    await reach(facts, step.next, input.captureAgain);
    step = decide(facts);
  }
  const decision: Decision = step;
  return { report: gateReport(facts, decision), captures: capturesOf(facts) };
}

/** Computes the facts of `stage` from those before it (the table asks for the stages in order). */
async function reach(
  facts: GateFacts,
  stage: Stage,
  captureAgain: (() => Promise<BenchmarkResult>) | undefined,
): Promise<void> {
  if (stage === "samples" && reached(facts, "setup")) facts.samples = sampleFacts(facts.setup);
  else if (stage === "one" && reached(facts, "samples")) facts.one = captureOneFacts(facts);
  else if (stage === "drift1" && reached(facts, "one")) facts.drift1 = driftOneFacts(facts);
  else if (stage === "needed" && reached(facts, "drift1")) facts.needed = neededFacts(facts);
  else if (stage === "second" && reached(facts, "needed") && captureAgain)
    facts.second = secondFacts(facts, await captureAgain());
  else if (stage === "pooled" && reached(facts, "second")) facts.pooled = pooledFacts(facts);
  else throw new Error(`the gate cannot reach stage "${stage}" from the facts it has`);
}
