/**
 * A baseline from one or more captures of the same benchmark: the pooled samples of all captures, statistics
 * recomputed over them, and a `baseline` block recording each capture's median and robust CV of the gated
 * metric and their spread (the between-capture noise). Pure.
 */
import { metricSamples } from "../gate/analysis.js";
import { checkComparability, describeDifferences } from "../gate/comparability.js";
import { defaultMetricOf } from "../gate/metrics.js";
import { pooledFigures, pooledMachineLoad } from "../results/pool.js";
import type { BenchmarkResult, ResultWarning } from "../results/schema.js";
import { warningRecord } from "../results/warnings.js";
import { median, robustCv } from "../stats/index.js";
import { CapturesDisagreeError } from "../util/errors.js";

/** The warnings of the captures, each text once, in the order first seen. */
function distinctWarnings(warnings: readonly ResultWarning[]): ResultWarning[] {
  const byText = new Map<string, ResultWarning>();
  for (const w of warnings) if (!byText.has(w.text)) byText.set(w.text, w);
  return [...byText.values()];
}

/**
 * Pools captures into one baseline result carrying a `baseline` block. The pooled result keeps the first
 * capture's identity (environment, engine, settings, model, workload); `rounds` becomes the pooled round
 * count and `rounds_per_capture` keeps each capture's.
 * @param command the command that captured the baseline, recorded in the block and as the invocation.
 * @throws CapturesDisagreeError when the captures are not comparable with each other (a bug in the caller).
 */
export function poolCaptures(captures: readonly BenchmarkResult[], command: string): BenchmarkResult {
  const first = captures[0];
  if (!first) throw new CapturesDisagreeError("no captures to pool");
  for (const c of captures.slice(1)) {
    const cmp = checkComparability(first, c);
    if (!cmp.comparable)
      throw new CapturesDisagreeError(`captures differ: ${describeDifferences(cmp.blocking)}`);
  }
  // the test's default metric: a prompt-only test's tokens/s is 0, its rate is the prefill's
  const metric = defaultMetricOf(first);
  const medians = captures.map((c) => median(metricSamples(c, "capture", metric)));
  const cvs = captures.map((c) => robustCv(metricSamples(c, "capture", metric)));
  const spread = captures.length > 1 ? (Math.max(...medians) - Math.min(...medians)) / median(medians) : null;
  const digests = new Set(captures.map((c) => c.output.digest));
  const warnings = distinctWarnings(captures.flatMap((c) => c.warnings));
  if (digests.size > 1) warnings.push(warningRecord({ code: "captures_differ_in_output" }));
  const last = captures[captures.length - 1] as BenchmarkResult;
  return {
    ...first,
    ...pooledFigures(captures),
    warmup_rounds: first.warmup_rounds,
    invocation: { ...first.invocation, command },
    finished_at: last.finished_at,
    complete: captures.every((c) => c.complete),
    warnings,
    machine_load: pooledMachineLoad(captures),
    output: {
      digest: first.output.digest,
      consistent: digests.size === 1 && captures.every((c) => c.output.consistent),
    },
    baseline: {
      metric: metric as "tokens_per_second" | "calls_per_second" | "prefill_tokens_per_second",
      captures: captures.length,
      rounds_per_capture: captures.map((c) => c.samples.length),
      capture_medians: medians,
      capture_robust_cvs: cvs,
      between_capture_spread: spread,
      capture_started_at: captures.map((c) => c.started_at),
      command,
    },
  } as BenchmarkResult;
}
