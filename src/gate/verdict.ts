/**
 * The regression gate: DESIGN.md's procedure with the seed's variance rule. Pure apart from the functions it
 * is handed (a "capture again" function and a git lookup); it never reads or writes files itself.
 *
 * 0. Comparable? (comparability.ts) Otherwise INCOMPARABLE, naming each differing field.
 * 1. Capture 1 against the baseline (analysis.ts): medians, robust CVs, ratio, bootstrap CI, p.
 * 2. Clean capture (no side noisy, CI not straddling 1 - T): REGRESSION when drop >= T, p < alpha and the CI's
 *    upper end < 1; PASS when the drop is below T.
 * 3. Noisy or straddling, and not clearly below T: capture again and decide on both captures and the pooled
 *    samples: REGRESSION only if each of the three shows it; PASS if the pooled interval lies above 1 - T
 *    (the pooled evidence shows a drop below T); otherwise INCONCLUSIVE. (A pooled point estimate below T is
 *    not enough: on a machine whose rounds spread by 70 % it let a real 25 % slowdown PASS; see
 *    notes/gate-accuracy.md.) Without a way to capture again (files only) such a capture is INCONCLUSIVE: never a
 *    REGRESSION from one noisy capture.
 *    A noisy capture whose interval lies wholly above 1 - T is a PASS without a second capture: the seed asks
 *    for a second capture "before declaring regression", and the interval already carries the noise.
 *    A busier machine is not a slower runtime: a contended capture (other processes busy and this process
 *    getting a smaller CPU share than during the baseline, from the results' machine_load) also calls for a
 *    second capture and never makes a REGRESSION (INCONCLUSIVE, "run the gate on a quiet machine").
 *    Captures drift on a shared machine while their rounds agree, so a REGRESSION also needs the capture
 *    medians to show the drop beyond the drift between captures (drift.ts, p < drift_alpha); a drop within
 *    the drift calls for a second capture, and with two captures it is INCONCLUSIVE.
 * 4. Beside the verdict: a changed output digest, a stale baseline (staleness.ts), and the fix for a noisy setup.
 */

import { type GateConfig, noisyCvOf, thresholdOf } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { median } from "../stats/index.js";
import { EXIT } from "../util/errors.js";
import { pct } from "../util/format.js";
import type { Mode } from "../workload/workload.js";
import { type Analysis, analyze, type GatedMetric, gatedMetric, metricSamples } from "./analysis.js";
import { type Comparability, checkComparability, describeDifferences } from "./comparability.js";
import { checkComplete } from "./completeness.js";
import { busierThan, type Contention, excludesDropDespite } from "./contention.js";
import { type DriftTest, driftTest } from "./drift.js";
import { type ChangedPathsFn, checkStaleness, type StaleReport } from "./staleness.js";

/** The four verdicts. */
export type Verdict = "PASS" | "REGRESSION" | "INCONCLUSIVE" | "INCOMPARABLE";

/** Exit code of each verdict (src/util/errors.ts EXIT). */
export const VERDICT_EXIT: Record<Verdict, number> = {
  PASS: EXIT.ok,
  REGRESSION: EXIT.regression,
  INCONCLUSIVE: EXIT.inconclusive,
  INCOMPARABLE: EXIT.incomparable,
};

/** What the gate is given. */
export interface GateInput {
  baseline: BenchmarkResult;
  candidate: BenchmarkResult;
  config: GateConfig;
  /** names for messages: the baseline file, the candidate file or "candidate run" */
  baselineSource: string;
  candidateSource: string;
  /** captures the candidate again with the same settings; absent when the gate works on files only */
  captureAgain?: () => Promise<BenchmarkResult>;
  /** git lookup for the rebaseline trigger; absent: the path check is reported as not done */
  changedPaths?: ChangedPathsFn;
  /** gate partial results ("complete": false) too (--allow-incomplete); by default they are refused */
  allowIncomplete?: boolean;
}

