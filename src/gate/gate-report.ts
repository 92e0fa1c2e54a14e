/**
 * The stored-baseline gate's report: the decision of src/gate/decision-table.ts and the evidence of every
 * stage the facts reached (src/gate/facts.ts), assembled once. Data only: its text, Markdown and HTML forms
 * are in src/report/. JSON-serialisable (written to verdicts.json and by --report json=PATH).
 */
import type { BenchmarkResult } from "../results/schema.js";
import type { Mode } from "../workload/workload.js";
import type { Analysis } from "./analysis.js";
import type { Comparability } from "./comparability.js";
import type { Contention } from "./contention.js";
import type { Decision } from "./decision-table.js";
import type { DriftTest } from "./drift.js";
import { analysesOf, type GateFacts, type PartialNote } from "./facts.js";
import type { GoodputComparison } from "./goodput-stats.js";
import type { GateMetricName } from "./metrics.js";
import {
  type Coded,
  coded,
  type GateFix,
  type GateReason,
  type OutputChanged,
  type OutputOtherWorkload,
  reasonText,
  recaptureCommand,
  type SecondCaptureWhy,
} from "./reasons.js";
import type { StaleReport } from "./staleness.js";
import { VERDICT_EXIT, type Verdict } from "./verdict-exit.js";

/** The verdict and all its evidence; JSON-serialisable (written to verdicts.json). */
export interface GateReport {
  verdict: Verdict;
  exit_code: number;
  mode: Mode;
  /** the gated per-round figure (src/gate/metrics.ts) */
  metric: GateMetricName;
  /** present for a lower-is-better metric (a latency): ratio, drop and CI are of baseline / candidate */
  direction?: "lower";
  /** T, a fraction */
  threshold: number;
  alpha: number;
  /** robust CV above which a capture is noisy, a fraction */
  noisy_cv: number;
  baseline_source: string;
  candidate_sources: string[];
  /** one line each: why this verdict (the deciding row's reason, then a line per partial result) */
  reasons: string[];
  comparability: Comparability;
  stale: StaleReport;
  /** capture 1, and capture 2 and pooled when a second capture was taken */
  analyses: Analysis[];
  /** `--metric goodput_share` only: the two shares compared as proportions (src/gate/goodput.ts) */
  goodput?: GoodputComparison;
  second_capture: {
    needed: boolean;
    taken: boolean;
    why: string[];
    /** the same, as codes (src/gate/reasons.ts) */
    coded_why: Coded<SecondCaptureWhy>[];
  };
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
  /** the id of the row of src/gate/decision-table.ts that decided */
  decided_by: string;
  /** `reasons` as codes, in the same order */
  coded_reasons: Coded<GateReason>[];
  /** `fixes` as codes, in the same order */
  coded_fixes: Coded<GateFix>[];
}

/** The report plus the candidate captures the gate used (for the evidence folder). */
export interface GateOutcome {
  report: GateReport;
  captures: BenchmarkResult[];
}

/** Mean CPU cores other processes used during a result's run, when it records them. */
function otherCores(r: BenchmarkResult): number | null {
  return r.machine_load?.other_cores ?? null;
}

/** The candidate captures the facts hold: capture 1, and the second capture when taken. */
export function capturesOf(facts: GateFacts): BenchmarkResult[] {
  const first = facts.setup.input.candidate;
  return facts.second ? [first, facts.second.capture] : [first];
}

/** The fix for each noisy side, once: the candidate's CVs of every capture, the baseline's. */
function noiseFixes(analyses: readonly Analysis[], noisyCv: number, canCaptureAgain: boolean): GateFix[] {
  const fixes: GateFix[] = [];
  const captures = analyses.filter((a) => a.label !== "pooled");
  const noisyCaptures = captures.filter((a) => a.candidate.robust_cv > noisyCv);
  if (noisyCaptures.length > 0) {
    fixes.push({
      code: "quiet_candidate",
      robust_cvs: noisyCaptures.map((a) => a.candidate.robust_cv),
      noisy_cv: noisyCv,
      can_capture_again: canCaptureAgain,
    });
  }
  const a0 = analyses[0];
  if (a0 && a0.baseline.robust_cv > noisyCv)
    fixes.push({ code: "recapture_noisy_baseline", robust_cv: a0.baseline.robust_cv, noisy_cv: noisyCv });
  return fixes;
}

