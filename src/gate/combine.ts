/**
 * The one combiner: joins the verdicts of one check into the overall verdict and exit code. `gate` and
 * `compare` join a candidate's time verdict and its instruction verdict, `check-release` the time and
 * instruction verdicts of every mode, `ab` its one paired verdict; per-metric verdicts join the same way, as
 * parts of kind "metric". Pure. docs/gate.md ("Combining verdicts") shows the same table.
 *
 * Precedence: the overall verdict is the first verdict of this table that any part gives.
 *
 * | rank | verdict      | exit | why it comes before the verdicts below it                                     |
 * | ---- | ------------ | ---- | ------------------------------------------------------------------------------ |
 * | 1    | REGRESSION   | 1    | a part showed a slowdown: the check fails, whatever another part could not tell |
 * | 2    | INCOMPARABLE | 4    | a part measured something else than its baseline: recapture before a PASS means anything |
 * | 3    | INCONCLUSIVE | 3    | a part could not decide: a PASS needs every part to pass                        |
 * | 4    | PASS         | 0    | every part passed (a check without parts passes)                               |
 *
 * Which parts a comparison of one candidate with one baseline has ({@link comparisonScope}):
 * - the time verdict, unless the candidate's wall time ran under valgrind (a counted run: never time-gated);
 * - the instruction verdict, when the candidate has instruction counts (when only the baseline has them, the
 *   instruction verdict is INCOMPARABLE and is neither printed nor joined: a timed candidate is gated on time).
 */

import type { GateConfig } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { Mode } from "../workload/workload.js";
import { type InstructionGateReport, instructionVerdict, timedUnderValgrind } from "./instructions.js";
import { VERDICT_EXIT, type Verdict } from "./verdict-exit.js";

/** The verdicts in order of precedence: the first that any part gives is the overall verdict. */
export const VERDICT_PRECEDENCE: readonly Verdict[] = ["REGRESSION", "INCOMPARABLE", "INCONCLUSIVE", "PASS"];

/** One verdict of a check. */
export interface VerdictPart {
  /** "time": the stored-baseline gate or the A/B analysis; "instructions": the instruction gate; "metric": a per-metric gate */
  kind: "time" | "instructions" | "metric";
  mode: Mode;
  verdict: Verdict;
  /** the metric of a "metric" part */
  metric?: string;
}

/** The overall verdict of a check. */
export interface Combined {
  verdict: Verdict;
  /** the exit code of the overall verdict (src/util/errors.ts EXIT) */
  exit_code: number;
  /** the first part that gave the overall verdict; null for a check without parts */
  decided_by: VerdictPart | null;
}

/** Joins the parts of a check by {@link VERDICT_PRECEDENCE}. */
export function combineVerdicts(parts: readonly VerdictPart[]): Combined {
  const verdict = VERDICT_PRECEDENCE.find((v) => parts.some((p) => p.verdict === v)) ?? "PASS";
  return {
    verdict,
    exit_code: VERDICT_EXIT[verdict],
    decided_by: parts.find((p) => p.verdict === verdict) ?? null,
  };
}

/** What a comparison of one candidate with one baseline gates (`gate`, `compare`). */
export interface ComparisonScope {
  /** the instruction verdict, when either side has counts */
  counts: InstructionGateReport | null;
  /** false when the candidate's wall time ran under valgrind: only its counts are gated */
  timed: boolean;
  /** the instruction verdict is printed and joins the overall verdict (the candidate has counts) */
  countsJoin: boolean;
}

/** The parts a comparison gates (see the module comment). */
export function comparisonScope(
  baseline: BenchmarkResult,
  candidate: BenchmarkResult,
  config: GateConfig,
): ComparisonScope {
  const counts = instructionVerdict(baseline, candidate, config);
  return {
    counts,
    timed: !(counts !== null && timedUnderValgrind(candidate)),
    countsJoin: counts !== null && candidate.instructions !== undefined,
  };
}

/**
 * The overall verdict of a comparison: its time verdict (null when not timed) and its instruction verdict
 * when that joins.
 */
export function combineComparison(scope: ComparisonScope, time: Verdict | null, mode: Mode): Combined {
  const parts: VerdictPart[] = [];
  if (time !== null) parts.push({ kind: "time", mode, verdict: time });
  if (scope.countsJoin && scope.counts)
    parts.push({ kind: "instructions", mode, verdict: scope.counts.verdict });
  return combineVerdicts(parts);
}

/** The time verdict of one gated metric. */
export interface MetricVerdict {
  metric: string;
  verdict: Verdict;
}

/**
 * The overall verdict of a comparison gated on several metrics: with one metric the same as
 * {@link combineComparison} (a "time" part); with more, one part of kind "metric" per metric (a REGRESSION
 * in any is a REGRESSION), then the instruction verdict when it joins.
 */
export function combineMetricComparison(
  scope: ComparisonScope,
  metrics: readonly MetricVerdict[],
  mode: Mode,
): Combined {
  const [only] = metrics;
  if (metrics.length <= 1) return combineComparison(scope, only?.verdict ?? null, mode);
  const parts: VerdictPart[] = metrics.map((m) => ({
    kind: "metric",
    mode,
    verdict: m.verdict,
    metric: m.metric,
  }));
  if (scope.countsJoin && scope.counts)
    parts.push({ kind: "instructions", mode, verdict: scope.counts.verdict });
  return combineVerdicts(parts);
}