/** The verdict and all its evidence; JSON-serialisable (written to verdicts.json). */
export interface GateReport {
  verdict: Verdict;
  exit_code: number;
  mode: Mode;
  metric: GatedMetric;
  /** T, a fraction */
  threshold: number;
  alpha: number;
  /** robust CV above which a capture is noisy, a fraction */
  noisy_cv: number;
  baseline_source: string;
  candidate_sources: string[];
  /** one line each: why this verdict */
  reasons: string[];
  comparability: Comparability;
  stale: StaleReport;
  /** capture 1, and capture 2 and pooled when a second capture was taken */
  analyses: Analysis[];
  second_capture: { needed: boolean; taken: boolean; why: string[] };
  baseline_block: { captures: number; between_capture_spread: number | null };
  output: {
    baseline_digest: string | null;
    candidate_digests: Array<string | null>;
    /** true when a candidate computed other tokens or embeddings than the baseline */
    changed: boolean;
    note: string | null;
  };
  /** the capture-level test against the drift between captures (drift.ts); null when it cannot be computed */
  drift: DriftTest | null;
  /** CPU used by other processes (cores) during the baseline and each candidate capture, where recorded */
  machine_load: {
    baseline_other_cores: number | null;
    candidate_other_cores: Array<number | null>;
    /** the baseline ran busier than the candidate (contention.ts): it may hide a drop, so no PASS within it */
    baseline_busier?: Contention | null;
  };
  /** how to get a decidable measurement, e.g. "robust CV 14.0 % > 4.0 %: raise --rounds or pin --threads" */
  fixes: string[];
}

/** Mean CPU cores other processes used during a result's run, when it records them. */
function otherCores(r: BenchmarkResult): number | null {
  return r.machine_load?.other_cores ?? null;
}

/** The candidate capture ran busier than the baseline (contention.ts); its line, or null. */
function contention(baseline: BenchmarkResult, capture: BenchmarkResult, label: string, config: GateConfig) {
  return (
    busierThan(capture, baseline, label, "the baseline", config, thresholdOf(config, baseline.mode))?.text ??
    null
  );
}

/** The report plus the candidate captures the gate used (for the evidence folder). */
export interface GateOutcome {
  report: GateReport;
  captures: BenchmarkResult[];
}

/** The fix for each noisy side, once: the candidate's CVs of every capture, the baseline's. */
function noiseFixes(analyses: readonly Analysis[], noisyCv: number, canCaptureAgain: boolean): string[] {
  const fixes: string[] = [];
  const captures = analyses.filter((a) => a.label !== "pooled");
  const noisyCaptures = captures.filter((a) => a.candidate.robust_cv > noisyCv);
  if (noisyCaptures.length > 0) {
    const cvs = noisyCaptures.map((a) => pct(a.candidate.robust_cv)).join(", ");
    fixes.push(
      `candidate robust CV ${cvs} > ${pct(noisyCv)}: raise --rounds or pin --threads, and stop other work on the machine${canCaptureAgain ? "" : " (or give a second capture)"}`,
    );
  }
  const a0 = analyses[0];
  if (a0 && a0.baseline.robust_cv > noisyCv) {
    fixes.push(
      `baseline robust CV ${pct(a0.baseline.robust_cv)} > ${pct(noisyCv)}: recapture the baseline on a quiet machine (make baseline)`,
    );
  }
  return fixes;
}

function secondCaptureReasons(a: Analysis, noisyCv: number, spreadNoisy: string | null): string[] {
  const why: string[] = [];
  if (a.candidate.robust_cv > noisyCv)
    why.push(`candidate robust CV ${pct(a.candidate.robust_cv)} > ${pct(noisyCv)}`);
  if (a.baseline.robust_cv > noisyCv)
    why.push(`baseline robust CV ${pct(a.baseline.robust_cv)} > ${pct(noisyCv)}`);
  if (spreadNoisy) why.push(spreadNoisy);
  if (a.straddles)
    why.push(
      `CI [${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}] straddles 1 - T = ${(1 - a.threshold).toFixed(3)}`,
    );
  return why;
}

function describe(a: Analysis): string {
  return `${a.label}: ratio ${a.ratio.toFixed(3)} (drop ${pct(a.drop)}), CI [${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}], p ${a.p_value.toPrecision(2)}`;
}

function regressionText(a: Analysis): string {
  return `${describe(a)}: drop >= ${pct(a.threshold)}, p < alpha and CI below 1`;
}

/**
 * Runs the gate: comparability, staleness, capture 1, the variance rule (at most one more capture, through
 * `captureAgain`), the verdict and its evidence. Each step below returns data (a decision, or what it found);
 * the first step that decides ends the trail, and the report is assembled once from the setup and the trail.
 * @throws ResultFileError when a result has no usable samples (a round with zero throughput), or is partial
 *   and `allowIncomplete` is not set.
 */
