/**
 * The gate of imported results (src/import/): each baseline test against its candidate test (matched by
 * name and the tool's own settings, src/import/match.ts), on one metric. Pure.
 *
 * With samples on both sides (repetitions, rounds, requests) the gate's statistics apply unchanged
 * ({@link analyze}: medians, robust CVs, the seeded bootstrap interval of the ratio, Mann-Whitney) and the
 * stored-baseline gate's rows for them (src/gate/decision-table.ts): a clean capture decides alone, otherwise
 * a second capture (a second `--candidate`) is needed, and a REGRESSION needs capture 1, capture 2 and the
 * pooled samples each to show it. The machine-load and drift rows do not apply: the files do not record them.
 *
 * With a summary only (a side without samples) the specification's rule applies, and the report says no
 * interval could be computed: PASS when the drop is below T; INCONCLUSIVE when one capture drops by T or
 * more; REGRESSION when a second capture confirms it. No confidence is claimed.
 */
import {
  GATE_METRIC_NAMES,
  type GateConfig,
  type GateMetricName,
  thresholdOf,
} from "../config/gate-config.js";
import { compareKeys, type KeyComparison, matchTests } from "../import/match.js";
import type { Direction, ImportedMetric, ImportedResult } from "../import/types.js";
import { type Analysis, analyze } from "./analysis.js";
import { combineVerdicts } from "./combine.js";
import { VERDICT_EXIT, type Verdict } from "./verdict-exit.js";

/** Why an imported test got its verdict (the words are src/report/imported-text.ts). */
export type ImportedReason =
  | "not_comparable"
  | "metric_missing"
  | "no_direction"
  | "summary_kinds_differ"
  | "too_few_samples"
  | "capture_1_pass"
  | "capture_1_regression"
  | "capture_1_not_significant"
  | "no_second_capture"
  | "second_capture_missing_test"
  | "two_captures_regression"
  | "pooled_pass"
  | "not_shown_by_each"
  | "summary_pass"
  | "summary_one_capture"
  | "summary_confirmed"
  | "summary_not_confirmed";

/**
 * What a side gives when summaries are compared: "samples" (compared by their mean, as {@link bySummary} takes
 * the metric's value), else the kind of its summary figure.
 */
export type SummaryKind = "samples" | ImportedMetric["value_kind"];

function summaryKind(m: ImportedMetric): SummaryKind {
  return m.samples ? "samples" : m.value_kind;
}

/** The figure a side's kind puts into a summary comparison: samples are compared by their mean. */
function comparedKind(k: SummaryKind): ImportedMetric["value_kind"] {
  return k === "samples" ? "mean" : k;
}

/** The gate of one test on one metric. */
export interface ImportedGate {
  test: string;
  format: string;
  metric: string;
  unit: string;
  direction: Direction | null;
  /** the largest tolerated worsening, a fraction */
  threshold: number;
  baseline_source: string;
  candidate_sources: string[];
  verdict: Verdict;
  reason: ImportedReason;
  /** "samples": the gate's statistics; "summary": the specification's rule, no interval */
  method: "samples" | "summary";
  /** false whenever the verdict rests on summaries: no interval, no p-value, no confidence */
  interval_computed: boolean;
  key: KeyComparison;
  /** the tool versions of both sides where they differ (compared anyway: "establish a new baseline") */
  versions: { baseline: string | null; candidate: string | null } | null;
  /** capture 1, then capture 2 and pooled where reached (samples only) */
  analyses: Analysis[];
  /** the summary figures and each capture's drop (summary only) */
  summary: { value_kind: string; baseline: number; candidates: number[]; drops: number[] } | null;
  /** reason summary_kinds_differ only: what each side gives (the baseline, then each candidate capture) */
  summary_kinds?: { baseline: SummaryKind; candidates: SummaryKind[] };
}

/** Every test's gate, the tests left unmatched, and the overall verdict. */
export interface ImportedComparison {
  gates: ImportedGate[];
  unmatched_baseline: string[];
  unmatched_candidate: string[];
  verdict: Verdict;
  exit_code: number;
}

