/**
 * Every reason, fix and finding the gates give, as data: `{code, ...fields}`. The text a user reads is
 * rendered here, in one place ({@link reasonText}), from the fields alone; reports carry both the text (the
 * `reasons`/`fixes` lines, unchanged) and the coded objects `{code, ...fields, text}` ({@link coded}), so
 * scripts read codes, never prose. Pure.
 *
 * Families: the stored-baseline gate's decisions (src/gate/decision-table.ts), why it needs a second capture,
 * its fixes, contention (src/gate/contention.ts), staleness (src/gate/staleness.ts), the output check, the
 * instruction gate (src/gate/instructions.ts), why an instruction verdict was skipped, and the A/B analysis
 * (src/gate/ab-report.ts).
 */
import { pct } from "../util/format.js";
import { describeDifferences, type FieldDifference } from "./comparability.js";

/** The figures of one analysis a reason line quotes: "capture 1: ratio 0.870 (drop 13.0 %), CI [...], p ...". */
export interface Figures {
  /** "capture 1", "capture 2" or "pooled" */
  analysis: string;
  ratio: number;
  drop: number;
  ci_low: number;
  ci_high: number;
  p_value: number;
}

/** An analysis as src/gate/analysis.ts gives it (the fields the figures need). */
export interface AnalysisLike {
  label: string;
  ratio: number;
  drop: number;
  ci: { low: number; high: number };
  p_value: number;
}

/** The figures a reason quotes from an analysis. */
export function figuresOf(a: AnalysisLike): Figures {
  return {
    analysis: a.label,
    ratio: a.ratio,
    drop: a.drop,
    ci_low: a.ci.low,
    ci_high: a.ci.high,
    p_value: a.p_value,
  };
}

/** A paired (A/B) analysis as src/gate/paired.ts gives it (the fields its line needs). */
export interface PairedLike {
  blocks: number;
  ratio: number;
  drop: number;
  ci: { low: number; high: number };
  p_value: number;
}

/** The figures a reason quotes from a paired analysis. */
export interface PairedFigures {
  blocks: number;
  ratio: number;
  drop: number;
  ci_low: number;
  ci_high: number;
  p_value: number;
}

/** The figures of a paired analysis. */
export function pairedFiguresOf(a: PairedLike): PairedFigures {
  return {
    blocks: a.blocks,
    ratio: a.ratio,
    drop: a.drop,
    ci_low: a.ci.low,
    ci_high: a.ci.high,
    p_value: a.p_value,
  };
}

/** Where one side ran busier than the other (src/gate/contention.ts), before its line is rendered. */
export type ContentionFinding =
  /** serving results: other processes used more cores than during the other side */
  | {
      code: "busier_serving";
      label: string;
      other_label: string;
      other_cores: number;
      extra_cores: number;
      quieter_other_cores: number;
    }
  /** local results: other processes used more cores than during the other side */
  | {
      code: "busier_other_cores";
      label: string;
      other_label: string;
      other_cores: number;
      extra_cores: number;
      quieter_other_cores: number;
      logical_cores: number;
    }
  /** local results: other processes were busy and this process got a smaller CPU share */
  | {
      code: "busier_share";
      label: string;
      other_label: string;
      other_cores: number;
      process_cores: number;
      share_drop: number;
      quieter_process_cores: number;
    };

/** One side found busier than the other: the finding, its line and the drop it can account for. */
export type Contention = ContentionFinding & {
  /** one line: what was measured, e.g. "other processes used 1.40 CPU cores during capture 1 and ..." */
  text: string;
  /** the largest throughput drop (a fraction, 0..1) the extra load can account for */
  hideable_drop: number;
};

/** Why a baseline is stale, or what could not be checked (src/gate/staleness.ts). */
export type StaleFinding =
  | { code: "version_changed"; field: string; baseline: string; candidate: string }
  | { code: "path_changed"; group: "core" | "tokenizer"; commit: string; paths: string[] }
  | { code: "paths_not_checked_files_only" }
  /** `why`: the reason git gave when the baseline was captured (its `git_unavailable` warning), if recorded */
  | { code: "paths_not_checked_no_commit"; why?: string }
  | { code: "paths_not_checked_unknown_commit"; group: "core" | "tokenizer"; commit: string }
  /** git cannot read this repository (dubious ownership, not a repository, git missing): git's reason */
  | { code: "paths_not_checked_git_unavailable"; reason: string };

