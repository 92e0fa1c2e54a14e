/**
 * What the stored-baseline gate knows, stage by stage: the facts its decision table
 * (src/gate/decision-table.ts) reads. Each stage is computed from the ones before it by a pure function here;
 * the gate (src/gate/verdict.ts) computes a stage only when the table reaches a row that needs it, so a result
 * that is refused before its samples are read is never analysed. The only input from outside is the second
 * capture, which the gate takes through its injected capture-again function and hands to {@link secondFacts}.
 *
 * Stages, in order:
 * - setup: completeness, threshold, comparability and staleness (nothing about the samples yet);
 * - samples: the gated metric of the baseline and capture 1, and capture 1's analysis;
 * - one: what the baseline's spread between captures and the machine's load say about capture 1;
 * - drift1: the capture-level drift test of capture 1 (src/gate/drift.ts);
 * - needed: why a second capture is needed (every earlier row left the question open);
 * - second: the second capture as taken: its completeness and comparability;
 * - pooled: capture 2's analysis, the pooled one, capture 2's load and the drift test of both captures.
 */
import type { GateConfig, GateMetricName } from "../config/gate-config.js";
import type { BenchmarkResult } from "../results/schema.js";
import { median } from "../stats/index.js";
import type { Mode } from "../workload/workload.js";
import { type Analysis, analyze, metricSamples } from "./analysis.js";
import { type ClientSaturated, clientSaturated } from "./client-saturation.js";
import { type Comparability, checkComparability } from "./comparability.js";
import { partialNote } from "./completeness.js";
import { busierThan, type Contention, excludesDropDespite } from "./contention.js";
import { type DriftTest, driftTest } from "./drift.js";
import { defaultMetricOf, type MetricSpec, metricSpec } from "./metrics.js";
import type { GateFix, GateReason, SecondCaptureWhy, WithinDrift } from "./reasons.js";
import { type ChangedPathsFn, checkStaleness, type StaleReport } from "./staleness.js";

/** What the gate is given. */
export interface GateInput {
  baseline: BenchmarkResult;
  candidate: BenchmarkResult;
  config: GateConfig;
  /** names for messages: the baseline file, the candidate file or "candidate run" */
  baselineSource: string;
  candidateSource: string;
  /** the baseline's file when it was given on the command line (`compare`): fixes recapture it, not `make baseline` */
  baselineFile?: string;
  /** captures the candidate again with the same settings; absent when the gate works on files only */
  captureAgain?: () => Promise<BenchmarkResult>;
  /** git lookup for the rebaseline trigger; absent: the path check is reported as not done */
  changedPaths?: ChangedPathsFn;
  /** gate partial results ("complete": false) too (--allow-incomplete); by default they are refused */
  allowIncomplete?: boolean;
  /** the per-round figure to gate (src/gate/metrics.ts); defaults to the baseline's default metric */
  metric?: GateMetricName;
}

/** A partial result gated with --allow-incomplete: the note the report carries. */
export type PartialNote = Extract<GateReason, { code: "partial_result" }>;

/** Everything known before the samples. */
export interface SetupFacts {
  input: GateInput;
  baseline: BenchmarkResult;
  config: GateConfig;
  mode: Mode;
  /** the gated metric, its direction and threshold */
  metric: MetricSpec;
  /** the baseline block's capture medians and spread are of this metric (it is the one baselines record) */
  blockApplies: boolean;
  /** T, a fraction */
  t: number;
  noisyCv: number;
  allowIncomplete: boolean;
  /** the gate was given a way to capture again */
  canCaptureAgain: boolean;
  comparability: Comparability;
  stale: StaleReport;
  /** one per partial result gated with allowIncomplete */
  notes: PartialNote[];
}

/** The gated metric of both sides and capture 1's analysis. */
export interface SampleFacts {
  base: number[];
  first: number[];
  a1: Analysis;
}

/** What the baseline's spread and the machine's load say about capture 1. */
export interface CaptureOneFacts {
  /** the baseline's between-capture spread when it exceeds noisy_cv (between-capture noise), else null */
  noisySpread: number | null;
  /** capture 1 is noisy, or the baseline's captures differ by more than noisy_cv */
  noisy: boolean;
  /** capture 1 ran busier than the baseline */
  busy1: Contention | null;
  /** the baseline ran busier than capture 1: it may hide a drop */
  busyBaseline: Contention | null;
  /** fixes for the baseline: its spread between captures, the load while it was captured */
  fixes: GateFix[];
  /** the sides (baseline, capture 1) whose serving client was the bottleneck (src/gate/client-saturation.ts) */
  saturated: ClientSaturated[];
}

