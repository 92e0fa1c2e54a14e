import { findGateConfig } from "../../config/find-config.js";
import type { GateConfig } from "../../config/gate-config.js";
import type { RunShape } from "../../engines/definition.js";
import { MODE_FLAG, SHAPE_FLAGS, shapeFromFlags } from "../../engines/definition.js";
import { type AbReport, abReport } from "../../gate/ab-report.js";
import { combineVerdicts, type VerdictPart } from "../../gate/combine.js";
import { metricSpec, metricsOfMode } from "../../gate/metrics.js";
import { type AbBudget, type AbSide, runAb } from "../../gate/paired.js";
import { writeReports } from "../../report/registry.js";
import { UsageError } from "../../util/errors.js";
import type { FlagValues } from "../../util/flags.js";
import type { Mode } from "../../workload/workload.js";
import {
  AB_DEFAULTS,
  AB_LIMITS,
  type CommandAbOptions,
  parseCommandSide,
  RUN_TIMEOUT_S,
  runCommandAb,
} from "../ab-commands.js";
import { parseSideSpec } from "../ab-sides.js";
import { AGAINST_FLAGS, againstAsked, againstFlags, runAgainstAb } from "../against.js";
import { type Command, type FlagSpec, type FlagTable, flagReader } from "../args.js";
import { runCapture } from "../capture.js";
import { CONFIG_FLAG } from "../common-flags.js";
import { METRIC_FLAG, metricReportTargets, readMetrics } from "../metric-gates.js";
import { printVerdictSummary, QUIET_FLAG } from "../progress.js";
import { reportFlags, reportsFromFlags } from "../report-flags.js";

export { AB_DEFAULTS, AB_LIMITS };

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
  "a-cmd": {
    kind: "string",
    takesFlags: true,
    description:
      "side A as any command that prints a result (run as a fresh process, no shell: write sh -c '...' for one), instead of --a",
  },
  "b-cmd": { kind: "string", takesFlags: true, description: "side B as a command: as --a-cmd" },
  "a-output": {
    kind: "path",
    description: "the file --a-cmd writes its result to (relative to --a-cwd; removed before each run)",
    default: "its stdout",
  },
  "b-output": { kind: "path", description: "the file --b-cmd writes its result to", default: "its stdout" },
  "a-cwd": { kind: "path", description: "the folder --a-cmd runs in", default: "this folder" },
  "b-cwd": { kind: "path", description: "the folder --b-cmd runs in", default: "this folder" },
  "a-env": {
    kind: "string",
    multiple: true,
    description: "NAME=VALUE added to --a-cmd's environment; may be repeated",
  },
  "b-env": {
    kind: "string",
    multiple: true,
    description: "NAME=VALUE added to --b-cmd's environment; may be repeated",
  },
  "run-timeout": {
    kind: "number",
    max: RUN_TIMEOUT_S.max,
    unit: "s",
    description: "a command's run that takes longer is killed and fails the A/B",
    default: RUN_TIMEOUT_S.default,
  },
  test: {
    kind: "list",
    description:
      "the tests to decide where a command's output holds several (the results' test names, e.g. pp512,tg128)",
    default: "every test of side A's output",
  },
  metric: METRIC_FLAG,
  ...AGAINST_FLAGS,
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
    "Compare two engine specifications, two commands, or the working tree against a git revision, in one interleaved run (ABBA blocks, a fresh process per run): PASS, REGRESSION or INCONCLUSIVE for B against A.",
  usage:
    'perf-baseline ab --a "ENGINE FLAGS" --b "ENGINE FLAGS" | --a-cmd CMD --b-cmd CMD | --against REF [options]',
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const { config } = findGateConfig(read.string("config"));
    const reports = reportsFromFlags(values);
    const budget = budgetFromFlags(values);
    const against = againstAsked(values) ? read.string("against") : undefined;
    const commands = values["a-cmd"] !== undefined || values["b-cmd"] !== undefined;
    let done: AbReport[];
    if (against !== undefined) {
      refuseGiven(values, ["a", "b", "a-cmd", "b-cmd"], "--against runs --bench-cmd in both trees");
      done = await runAgainstAb(against, againstFlags(values), {
        config,
        budget,
        timeout_s: read.number("run-timeout", RUN_TIMEOUT_S.default) ?? RUN_TIMEOUT_S.default,
        metrics: readMetrics(values),
        tests: read.list("test") ?? [],
        shape: abShape(values),
      });
    } else if (commands) done = await runCommandAb(commandAbOptions(values, config, budget));
    else done = await engineAb(values, config, budget);
    return finishAb(done, reports, read.boolean("quiet"));
  },
};

/** The shape of an engine A/B (and of --against's default bench command), with A/B defaults. */
function abShape(values: FlagValues): RunShape {
  const mode: Mode = flagReader(FLAGS, values).choice("mode", "generation");
  return shapeFromFlags(values, mode, {
    rounds: AB_DEFAULTS.rounds,
    warmup: AB_DEFAULTS.warmup,
    maxNewTokens: AB_DEFAULTS.max_new_tokens,
  });
}

