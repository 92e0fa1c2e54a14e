/**
 * A serving result whose client was the bottleneck (src/measure/client-capacity.ts): its TTFT, ITL and rates
 * measure the client as well as the server, and a client at its cap hides a slower server as well as a faster
 * one. The gate decides nothing from such a side (src/gate/decision-table.ts): INCONCLUSIVE, naming the
 * figures, as for a busy machine. Pure.
 */
import { evidenceText } from "../measure/client-capacity.js";
import { saturationOf } from "../results/client-capacity.js";
import type { BenchmarkResult } from "../results/schema.js";

/** One side whose client was saturated: its label and the figures past their limits, as text. */
export interface ClientSaturated {
  /** "the baseline", "capture 1", "capture 2" */
  label: string;
  /** each figure past its limit: "event-loop delay p99 55.0 ms > 25 ms" */
  evidence: string[];
}

/** The side's saturation, or null when its client kept up (or it is not a serving result). */
export function clientSaturated(result: BenchmarkResult, label: string): ClientSaturated | null {
  const evidence = saturationOf(result);
  return evidence.length > 0 ? { label, evidence: evidence.map(evidenceText) } : null;
}
