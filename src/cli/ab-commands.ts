/**
 * `ab --a-cmd CMD --b-cmd CMD`: any two commands, interleaved in ABBA blocks (src/gate/paired.ts), each run a
 * fresh process through the command executor (src/execute/command.ts), its output read through the importers
 * (src/import/: any format with per-run samples), decided per test and metric where the output holds several. Each run's output is read once and shared by every test's and metric's decision: a
 * decision that needs more blocks than an earlier one runs them (and the later decisions reuse them).
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "shell-quote";
import { type GateConfig, thresholdOf } from "../config/gate-config.js";
import { type CommandOutput, type CommandTarget, runCommandOnce } from "../execute/command.js";
import { type AbReport, abReport } from "../gate/ab-report.js";
import { type GateMetricName, metricSpec, metricsToGate } from "../gate/metrics.js";
import {
  type AbBudget,
  type AbMetric,
  type AbRun,
  type AbSide,
  isImportedRun,
  runAb,
} from "../gate/paired.js";
import { EngineError, InterruptedError, UsageError } from "../util/errors.js";
import { interruptible } from "./interrupt.js";
import { invocationOf } from "./invocation.js";
import { detail, status } from "./progress.js";

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

/** Bounds of --run-timeout, seconds. */
export const RUN_TIMEOUT_S = { default: 600, max: 24 * 3600 } as const;

/** One side as a command. */
export interface CommandSide {
  /** "A" or "B" */
  label: "A" | "B";
  /** the command as given */
  spec: string;
  argv: string[];
  /** absolute */
  cwd: string;
  env: Record<string, string>;
  /** the file it writes its result to, relative to cwd; null: stdout */
  output: string | null;
}

/** What a side's flags say besides its command. */
export interface CommandSideFlags {
  cwd?: string;
  /** K=V each */
  env?: readonly string[];
  output?: string;
}

/**
 * Splits a command as a POSIX shell would (quotes, escapes; shell-quote), without running a shell: `$VAR` is
 * kept as written, an operator (`;`, `|`, `>`) is refused (write `sh -c '...'` for a shell).
 * @param flag the flag it came from, named in errors ("--a-cmd").
 * @throws UsageError for an empty command or shell syntax.
 */
export function splitCommand(flag: string, spec: string): string[] {
  const words: string[] = [];
  for (const w of parse(spec, (name) => `$${name}`)) {
    if (typeof w !== "string")
      throw new UsageError(
        `${flag}: shell syntax (${JSON.stringify(w)}) needs a shell: write sh -c '...' to use one`,
      );
    words.push(w);
  }
  if (words.length === 0) throw new UsageError(`${flag}: an empty command`);
  return words;
}

/**
 * One side from its flags.
 * @throws UsageError for a bad command, a working folder that is not a folder, or an environment entry that
 *   is not NAME=VALUE.
 */
export function parseCommandSide(side: AbSide, spec: string, flags: CommandSideFlags): CommandSide {
  const argv = splitCommand(`--${side}-cmd`, spec);
  const cwd = resolve(flags.cwd ?? ".");
  if (!existsSync(cwd) || !statSync(cwd).isDirectory())
    throw new UsageError(`--${side}-cwd ${flags.cwd}: not a folder`);
  const env: Record<string, string> = {};
  for (const entry of flags.env ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(entry);
    if (!m) throw new UsageError(`--${side}-env ${JSON.stringify(entry)}: expected NAME=VALUE`);
    env[m[1] as string] = m[2] as string;
  }
  return { label: side === "a" ? "A" : "B", spec, argv, cwd, env, output: flags.output ?? null };
}

/** An A/B run of two commands. */
export interface CommandAbOptions {
  sides: { a: CommandSide; b: CommandSide };
  config: GateConfig;
  budget: AbBudget;
  /** --run-timeout, seconds */
  timeout_s: number;
  /** --metric: [] for each test's default metric */
  metrics: readonly GateMetricName[];
  /** --test: [] for every test the output holds */
  tests: readonly string[];
}

/** Runs of each side, by block, read once: every decision shares them. */
type OutputCache = Map<string, Promise<CommandOutput>>;

/** Runs a side's command once for a block (or returns the run already made). */
function sideRunner(opts: CommandAbOptions, cache: OutputCache) {
  return (side: AbSide, block: number): Promise<CommandOutput> => {
    const key = `${side}:${block}`;
    const made = cache.get(key);
    if (made) return made;
    const s = opts.sides[side];
    const label = `side ${s.label}, block ${block + 1}`;
    const run = (async () => {
      status(`${label}: ${s.spec}`);
      const target: CommandTarget = {
        label,
        argv: s.argv,
        cwd: s.cwd,
        env: s.env,
        output: s.output,
        timeout_s: opts.timeout_s,
      };
      const once = await interruptible((signal) =>
        runCommandOnce(target, { ...RUN_SPEC, invocation: invocationOf([], s.argv), detail, signal }),
      );
      if (once.state === "interrupted") throw new InterruptedError(`interrupted during ${label}`);
      if (once.state === "failed") throw once.error;
      return once.output;
    })();
    cache.set(key, run);
    return run;
  };
}