/** What {@link gateImported} compares. */
export interface ImportedGateInput {
  baseline: readonly ImportedResult[];
  candidate: readonly ImportedResult[];
  /** a second capture of the candidate (a second `--candidate`), when given */
  second?: readonly ImportedResult[];
  config: GateConfig;
  /** the metric to gate; default: each pair's first metric both sides carry */
  metric?: string;
  /** direction of a metric whose format does not give one */
  direction?: Direction;
}

function thresholdFor(config: GateConfig, name: string, mode: "generation" | "embedding"): number {
  const own = (GATE_METRIC_NAMES as readonly string[]).includes(name)
    ? config.metrics[name as GateMetricName]
    : undefined;
  return own?.threshold ?? thresholdOf(config, mode);
}

/** The worsening of `c` against `b`, a fraction: 1 - c/b for a rate, 1 - b/c for a latency. */
export function summaryDrop(b: number, c: number, direction: Direction): number {
  return direction === "higher" ? 1 - c / b : 1 - b / c;
}

type Decided = Pick<
  ImportedGate,
  "verdict" | "reason" | "method" | "interval_computed" | "analyses" | "summary"
>;

function bySummary(b: ImportedMetric, cs: ImportedMetric[], direction: Direction, t: number): Decided {
  const drops = cs.map((c) => summaryDrop(b.value, c.value, direction));
  const summary = { value_kind: b.value_kind, baseline: b.value, candidates: cs.map((c) => c.value), drops };
  const base = { method: "summary" as const, interval_computed: false, analyses: [], summary };
  const [d1, d2] = drops as [number, number | undefined];
  if (d1 < t) return { ...base, verdict: "PASS", reason: "summary_pass" };
  if (d2 === undefined) return { ...base, verdict: "INCONCLUSIVE", reason: "summary_one_capture" };
  if (d2 >= t) return { ...base, verdict: "REGRESSION", reason: "summary_confirmed" };
  return { ...base, verdict: "INCONCLUSIVE", reason: "summary_not_confirmed" };
}

function bySamples(
  b: number[],
  cs: number[][],
  mode: "generation" | "embedding",
  config: GateConfig,
  spec: { name: GateMetricName; direction: Direction; threshold: number },
): Decided {
  const base = { method: "samples" as const, interval_computed: true, summary: null };
  const c1 = cs[0] as number[];
  if (b.length < config.min_rounds || c1.length < config.min_rounds)
    return {
      ...base,
      verdict: "INCONCLUSIVE",
      reason: "too_few_samples",
      analyses: [],
      interval_computed: false,
    };
  const a1 = analyze("capture 1", b, c1, mode, config, spec);
  const clean = !a1.noisy && !a1.straddles;
  if (a1.clearly_below_threshold)
    return { ...base, verdict: "PASS", reason: "capture_1_pass", analyses: [a1] };
  if (clean && a1.shows_regression)
    return { ...base, verdict: "REGRESSION", reason: "capture_1_regression", analyses: [a1] };
  if (clean) return { ...base, verdict: "INCONCLUSIVE", reason: "capture_1_not_significant", analyses: [a1] };
  const c2 = cs[1];
  if (!c2) return { ...base, verdict: "INCONCLUSIVE", reason: "no_second_capture", analyses: [a1] };
  const a2 = analyze("capture 2", b, c2, mode, config, spec);
  const pooled = analyze("pooled", b, [...c1, ...c2], mode, config, spec);
  const analyses = [a1, a2, pooled];
  if (a1.shows_regression && a2.shows_regression && pooled.shows_regression)
    return { ...base, verdict: "REGRESSION", reason: "two_captures_regression", analyses };
  if (pooled.clearly_below_threshold) return { ...base, verdict: "PASS", reason: "pooled_pass", analyses };
  return { ...base, verdict: "INCONCLUSIVE", reason: "not_shown_by_each", analyses };
}