/** The capture-level drift test, and whether a drop shown by the rounds lies within the drift. */
export interface DriftFacts {
  drift: DriftTest | null;
  /** set when the analysis shows a regression but the capture medians do not, beyond the drift */
  within: WithinDrift | null;
}

/** Why a second capture is needed. */
export interface NeededFacts {
  why: SecondCaptureWhy[];
}

/** The second capture as taken. */
export interface SecondFacts {
  capture: BenchmarkResult;
  source: string;
  note: PartialNote | null;
  comparability: Comparability;
}

/** Capture 2 against the baseline, the pooled samples, capture 2's load and the drift of both captures. */
export interface PooledFacts {
  a2: Analysis;
  pooled: Analysis;
  busy2: Contention | null;
  drift: DriftFacts;
  /** capture 2's serving client was the bottleneck */
  saturated2: ClientSaturated | null;
}

/** The stages, in the order the gate reaches them. */
export const STAGES = ["setup", "samples", "one", "drift1", "needed", "second", "pooled"] as const;

/** One stage. */
export type Stage = (typeof STAGES)[number];

/** The facts of every stage reached so far. */
export interface GateFacts {
  setup: SetupFacts;
  samples?: SampleFacts;
  one?: CaptureOneFacts;
  drift1?: DriftFacts;
  needed?: NeededFacts;
  second?: SecondFacts;
  pooled?: PooledFacts;
}

/** The stages up to and including each stage. */
interface UpTo {
  setup: "setup";
  samples: UpTo["setup"] | "samples";
  one: UpTo["samples"] | "one";
  drift1: UpTo["one"] | "drift1";
  needed: UpTo["drift1"] | "needed";
  second: UpTo["needed"] | "second";
  pooled: UpTo["second"] | "pooled";
}

/** The facts once stage S is reached: every stage up to S present. */
export type FactsAt<S extends Stage> = GateFacts & Required<Pick<GateFacts, UpTo[S]>>;

/** Whether the facts have reached `stage`. */
export function reached<S extends Stage>(facts: GateFacts, stage: S): facts is FactsAt<S> {
  return facts[stage] !== undefined;
}

/** Completeness, threshold, comparability and staleness. @throws ResultFileError for a refused partial result. */
export function setupFacts(input: GateInput): SetupFacts {
  const { baseline, candidate, config } = input;
  const allowIncomplete = input.allowIncomplete === true;
  const partial = [
    partialNote(baseline, input.baselineSource, allowIncomplete),
    partialNote(candidate, input.candidateSource, allowIncomplete),
  ];
  const mode = baseline.mode;
  const comparability = checkComparability(baseline, candidate);
  const metric = metricSpec(config, mode, input.metric ?? defaultMetricOf(baseline));
  return {
    input,
    baseline,
    config,
    mode,
    metric,
    blockApplies: baseline.baseline === undefined || baseline.baseline.metric === metric.name,
    t: metric.threshold,
    noisyCv: metric.threshold * config.noisy_cv_fraction_of_threshold,
    allowIncomplete,
    canCaptureAgain: input.captureAgain !== undefined,
    comparability,
    stale: checkStaleness(baseline, comparability.versions, config, input.changedPaths),
    notes: partial.filter((n): n is PartialNote => n !== null),
  };
}

/** The gated metric of both sides and capture 1's analysis. @throws ResultFileError for unusable samples. */
export function sampleFacts(s: SetupFacts): SampleFacts {
  const name = s.metric.name;
  const base = metricSamples(s.baseline, s.input.baselineSource, name);
  const first = metricSamples(s.input.candidate, s.input.candidateSource, name);
  return { base, first, a1: analyze("capture 1", base, first, s.mode, s.config, s.metric) };
}

/** The baseline's spread between captures and the machine's load. */
export function captureOneFacts(f: FactsAt<"samples">): CaptureOneFacts {
  const { baseline, config, noisyCv, t, input, blockApplies } = f.setup;
  const spread = blockApplies ? (baseline.baseline?.between_capture_spread ?? null) : null;
  const noisySpread = spread !== null && spread > noisyCv ? spread : null;
  const fixes: GateFix[] = [];
  if (noisySpread !== null)
    fixes.push({ code: "recapture_baseline_spread", spread: noisySpread, noisy_cv: noisyCv });
  const baselineOther = baseline.machine_load?.other_cores ?? null;
  if (baselineOther !== null && baselineOther > config.busy_other_cores)
    fixes.push({ code: "recapture_baseline_busy", other_cores: baselineOther });
  return {
    noisySpread,
    noisy: f.samples.a1.noisy || noisySpread !== null,
    busy1: busierThan(input.candidate, baseline, "capture 1", "the baseline", config, t),
    // a baseline busier than the candidate looks slower than it was: a PASS must clear the drop it could hide
    busyBaseline: busierThan(baseline, input.candidate, "the baseline", "capture 1", config, t),
    fixes,
    saturated: [
      clientSaturated(baseline, "the baseline"),
      clientSaturated(input.candidate, "capture 1"),
    ].filter((c): c is ClientSaturated => c !== null),
  };
}

