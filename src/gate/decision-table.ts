/**
 * The stored-baseline gate's decision as a table: an ordered list of rows, each a condition on the facts
 * (src/gate/facts.ts) and the verdict, reason code and fixes it gives. The first row whose condition holds
 * decides. A row belongs to a stage: when the facts have not reached a row's stage, {@link decide} asks for
 * that stage instead of deciding (the gate computes it, taking the second capture when the stage is
 * "second", and asks again). Pure: no I/O, no text (the reasons' words are src/gate/reasons.ts).
 *
 * The procedure the rows follow (docs/gate.md, "The stored-baseline gate"):
 * 0. Comparable? Otherwise INCOMPARABLE, naming each differing field.
 * 1. Capture 1 against the baseline: medians, robust CVs, ratio, bootstrap CI, p.
 * 2. A clean capture (no side noisy, CI not straddling 1 - T, not contended, not within the drift) decides
 *    alone: REGRESSION when drop >= T, p < alpha and the CI's upper end < 1. A capture whose interval lies
 *    wholly above 1 - T is a PASS even when noisy: the interval already carries the noise.
 * 3. Otherwise capture again and decide on both captures and the pooled samples: REGRESSION only if each of the
 *    three shows it (and neither contention nor the drift between captures explains it); PASS if the pooled
 *    interval lies above 1 - T; otherwise INCONCLUSIVE. Without a way to capture again: INCONCLUSIVE, never a
 *    REGRESSION from one noisy capture. (A pooled point estimate below T is not enough: on a machine whose
 *    rounds spread by 70 % it let a real 25 % slowdown PASS; see notes/gate-accuracy.md.)
 * A busier machine is not a slower runtime: a capture busier than the baseline never makes a REGRESSION, and a
 * baseline busier than the candidate never makes a PASS unless the interval clears the drop it could hide
 * (src/gate/contention.ts).
 */
import type { Analysis } from "./analysis.js";
import { analysesOf, type FactsAt, type GateFacts, hidesDrop, reached, type Stage } from "./facts.js";
import { type Figures, figuresOf, type GateFix, type GateReason } from "./reasons.js";
import type { Verdict } from "./verdict-exit.js";

/** One row: at its stage, when its condition holds, this verdict with this reason and these fixes. */
export interface Row<S extends Stage> {
  /** the row's name, recorded in the report as `decided_by` */
  id: string;
  stage: S;
  when: (f: FactsAt<S>) => boolean;
  verdict: Verdict;
  reason: (f: FactsAt<S>) => GateReason;
  /** fixes this row asks for (they follow the fixes found on the way) */
  fixes?: (f: FactsAt<S>) => GateFix[];
}

/** A row as the table holds it, whatever its stage: {@link decide} reads it once the facts reached its stage. */
export interface TableRow {
  id: string;
  stage: Stage;
  verdict: Verdict;
  when: (f: GateFacts) => boolean;
  reason: (f: GateFacts) => GateReason;
  fixes: (f: GateFacts) => GateFix[];
}

function row<S extends Stage>(r: Row<S>): TableRow {
  // decide() calls these only on facts that reached r.stage
  const at = (f: GateFacts) => f as FactsAt<S>;
  return {
    id: r.id,
    stage: r.stage,
    verdict: r.verdict,
    when: (f) => r.when(at(f)),
    reason: (f) => r.reason(at(f)),
    fixes: (f) => r.fixes?.(at(f)) ?? [],
  };
}

/** A value the row's condition has shown to be there. */
function present<T>(x: T | null): T {
  if (x === null) throw new Error("a decision-table row read a fact its condition did not check");
  return x;
}

/** The verdict, the row that gave it, its reason code and fixes, and the figures of the analyses it read. */
export interface Decision {
  verdict: Verdict;
  /** the id of the deciding row */
  row: string;
  reason: GateReason;
  fixes: GateFix[];
  /** the figures of every analysis reached (none, capture 1, or capture 1, capture 2 and pooled) */
  numbers: Figures[];
}

/** What {@link decide} gives: a decision, or the stage the next row needs. */
export type Step = Decision | { next: Stage };

const fig = (a: Analysis) => figuresOf(a);

/** Capture 1 decides alone: not noisy, not straddling 1 - T, not contended, not within the drift. */
function clean(f: FactsAt<"drift1">): boolean {
  return !f.one.noisy && !f.samples.a1.straddles && f.one.busy1 === null && f.drift1.within === null;
}

/** Capture 1, capture 2 and the pooled samples each show a regression. */
function eachShows(f: FactsAt<"pooled">): boolean {
  return f.samples.a1.shows_regression && f.pooled.a2.shows_regression && f.pooled.pooled.shows_regression;
}

