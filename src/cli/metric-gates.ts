/**
 * `--metric` on `gate`, `compare`, `ab` and `check-release`: which per-round figures to gate (src/gate/metrics.ts),
 * and the stored-baseline gate run once per metric, the metrics sharing one second capture.
 */
import { extname } from "node:path";
import { gateGoodput } from "../gate/goodput.js";
import { GATE_METRIC_NAMES, type GateMetricName } from "../gate/metrics.js";
import { type GateInput, type GateOutcome, runGate } from "../gate/verdict.js";
import { type ReportTarget, writeReports } from "../report/registry.js";
import type { BenchmarkResult } from "../results/schema.js";
import { UsageError } from "../util/errors.js";
import type { FlagSpec } from "../util/flags.js";

/** --metric: repeatable, each a comma-separated list. */
export const METRIC_FLAG = {
  kind: "list",
  choices: GATE_METRIC_NAMES,
  multiple: true,
  description:
    "the per-round figures to gate, each with its direction and threshold from the configuration's metrics; may be repeated",
  default:
    "the mode's metric (tokens_per_second, calls_per_second; prefill_tokens_per_second for --max-new-tokens 0)",
} as const satisfies FlagSpec;

/**
 * The metrics named by --metric, in order, each once; [] when absent.
 * @throws UsageError for a name that is not a gateable metric.
 */
export function readMetrics(values: Record<string, unknown>): GateMetricName[] {
  const raw = values.metric;
  if (raw === undefined) return [];
  const given = (Array.isArray(raw) ? raw : [raw]) as string[];
  const names = given.flatMap((g) => g.split(",").map((p) => p.trim())).filter((p) => p !== "");
  if (names.length === 0) throw new UsageError("--metric needs a value");
  for (const n of names) {
    if (!(GATE_METRIC_NAMES as readonly string[]).includes(n))
      throw new UsageError(`--metric: unknown metric "${n}" (metrics: ${GATE_METRIC_NAMES.join(", ")})`);
  }
  return [...new Set(names as GateMetricName[])];
}

/** A capture-again function that captures at most once: every metric's gate gets the same second capture. */
export function captureOnce(
  again: (() => Promise<BenchmarkResult>) | undefined,
): (() => Promise<BenchmarkResult>) | undefined {
  if (again === undefined) return undefined;
  let taken: Promise<BenchmarkResult> | null = null;
  return () => {
    taken ??= again();
    return taken;
  };
}

/** One metric's gate. */
export interface MetricOutcome extends GateOutcome {
  metric: GateMetricName;
}

/**
 * Runs the stored-baseline gate once per metric (src/gate/verdict.ts) on the same input; the second capture,
 * when a metric's gate needs one, is taken once and shared.
 * @throws ResultFileError as {@link runGate} does (e.g. a round that does not carry a gated metric).
 */
export async function gateEachMetric(
  input: GateInput,
  metrics: readonly GateMetricName[],
): Promise<MetricOutcome[]> {
  const captureAgain = captureOnce(input.captureAgain);
  const out: MetricOutcome[] = [];
  for (const metric of metrics) {
    // goodput_share is a proportion, not a per-round median: its own gate (src/gate/goodput.ts)
    const outcome =
      metric === "goodput_share"
        ? gateGoodput({ ...input, metric })
        : await runGate({ ...input, captureAgain, metric });
    out.push({ ...outcome, metric });
  }
  return out;
}

/** Every capture any metric's gate used, each once (capture 1, then the shared second capture if taken). */
export function capturesOfAll(outcomes: readonly MetricOutcome[]): BenchmarkResult[] {
  const seen = new Set<BenchmarkResult>();
  for (const o of outcomes) for (const c of o.captures) seen.add(c);
  return [...seen];
}

/**
 * The --report files of one metric's report: with one metric the files as given; with several, one file per
 * metric, named `<name>.<metric><extension>` beside each (a JSON file holds one report).
 */
export function metricReportTargets(
  targets: readonly ReportTarget[],
  metric: string,
  metrics: number,
): readonly ReportTarget[] {
  if (metrics === 1) return targets;
  return targets.map((t) => {
    const ext = extname(t.path);
    return { ...t, path: `${t.path.slice(0, t.path.length - ext.length)}.${metric}${ext}` };
  });
}

/** Each metric's gate report in every --report file ({@link metricReportTargets}). */
export function writeMetricReports(
  targets: readonly ReportTarget[],
  outcomes: readonly MetricOutcome[],
): void {
  for (const o of outcomes)
    writeReports(metricReportTargets(targets, o.metric, outcomes.length), { kind: "gate", report: o.report });
}
