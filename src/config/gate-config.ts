import { z } from "zod";
import { describeIssue } from "../results/io.js";
import { ConfigFileError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";
import { releaseTestsSchema } from "./release-tests.js";

/** The committed configuration file of the gate, at the repository root. */
export const DEFAULT_CONFIG_PATH = "perf-baseline.config.json";

const fraction = z.number().gt(0).lt(1);

/**
 * The per-round figures the gate can compare (`--metric`, `metrics`): rates (higher is better) and latencies in
 * ms (lower is better). `goodput_share` (serving with `--goodput`) is the share of requests that met every
 * objective, compared as a proportion (src/gate/goodput.ts); its threshold is an absolute fraction (default 0.05).
 */
export const GATE_METRIC_NAMES = [
  "tokens_per_second",
  "prefill_tokens_per_second",
  "decode_tokens_per_second",
  "calls_per_second",
  "ttft_ms",
  "itl_ms",
  "itl_p99_ms",
  "goodput_share",
] as const;

/** One gateable per-round figure. */
export type GateMetricName = (typeof GATE_METRIC_NAMES)[number];

/** How one metric is gated; each key defaults (src/gate/metrics.ts: its direction, the mode's threshold). */
const metricSettings = z
  .object({
    /** "higher" (a rate) or "lower" (a latency) is better. Defaults to the metric's own (src/gate/metrics.ts). */
    direction: z.enum(["higher", "lower"]).optional(),
    /**
     * The largest tolerated worsening, a fraction: for a higher-is-better metric the drop of the median, for
     * a lower-is-better one the drop of baseline/candidate (a 30 % longer latency is a drop of 23 %).
     * Defaults to the mode's `thresholds` value.
     */
    threshold: fraction.optional(),
  })
  .strict();
const pathList = z.array(z.string().min(1));

/**
 * The gate configuration. Every key has a default, so an empty object (or no file) is the documented default
 * configuration; unknown keys are rejected so that a typo is never silently ignored.
 */
export const gateConfigSchema = z
  .object({
    /** largest tolerated throughput drop per mode, a fraction (0.12 = 12 %). Defaults to the specification's 12 % and 15 %. */
    thresholds: z
      .object({ generation: fraction.default(0.12), embedding: fraction.default(0.15) })
      .strict()
      .prefault({}),
    /**
     * Instruction-count gate (`--counter instructions`): the largest tolerated rise of the instructions per
     * output token (generation) or per embedding call, a fraction. Defaults to 0.02 (2 %) for both modes.
     */
    instruction_thresholds: z
      .object({ generation: fraction.default(0.02), embedding: fraction.default(0.02) })
      .strict()
      .prefault({}),
    /**
     * Per-metric direction and threshold (`--metric NAME` picks what is gated), by metric name. Defaults to
     * none: every metric then has its own direction and the mode's threshold.
     */
    metrics: z.partialRecord(z.enum(GATE_METRIC_NAMES), metricSettings).default({}),
    /** one-sided Mann-Whitney significance level. Defaults to 0.01. */
    alpha: fraction.default(0.01),
    /** a capture is noisy when its robust CV exceeds this fraction of the threshold. Defaults to 1/3 (T/3). */
    noisy_cv_fraction_of_threshold: z
      .number()
      .positive()
      .default(1 / 3),
    /**
     * A busier machine is not a slower runtime. A candidate capture is "contended" when other processes used
     * more than `busy_other_cores` CPU cores on average during it and this process got a CPU share lower than
     * during the baseline by more than `busy_share_drop_fraction_of_threshold` x T (results' machine_load):
     * its drop may be contention, so it never makes a REGRESSION. Defaults: 0.25 cores, 0.5 (6 % for
     * generation).
     */
    busy_other_cores: z.number().nonnegative().default(0.25),
    busy_share_drop_fraction_of_threshold: z.number().positive().default(0.5),
    /**
     * Significance level of the capture-level drift test (drift.ts): a REGRESSION also needs the candidate's
     * capture medians below the baseline's beyond the drift between captures. Defaults to 0.05.
     */
    drift_alpha: fraction.default(0.05),
    /**
     * The smallest between-capture drift the capture-level test assumes (sd of log capture medians): separate
     * processes of the same code drift apart even when nothing else runs. On the development machine (a 2-vCPU
     * VM, other processes idle) 14 default-shape captures over 13 minutes had a generation sd of 0.21 (range
     * 2.3x), 14 embedding captures over 5 minutes 0.13; the smallest floor with no false alarm in 100 A/A pairs
     * per mode there was 0.25 (bench/gate-accuracy.ts, notes/gate-accuracy.md). A dedicated quiet machine can
     * lower it after measuring its own drift. Defaults to 0.25.
     */
    drift_floor: z.number().nonnegative().lt(1).default(0.25),
    /** fewer measured rounds than this on either side cannot give a verdict. Defaults to 5. */
    min_rounds: z.number().int().min(2).default(5),
    bootstrap: z
      .object({
        /** two-sided confidence of the ratio's interval. Defaults to 0.95. */
        confidence: fraction.default(0.95),
        /** resamples, 100 to 100 000 (each costs O(n) for samples of up to 1000 values). Defaults to 2000. */
        iterations: z.number().int().min(100).max(100_000).default(2000),
        /** seed of the resampling generator (the gate is deterministic). Defaults to 1. */
        seed: z.number().int().default(1),
      })
      .strict()
      .prefault({}),
    /** baseline file of each mode. Defaults to docs/baseline-<mode>.json. */
    baselines: z
      .object({
        generation: z.string().min(1).default("docs/baseline-generation.json"),
        embedding: z.string().min(1).default("docs/baseline-embedding.json"),
      })
      .strict()
      .prefault({}),
    /**
     * The tests a release is gated on (`check-release`, `baseline`; src/config/release-tests.ts): name, mode,
     * run flags, metrics, baseline file, counted. Defaults to the specification's two (`generation` and
     * `embedding`, counted, on `baselines`).
     */
    release_tests: releaseTestsSchema(GATE_METRIC_NAMES).optional(),
    /** captures per baseline (`perf-baseline baseline`); their spread is the between-capture noise. Defaults to 2. */
    baseline_captures: z.number().int().min(1).max(10).default(2),
    /** the specification's rebaseline trigger: changes under these paths since the baseline's commit make it stale */
    rebaseline: z
      .object({
        core: pathList.default(["src/engines/", "src/measure/", "src/execute/"]),
        tokenizer: pathList.default(["src/workload/", "src/models/vocab.ts"]),
        /**
         * What a stale baseline does to the verdict: "report" prints "baseline stale: recapture" beside the
         * verdict (which still compares, as the point of a baseline taken before a runtime update is to
         * compare after it); "incomparable" turns the verdict into INCOMPARABLE. Defaults to "report".
         */
        on_stale: z.enum(["report", "incomparable"]).default("report"),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated configuration, defaults filled in. */
export type GateConfig = z.infer<typeof gateConfigSchema>;

/** The built-in defaults (the same values as the committed perf-baseline.config.json). */
export function defaultGateConfig(): GateConfig {
  return gateConfigSchema.parse({});
}

/**
 * Validates a parsed configuration document and fills in defaults.
 * @param where the file name to put in the error.
 * @throws ConfigFileError naming the file and the first bad field.
 */
export function parseGateConfig(doc: unknown, where: string): GateConfig {
  const parsed = gateConfigSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigFileError(where, describeIssue(parsed.error));
  return parsed.data;
}

/** The threshold T of a mode, a fraction. */
export function thresholdOf(config: GateConfig, mode: Mode): number {
  return config.thresholds[mode];
}

/** The robust CV above which a capture of `mode` counts as noisy: T x noisy_cv_fraction_of_threshold. */
export function noisyCvOf(config: GateConfig, mode: Mode): number {
  return thresholdOf(config, mode) * config.noisy_cv_fraction_of_threshold;
}
