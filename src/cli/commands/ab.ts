import { findGateConfig } from "../../config/find-config.js";
import { MODE_FLAG, SHAPE_FLAGS, shapeFromFlags } from "../../engines/definition.js";
import { type AbReport, abReport } from "../../gate/ab-report.js";
import { combineVerdicts } from "../../gate/combine.js";
import { metricSpec, metricsOfMode } from "../../gate/metrics.js";
import { type AbSide, runAb } from "../../gate/paired.js";
import { writeReports } from "../../report/registry.js";
import { UsageError } from "../../util/errors.js";
import type { Mode } from "../../workload/workload.js";
import { parseSideSpec } from "../ab-sides.js";
import { type Command, type FlagSpec, type FlagTable, flagReader } from "../args.js";
import { runCapture } from "../capture.js";
import { CONFIG_FLAG } from "../common-flags.js";
import { METRIC_FLAG, metricReportTargets, readMetrics } from "../metric-gates.js";
import { printVerdictSummary, QUIET_FLAG } from "../progress.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";

/** Defaults of an A/B run: short runs, many blocks (the block, not the round, is the unit of evidence). */
export const AB_DEFAULTS = {
  rounds: 5,
  warmup: 1,
  max_new_tokens: 32,
  min_blocks: 8,
  max_blocks: 16,
  max_seconds: 1800,
} as const;
/** Upper bounds of the budget flags. */
export const AB_LIMITS = { max_blocks: 1000, max_seconds: 7 * 24 * 3600 } as const;

/** --min-blocks: at most --max-blocks (checked with its value); below 2 is refused with the reason. */
const MIN_BLOCKS_FLAG: FlagSpec = {
  kind: "int",
  min: 1,
  max: AB_LIMITS.max_blocks,
  range: "2 to --max-blocks",
  description: "blocks before the first decision (alpha 0.01 needs 7 for a REGRESSION)",
  default: AB_DEFAULTS.min_blocks,
};

/** The flags of `ab`: the two sides, the shared shape (with A/B defaults) and the budget. */
const FLAGS: FlagTable = {
  a: {
    kind: "string",
    takesFlags: true,
    description:
      'side A, the reference: the engine flags of `bench` as one string, e.g. "--model old.gguf --threads 1" or "--engine openai --base-url http://127.0.0.1:8080/v1"',
  },
  b: {
    kind: "string",
    takesFlags: true,
    description: "side B, the candidate: as --a (a drop is B slower than A)",
  },
  mode: MODE_FLAG,
  rounds: {
    ...SHAPE_FLAGS.rounds,
    description: "measured rounds per run (openai: requests)",
    default: AB_DEFAULTS.rounds,
  },
  warmup: {
    ...SHAPE_FLAGS.warmup,
    description: "uncounted rounds at the start of every run",
    default: AB_DEFAULTS.warmup,
  },
  "max-new-tokens": {
    ...SHAPE_FLAGS["max-new-tokens"],
    min: 1,
    description: "tokens generated per round",
    default: AB_DEFAULTS.max_new_tokens,
  },
  "min-blocks": MIN_BLOCKS_FLAG,
  "max-blocks": {
    kind: "int",
    min: 1,
    max: AB_LIMITS.max_blocks,
    range: `2 to ${AB_LIMITS.max_blocks}`,
    description: "blocks at most, while INCONCLUSIVE",
    default: AB_DEFAULTS.max_blocks,
  },
  "max-seconds": {
    kind: "number",
    max: AB_LIMITS.max_seconds,
    unit: "s",
    description: "no new block starts after this many seconds",
    default: AB_DEFAULTS.max_seconds,
  },
  metric: METRIC_FLAG,
  config: CONFIG_FLAG,
  ...reportFlags(true),
  quiet: QUIET_FLAG,
};

/**
 * `perf-baseline ab`: two engine specifications run in one invocation, in alternating blocks (ABBA; each run a
 * fresh engine process for a local engine, with its own warmup), decided on the paired block ratios.
 */
export const abCommand: Command = {
  name: "ab",
  summary:
    "Compare two engine specifications in one interleaved run (ABBA blocks, fresh engine per run): PASS, REGRESSION or INCONCLUSIVE for B against A.",
  usage:
    'perf-baseline ab --a "ENGINE FLAGS" --b "ENGINE FLAGS" [--mode generation|embedding] [--metric NAME,...] [options]',
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const { config } = findGateConfig(read.string("config"));
    const reports = reportsFromFlags(values);
    const mode: Mode = read.choice("mode", "generation");
    const shape = shapeFromFlags(values, mode, {
      rounds: AB_DEFAULTS.rounds,
      warmup: AB_DEFAULTS.warmup,
      maxNewTokens: AB_DEFAULTS.max_new_tokens,
    });
    const maxBlocks = read.int("max-blocks", AB_DEFAULTS.max_blocks);
    const minBlocks = flagReader({ "min-blocks": { ...MIN_BLOCKS_FLAG, max: maxBlocks } }, values).int(
      "min-blocks",
      Math.min(AB_DEFAULTS.min_blocks, maxBlocks),
    );
    if (maxBlocks < 2 || minBlocks < 2)
      throw new UsageError(
        "--min-blocks and --max-blocks must be at least 2 (a paired test needs two blocks)",
      );
    const maxSeconds = read.number("max-seconds", AB_DEFAULTS.max_seconds) ?? AB_DEFAULTS.max_seconds;
    const specA = read.string("a");
    const specB = read.string("b");
    if (specA === undefined || specB === undefined)
      throw new UsageError('ab needs both sides: --a "ENGINE FLAGS" --b "ENGINE FLAGS" (see --help)');
    const sides = { a: parseSideSpec("a", specA, shape), b: parseSideSpec("b", specB, shape) };
    const runSide = (side: AbSide, block: number) => {
      const s = sides[side];
      return runCapture(s.engine, { shape, options: s.options }, `block ${block + 1} ${s.label}`);
    };
    const metrics = metricsOfMode(mode, readMetrics(values)).map((m) => metricSpec(config, mode, m));
    const t0 = performance.now();
    const outcome = await runAb(
      mode,
      config,
      { min_blocks: minBlocks, max_blocks: maxBlocks, max_seconds: maxSeconds },
      runSide,
      () => (performance.now() - t0) / 1000,
      metrics,
    );
    const labels = {
      a: `${specA} (${sides.a.engine.name}, ${sides.a.engine.describe(sides.a.options, shape)})`,
      b: `${specB} (${sides.b.engine.name}, ${sides.b.engine.describe(sides.b.options, shape)})`,
    };
    const each: AbReport[] = (outcome.by_metric ?? [outcome]).map((o) => abReport(o, mode, config, labels));
    for (const report of each) {
      process.stdout.write(reports.stdout.render({ kind: "ab", report }));
      writeReports(metricReportTargets(reports.files, report.metric, each.length), { kind: "ab", report });
    }
    // one decision per metric (`--metric`), combined: a REGRESSION in any is a REGRESSION
    const combined = combineVerdicts(
      metrics.length === 0
        ? [{ kind: "time", mode, verdict: (each[0] as AbReport).verdict }]
        : each.map((r) => ({ kind: "metric" as const, mode, metric: r.metric, verdict: r.verdict })),
    );
    printVerdictSummary(reports.stdout.name, combined, read.boolean("quiet"));
    return combined.exit_code;
  },
};
