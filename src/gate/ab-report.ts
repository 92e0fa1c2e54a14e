/**
 * The report of an interleaved A/B run (`perf-baseline ab`): the verdict, its reasons and fixes, every block
 * and the paired analysis, in the gate's evidence style. Pure; JSON-serialisable. Its text form is
 * src/report/ab-text.ts.
 */
import { type GateConfig, thresholdOf } from "../config/gate-config.js";
import { pct } from "../util/format.js";
import type { Mode } from "../workload/workload.js";
import type { GatedMetric } from "./analysis.js";
import { checkComparability, type FieldDifference } from "./comparability.js";
import type { AbBlock, AbBudget, AbOutcome, PairedAnalysis } from "./paired.js";
import { VERDICT_EXIT, type Verdict } from "./verdict.js";

/** The A/B report. */
export interface AbReport {
  kind: "ab";
  verdict: Exclude<Verdict, "INCOMPARABLE">;
  exit_code: number;
  mode: Mode;
  metric: GatedMetric;
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
}

/** One paired analysis in a line: blocks, B/A ratio, drop, CI and p (a reason line's evidence, the text report's rows). */
export function describePaired(a: PairedAnalysis): string {
  return `${a.blocks} blocks: B/A ratio ${a.ratio.toFixed(3)} (drop ${pct(a.drop)}), CI [${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}], signed-rank p ${a.p_value.toPrecision(2)}`;
}

/** Builds the report of a finished A/B run. */
export function abReport(
  outcome: AbOutcome,
  mode: Mode,
  config: GateConfig,
  sides: { a: string; b: string },
): AbReport {
  const last = outcome.analyses[outcome.analyses.length - 1] as PairedAnalysis;
  const t = thresholdOf(config, mode);
  const reasons: string[] = [];
  const fixes: string[] = [];
  if (outcome.verdict === "REGRESSION")
    reasons.push(`${describePaired(last)}: drop >= ${pct(t)}, p < ${config.alpha} and CI below 1`);
  else if (outcome.verdict === "PASS")
    reasons.push(`${describePaired(last)}: the interval excludes a drop of ${pct(t)}`);
  else {
    const why =
      last.drop >= t
        ? `a drop of ${pct(t)} or more, but not significant (p >= ${config.alpha} or CI reaching 1)`
        : `the interval reaches below 1 - T = ${(1 - t).toFixed(3)}`;
    reasons.push(
      `${describePaired(last)}: ${why}; stopped at ${outcome.stopped_by === "max_blocks" ? "--max-blocks" : "--max-seconds"}`,
    );
    fixes.push(
      `raise --max-blocks or --max-seconds (block log ratios spread by sd ${last.sd_log_ratio.toFixed(3)}), or --rounds, and stop other work on the machine`,
    );
  }
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
    reasons,
    fixes,
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
  };
}