/** The block budget. @throws UsageError below 2 blocks. */
function budgetFromFlags(values: FlagValues): AbBudget {
  const read = flagReader(FLAGS, values);
  const maxBlocks = read.int("max-blocks", AB_DEFAULTS.max_blocks);
  const minBlocks = flagReader({ "min-blocks": { ...MIN_BLOCKS_FLAG, max: maxBlocks } }, values).int(
    "min-blocks",
    Math.min(AB_DEFAULTS.min_blocks, maxBlocks),
  );
  if (maxBlocks < 2 || minBlocks < 2)
    throw new UsageError("--min-blocks and --max-blocks must be at least 2 (a paired test needs two blocks)");
  const maxSeconds = read.number("max-seconds", AB_DEFAULTS.max_seconds) ?? AB_DEFAULTS.max_seconds;
  return { min_blocks: minBlocks, max_blocks: maxBlocks, max_seconds: maxSeconds };
}

/** @throws UsageError when one of `names` was given, with the reason. */
function refuseGiven(values: FlagValues, names: readonly string[], why: string): void {
  const given = names.find((n) => values[n] !== undefined);
  if (given !== undefined) throw new UsageError(`--${given} cannot be used here: ${why}`);
}

/** The values of a repeatable string flag. */
function repeated(values: FlagValues, name: string): string[] {
  const raw = values[name];
  return raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
}

/** `ab --a-cmd --b-cmd`: the two command sides and the decision's settings. */
function commandAbOptions(values: FlagValues, config: GateConfig, budget: AbBudget): CommandAbOptions {
  const read = flagReader(FLAGS, values);
  refuseGiven(values, ["a", "b"], "give each side either as engine flags (--a, --b) or as a command");
  refuseGiven(
    values,
    ["mode", "rounds", "warmup", "max-new-tokens"],
    "a command side runs its own workload: give it inside --a-cmd and --b-cmd",
  );
  const specA = read.string("a-cmd");
  const specB = read.string("b-cmd");
  if (specA === undefined || specB === undefined)
    throw new UsageError("ab needs both commands: --a-cmd CMD --b-cmd CMD (see --help)");
  const side = (s: AbSide, spec: string) =>
    parseCommandSide(s, spec, {
      cwd: read.string(`${s}-cwd`),
      env: repeated(values, `${s}-env`),
      output: read.string(`${s}-output`),
    });
  return {
    sides: { a: side("a", specA), b: side("b", specB) },
    config,
    budget,
    timeout_s: read.number("run-timeout", RUN_TIMEOUT_S.default) ?? RUN_TIMEOUT_S.default,
    metrics: readMetrics(values),
    tests: read.list("test") ?? [],
  };
}

/** `ab --a --b`: two engine specifications, each run a fresh engine process. */
async function engineAb(values: FlagValues, config: GateConfig, budget: AbBudget): Promise<AbReport[]> {
  const read = flagReader(FLAGS, values);
  const shape = abShape(values);
  const specA = read.string("a");
  const specB = read.string("b");
  if (specA === undefined || specB === undefined)
    throw new UsageError(
      'ab needs two sides: --a "ENGINE FLAGS" --b "ENGINE FLAGS", --a-cmd CMD --b-cmd CMD, or --against REF (see --help)',
    );
  refuseGiven(
    values,
    ["a-output", "b-output", "a-cwd", "b-cwd", "a-env", "b-env", "test"],
    "it applies to --a-cmd and --b-cmd",
  );
  const sides = { a: parseSideSpec("a", specA, shape), b: parseSideSpec("b", specB, shape) };
  const runSide = (side: AbSide, block: number) => {
    const s = sides[side];
    return runCapture(s.engine, { shape, options: s.options }, `block ${block + 1} ${s.label}`);
  };
  const metrics = metricsOfMode(shape.mode, readMetrics(values)).map((m) =>
    metricSpec(config, shape.mode, m),
  );
  const t0 = performance.now();
  const outcome = await runAb(
    shape.mode,
    config,
    budget,
    runSide,
    () => (performance.now() - t0) / 1000,
    metrics,
  );
  const labels = {
    a: `${specA} (${sides.a.engine.name}, ${sides.a.engine.describe(sides.a.options, shape)})`,
    b: `${specB} (${sides.b.engine.name}, ${sides.b.engine.describe(sides.b.options, shape)})`,
  };
  // one decision per metric (`--metric`), decided on the same blocks
  return (outcome.by_metric ?? [outcome]).map((o) => abReport(o, shape.mode, config, labels));
}

/**
 * Prints every report (stdout's format), writes the report files of the one that decided the overall verdict,
 * and returns the overall exit code (src/gate/combine.ts).
 */
function finishAb(
  done: readonly AbReport[],
  reports: ReturnType<typeof reportsFromFlags>,
  quiet: boolean,
): number {
  for (const report of done) {
    process.stdout.write(reports.stdout.render({ kind: "ab", report }));
    // several decisions: each report file gets its metric's name (ab.md -> ab.ttft_ms.md)
    writeReports(metricReportTargets(reports.files, report.metric, done.length), { kind: "ab", report });
  }
  const parts = done.map((r): VerdictPart => ({ kind: "time", mode: r.mode, verdict: r.verdict }));
  const combined = combineVerdicts(parts);
  printVerdictSummary(reports.stdout.name, combined, quiet);
  return combined.exit_code;
}