export async function runGate(input: GateInput): Promise<GateOutcome> {
  const setup = setUp(input);
  const trail = await follow(setup);
  return { report: gateReport(setup, trail), captures: trail.captures };
}

/** A verdict, the reason that gives it (the report's first reason) and the fixes that come with it. */
interface Decision {
  verdict: Verdict;
  reason: string;
  /** fixes this decision asks for; they follow the fixes found on the way */
  fixes: string[];
}

function decision(verdict: Verdict, reason: string, fixes: string[] = []): Decision {
  return { verdict, reason, fixes };
}

/** What the gate settles before it looks at any sample. */
interface GateSetup {
  input: GateInput;
  baseline: BenchmarkResult;
  config: GateConfig;
  mode: Mode;
  /** T, a fraction */
  t: number;
  noisyCv: number;
  allowIncomplete: boolean;
  comparability: Comparability;
  stale: StaleReport;
  /** one line per partial result gated with allowIncomplete */
  notes: string[];
}

/** What the gate found on its way: the report's evidence beyond the setup. */
interface GateEvidence {
  captures: BenchmarkResult[];
  /** a name for each capture */
  sources: string[];
  /** lines about partial results, after the decision's reason */
  notes: string[];
  /** the setup's, or the second capture's when that one is not comparable */
  comparability: Comparability;
  analyses: Analysis[];
  second_capture: GateReport["second_capture"];
  drift: DriftTest | null;
  baselineBusier: Contention | null;
  /** fixes found on the way, before the decision's own */
  fixes: string[];
  /** one line per candidate capture that ran busier than the baseline */
  busy: string[];
}

/** The evidence up to the decision, and the decision. */
interface GateTrail extends GateEvidence {
  decision: Decision;
}

/** Capture 1 against the baseline, and what the baseline's spread and the machine's load say about it. */
interface CaptureOne {
  base: number[];
  first: number[];
  a1: Analysis;
  /** the baseline's captures differ by more than noisy_cv: the line, or null */
  spreadNoisy: string | null;
  noisy: boolean;
  /** capture 1 ran busier than the baseline: the line, or null */
  busy1: string | null;
  /** the baseline ran busier than capture 1: it may hide a drop */
  busyBaseline: Contention | null;
  /** fixes for the baseline: its spread between captures, the load while it was captured */
  fixes: string[];
}

/** Capture 2, its analysis and the pooled one. */
interface CaptureTwo {
  a2: Analysis;
  pooled: Analysis;
  busy2: string | null;
  drift2: DriftTest | null;
}

/** Completeness, threshold, comparability and staleness: everything known before the samples. */
function setUp(input: GateInput): GateSetup {
  const { baseline, candidate, config } = input;
  const allowIncomplete = input.allowIncomplete === true;
  const partial = [
    checkComplete(baseline, input.baselineSource, allowIncomplete),
    checkComplete(candidate, input.candidateSource, allowIncomplete),
  ];
  const mode = baseline.mode;
  const comparability = checkComparability(baseline, candidate);
  return {
    input,
    baseline,
    config,
    mode,
    t: thresholdOf(config, mode),
    noisyCv: noisyCvOf(config, mode),
    allowIncomplete,
    comparability,
    stale: checkStaleness(baseline, comparability.versions, config, input.changedPaths),
    notes: partial.filter((n): n is string => n !== null),
  };
}