/** Why one capture cannot decide: each calls for a second capture. */
export type SecondCaptureWhy =
  | { code: "candidate_noisy"; robust_cv: number; noisy_cv: number }
  | { code: "baseline_noisy"; robust_cv: number; noisy_cv: number }
  | { code: "baseline_captures_differ"; spread: number; noisy_cv: number }
  | { code: "ci_straddles"; ci_low: number; ci_high: number; threshold: number }
  | { code: "capture_busier"; contention: Contention }
  | WithinDrift;

/** The drop lies within the drift between captures (src/gate/drift.ts). */
export interface WithinDrift {
  code: "within_drift";
  baseline_medians: number[];
  candidate_medians: number[];
  p_value: number;
  drift_alpha: number;
}

/** Why the stored-baseline gate gave its verdict: one per row of src/gate/decision-table.ts. */
export type GateReason =
  | { code: "not_comparable"; differences: FieldDifference[] }
  | { code: "baseline_stale"; stale_reasons: string[] }
  | { code: "too_few_rounds"; side: "baseline" | "candidate"; rounds: number; min_rounds: number }
  | { code: "busier_baseline_may_hide_drop"; figures: Figures; threshold: number; contention: Contention }
  | { code: "drop_below_threshold"; figures: Figures; threshold: number; noisy: boolean }
  | { code: "regression"; figures: Figures; threshold: number }
  | { code: "not_significant"; figures: Figures; alpha: number }
  | {
      code: "one_capture_cannot_decide";
      figures: Figures;
      kind: "noisy" | "contended" | null;
      why: SecondCaptureWhy[];
    }
  | { code: "second_capture_not_comparable"; differences: FieldDifference[] }
  | { code: "drop_may_be_contention"; threshold: number; contention: Contention[] }
  /** a serving side's client was the bottleneck (src/gate/client-saturation.ts): no verdict on the server */
  | { code: "client_saturated"; figures: Figures; saturated: ClientSaturatedSide[] }
  | { code: "drop_within_drift"; threshold: number; drift: WithinDrift }
  | { code: "regression_each_capture"; figures: Figures[] }
  | { code: "pooled_excludes_drop"; figures: Figures; threshold: number }
  | { code: "pooled_too_noisy"; figures: Figures; threshold: number }
  | { code: "pooled_not_significant"; figures: Figures; threshold: number; failing: string[] }
  /** not a decision: a partial result gated with --allow-incomplete (src/gate/completeness.ts) */
  | { code: "partial_result"; source: string; rounds: number }
  /** the goodput_share gate's decision (src/gate/goodput.ts): shares, drop an absolute fraction */
  | {
      code: "goodput_share";
      baseline_share: number;
      candidate_share: number;
      /** settled requests of the baseline and the candidate */
      requests: [number, number];
      drop: number;
      p_value: number;
      threshold: number;
      alpha: number;
      verdict: "PASS" | "REGRESSION" | "INCONCLUSIVE" | "INCOMPARABLE";
    };

/** How to get a decidable measurement (a fix that recaptures the baseline names the command: {@link Recapture}). */
export type GateFix = (
  | { code: "recapture_baseline_rounds"; min_rounds: number }
  | { code: "raise_candidate_rounds"; rounds: number }
  | { code: "recapture_baseline_quiet" }
  | { code: "give_second_capture" }
  | { code: "quiet_machine_for_drift" }
  | { code: "recapture_baseline_spread"; spread: number; noisy_cv: number }
  | { code: "recapture_baseline_busy"; other_cores: number }
  | { code: "quiet_candidate"; robust_cvs: number[]; noisy_cv: number; can_capture_again: boolean }
  | { code: "recapture_noisy_baseline"; robust_cv: number; noisy_cv: number }
  | { code: "quiet_machine_capture"; contention: Contention }
  | { code: "recapture_stale_baseline"; stale_reasons: string[] }
  | { code: "unload_client" }
) &
  Recapture;

/** A serving side whose client was saturated: its label and each figure past its limit, as text. */
export interface ClientSaturatedSide {
  label: string;
  evidence: string[];
}

// --- how a baseline is recaptured (the first run: advice that matches how the baseline was made)

/**
 * The command a fix that recaptures the baseline suggests: absent, `make baseline` (the committed baselines);
 * for a baseline written with `perf-baseline baseline --dir X`, the command that wrote it, so that following
 * the advice never overwrites the committed baselines; for a file given to `compare`, the command that wrote
 * that file ({@link recaptureCommand}).
 */
