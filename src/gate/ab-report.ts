/**
 * The report of an interleaved A/B run (`perf-baseline ab`): the verdict, its reasons and fixes, every block
 * and the paired analysis, in the gate's evidence style. Pure; JSON-serialisable.
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

function describe(a: PairedAnalysis): string {
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
    reasons.push(`${describe(last)}: drop >= ${pct(t)}, p < ${config.alpha} and CI below 1`);
  else if (outcome.verdict === "PASS")
    reasons.push(`${describe(last)}: the interval excludes a drop of ${pct(t)}`);
  else {
    const why =
      last.drop >= t
        ? `a drop of ${pct(t)} or more, but not significant (p >= ${config.alpha} or CI reaching 1)`
        : `the interval reaches below 1 - T = ${(1 - t).toFixed(3)}`;
    reasons.push(
      `${describe(last)}: ${why}; stopped at ${outcome.stopped_by === "max_blocks" ? "--max-blocks" : "--max-seconds"}`,
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

/** The report as text for a terminal or a CI log (also the Markdown report's body, fenced). */
export function renderAbText(r: AbReport): string {
  const out: string[] = [];
  out.push(
    `${r.mode} A/B: ${r.metric} per round, block medians, threshold ${pct(r.threshold)} drop, alpha ${r.alpha}`,
  );
  out.push(`A: ${r.sides.a}`);
  out.push(`B: ${r.sides.b}`);
  for (const d of r.differences) out.push(`  differs: ${d.field}: ${d.baseline} (A) vs ${d.candidate} (B)`);
  out.push("");
  out.push("  block  order  A median    B median    B/A");
  for (const b of r.blocks) {
    const busy = b.busier ? `  (${b.busier.toUpperCase()} busier)` : "";
    out.push(
      `  ${String(b.index + 1).padStart(5)}  ${b.order}     ${b.a_median.toPrecision(5).padEnd(10)}  ${b.b_median.toPrecision(5).padEnd(10)}  ${Math.exp(b.log_ratio).toFixed(3)}${busy}`,
    );
  }
  out.push("");
  for (const a of r.analyses) out.push(`  ${describe(a)}`);
  out.push(
    `  ${r.blocks.length} blocks in ${r.budget.elapsed_s.toFixed(0)} s (budget ${r.budget.max_blocks} blocks, ${r.budget.max_seconds} s); busier side: A in ${r.busier_blocks.a}, B in ${r.busier_blocks.b} blocks`,
  );
  if (r.output.changed)
    out.push(
      `  output digest differs: B computed other ${r.mode === "generation" ? "token ids" : "embedding values"} than A`,
    );
  out.push("");
  out.push(`${r.verdict}: ${r.reasons.join("; ")}`);
  for (const f of r.fixes) out.push(`fix: ${f}`);
  out.push(`exit code ${r.exit_code}`);
  return `${out.join("\n")}\n`;
}
