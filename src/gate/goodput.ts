/**
 * The goodput gate (`--metric goodput_share`, issue 26): the share of serving requests that met every latency
 * objective of `--goodput`, baseline against candidate. Each request is 1 (met every objective) or 0, so a
 * median test cannot decide it: the gate compares the two shares as proportions. Pure.
 */
import type { GateConfig } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { ResultFileError } from "../util/errors.js";
import { checkComparability, diffValues, type FieldDifference } from "./comparability.js";
import type { GateInput } from "./facts.js";
import type { GateOutcome, GateReport } from "./gate-report.js";
import { compareShares, type GoodputComparison, type GoodputSide, goodputVerdict } from "./goodput-stats.js";
import { metricSpec } from "./metrics.js";
import { type Coded, coded, type GateReason } from "./reasons.js";
import { checkStaleness } from "./staleness.js";
import { VERDICT_EXIT, type Verdict } from "./verdict-exit.js";

/** The objectives a result's goodput was counted against, or null when it carries no goodput. */
function objectivesOf(r: BenchmarkResult): Record<string, number> | null {
  if (r.mode !== "generation") return null;
  return (r.serving?.goodput?.objectives as Record<string, number> | undefined) ?? null;
}

/**
 * A result's good requests out of its settled requests: the samples' `good` flags when they carry them
 * (src/results/build-serving.ts), else serving.goodput.good_requests (results written before the flags).
 * @throws ResultFileError when the result carries no goodput (`--goodput` was not given) or no request settled.
 */
export function goodputSide(r: BenchmarkResult, where: string): GoodputSide {
  const goodput = r.mode === "generation" ? r.serving?.goodput : undefined;
  if (r.mode !== "generation" || !r.serving || !goodput)
    throw new ResultFileError(
      where,
      "field serving.goodput: not recorded (run with --goodput to gate goodput_share)",
    );
  const flags = r.samples.map((s) => s.good).filter((g): g is boolean => g !== undefined);
  const good = flags.length > 0 ? flags.filter((g) => g).length : goodput.good_requests;
  const requests = r.serving.requests.completed + r.serving.requests.failed;
  if (requests === 0)
    throw new ResultFileError(where, "field serving.requests: no request completed or failed");
  return { good_requests: good, requests, share: good / requests };
}

/** Why two results' goodput cannot be compared: the usual comparability, and objectives that differ. */
function blockingDifferences(input: GateInput): FieldDifference[] {
  const { baseline, candidate } = input;
  const own = checkComparability(baseline, candidate).blocking;
  const objectives = diffValues(
    "serving.goodput.objectives",
    objectivesOf(baseline),
    objectivesOf(candidate),
  );
  return [...own, ...objectives];
}

/**
 * The goodput_share gate of a candidate against a stored baseline (no second capture: the requests of one
 * run are its sample). INCOMPARABLE when the results are not comparable or their objectives differ.
 * @throws ResultFileError when a side carries no goodput.
 */
export function gateGoodput(input: GateInput): GateOutcome {
  const { baseline, candidate, config } = input;
  const spec = metricSpec(config, baseline.mode, "goodput_share");
  const comparability = checkComparability(baseline, candidate);
  const blocking = blockingDifferences(input);
  const stale = checkStaleness(baseline, comparability.versions, config, input.changedPaths);
  let goodput: GoodputComparison | null = null;
  let verdict: Verdict = "INCOMPARABLE";
  let reason: GateReason = { code: "not_comparable", differences: blocking };
  if (blocking.length === 0) {
    const b = goodputSide(baseline, input.baselineSource);
    const c = goodputSide(candidate, input.candidateSource);
    goodput = compareShares(b, c, spec.threshold, config.alpha, config.bootstrap.confidence);
    verdict = goodputVerdict(goodput);
    reason = {
      code: "goodput_share",
      baseline_share: goodput.baseline.share,
      candidate_share: goodput.candidate.share,
      requests: [b.requests, c.requests],
      drop: goodput.drop,
      p_value: goodput.p_value,
      threshold: goodput.threshold,
      alpha: goodput.alpha,
      verdict,
    };
  }
  const reasons: Coded<GateReason>[] = [coded(reason)];
  return { report: goodputReport(input, config, verdict, reasons, goodput, stale), captures: [candidate] };
}

/** The gate report of a goodput decision, in the stored-baseline gate's shape (src/gate/gate-report.ts). */
function goodputReport(
  input: GateInput,
  config: GateConfig,
  verdict: Verdict,
  reasons: Coded<GateReason>[],
  goodput: GoodputComparison | null,
  stale: GateReport["stale"],
): GateReport {
  const { baseline, candidate } = input;
  const comparability = checkComparability(baseline, candidate);
  const blocking = blockingDifferences(input);
  const threshold = metricSpec(config, baseline.mode, "goodput_share").threshold;
  return {
    verdict,
    exit_code: VERDICT_EXIT[verdict],
    mode: baseline.mode,
    metric: "goodput_share",
    threshold,
    alpha: config.alpha,
    noisy_cv: threshold * config.noisy_cv_fraction_of_threshold,
    baseline_source: input.baselineSource,
    candidate_sources: [input.candidateSource],
    reasons: reasons.map((r) => r.text),
    comparability: { ...comparability, comparable: blocking.length === 0, blocking },
    stale,
    analyses: [],
    ...(goodput ? { goodput } : {}),
    second_capture: { needed: false, taken: false, why: [], coded_why: [] },
    baseline_block: { captures: baseline.baseline?.captures ?? 1, between_capture_spread: null },
    output: {
      baseline_digest: baseline.output.digest,
      candidate_digests: [candidate.output.digest],
      changed: false,
      note: null,
    },
    drift: null,
    machine_load: {
      baseline_other_cores: baseline.machine_load?.other_cores ?? null,
      candidate_other_cores: [candidate.machine_load?.other_cores ?? null],
    },
    fixes: [],
    decided_by: "goodput_share",
    coded_reasons: reasons,
    coded_fixes: [],
  };
}
