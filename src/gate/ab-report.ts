/**
 * The report of an interleaved A/B run (`perf-baseline ab`): the verdict, its reasons and fixes, every block
 * and the paired analysis, in the gate's evidence style. Pure; JSON-serialisable. Its text form is
 * src/report/ab-text.ts.
 */
import type { GateConfig } from "../config/gate-config.js";
import type { Mode } from "../workload/workload.js";
import { checkComparability, type FieldDifference } from "./comparability.js";
import type { AbBlock, AbBudget, AbOutcome, PairedAnalysis } from "./paired.js";
import { type AbReason, type Coded, coded, pairedFiguresOf, pairedText } from "./reasons.js";
import { VERDICT_EXIT, type Verdict } from "./verdict-exit.js";

/** The A/B report. */
export interface AbReport {
  kind: "ab";
  verdict: Exclude<Verdict, "INCOMPARABLE">;
  exit_code: number;
  mode: Mode;
  /** the per-round figure decided on (`ab --metric`; default the mode's) */
  metric: string;
  /** T, a fraction */
  threshold: number;
  alpha: number;
  /** each side as given (the engine specification) and as run (engine and setting summary) */
  sides: { a: string; b: string };
  /** what differs between the sides' results (model, settings, engine versions, ...) */
  differences: FieldDifference[];
  /** one line each: why this verdict */
  reasons: string[];
  /** how to get a decision when INCONCLUSIVE */
  fixes: string[];
  blocks: AbBlock[];
  /** the analysis at each decision point; the last decided */
  analyses: PairedAnalysis[];
  budget: AbBudget & { elapsed_s: number; stopped_by: AbOutcome["stopped_by"] };
  /** blocks where one side's run was busier than the other's (contention.ts); both sides alternate, so
   * contention is noise the pairing spreads over both, not a bias */
  busier_blocks: { a: number; b: number };
  output: { a_digest: string | null; b_digest: string | null; changed: boolean };
  /** `reasons` as codes (src/gate/reasons.ts), in the same order */
  coded_reasons: Coded<AbReason>[];
  /** `fixes` as codes, in the same order */
  coded_fixes: Coded<AbReason>[];
}

/** One paired analysis in a line: blocks, B/A ratio, drop, CI and p (a reason line's evidence, the text report's rows). */
export function describePaired(a: PairedAnalysis): string {
  return pairedText(pairedFiguresOf(a));
}

/** Why the run gave its verdict, and the fix when it could not decide. */
function abReasons(
  outcome: AbOutcome,
  last: PairedAnalysis,
  t: number,
  alpha: number,
  commands: boolean,
): { reasons: AbReason[]; fixes: AbReason[] } {
  const paired = pairedFiguresOf(last);
  if (outcome.verdict === "REGRESSION")
    return { reasons: [{ code: "ab_regression", paired, threshold: t, alpha }], fixes: [] };
  if (outcome.verdict === "PASS") return { reasons: [{ code: "ab_pass", paired, threshold: t }], fixes: [] };
  return {
    reasons: [{ code: "ab_undecided", paired, threshold: t, alpha, stopped_by: outcome.stopped_by }],
    fixes: [{ code: "ab_raise_budget", sd_log_ratio: last.sd_log_ratio, ...(commands ? { commands } : {}) }],
  };
}

/**
 * Builds the report of a finished A/B run.
 * @param commands the sides are commands (src/cli/ab-commands.ts): the fix names their own repetitions, not --rounds.
 */
export function abReport(
  outcome: AbOutcome,
  mode: Mode,
  config: GateConfig,
  sides: { a: string; b: string },
  commands = false,
): AbReport {
  const last = outcome.analyses[outcome.analyses.length - 1] as PairedAnalysis;
  // the decided metric's threshold (the configuration's metrics entry, else the mode's)
  const t = last.threshold;
  const found = abReasons(outcome, last, t, config.alpha, commands);
  const reasons = found.reasons.map(coded);
  const fixes = found.fixes.map(coded);
  const first = outcome.first;
  const diff = first ? checkComparability(first.a, first.b) : null;
  const differences = diff ? [...diff.blocking, ...diff.versions] : [];
  const aDigest = first?.a.output.digest ?? null;
  const bDigest = first?.b.output.digest ?? null;
  return {
    kind: "ab",
    verdict: outcome.verdict,
    exit_code: VERDICT_EXIT[outcome.verdict],
    mode,
    metric: last.metric,
    threshold: t,
    alpha: config.alpha,
    sides,
    differences,
    reasons: reasons.map((r) => r.text),
    fixes: fixes.map((f) => f.text),
    blocks: outcome.blocks,
    analyses: outcome.analyses,
    budget: {
      ...outcome.budget,
      elapsed_s: outcome.elapsed_s,
      stopped_by: outcome.stopped_by,
    },
    busier_blocks: {
      a: outcome.blocks.filter((b) => b.busier === "a").length,
      b: outcome.blocks.filter((b) => b.busier === "b").length,
    },
    output: {
      a_digest: aDigest,
      b_digest: bDigest,
      changed: aDigest !== null && bDigest !== null && aDigest !== bDigest,
    },
    coded_reasons: reasons,
    coded_fixes: fixes,
  };
}