/** The gate's steps in order; the first that decides ends the trail. */
async function follow(s: GateSetup): Promise<GateTrail> {
  const start: GateEvidence = {
    captures: [s.input.candidate],
    sources: [s.input.candidateSource],
    notes: s.notes,
    comparability: s.comparability,
    analyses: [],
    second_capture: { needed: false, taken: false, why: [] },
    drift: null,
    baselineBusier: null,
    fixes: [],
    busy: [],
  };
  const refused = refusal(s);
  if (refused) return { ...start, decision: refused };
  const base = metricSamples(s.baseline, s.input.baselineSource);
  const first = metricSamples(s.input.candidate, s.input.candidateSource);
  const a1 = analyze("capture 1", base, first, s.mode, s.config);
  const tooFew = tooFewRounds(s, base, first);
  if (tooFew) return { ...start, analyses: [a1], decision: tooFew };
  const one = captureOne(s, base, first, a1);
  const seen: GateEvidence = {
    ...start,
    analyses: [a1],
    fixes: one.fixes,
    busy: one.busy1 ? [one.busy1] : [],
    baselineBusier: one.busyBaseline,
  };
  if (a1.clearly_below_threshold) return { ...seen, decision: passOnOne(s, one) };
  const drift1 = captureDrift(s, one, [a1.candidate.median]);
  const drifting1 = a1.shows_regression ? withinDrift(drift1, s.config) : null;
  const clean = decideCleanCapture(s, one, drifting1);
  if (clean) return { ...seen, drift: drift1, decision: clean };
  const why = secondCaptureReasons(a1, s.noisyCv, one.spreadNoisy);
  if (one.busy1) why.push(one.busy1);
  if (drifting1) why.push(drifting1);
  const needed: GateEvidence = {
    ...seen,
    drift: drift1,
    second_capture: { needed: true, taken: false, why },
  };
  if (!s.input.captureAgain) return { ...needed, decision: noSecondCapture(one, why) };
  return followSecondCapture(s, one, needed, await s.input.captureAgain());
}

/** INCOMPARABLE when the results differ in a blocking field, or the baseline is stale and that blocks. */
function refusal(s: GateSetup): Decision | null {
  if (!s.comparability.comparable)
    return decision("INCOMPARABLE", `not comparable: ${describeDifferences(s.comparability.blocking)}`);
  if (s.stale.stale && s.config.rebaseline.on_stale === "incomparable")
    return decision("INCOMPARABLE", `baseline stale: recapture: ${s.stale.reasons.join("; ")}`);
  return null;
}

/** INCONCLUSIVE when either side has fewer rounds than min_rounds. */
function tooFewRounds(s: GateSetup, base: readonly number[], first: readonly number[]): Decision | null {
  const min = s.config.min_rounds;
  if (base.length < min)
    return decision("INCONCLUSIVE", `the baseline has ${base.length} rounds, fewer than ${min}`, [
      `recapture the baseline with at least ${min} rounds (make baseline)`,
    ]);
  if (first.length < min)
    return decision("INCONCLUSIVE", `the candidate has ${first.length} rounds, fewer than ${min}`, [
      `run the candidate with --rounds ${Math.max(min, base.length)} or more`,
    ]);
  return null;
}

/** What the baseline's spread between captures and the machine's load say about capture 1. */
function captureOne(s: GateSetup, base: number[], first: number[], a1: Analysis): CaptureOne {
  const { baseline, config, noisyCv } = s;
  const spread = baseline.baseline?.between_capture_spread ?? null;
  const spreadNoisy =
    spread !== null && spread > noisyCv
      ? `baseline captures differ by ${pct(spread)} > ${pct(noisyCv)} (between-capture noise)`
      : null;
  const fixes: string[] = [];
  if (spreadNoisy) fixes.push(`${spreadNoisy}: recapture the baseline when the machine is quiet`);
  const baselineOther = otherCores(baseline);
  if (baselineOther !== null && baselineOther > config.busy_other_cores) {
    fixes.push(
      `other processes used ${baselineOther.toFixed(2)} CPU cores while the baseline was captured: recapture it on a quiet machine (make baseline)`,
    );
  }
  return {
    base,
    first,
    a1,
    spreadNoisy,
    noisy: a1.noisy || spreadNoisy !== null,
    busy1: contention(baseline, s.input.candidate, "capture 1", config),
    // a baseline busier than the candidate looks slower than it was: a PASS must clear the drop it could hide
    busyBaseline: busierThan(baseline, s.input.candidate, "the baseline", "capture 1", config, s.t),
    fixes,
  };
}

/** INCONCLUSIVE instead of a PASS when the baseline ran busier and could hide a drop the interval allows. */
function hiddenDrop(s: GateSetup, busyBaseline: Contention | null, a: Analysis): Decision | null {
  if (!busyBaseline || excludesDropDespite(a.ci.low, s.t, busyBaseline)) return null;
  return decision(
    "INCONCLUSIVE",
    `${describe(a)}: the drop is below ${pct(s.t)}, but the baseline was captured under more load than the candidate (${busyBaseline.text}): it may hide a drop of up to ${pct(busyBaseline.hideable_drop)}`,
    ["recapture the baseline on a quiet machine (make baseline)"],
  );
}