/** Every fix, in order: found on the way, the decision's own, noise, contention, staleness. */
function allFixes(facts: GateFacts, decision: Decision): GateFix[] {
  const { setup } = facts;
  const busy = [facts.one?.busy1 ?? null, facts.pooled?.busy2 ?? null].filter((c) => c !== null);
  return [
    ...(facts.one?.fixes ?? []),
    ...decision.fixes,
    ...noiseFixes(analysesOf(facts), setup.noisyCv, setup.canCaptureAgain),
    ...busy.map((contention): GateFix => ({ code: "quiet_machine_capture", contention })),
    ...(setup.stale.stale
      ? [{ code: "recapture_stale_baseline", stale_reasons: setup.stale.reasons } satisfies GateFix]
      : []),
  ];
}

/**
 * Whether a candidate capture computed other tokens or embeddings than the baseline, with a note saying so.
 * Captures of another workload than the baseline's (INCOMPARABLE already) compute other outputs by design: the
 * note says they were not compared instead (a digest change would read as a runtime change).
 */
function outputCheck(
  mode: Mode,
  baseline: BenchmarkResult,
  captures: readonly BenchmarkResult[],
): GateReport["output"] {
  const b = baseline.output.digest;
  const digests = captures.map((c) => c.output.digest);
  const changed = b !== null && digests.some((d) => d !== null && d !== b);
  const sameWork = captures.every((c) => c.workload.digest === baseline.workload.digest);
  const note: OutputChanged | OutputOtherWorkload | null =
    !changed || b === null
      ? null
      : sameWork
        ? {
            code: "output_changed",
            mode,
            baseline_digest: b,
            candidate_digest: digests.find((d) => d !== b) ?? null,
          }
        : { code: "output_other_workload" };
  return { baseline_digest: b, candidate_digests: digests, changed, note: note && reasonText(note) };
}

/** A fix with the command that recaptures this baseline as it was made (src/gate/reasons.ts). */
function withRecapture(f: GateFix, invocationCommand: string | undefined, file?: string): GateFix {
  const command = recaptureCommand(invocationCommand, file);
  return command === undefined ? f : { ...f, recapture: command };
}

/** The fixes, one line per distinct advice (the first of each text). */
function onePerText<T extends { text: string }>(fixes: readonly T[]): T[] {
  const seen = new Set<string>();
  return fixes.filter((f) => !seen.has(f.text) && seen.add(f.text) !== undefined);
}

/** The report of a decision: the decision first, then the evidence of every stage reached and every fix. */
export function gateReport(facts: GateFacts, decision: Decision): GateReport {
  const { setup, second } = facts;
  const { baseline, mode } = setup;
  const block = baseline.baseline;
  const captures = capturesOf(facts);
  const notes: PartialNote[] = [...setup.notes, ...(second?.note ? [second.note] : [])];
  const reasons = [coded(decision.reason), ...notes.map(coded)];
  const fixes = onePerText(
    allFixes(facts, decision).map((f) =>
      coded(withRecapture(f, baseline.invocation?.command, setup.input.baselineFile)),
    ),
  );
  const why = (facts.needed?.why ?? []).map(coded);
  const busyBaseline = facts.one?.busyBaseline ?? null;
  return {
    verdict: decision.verdict,
    exit_code: VERDICT_EXIT[decision.verdict],
    mode,
    metric: setup.metric.name,
    ...(setup.metric.direction === "lower" ? { direction: "lower" as const } : {}),
    threshold: setup.t,
    alpha: setup.config.alpha,
    noisy_cv: setup.noisyCv,
    baseline_source: setup.input.baselineSource,
    candidate_sources: [setup.input.candidateSource, ...(second ? [second.source] : [])],
    reasons: reasons.map((r) => r.text),
    comparability: second && !second.comparability.comparable ? second.comparability : setup.comparability,
    stale: setup.stale,
    analyses: analysesOf(facts),
    second_capture: {
      needed: facts.needed !== undefined,
      taken: second !== undefined,
      why: why.map((w) => w.text),
      coded_why: why,
    },
    baseline_block: {
      captures: block?.captures ?? 1,
      between_capture_spread: block?.between_capture_spread ?? null,
    },
    output: outputCheck(mode, baseline, captures),
    drift: facts.pooled ? facts.pooled.drift.drift : (facts.drift1?.drift ?? null),
    machine_load: {
      baseline_other_cores: otherCores(baseline),
      candidate_other_cores: captures.map(otherCores),
      ...(busyBaseline ? { baseline_busier: busyBaseline } : {}),
    },
    fixes: fixes.map((f) => f.text),
    decided_by: decision.row,
    coded_reasons: reasons,
    coded_fixes: fixes,
  };
}