/** Gates one matched pair (with the second capture's test of the same name and settings, where given). */
function gatePair(
  b: ImportedResult,
  c: ImportedResult,
  key: KeyComparison,
  second: ImportedResult | null | undefined,
  input: ImportedGateInput,
): ImportedGate {
  const name =
    input.metric ??
    b.metrics.find((m) => c.metrics.some((x) => x.name === m.name))?.name ??
    b.metrics[0]?.name ??
    "";
  const bm = b.metrics.find((m) => m.name === name);
  const cm = c.metrics.find((m) => m.name === name);
  const sm = second?.metrics.find((m) => m.name === name);
  const direction = bm?.direction ?? cm?.direction ?? input.direction ?? null;
  const threshold = thresholdFor(input.config, name, b.mode);
  const versions =
    b.tool_version !== c.tool_version ? { baseline: b.tool_version, candidate: c.tool_version } : null;
  const sources = [c.source, ...(second ? [second.source] : [])];
  const head = {
    test: b.test,
    format: b.format,
    metric: name,
    unit: bm?.unit ?? cm?.unit ?? "",
    direction,
    threshold,
    baseline_source: b.source,
    candidate_sources: sources,
    key,
    versions,
  };
  const stop = (verdict: Verdict, reason: ImportedReason): ImportedGate => ({
    ...head,
    verdict,
    reason,
    method: "summary",
    interval_computed: false,
    analyses: [],
    summary: null,
  });
  if (key.differences.length > 0) return stop("INCOMPARABLE", "not_comparable");
  if (!bm || !cm || (second && !sm)) return stop("INCOMPARABLE", "metric_missing");
  if (direction === null) return stop("INCOMPARABLE", "no_direction");
  if (second === null) return stop("INCOMPARABLE", "second_capture_missing_test");
  const candidates = [cm, ...(sm ? [sm] : [])];
  let decided: Decided;
  if (bm.samples && candidates.every((m) => m.samples)) {
    const spec = { name: name as GateMetricName, direction, threshold };
    decided = bySamples(
      bm.samples,
      candidates.map((m) => m.samples as number[]),
      b.mode,
      input.config,
      spec,
    );
  } else if (candidates.some((m) => comparedKind(summaryKind(m)) !== comparedKind(summaryKind(bm)))) {
    const summary_kinds = { baseline: summaryKind(bm), candidates: candidates.map(summaryKind) };
    return { ...stop("INCOMPARABLE", "summary_kinds_differ"), summary_kinds };
  } else decided = bySummary(bm, candidates, direction, threshold);
  return { ...head, ...decided };
}

/**
 * Gates every test of the baseline file that has a candidate test; lists the tests left unmatched.
 * The overall verdict joins the tests' verdicts (src/gate/combine.ts); a baseline test the candidate lacks
 * makes a PASS INCONCLUSIVE, and nothing matched at all is INCOMPARABLE.
 */
export function gateImported(input: ImportedGateInput): ImportedComparison {
  const m = matchTests(input.baseline, input.candidate);
  const gates = m.pairs.map(({ baseline, candidate, key }) => {
    let second: ImportedResult | null | undefined;
    if (input.second)
      second =
        input.second.find(
          (s) => s.test === candidate.test && compareKeys(candidate.key, s.key).differences.length === 0,
        ) ?? null;
    return gatePair(baseline, candidate, key, second, input);
  });
  const parts = gates.map((g) => ({
    kind: "metric" as const,
    mode: "generation" as const,
    verdict: g.verdict,
    metric: g.metric,
  }));
  let verdict = combineVerdicts(parts).verdict;
  if (gates.length === 0) verdict = "INCOMPARABLE";
  else if (verdict === "PASS" && m.unmatched_baseline.length > 0) verdict = "INCONCLUSIVE";
  return {
    gates,
    unmatched_baseline: m.unmatched_baseline,
    unmatched_candidate: m.unmatched_candidate,
    verdict,
    exit_code: VERDICT_EXIT[verdict],
  };
}