/** The run spec of one command run (its rounds are the command's own business). */
const RUN_SPEC = { mode: "generation", rounds: 1, warmup: 0, maxNewTokens: 0 } as const;

/**
 * Each test's name in an output, in order: this tool's result's `test` (null when unnamed), an import's test
 * name; a name the output holds more than once (a llama-bench sweep of threads) is told apart by its place,
 * "tg32 #2", and side B's second tg32 is paired with side A's second.
 */
function testIds(output: CommandOutput): (string | null)[] {
  const names = output.results.map((r) => (r.result ? (r.result.test ?? null) : r.test));
  const seen = new Map<string | null, number>();
  return names.map((n) => {
    if (n === null || names.filter((x) => x === n).length === 1) return n;
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return `${n} #${k}`;
  });
}

/** The run of `test` (or the only one) in a run's output, one line naming the side and run when absent. */
function pick(output: CommandOutput, test: string | null, where: string): AbRun {
  const ids = testIds(output);
  const i = test === null ? 0 : ids.indexOf(test);
  const found = output.results[i];
  if (i >= 0 && found) return found.result ?? found;
  const held = ids.map((t) => t ?? "(unnamed)").join(", ");
  throw new EngineError(`${where}: its output holds no test ${test} (it holds: ${held})`);
}

/** Both sides' first runs: the same format, and the tests to decide (--test, else every test of side A). */
async function firstBlock(run: ReturnType<typeof sideRunner>, opts: CommandAbOptions) {
  const a = await run("a", 0);
  const b = await run("b", 0);
  if (a.format !== b.format)
    throw new EngineError(
      `side B, block 1: prints ${b.format}, side A prints ${a.format}: both sides must print the same format`,
    );
  const named = testIds(a);
  if (opts.tests.length > 0) return [...opts.tests];
  if (a.results.length > 1 && named.includes(null))
    throw new EngineError(
      `side A, block 1: prints ${a.results.length} results without test names: cannot tell them apart`,
    );
  return a.results.length > 1 ? (named as string[]) : [null];
}

/**
 * The metrics to decide a test on: this tool's as `ab` does (src/gate/metrics.ts); an import's first metric
 * (or those --metric names), with the direction its format gives and the threshold of its mode, or of the
 * configuration's `metrics` entry.
 * @throws EngineError (one line) for a metric the import lacks, has no direction for, or keeps no samples of.
 */
function metricsOf(first: AbRun, opts: CommandAbOptions, where: string): AbMetric[] {
  if (!isImportedRun(first))
    return metricsToGate(first, opts.metrics).map((n) => metricSpec(opts.config, first.mode, n));
  const names = opts.metrics.length > 0 ? opts.metrics : [first.metrics[0]?.name ?? "(none)"];
  return names.map((name) => {
    const m = first.metrics.find((x) => x.name === name);
    const has = first.metrics.map((x) => x.name).join(", ");
    if (!m)
      throw new EngineError(`${where}: its ${first.format} output carries no ${name} (it carries: ${has})`);
    if (m.direction === null)
      throw new EngineError(`${where}: ${first.format} does not say which way ${name} gets better`);
    if (m.samples === null)
      throw new EngineError(
        `${where}: its ${first.format} output keeps a summary of ${name} only: an A/B block needs per-run figures (samples)`,
      );
    const own = opts.config.metrics[name as GateMetricName];
    return {
      name,
      direction: m.direction,
      threshold: own?.threshold ?? thresholdOf(opts.config, first.mode),
    };
  });
}

/**
 * Runs the A/B of two commands and decides every test and metric, on the per-run samples of whatever format
 * they print (src/import/: this tool's rounds, llama-bench's samples_ts, hyperfine's times, ...).
 * @returns one report per test and metric, in output order, each metric's under its test.
 * @throws EngineError (exit 7) naming the side and run for a command that fails, times out, prints nothing,
 *   prints no result, another format than its pair, a summary only, or lacks a test; InterruptedError on Ctrl-C.
 */
export async function runCommandAb(opts: CommandAbOptions): Promise<AbReport[]> {
  const cache: OutputCache = new Map();
  const run = sideRunner(opts, cache);
  const tests = await firstBlock(run, opts);
  const reports: AbReport[] = [];
  for (const test of tests) {
    const first = pick(await run("a", 0), test, "side A, block 1");
    pick(await run("b", 0), test, "side B, block 1");
    for (const metric of metricsOf(first, opts, "side A, block 1")) {
      const runSide = async (side: AbSide, block: number) =>
        pick(await run(side, block), test, `side ${side.toUpperCase()}, block ${block + 1}`);
      const t0 = performance.now();
      const outcome = await runAb(
        first.mode,
        opts.config,
        opts.budget,
        runSide,
        () => (performance.now() - t0) / 1000,
        [metric],
      );
      const what = test === null ? "" : ` [test ${test}]`;
      reports.push(
        abReport(
          outcome,
          first.mode,
          opts.config,
          { a: `${opts.sides.a.spec}${what}`, b: `${opts.sides.b.spec}${what}` },
          true,
        ),
      );
    }
  }
  return reports;
}