/** The drift test of the candidate's capture medians against the baseline's (src/gate/drift.ts). */
function driftFacts(f: FactsAt<"samples">, candidateMedians: number[], showsRegression: boolean): DriftFacts {
  const { baseline, config, blockApplies, metric } = f.setup;
  const block = baseline.baseline;
  const baselineMedians =
    blockApplies && block && block.captures >= 2 ? block.capture_medians : [median(f.samples.base)];
  // a lower-is-better metric is tested on its reciprocal (the test is one-sided on log medians: exact)
  const oriented = (xs: number[]) => (metric.direction === "lower" ? xs.map((x) => 1 / x) : xs);
  const drift = driftTest(
    oriented(baselineMedians),
    oriented(candidateMedians),
    Math.log1p(config.drift_floor),
  );
  const within: WithinDrift | null =
    showsRegression && drift !== null && drift.p_value >= config.drift_alpha
      ? {
          code: "within_drift",
          baseline_medians: drift.baseline_medians,
          candidate_medians: drift.candidate_medians,
          p_value: drift.p_value,
          drift_alpha: config.drift_alpha,
        }
      : null;
  return { drift, within };
}

/** The drift test of capture 1. */
export function driftOneFacts(f: FactsAt<"one">): DriftFacts {
  const { a1 } = f.samples;
  return driftFacts(f, [a1.candidate.median], a1.shows_regression);
}

/** Why capture 1 cannot decide alone: noise, a straddling interval, contention, drift. */
export function neededFacts(f: FactsAt<"drift1">): NeededFacts {
  const { a1 } = f.samples;
  const { noisyCv } = f.setup;
  const why: SecondCaptureWhy[] = [];
  if (a1.candidate.robust_cv > noisyCv)
    why.push({ code: "candidate_noisy", robust_cv: a1.candidate.robust_cv, noisy_cv: noisyCv });
  if (a1.baseline.robust_cv > noisyCv)
    why.push({ code: "baseline_noisy", robust_cv: a1.baseline.robust_cv, noisy_cv: noisyCv });
  if (f.one.noisySpread !== null)
    why.push({ code: "baseline_captures_differ", spread: f.one.noisySpread, noisy_cv: noisyCv });
  if (a1.straddles)
    why.push({ code: "ci_straddles", ci_low: a1.ci.low, ci_high: a1.ci.high, threshold: a1.threshold });
  if (f.one.busy1) why.push({ code: "capture_busier", contention: f.one.busy1 });
  if (f.drift1.within) why.push(f.drift1.within);
  return { why };
}

/** The second capture as taken. @throws ResultFileError for a refused partial result. */
export function secondFacts(f: FactsAt<"needed">, again: BenchmarkResult): SecondFacts {
  const { input, allowIncomplete, baseline } = f.setup;
  const source = `${input.candidateSource} (second capture)`;
  return {
    capture: again,
    source,
    note: partialNote(again, source, allowIncomplete),
    comparability: checkComparability(baseline, again),
  };
}

/** Capture 2's and the pooled analysis. @throws ResultFileError for unusable samples. */
export function pooledFacts(f: FactsAt<"second">): PooledFacts {
  const { baseline, config, mode, t, metric } = f.setup;
  const { base, first, a1 } = f.samples;
  const second = metricSamples(f.second.capture, f.second.source, metric.name);
  const a2 = analyze("capture 2", base, second, mode, config, metric);
  const pooled = analyze("pooled", base, [...first, ...second], mode, config, metric);
  return {
    a2,
    pooled,
    busy2: busierThan(f.second.capture, baseline, "capture 2", "the baseline", config, t),
    drift: driftFacts(f, [a1.candidate.median, a2.candidate.median], true),
    saturated2: clientSaturated(f.second.capture, "capture 2"),
  };
}

/** A busier baseline could hide a drop the interval of `a` allows. */
export function hidesDrop(
  busyBaseline: Contention | null,
  a: Analysis,
  t: number,
): busyBaseline is Contention {
  return busyBaseline !== null && !excludesDropDespite(a.ci.low, t, busyBaseline);
}

/** The analyses reached: none, capture 1, or capture 1, capture 2 and pooled. */
export function analysesOf(facts: GateFacts): Analysis[] {
  if (facts.pooled && facts.samples) return [facts.samples.a1, facts.pooled.a2, facts.pooled.pooled];
  return facts.samples ? [facts.samples.a1] : [];
}