/** Capture 1's interval excludes a drop of T: PASS, unless a busier baseline could hide one. */
function passOnOne(s: GateSetup, one: CaptureOne): Decision {
  const note = one.noisy ? " (noisy, but the interval already excludes a drop of T)" : "";
  return (
    hiddenDrop(s, one.busyBaseline, one.a1) ??
    decision("PASS", `${describe(one.a1)}: the drop is below ${pct(s.t)}${note}`)
  );
}

/** The capture-level drift test of the candidate's capture medians against the baseline's (drift.ts). */
function captureDrift(s: GateSetup, one: CaptureOne, candidateMedians: number[]): DriftTest | null {
  const block = s.baseline.baseline;
  const baselineMedians = block && block.captures >= 2 ? block.capture_medians : [median(one.base)];
  return driftTest(baselineMedians, candidateMedians, Math.log1p(s.config.drift_floor));
}

/** The line saying a drop lies within the drift between captures, or null when the drift test shows it. */
function withinDrift(d: DriftTest | null, config: GateConfig): string | null {
  return d !== null && d.p_value >= config.drift_alpha
    ? `the drop is within the drift between captures (capture medians ${d.baseline_medians.map((m) => m.toPrecision(4)).join(", ")} baseline, ${d.candidate_medians.map((m) => m.toPrecision(4)).join(", ")} candidate; capture-level p ${d.p_value.toPrecision(2)} >= ${config.drift_alpha})`
    : null;
}

/** A clean capture 1 (not noisy, not straddling, not contended, not within the drift) decides alone. */
function decideCleanCapture(s: GateSetup, one: CaptureOne, drifting1: string | null): Decision | null {
  const { a1 } = one;
  if (one.noisy || a1.straddles || one.busy1 || drifting1) return null;
  // the whole interval lies below 1 - T
  if (a1.shows_regression) return decision("REGRESSION", regressionText(a1));
  return decision(
    "INCONCLUSIVE",
    `${describe(a1)}: a drop of T or more, but not significant (p >= ${s.config.alpha})`,
  );
}

/** A second capture is needed and there is no way to take one: INCONCLUSIVE. */
function noSecondCapture(one: CaptureOne, why: readonly string[]): Decision {
  const { a1 } = one;
  const kind = a1.noisy || one.spreadNoisy ? "noisy " : one.busy1 ? "contended " : "";
  return decision(
    "INCONCLUSIVE",
    `${describe(a1)}: one ${kind}capture cannot decide (${why.join("; ")}) and no second capture was given`,
    [
      "a second capture is needed: run the gate without --candidate (it captures again itself), or give --candidate twice",
    ],
  );
}

/** Takes in the second capture: completeness, comparability, its analysis and the pooled one, the decision. */
function followSecondCapture(
  s: GateSetup,
  one: CaptureOne,
  needed: GateEvidence,
  again: BenchmarkResult,
): GateTrail {
  const source = `${s.input.candidateSource} (second capture)`;
  const partial2 = checkComplete(again, source, s.allowIncomplete);
  const taken: GateEvidence = {
    ...needed,
    captures: [...needed.captures, again],
    sources: [...needed.sources, source],
    notes: partial2 === null ? needed.notes : [...needed.notes, partial2],
    second_capture: { ...needed.second_capture, taken: true },
  };
  const comparability2 = checkComparability(s.baseline, again);
  if (!comparability2.comparable) {
    const reason = `second capture not comparable: ${describeDifferences(comparability2.blocking)}`;
    return { ...taken, comparability: comparability2, decision: decision("INCOMPARABLE", reason) };
  }
  const second = metricSamples(again, source);
  const a2 = analyze("capture 2", one.base, second, s.mode, s.config);
  const pooled = analyze("pooled", one.base, [...one.first, ...second], s.mode, s.config);
  const two: CaptureTwo = {
    a2,
    pooled,
    busy2: contention(s.baseline, again, "capture 2", s.config),
    drift2: captureDrift(s, one, [one.a1.candidate.median, a2.candidate.median]),
  };
  return {
    ...taken,
    analyses: [one.a1, a2, pooled],
    busy: two.busy2 ? [...taken.busy, two.busy2] : taken.busy,
    drift: two.drift2,
    decision: decideOnTwo(s, one, two),
  };
}