export interface Recapture {
  recapture?: string;
}

/** The default recapture command: the committed baselines, with the Makefile's settings. */
export const MAKE_BASELINE = "make baseline";

/**
 * The command that recaptures a baseline as it was made, from its recorded `invocation.command`: the
 * `perf-baseline baseline ... --dir X` command that wrote it; for a baseline file given to `compare` (`file`),
 * "capture FILE again: COMMAND" with the command that wrote it ("capture FILE again" when it records none); else undefined ({@link MAKE_BASELINE}).
 */
export function recaptureCommand(invocationCommand: string | undefined, file?: string): string | undefined {
  const dir = dirBaselineCommand(invocationCommand);
  if (dir !== undefined || file === undefined) return dir;
  return invocationCommand === undefined
    ? `capture ${file} again`
    : `capture ${file} again: ${invocationCommand}`;
}

/** The `perf-baseline baseline ... --dir X` command a baseline records, else undefined. */
function dirBaselineCommand(invocationCommand: string | undefined): string | undefined {
  if (invocationCommand === undefined) return undefined;
  const words = invocationCommand.split(/\s+/);
  const at = words.indexOf("baseline");
  if (at < 0 || at > 2 || !words.some((w) => w === "--dir" || w.startsWith("--dir="))) return undefined;
  return `perf-baseline ${words.slice(at).join(" ")}`;
}

const recaptureOf = (r: Recapture) => r.recapture ?? MAKE_BASELINE;

/** A candidate computed other tokens or embeddings than the baseline. */
export interface OutputChanged {
  code: "output_changed";
  mode: "generation" | "embedding";
  baseline_digest: string;
  /** the first candidate digest that differs (null when that capture records none) */
  candidate_digest: string | null;
}

/** The outputs were not compared: a capture ran another workload than the baseline (INCOMPARABLE already). */
export interface OutputOtherWorkload {
  code: "output_other_workload";
}

/** The unit of instruction counts. */
export type CountUnit = "output_token" | "embedding_call";

/** Why the instruction gate gave its verdict, and its evidence lines. */
export type InstructionReason =
  | { code: "counts_not_comparable"; differences: FieldDifference[] }
  | {
      code: "instruction_counts";
      unit: CountUnit;
      baseline_per_unit: number;
      candidate_per_unit: number;
      change: number;
      threshold: number;
    }
  | {
      code: "grew_most";
      unit: CountUnit;
      name: string;
      baseline_per_unit: number;
      candidate_per_unit: number;
      change: number;
    }
  | { code: "no_function_grew" }
  | { code: "machines_differ" }
  | { code: "counts_missing"; side: "baseline" | "candidate" };

/** Why check-release has no instruction verdict for a mode. */
export type CountsSkip =
  | { code: "skipped_baseline_uncounted" }
  | { code: "skipped_platform"; problem: string }
  | { code: "skipped_no_valgrind" }
  | { code: "skipped_capture_uncounted" };

/** Why the A/B analysis gave its verdict, and its fix. */
export type AbReason =
  | { code: "ab_regression"; paired: PairedFigures; threshold: number; alpha: number }
  | { code: "ab_pass"; paired: PairedFigures; threshold: number }
  | {
      code: "ab_undecided";
      paired: PairedFigures;
      threshold: number;
      alpha: number;
      stopped_by: "decided" | "max_blocks" | "max_seconds";
    }
  | {
      code: "ab_raise_budget";
      sd_log_ratio: number;
      /** the sides are commands (`ab --a-cmd/--b-cmd`, `--against`): their rounds are set inside each command */
      commands?: boolean;
    };

/** Every coded reason, fix and finding. */
export type Reason =
  | GateReason
  | GateFix
  | SecondCaptureWhy
  | ContentionFinding
  | StaleFinding
  | OutputChanged
  | OutputOtherWorkload
  | InstructionReason
  | CountsSkip
  | AbReason;

/** Every code. */
export type ReasonCode = Reason["code"];

/** A reason as reports carry it: its code, its fields and its text. */
export type Coded<R extends Reason = Reason> = R & { text: string };

type TextOf = { [C in ReasonCode]: (r: Extract<Reason, { code: C }>) => string };

const f3 = (x: number) => x.toFixed(3);

