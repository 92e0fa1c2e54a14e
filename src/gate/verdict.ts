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
 * `captureAgain`), the verdict and its evidence.
 * @throws ResultFileError when a result has no usable samples (a round with zero throughput).
 */
export async function runGate(input: GateInput): Promise<GateOutcome> {
  const { baseline, candidate, config } = input;
  const allowIncomplete = input.allowIncomplete === true;
  const partial = [
    checkComplete(baseline, input.baselineSource, allowIncomplete),
    checkComplete(candidate, input.candidateSource, allowIncomplete),
  ];
  const mode = baseline.mode;
  const t = thresholdOf(config, mode);
  const noisyCv = noisyCvOf(config, mode);
  const comparability = checkComparability(baseline, candidate);
  const stale = checkStaleness(baseline, comparability.versions, config, input.changedPaths);
  const captures = [candidate];
  const sources = [input.candidateSource];
  const block = baseline.baseline;
  const spread = block?.between_capture_spread ?? null;
  const report: GateReport = {
    verdict: "INCONCLUSIVE",
    exit_code: VERDICT_EXIT.INCONCLUSIVE,
    mode,
    metric: gatedMetric(mode),
    threshold: t,
    alpha: config.alpha,
    noisy_cv: noisyCv,
    baseline_source: input.baselineSource,
    candidate_sources: sources,
    reasons: [],
    comparability,
    stale,
    analyses: [],
    second_capture: { needed: false, taken: false, why: [] },
    baseline_block: { captures: block?.captures ?? 1, between_capture_spread: spread },
    output: { baseline_digest: baseline.output.digest, candidate_digests: [], changed: false, note: null },
    drift: null,
    machine_load: { baseline_other_cores: otherCores(baseline), candidate_other_cores: [] },
    fixes: [],
  };
  for (const note of partial) if (note !== null) report.reasons.push(note);
  const busyFixes: string[] = [];
  const finish = (verdict: Verdict, reason: string): GateOutcome => {
    report.verdict = verdict;
    report.exit_code = VERDICT_EXIT[verdict];
    report.reasons.unshift(reason);
    report.fixes.push(...noiseFixes(report.analyses, noisyCv, input.captureAgain !== undefined));
    for (const f of busyFixes) report.fixes.push(`${f}: run the gate on a quiet machine`);
    report.machine_load.candidate_other_cores = captures.map(otherCores);
    const digests = captures.map((c) => c.output.digest);
    report.output.candidate_digests = digests;
    const b = baseline.output.digest;
    report.output.changed = b !== null && digests.some((d) => d !== null && d !== b);
    if (report.output.changed) {
      report.output.note = `output digest differs from the baseline's: the runtime computed other ${
        mode === "generation" ? "token ids" : "embedding values"
      } (${b?.slice(0, 12)} -> ${digests.find((d) => d !== b)?.slice(0, 12)})`;
    }
    if (stale.stale) {
      report.fixes.push(`baseline stale: recapture (make baseline): ${stale.reasons.join("; ")}`);
    }
    return { report, captures };
  };

  if (!comparability.comparable) {
    return finish("INCOMPARABLE", `not comparable: ${describeDifferences(comparability.blocking)}`);
  }
  if (stale.stale && config.rebaseline.on_stale === "incomparable") {
    return finish("INCOMPARABLE", `baseline stale: recapture: ${stale.reasons.join("; ")}`);
  }

  const base = metricSamples(baseline, input.baselineSource);
  const first = metricSamples(candidate, input.candidateSource);
  const a1 = analyze("capture 1", base, first, mode, config);
  report.analyses.push(a1);
  if (base.length < config.min_rounds) {
    report.fixes.push(`recapture the baseline with at least ${config.min_rounds} rounds (make baseline)`);
    return finish("INCONCLUSIVE", `the baseline has ${base.length} rounds, fewer than ${config.min_rounds}`);
  }
  if (first.length < config.min_rounds) {
    report.fixes.push(`run the candidate with --rounds ${Math.max(config.min_rounds, base.length)} or more`);
    return finish(
      "INCONCLUSIVE",
      `the candidate has ${first.length} rounds, fewer than ${config.min_rounds}`,
    );
  }

  const spreadNoisy =
    spread !== null && spread > noisyCv
      ? `baseline captures differ by ${pct(spread)} > ${pct(noisyCv)} (between-capture noise)`
      : null;
  if (spreadNoisy) report.fixes.push(`${spreadNoisy}: recapture the baseline when the machine is quiet`);
  const noisy = a1.noisy || spreadNoisy !== null;
  const busy1 = contention(baseline, candidate, "capture 1", config);
  if (busy1) busyFixes.push(busy1);
  const baselineOther = otherCores(baseline);
  if (baselineOther !== null && baselineOther > config.busy_other_cores) {
    report.fixes.push(
      `other processes used ${baselineOther.toFixed(2)} CPU cores while the baseline was captured: recapture it on a quiet machine (make baseline)`,
    );
  }

  // a baseline busier than the candidate looks slower than it was: a PASS must clear the drop it could hide
  const busyBaseline = busierThan(baseline, candidate, "the baseline", "capture 1", config, t);
  if (busyBaseline) report.machine_load.baseline_busier = busyBaseline;
  const hidden = (a: Analysis): GateOutcome | null => {
    if (!busyBaseline || excludesDropDespite(a.ci.low, t, busyBaseline)) return null;
    report.fixes.push("recapture the baseline on a quiet machine (make baseline)");
    return finish(
      "INCONCLUSIVE",
      `${describe(a)}: the drop is below ${pct(t)}, but the baseline was captured under more load than the candidate (${busyBaseline.text}): it may hide a drop of up to ${pct(busyBaseline.hideable_drop)}`,
    );
  };
  if (a1.clearly_below_threshold) {
    const note = noisy ? " (noisy, but the interval already excludes a drop of T)" : "";
    return hidden(a1) ?? finish("PASS", `${describe(a1)}: the drop is below ${pct(t)}${note}`);
  }
  const baselineMedians = block && block.captures >= 2 ? block.capture_medians : [median(base)];
  const floor = Math.log1p(config.drift_floor);
  const drift1 = driftTest(baselineMedians, [a1.candidate.median], floor);
  report.drift = drift1;
  const withinDrift = (d: DriftTest | null) =>
    d !== null && d.p_value >= config.drift_alpha
      ? `the drop is within the drift between captures (capture medians ${d.baseline_medians.map((m) => m.toPrecision(4)).join(", ")} baseline, ${d.candidate_medians.map((m) => m.toPrecision(4)).join(", ")} candidate; capture-level p ${d.p_value.toPrecision(2)} >= ${config.drift_alpha})`
      : null;
  const drifting1 = a1.shows_regression ? withinDrift(drift1) : null;
  if (!noisy && !a1.straddles && !busy1 && !drifting1) {
    // the whole interval lies below 1 - T
    if (a1.shows_regression) return finish("REGRESSION", regressionText(a1));
    return finish(
      "INCONCLUSIVE",
      `${describe(a1)}: a drop of T or more, but not significant (p >= ${config.alpha})`,
    );
  }

  const why = secondCaptureReasons(a1, noisyCv, spreadNoisy);
  if (busy1) why.push(busy1);
  if (drifting1) why.push(drifting1);
  report.second_capture = { needed: true, taken: false, why };
  if (!input.captureAgain) {
    report.fixes.push(
      "a second capture is needed: run the gate without --candidate (it captures again itself), or give --candidate twice",
    );
    return finish(
      "INCONCLUSIVE",
      `${describe(a1)}: one ${a1.noisy || spreadNoisy ? "noisy " : busy1 ? "contended " : ""}capture cannot decide (${report.second_capture.why.join("; ")}) and no second capture was given`,
    );
  }

  const again = await input.captureAgain();
  captures.push(again);
  sources.push(`${input.candidateSource} (second capture)`);
  const partial2 = checkComplete(again, sources[1] as string, allowIncomplete);
  if (partial2 !== null) report.reasons.push(partial2);
  report.second_capture.taken = true;
  const comparability2 = checkComparability(baseline, again);
  if (!comparability2.comparable) {
    report.comparability = comparability2;
    return finish(
      "INCOMPARABLE",
      `second capture not comparable: ${describeDifferences(comparability2.blocking)}`,
    );
  }
  const second = metricSamples(again, sources[1] as string);
  const a2 = analyze("capture 2", base, second, mode, config);
  const pooled = analyze("pooled", base, [...first, ...second], mode, config);
  report.analyses.push(a2, pooled);
  const busy2 = contention(baseline, again, "capture 2", config);
  if (busy2) busyFixes.push(busy2);
  const drift2 = driftTest(baselineMedians, [a1.candidate.median, a2.candidate.median], floor);
  report.drift = drift2;

  if (a1.shows_regression && a2.shows_regression && pooled.shows_regression) {
    if (busy1 || busy2) {
      return finish(
        "INCONCLUSIVE",
        `each capture shows a drop of ${pct(t)} or more, but the machine was busier than during the baseline (${[busy1, busy2].filter(Boolean).join("; ")}): the drop may be contention, not the runtime`,
      );
    }
    const drifting2 = withinDrift(drift2);
    if (drifting2) {
      report.fixes.push(
        "captures of this machine drift apart by about the drop: run the gate (and capture the baseline) on a quiet machine",
      );
      return finish("INCONCLUSIVE", `each capture shows a drop of ${pct(t)} or more, but ${drifting2}`);
    }
    return finish(
      "REGRESSION",
      `each capture and the pooled samples show a regression: ${[a1, a2, pooled].map(describe).join("; ")}`,
    );
  }
  if (pooled.clearly_below_threshold) {
    return (
      hidden(pooled) ??
      finish("PASS", `${describe(pooled)}: the pooled interval excludes a drop of ${pct(t)}`)
    );
  }
  if (pooled.drop < t) {
    return finish(
      "INCONCLUSIVE",
      `${describe(pooled)}: the pooled drop is below ${pct(t)}, but too noisy to exclude a drop of ${pct(t)}`,
    );
  }
  const failing = [a1, a2, pooled].filter((a) => !a.shows_regression).map((a) => a.label);
  return finish(
    "INCONCLUSIVE",
    `${describe(pooled)}: the pooled drop is ${pct(t)} or more, but ${failing.join(" and ")} ${failing.length > 1 ? "do" : "does"} not show a significant regression`,
  );
}