/** The verdict on two captures and the pooled samples. */
function decideOnTwo(s: GateSetup, one: CaptureOne, two: CaptureTwo): Decision {
  const { a1 } = one;
  const { a2, pooled } = two;
  const t = s.t;
  if (a1.shows_regression && a2.shows_regression && pooled.shows_regression)
    return regressionOnTwo(s, one, two);
  if (pooled.clearly_below_threshold) {
    return (
      hiddenDrop(s, one.busyBaseline, pooled) ??
      decision("PASS", `${describe(pooled)}: the pooled interval excludes a drop of ${pct(t)}`)
    );
  }
  if (pooled.drop < t) {
    return decision(
      "INCONCLUSIVE",
      `${describe(pooled)}: the pooled drop is below ${pct(t)}, but too noisy to exclude a drop of ${pct(t)}`,
    );
  }
  const failing = [a1, a2, pooled].filter((a) => !a.shows_regression).map((a) => a.label);
  return decision(
    "INCONCLUSIVE",
    `${describe(pooled)}: the pooled drop is ${pct(t)} or more, but ${failing.join(" and ")} ${failing.length > 1 ? "do" : "does"} not show a significant regression`,
  );
}

/** Each capture and the pooled samples show a regression: REGRESSION unless contention or drift explain it. */
function regressionOnTwo(s: GateSetup, one: CaptureOne, two: CaptureTwo): Decision {
  const t = s.t;
  if (one.busy1 || two.busy2) {
    return decision(
      "INCONCLUSIVE",
      `each capture shows a drop of ${pct(t)} or more, but the machine was busier than during the baseline (${[one.busy1, two.busy2].filter(Boolean).join("; ")}): the drop may be contention, not the runtime`,
    );
  }
  const drifting2 = withinDrift(two.drift2, s.config);
  if (drifting2) {
    return decision("INCONCLUSIVE", `each capture shows a drop of ${pct(t)} or more, but ${drifting2}`, [
      "captures of this machine drift apart by about the drop: run the gate (and capture the baseline) on a quiet machine",
    ]);
  }
  return decision(
    "REGRESSION",
    `each capture and the pooled samples show a regression: ${[one.a1, two.a2, two.pooled].map(describe).join("; ")}`,
  );
}

/** The report of a finished trail: the decision first, then the evidence, the output check and every fix. */
function gateReport(s: GateSetup, trail: GateTrail): GateReport {
  const { baseline, mode } = s;
  const block = baseline.baseline;
  const verdict = trail.decision.verdict;
  return {
    verdict,
    exit_code: VERDICT_EXIT[verdict],
    mode,
    metric: gatedMetric(mode),
    threshold: s.t,
    alpha: s.config.alpha,
    noisy_cv: s.noisyCv,
    baseline_source: s.input.baselineSource,
    candidate_sources: trail.sources,
    reasons: [trail.decision.reason, ...trail.notes],
    comparability: trail.comparability,
    stale: s.stale,
    analyses: trail.analyses,
    second_capture: trail.second_capture,
    baseline_block: {
      captures: block?.captures ?? 1,
      between_capture_spread: block?.between_capture_spread ?? null,
    },
    output: outputCheck(mode, baseline.output.digest, trail.captures),
    drift: trail.drift,
    machine_load: {
      baseline_other_cores: otherCores(baseline),
      candidate_other_cores: trail.captures.map(otherCores),
      ...(trail.baselineBusier ? { baseline_busier: trail.baselineBusier } : {}),
    },
    fixes: [
      ...trail.fixes,
      ...trail.decision.fixes,
      ...noiseFixes(trail.analyses, s.noisyCv, s.input.captureAgain !== undefined),
      ...trail.busy.map((f) => `${f}: run the gate on a quiet machine`),
      ...(s.stale.stale ? [`baseline stale: recapture (make baseline): ${s.stale.reasons.join("; ")}`] : []),
    ],
  };
}

/** Whether a candidate capture computed other tokens or embeddings than the baseline, with a note saying so. */
function outputCheck(
  mode: Mode,
  b: string | null,
  captures: readonly BenchmarkResult[],
): GateReport["output"] {
  const digests = captures.map((c) => c.output.digest);
  const changed = b !== null && digests.some((d) => d !== null && d !== b);
  const note = changed
    ? `output digest differs from the baseline's: the runtime computed other ${
        mode === "generation" ? "token ids" : "embedding values"
      } (${b?.slice(0, 12)} -> ${digests.find((d) => d !== b)?.slice(0, 12)})`
    : null;
  return { baseline_digest: b, candidate_digests: digests, changed, note };
}