/** "capture 1: ratio 0.870 (drop 13.0 %), CI [0.850, 0.890], p 0.0010" */
export function figuresText(a: Figures): string {
  return `${a.analysis}: ratio ${f3(a.ratio)} (drop ${pct(a.drop)}), CI [${f3(a.ci_low)}, ${f3(a.ci_high)}], p ${a.p_value.toPrecision(2)}`;
}

/** "8 blocks: B/A ratio 0.870 (drop 13.0 %), CI [...], signed-rank p 0.0039" */
export function pairedText(a: PairedFigures): string {
  return `${a.blocks} blocks: B/A ratio ${f3(a.ratio)} (drop ${pct(a.drop)}), CI [${f3(a.ci_low)}, ${f3(a.ci_high)}], signed-rank p ${a.p_value.toPrecision(2)}`;
}

/** '"complete": false: its run was interrupted; 3 rounds measured' */
export function incompleteText(rounds: number): string {
  return `"complete": false: its run was interrupted; ${rounds} rounds measured`;
}

const UNIT_TEXT: Record<CountUnit, string> = {
  output_token: "output token",
  embedding_call: "embedding call",
};

const count = (x: number) => Math.round(x).toLocaleString("en-US");

const medians = (xs: readonly number[]) => xs.map((m) => m.toPrecision(4)).join(", ");