/** The gate's rows, in order; the first whose condition holds decides. The last row always holds. */
export const GATE_TABLE: readonly TableRow[] = [
  // results that differ in a blocking field (workload, model, settings, hardware) measure different things
  row({
    id: "incomparable",
    stage: "setup",
    when: (f) => !f.setup.comparability.comparable,
    verdict: "INCOMPARABLE",
    reason: (f) => ({ code: "not_comparable", differences: f.setup.comparability.blocking }),
  }),
  // rebaseline.on_stale "incomparable": a baseline older than the runtime or the core paths must be recaptured
  row({
    id: "stale-baseline",
    stage: "setup",
    when: (f) => f.setup.stale.stale && f.setup.config.rebaseline.on_stale === "incomparable",
    verdict: "INCOMPARABLE",
    reason: (f) => ({ code: "baseline_stale", stale_reasons: f.setup.stale.reasons }),
  }),
  // below min_rounds the statistics are not worth reading: the baseline needs more rounds
  row({
    id: "baseline-too-few-rounds",
    stage: "samples",
    when: (f) => f.samples.base.length < f.setup.config.min_rounds,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "too_few_rounds",
      side: "baseline",
      rounds: f.samples.base.length,
      min_rounds: f.setup.config.min_rounds,
    }),
    fixes: (f) => [{ code: "recapture_baseline_rounds", min_rounds: f.setup.config.min_rounds }],
  }),
  // the same for the candidate, which can simply be run with more rounds
  row({
    id: "candidate-too-few-rounds",
    stage: "samples",
    when: (f) => f.samples.first.length < f.setup.config.min_rounds,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "too_few_rounds",
      side: "candidate",
      rounds: f.samples.first.length,
      min_rounds: f.setup.config.min_rounds,
    }),
    fixes: (f) => [
      { code: "raise_candidate_rounds", rounds: Math.max(f.setup.config.min_rounds, f.samples.base.length) },
    ],
  }),
  // a serving client at its cap measures itself and hides the server's changes either way: no verdict
  row({
    id: "client-saturated",
    stage: "one",
    when: (f) => f.one.saturated.length > 0,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({ code: "client_saturated", figures: fig(f.samples.a1), saturated: f.one.saturated }),
    fixes: () => [{ code: "unload_client" }],
  }),
  // capture 1 excludes a drop of T, but a busier baseline looked slower than it was and may hide one
  row({
    id: "capture-1-pass-hidden-by-busier-baseline",
    stage: "one",
    when: (f) =>
      f.samples.a1.clearly_below_threshold && hidesDrop(f.one.busyBaseline, f.samples.a1, f.setup.t),
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "busier_baseline_may_hide_drop",
      figures: fig(f.samples.a1),
      threshold: f.setup.t,
      contention: present(f.one.busyBaseline),
    }),
    fixes: () => [{ code: "recapture_baseline_quiet" }],
  }),
  // capture 1's interval lies above 1 - T: a PASS even when noisy, the interval already carries the noise
  row({
    id: "capture-1-pass",
    stage: "one",
    when: (f) => f.samples.a1.clearly_below_threshold,
    verdict: "PASS",
    reason: (f) => ({
      code: "drop_below_threshold",
      figures: fig(f.samples.a1),
      threshold: f.setup.t,
      noisy: f.one.noisy,
    }),
  }),
  // a clean capture showing drop >= T, p < alpha and the CI below 1 decides alone
  row({
    id: "capture-1-regression",
    stage: "drift1",
    when: (f) => clean(f) && f.samples.a1.shows_regression,
    verdict: "REGRESSION",
    reason: (f) => ({ code: "regression", figures: fig(f.samples.a1), threshold: f.samples.a1.threshold }),
  }),
  // a clean capture that neither excludes a drop of T nor shows a significant one: more data will not help
  row({
    id: "capture-1-not-significant",
    stage: "drift1",
    when: clean,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({ code: "not_significant", figures: fig(f.samples.a1), alpha: f.setup.config.alpha }),
  }),
  // a second capture is needed and there is none to take: never a REGRESSION from one noisy capture
  row({
    id: "no-second-capture",
    stage: "needed",
    when: (f) => !f.setup.canCaptureAgain,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "one_capture_cannot_decide",
      figures: fig(f.samples.a1),
      kind: f.one.noisy ? "noisy" : f.one.busy1 ? "contended" : null,
      why: f.needed.why,
    }),
    fixes: () => [{ code: "give_second_capture" }],
  }),
  // the second capture must be comparable with the baseline like the first
  row({
    id: "second-capture-incomparable",
    stage: "second",
    when: (f) => !f.second.comparability.comparable,
    verdict: "INCOMPARABLE",
    reason: (f) => ({ code: "second_capture_not_comparable", differences: f.second.comparability.blocking }),
  }),
  // the second capture's client was at its cap: no verdict from it, as for capture 1
  row({
    id: "second-capture-client-saturated",
    stage: "pooled",
    when: (f) => f.pooled.saturated2 !== null,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "client_saturated",
      figures: fig(f.pooled.pooled),
      saturated: [present(f.pooled.saturated2)],
    }),
    fixes: () => [{ code: "unload_client" }],
  }),
  // each capture shows the drop, but a busier machine is not a slower runtime
  row({
    id: "two-captures-regression-but-busier",
    stage: "pooled",
    when: (f) => eachShows(f) && (f.one.busy1 !== null || f.pooled.busy2 !== null),
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "drop_may_be_contention",
      threshold: f.setup.t,
      contention: [f.one.busy1, f.pooled.busy2].filter((c) => c !== null),
    }),
  }),
  // each capture shows the drop, but the capture medians do not show it beyond the drift between captures
  row({
    id: "two-captures-regression-within-drift",
    stage: "pooled",
    when: (f) => eachShows(f) && f.pooled.drift.within !== null,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "drop_within_drift",
      threshold: f.setup.t,
      drift: present(f.pooled.drift.within),
    }),
    fixes: () => [{ code: "quiet_machine_for_drift" }],
  }),
  // capture 1, capture 2 and the pooled samples each show a significant drop of T or more
  row({
    id: "two-captures-regression",
    stage: "pooled",
    when: eachShows,
    verdict: "REGRESSION",
    reason: (f) => ({
      code: "regression_each_capture",
      figures: [f.samples.a1, f.pooled.a2, f.pooled.pooled].map(fig),
    }),
  }),
  // the pooled interval excludes a drop of T, but a busier baseline may hide one
  row({
    id: "pooled-pass-hidden-by-busier-baseline",
    stage: "pooled",
    when: (f) =>
      f.pooled.pooled.clearly_below_threshold && hidesDrop(f.one.busyBaseline, f.pooled.pooled, f.setup.t),
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "busier_baseline_may_hide_drop",
      figures: fig(f.pooled.pooled),
      threshold: f.setup.t,
      contention: present(f.one.busyBaseline),
    }),
    fixes: () => [{ code: "recapture_baseline_quiet" }],
  }),
  // the pooled interval lies above 1 - T: the pooled evidence excludes a drop of T
  row({
    id: "pooled-pass",
    stage: "pooled",
    when: (f) => f.pooled.pooled.clearly_below_threshold,
    verdict: "PASS",
    reason: (f) => ({ code: "pooled_excludes_drop", figures: fig(f.pooled.pooled), threshold: f.setup.t }),
  }),
  // a pooled point estimate below T is not enough: too noisy to exclude a drop of T
  row({
    id: "pooled-drop-below-threshold-but-noisy",
    stage: "pooled",
    when: (f) => f.pooled.pooled.drop < f.setup.t,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({ code: "pooled_too_noisy", figures: fig(f.pooled.pooled), threshold: f.setup.t }),
  }),
  // the pooled drop reaches T but not every capture shows it significantly: not a REGRESSION
  row({
    id: "pooled-drop-not-shown-by-each",
    stage: "pooled",
    when: () => true,
    verdict: "INCONCLUSIVE",
    reason: (f) => ({
      code: "pooled_not_significant",
      figures: fig(f.pooled.pooled),
      threshold: f.setup.t,
      failing: [f.samples.a1, f.pooled.a2, f.pooled.pooled]
        .filter((a) => !a.shows_regression)
        .map((a) => a.label),
    }),
  }),
];

/**
 * Reads the table: the first row (in order) whose condition holds on the facts decides.
 * @returns the decision; or `{next: stage}` when the next row to read needs a stage the facts have not reached
 *   (the rows are sorted by stage, so every row before it was read and none held).
 */
export function decide(facts: GateFacts, table: readonly TableRow[] = GATE_TABLE): Step {
  for (const r of table) {
    if (!reached(facts, r.stage)) return { next: r.stage };
    if (!r.when(facts)) continue;
    return {
      verdict: r.verdict,
      row: r.id,
      reason: r.reason(facts),
      fixes: r.fixes(facts),
      numbers: analysesOf(facts).map(fig),
    };
  }
  throw new Error("the gate's decision table has no row for these facts (its last row must always hold)");
}
