/**
 * `ab --a-cmd CMD --b-cmd CMD`: any two commands, interleaved in ABBA blocks (src/gate/paired.ts), each run a
 * fresh process through the command executor (src/execute/command.ts), decided per test and metric where the
 * output holds several. Each run's output is read once and shared by every test's and metric's decision: a
 * decision that needs more blocks than an earlier one runs them (and the later decisions reuse them).
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "shell-quote";
import type { GateConfig } from "../config/gate-config.js";
import type { CommandOutput, CommandTarget } from "../execute/command.js";
import { completedResult } from "../execute/outcome.js";
import { runPlanned } from "../execute/registry.js";
import { type AbReport, abReport } from "../gate/ab-report.js";
import { type GateMetricName, metricSpec, metricsToGate } from "../gate/metrics.js";
import { type AbBudget, type AbSide, runAb } from "../gate/paired.js";
import type { BenchmarkResult } from "../results/schema.js";
import { EngineError, UsageError } from "../util/errors.js";
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
    const known = cache.get(key);
    if (known) return known;
    const s = opts.sides[side];
    const label = `side ${s.label}, block ${block + 1}`;
    const run = (async () => {
      status(`${label}: ${s.spec}`);
      let output: CommandOutput | null = null;
      const target: CommandTarget = {
        label,
        argv: s.argv,
        cwd: s.cwd,
        env: s.env,
        output: s.output,
        timeout_s: opts.timeout_s,
        onOutput: (o) => {
          output = o;
        },
      };
      const outcome = await interruptible((signal) =>
        runPlanned(
          { executor: "command", target },
          {
            mode: "generation",
            rounds: 1,
            warmup: 0,
            maxNewTokens: 0,
            invocation: invocationOf([], s.argv),
            detail,
            signal,
          },
        ),
      );
      completedResult(outcome);
      return output as unknown as CommandOutput;
    })();
    cache.set(key, run);
    return run;
  };
}

/** The result of `test` (or the only one) in a run's output, one line naming the side and run when absent. */
function pick(output: CommandOutput, test: string | null, where: string): BenchmarkResult {
  if (test === null) return output.results[0] as BenchmarkResult;
  const found = output.results.find((r) => (r.test ?? null) === test);
  if (found) return found;
  const held = output.results.map((r) => r.test ?? "(unnamed)").join(", ");
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
  const named = [...new Set(a.results.map((r) => r.test ?? null))];
  if (opts.tests.length > 0) return [...opts.tests];
  if (a.results.length > 1 && named.includes(null))
    throw new EngineError(
      `side A, block 1: prints ${a.results.length} results without test names: cannot tell them apart`,
    );
  return a.results.length > 1 ? (named as string[]) : [null];
}

/**
 * Runs the A/B of two commands and decides every test and metric.
 * @returns one report per test and metric, in output order, each metric's under its test.
 * @throws EngineError (exit 7) naming the side and run for a command that fails, times out, prints nothing,
 *   prints no result, another format than its pair, or lacks a test; InterruptedError on Ctrl-C.
 */
export async function runCommandAb(opts: CommandAbOptions): Promise<AbReport[]> {
  const cache: OutputCache = new Map();
  const run = sideRunner(opts, cache);
  const tests = await firstBlock(run, opts);
  const reports: AbReport[] = [];
  for (const test of tests) {
    const first = pick(await run("a", 0), test, "side A, block 1");
    for (const name of metricsToGate(first, opts.metrics)) {
      const metric = metricSpec(opts.config, first.mode, name);
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
        abReport(outcome, first.mode, opts.config, {
          a: `${opts.sides.a.spec}${what}`,
          b: `${opts.sides.b.spec}${what}`,
        }),
      );
    }
  }
  return reports;
}
