import { readGateConfig } from "../../config/read-config.js";
import { abReport } from "../../gate/ab-report.js";
import { combineVerdicts } from "../../gate/combine.js";
import { type AbSide, runAb } from "../../gate/paired.js";
import { writeReports } from "../../report/registry.js";
import { UsageError } from "../../util/errors.js";
import { intFlag, positiveNumberFlag, stringFlag } from "../../util/flags.js";
import { MODES, type Mode } from "../../workload/workload.js";
import { parseSideSpec } from "../ab-sides.js";
import { type Command, choiceFlag } from "../args.js";
import { runCapture } from "../capture.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";
import { RUN_LIMITS, runShapeFromFlags } from "../run-flags.js";

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

/**
 * `perf-baseline ab`: two engine specifications run in one invocation, in alternating blocks (ABBA; each run a
 * fresh engine process for a local engine, with its own warmup), decided on the paired block ratios.
 */
export const abCommand: Command = {
  name: "ab",
  summary:
    "Compare two engine specifications in one interleaved run (ABBA blocks, fresh engine per run): PASS, REGRESSION or INCONCLUSIVE for B against A.",
  usage: 'perf-baseline ab --a "ENGINE FLAGS" --b "ENGINE FLAGS" [--mode generation|embedding] [options]',
  flags: {
    a: {
      type: "string",
      takesFlags: true,
      description:
        'side A, the reference: the engine flags of `bench` as one string, e.g. "--model old.gguf --threads 1" or "--engine openai --base-url http://127.0.0.1:8080/v1"',
    },
    b: {
      type: "string",
      takesFlags: true,
      description: "side B, the candidate: as --a (a drop is B slower than A)",
    },
    mode: { type: "string", description: "generation or embedding", default: "generation" },
    rounds: {
      type: "string",
      description: `measured rounds per run (1 to ${RUN_LIMITS.rounds}; openai: requests)`,
      default: String(AB_DEFAULTS.rounds),
    },
    warmup: {
      type: "string",
      description: `uncounted rounds at the start of every run (0 to ${RUN_LIMITS.warmup})`,
      default: String(AB_DEFAULTS.warmup),
    },
    "max-new-tokens": {
      type: "string",
      description: `tokens generated per round (1 to ${RUN_LIMITS.max_new_tokens})`,
      default: String(AB_DEFAULTS.max_new_tokens),
    },
    "min-blocks": {
      type: "string",
      description:
        "blocks before the first decision (2 to --max-blocks; alpha 0.01 needs 7 for a REGRESSION)",
      default: String(AB_DEFAULTS.min_blocks),
    },
    "max-blocks": {
      type: "string",
      description: `blocks at most, while INCONCLUSIVE (2 to ${AB_LIMITS.max_blocks})`,
      default: String(AB_DEFAULTS.max_blocks),
    },
    "max-seconds": {
      type: "string",
      description: `no new block starts after this many seconds (up to ${AB_LIMITS.max_seconds})`,
      default: String(AB_DEFAULTS.max_seconds),
    },
    config: { type: "string", description: "gate configuration file", default: "perf-baseline.config.json" },
    ...reportFlags(true),
  },
  async run(values) {
    const { config } = readGateConfig(stringFlag(values, "config"));
    const reports = reportsFromFlags(values);
    const mode: Mode = choiceFlag(values, "mode", MODES, "generation");
    const shape = runShapeFromFlags(
      {
        rounds: values.rounds ?? String(AB_DEFAULTS.rounds),
        warmup: values.warmup ?? String(AB_DEFAULTS.warmup),
        "max-new-tokens": values["max-new-tokens"] ?? String(AB_DEFAULTS.max_new_tokens),
      },
      mode,
    );
    const maxBlocks = intFlag(values, "max-blocks", AB_DEFAULTS.max_blocks, { max: AB_LIMITS.max_blocks });
    const minBlocks = intFlag(values, "min-blocks", Math.min(AB_DEFAULTS.min_blocks, maxBlocks), {
      max: maxBlocks,
    });
    if (maxBlocks < 2 || minBlocks < 2)
      throw new UsageError(
        "--min-blocks and --max-blocks must be at least 2 (a paired test needs two blocks)",
      );
    const maxSeconds =
      positiveNumberFlag(values, "max-seconds", AB_DEFAULTS.max_seconds, { max: AB_LIMITS.max_seconds }) ??
      AB_DEFAULTS.max_seconds;
    const specA = stringFlag(values, "a");
    const specB = stringFlag(values, "b");
    if (specA === undefined || specB === undefined)
      throw new UsageError('ab needs both sides: --a "ENGINE FLAGS" --b "ENGINE FLAGS" (see --help)');
    const sides = { a: parseSideSpec("a", specA, shape), b: parseSideSpec("b", specB, shape) };
    const runSide = (side: AbSide, block: number) => {
      const s = sides[side];
      return runCapture(s.engine, { shape, options: s.options }, `block ${block + 1} ${s.label}`);
    };
    const t0 = performance.now();
    const outcome = await runAb(
      mode,
      config,
      { min_blocks: minBlocks, max_blocks: maxBlocks, max_seconds: maxSeconds },
      runSide,
      () => (performance.now() - t0) / 1000,
    );
    const report = abReport(outcome, mode, config, {
      a: `${specA} (${sides.a.engine.name}, ${sides.a.engine.describe(sides.a.options, shape)})`,
      b: `${specB} (${sides.b.engine.name}, ${sides.b.engine.describe(sides.b.options, shape)})`,
    });
    process.stdout.write(reports.stdout.render({ kind: "ab", report }));
    writeReports(reports.files, { kind: "ab", report });
    return combineVerdicts([{ kind: "time", mode, verdict: report.verdict }]).exit_code;
  },
};