/** The text of every code: the one place a reason's words live. */
const TEXT: TextOf = {
  // the stored-baseline gate's decisions
  not_comparable: (r) => `not comparable: ${describeDifferences(r.differences)}`,
  baseline_stale: (r) => `baseline stale: recapture: ${r.stale_reasons.join("; ")}`,
  too_few_rounds: (r) => `the ${r.side} has ${r.rounds} rounds, fewer than ${r.min_rounds}`,
  busier_baseline_may_hide_drop: (r) =>
    `${figuresText(r.figures)}: the drop is below ${pct(r.threshold)}, but the baseline was captured under more load than the candidate (${r.contention.text}): it may hide a drop of up to ${pct(r.contention.hideable_drop)}`,
  drop_below_threshold: (r) =>
    `${figuresText(r.figures)}: the drop is below ${pct(r.threshold)}${r.noisy ? " (noisy, but the interval already excludes a drop of T)" : ""}`,
  goodput_share: (r) =>
    `goodput share ${pct(r.baseline_share)} of ${r.requests[0]} -> ${pct(r.candidate_share)} of ${r.requests[1]} requests: drop ${(r.drop * 100).toFixed(1)} points (threshold ${(r.threshold * 100).toFixed(1)}), one-sided two-proportion p = ${r.p_value.toPrecision(2)} (alpha ${r.alpha})${r.verdict === "INCONCLUSIVE" ? ": not significant" : ""}`,
  regression: (r) => `${figuresText(r.figures)}: drop >= ${pct(r.threshold)}, p < alpha and CI below 1`,
  not_significant: (r) =>
    `${figuresText(r.figures)}: a drop of T or more, but not significant (p >= ${r.alpha})`,
  one_capture_cannot_decide: (r) =>
    `${figuresText(r.figures)}: one ${r.kind === null ? "" : `${r.kind} `}capture cannot decide (${r.why.map(reasonText).join("; ")}) and no second capture was given`,
  second_capture_not_comparable: (r) =>
    `second capture not comparable: ${describeDifferences(r.differences)}`,
  drop_may_be_contention: (r) =>
    `each capture shows a drop of ${pct(r.threshold)} or more, but the machine was busier than during the baseline (${r.contention.map((c) => c.text).join("; ")}): the drop may be contention, not the runtime`,
  client_saturated: (r) =>
    `${figuresText(r.figures)}: the client was the bottleneck during ${r.saturated.map((c) => `${c.label} (${c.evidence.join("; ")})`).join(" and ")}: its figures measure the client, not only the server, so no verdict is drawn from them`,
  drop_within_drift: (r) =>
    `each capture shows a drop of ${pct(r.threshold)} or more, but ${reasonText(r.drift)}`,
  regression_each_capture: (r) =>
    `each capture and the pooled samples show a regression: ${r.figures.map(figuresText).join("; ")}`,
  pooled_excludes_drop: (r) =>
    `${figuresText(r.figures)}: the pooled interval excludes a drop of ${pct(r.threshold)}`,
  pooled_too_noisy: (r) =>
    `${figuresText(r.figures)}: the pooled drop is below ${pct(r.threshold)}, but too noisy to exclude a drop of ${pct(r.threshold)}`,
  pooled_not_significant: (r) =>
    `${figuresText(r.figures)}: the pooled drop is ${pct(r.threshold)} or more, but ${r.failing.join(" and ")} ${r.failing.length > 1 ? "do" : "does"} not show a significant regression`,
  partial_result: (r) =>
    `${r.source} is a partial result (${incompleteText(r.rounds)}), gated because of --allow-incomplete`,
  // why a second capture is needed
  candidate_noisy: (r) => `candidate robust CV ${pct(r.robust_cv)} > ${pct(r.noisy_cv)}`,
  baseline_noisy: (r) => `baseline robust CV ${pct(r.robust_cv)} > ${pct(r.noisy_cv)}`,
  baseline_captures_differ: (r) =>
    `baseline captures differ by ${pct(r.spread)} > ${pct(r.noisy_cv)} (between-capture noise)`,
  ci_straddles: (r) => `CI [${f3(r.ci_low)}, ${f3(r.ci_high)}] straddles 1 - T = ${f3(1 - r.threshold)}`,
  capture_busier: (r) => r.contention.text,
  within_drift: (r) =>
    `the drop is within the drift between captures (capture medians ${medians(r.baseline_medians)} baseline, ${medians(r.candidate_medians)} candidate; capture-level p ${r.p_value.toPrecision(2)} >= ${r.drift_alpha})`,
  // fixes
  recapture_baseline_rounds: (r) =>
    `recapture the baseline with at least ${r.min_rounds} rounds (${recaptureOf(r)})`,
  raise_candidate_rounds: (r) => `run the candidate with --rounds ${r.rounds} or more`,
  recapture_baseline_quiet: (r) => `recapture the baseline on a quiet machine (${recaptureOf(r)})`,
  give_second_capture: () =>
    "a second capture is needed: run the gate without --candidate (it captures again itself), or give --candidate twice",
  quiet_machine_for_drift: () =>
    "captures of this machine drift apart by about the drop: run the gate (and capture the baseline) on a quiet machine",
  recapture_baseline_spread: (r) =>
    `${TEXT.baseline_captures_differ({ code: "baseline_captures_differ", spread: r.spread, noisy_cv: r.noisy_cv })}: recapture the baseline when the machine is quiet`,
  recapture_baseline_busy: (r) =>
    `other processes used ${r.other_cores.toFixed(2)} CPU cores while the baseline was captured: recapture it on a quiet machine (${recaptureOf(r)})`,
  quiet_candidate: (r) =>
    `candidate robust CV ${r.robust_cvs.map((cv) => pct(cv)).join(", ")} > ${pct(r.noisy_cv)}: raise --rounds or pin --threads, and stop other work on the machine${r.can_capture_again ? "" : " (or give a second capture)"}`,
  recapture_noisy_baseline: (r) =>
    `baseline robust CV ${pct(r.robust_cv)} > ${pct(r.noisy_cv)}: recapture the baseline on a quiet machine (${recaptureOf(r)})`,
  quiet_machine_capture: (r) => `${r.contention.text}: run the gate on a quiet machine`,
  unload_client: () =>
    "give the client room: lower --concurrency or --request-rate per client process, or spread the load over shards (--shard I/N, docs/serving.md), and keep other work off the client's machine",
  recapture_stale_baseline: (r) =>
    `baseline stale: recapture (${recaptureOf(r)}): ${r.stale_reasons.join("; ")}`,
  // contention
  busier_serving: (r) =>
    `other processes on this machine used ${r.other_cores.toFixed(2)} CPU cores during ${r.label}, ${r.extra_cores.toFixed(2)} more than during ${r.other_label} (${r.quieter_other_cores.toFixed(2)})`,
  busier_other_cores: (r) =>
    `other processes used ${r.other_cores.toFixed(2)} CPU cores during ${r.label}, ${r.extra_cores.toFixed(2)} more than during ${r.other_label} (${r.quieter_other_cores.toFixed(2)}; ${r.logical_cores} cores)`,
  busier_share: (r) =>
    `other processes used ${r.other_cores.toFixed(2)} CPU cores during ${r.label} and this process got ${r.process_cores.toFixed(2)} cores, ${pct(r.share_drop)} less than during ${r.other_label} (${r.quieter_process_cores.toFixed(2)})`,
  // staleness
  version_changed: (r) => `${r.field} ${r.baseline} -> ${r.candidate}`,
  path_changed: (r) =>
    `${r.group} path changed since baseline commit ${r.commit.slice(0, 12)}: ${listPaths(r.paths)}`,
  paths_not_checked_files_only: () => "core/tokenizer paths not checked (comparing files only)",
  paths_not_checked_no_commit: (r) =>
    `core/tokenizer paths not checked: the baseline records no git commit${r.why ? ` (git said: ${r.why})` : ""}`,
  paths_not_checked_unknown_commit: (r) =>
    `${r.group} paths not checked: commit ${r.commit.slice(0, 12)} is not in this repository (a shallow clone? fetch the full history)`,
  paths_not_checked_git_unavailable: (r) =>
    `core/tokenizer paths not checked: git cannot read this repository (${r.reason})`,
  // the output check
  output_changed: (r) =>
    `output digest differs from the baseline's: the runtime computed other ${r.mode === "generation" ? "token ids" : "embedding values"} (${r.baseline_digest.slice(0, 12)} -> ${r.candidate_digest?.slice(0, 12)})`,
  output_other_workload: () =>
    "output: not compared (the capture ran another workload than the baseline, so its output differs by design)",
  // the instruction gate
  counts_not_comparable: (r) =>
    `counts are not comparable: ${r.differences.map((d) => `${d.field} ${d.baseline} vs ${d.candidate}`).join("; ")} (recapture the baseline with --counter instructions)`,
  instruction_counts: (r) =>
    `instructions per ${UNIT_TEXT[r.unit]}: baseline ${count(r.baseline_per_unit)}, candidate ${count(r.candidate_per_unit)} (${r.change >= 0 ? "+" : ""}${pct(r.change, 3)}; threshold +${pct(r.threshold, 1)})`,
  grew_most: (r) =>
    `grew most: ${r.name} (self ${count(r.baseline_per_unit)} -> ${count(r.candidate_per_unit)} per ${UNIT_TEXT[r.unit]}, ${Number.isFinite(r.change) ? `+${pct(r.change, 2)}` : "new"})`,
  no_function_grew: () => "no counted function grew",
  machines_differ: () => "the machines differ (hardware fingerprint): recorded, not blocking for counts",
  counts_missing: (r) =>
    `the ${r.side} has no instruction counts: recapture it with --counter instructions (valgrind: apt-get install valgrind)`,
  // why check-release has no instruction verdict
  skipped_baseline_uncounted: () =>
    "the baseline has no instruction counts (recapture it with valgrind installed)",
  skipped_platform: (r) => r.problem,
  skipped_no_valgrind: () => "valgrind not found (apt-get install valgrind)",
  skipped_capture_uncounted: () => "the counted capture has no counts",
  // the A/B analysis
  ab_regression: (r) => `${pairedText(r.paired)}: drop >= ${pct(r.threshold)}, p < ${r.alpha} and CI below 1`,
  ab_pass: (r) => `${pairedText(r.paired)}: the interval excludes a drop of ${pct(r.threshold)}`,
  ab_undecided: (r) => {
    const why =
      r.paired.drop >= r.threshold
        ? `a drop of ${pct(r.threshold)} or more, but not significant (p >= ${r.alpha} or CI reaching 1)`
        : `the interval reaches below 1 - T = ${f3(1 - r.threshold)}`;
    return `${pairedText(r.paired)}: ${why}; stopped at ${r.stopped_by === "max_blocks" ? "--max-blocks" : "--max-seconds"}`;
  },
  ab_raise_budget: (r) =>
    `raise --max-blocks or --max-seconds (block log ratios spread by sd ${f3(r.sd_log_ratio)}), or ${r.commands ? "the repetitions each side's command runs" : "--rounds"}, and stop other work on the machine`,
};

const MAX_LISTED = 5;

function listPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, MAX_LISTED).join(", ");
  return paths.length > MAX_LISTED ? `${shown} and ${paths.length - MAX_LISTED} more` : shown;
}

/** The text a user reads for a reason, fix or finding. */
export function reasonText(r: Reason): string {
  return (TEXT[r.code] as (r: Reason) => string)(r);
}

/** A reason with its text, as reports carry it. */
export function coded<R extends Reason>(r: R): Coded<R> {
  return { ...r, text: reasonText(r) };
}
