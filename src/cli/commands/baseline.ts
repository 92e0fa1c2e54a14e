/**
 * `perf-baseline baseline` (`make baseline`): captures the configuration's release tests (src/config/
 * release-tests.ts; by default the specification's two, one per mode), each `baseline_captures` times, the tests
 * interleaved so that the captures of one test are apart in time; pools each test's captures into a baseline
 * with its between-capture noise, and writes each test's baseline file (docs/baseline-generation.json,
 * docs/baseline-embedding.json, docs/baselines/<test>.json).
 * Nothing is written until every capture has finished; each file is replaced atomically; an existing baseline
 * that no longer validates is copied aside first.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { writeBaselines } from "../../baseline/files.js";
import { poolCaptures } from "../../baseline/pool.js";
import { findGateConfig } from "../../config/find-config.js";
import { type GateConfig, gateConfigSchema, noisyCvOf } from "../../config/gate-config.js";
import type { ReleaseTest } from "../../config/release-tests.js";
import type { EngineDefinition, RunShape } from "../../engines/definition.js";
import { metricSamples } from "../../gate/analysis.js";
import { defaultMetricOf } from "../../gate/metrics.js";
import { recordToHistory } from "../../history/record.js";
import { readResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { warningRecord } from "../../results/warnings.js";
import { median, robustCv } from "../../stats/index.js";
import { EXIT, ResultFileError } from "../../util/errors.js";
import type { FlagValues } from "../../util/flags.js";
import { fmtRate, pct } from "../../util/format.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, type FlagTable, flagReader, stringFlag } from "../args.js";
import { addCounts, timedOptions } from "../baseline-counts.js";
import { runCapture } from "../capture.js";
import { CONFIG_FLAG, MODE_SELECTION_FLAG } from "../common-flags.js";
import { thisCommand } from "../gate-support.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { status } from "../progress.js";
import { chosenReleaseTests, TEST_FLAG, testRunValues } from "../release-tests.js";
import { engineRunFromFlags, ownFlagNames, runFlags, runShapeFromFlags } from "../run-flags.js";

/** The range of --captures: the configuration's `baseline_captures` (src/config/gate-config.ts). */
const CAPTURES = gateConfigSchema.shape.baseline_captures.unwrap();

/** The flags of `baseline`: its own, and the run's. */
const FLAGS: FlagTable = {
  mode: { ...MODE_SELECTION_FLAG, description: "the release tests of which modes" },
  test: TEST_FLAG,
  captures: {
    kind: "int",
    min: CAPTURES.minValue ?? 1,
    max: CAPTURES.maxValue ?? undefined,
    description: "captures per test, pooled; their spread is recorded as the between-capture noise",
    default: "baseline_captures of the config (2)",
  },
  dir: {
    kind: "path",
    description:
      "write each baseline file (its configured file name) into this folder instead of the configured paths",
  },
  config: CONFIG_FLAG,
  ...runFlags(),
  history: RECORD_HISTORY_FLAG,
};

/** One release test's captures to take: its engine and timed plan. */
interface TestRun {
  test: ReleaseTest;
  mode: ReleaseTest["mode"];
  counted: boolean;
  engine: EngineDefinition;
  plan: { shape: RunShape; options: unknown };
}

/** `perf-baseline baseline`. */
export const baselineCommand: Command = {
  name: "baseline",
  summary:
    "Capture the release tests' baselines (all by default) and write each baseline file (docs/baseline-<mode>.json, docs/baselines/<test>.json) atomically.",
  usage:
    "perf-baseline baseline [--mode both|generation|embedding] [--test NAME] [--captures N] [--rounds N] [options]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const found = findGateConfig(read.string("config"));
    const { config } = found;
    const captures = read.int("captures", config.baseline_captures);
    const dir = read.string("dir");
    const pathOf = (t: ReleaseTest) => (dir === undefined ? t.baseline : join(dir, basename(t.baseline)));
    // every test's flags are validated before the first capture runs
    const runs = chosenReleaseTests(found, values).map((test): TestRun => {
      const own = testRunValues(test, values, runFlags(), found.path);
      const shape = runShapeFromFlags(own, test.mode);
      const { engine, options } = engineRunFromFlags(own, shape, ownFlagNames(FLAGS));
      const plan = { shape, options: timedOptions(engine.name, options) };
      return { test, mode: test.mode, counted: test.counted, engine, plan };
    });
    for (const r of runs) checkTarget(pathOf(r.test));

    const taken = new Map<string, BenchmarkResult[]>(runs.map((r) => [r.test.name, []]));
    for (let i = 1; i <= captures; i++) {
      for (const r of runs) {
        const result = await runCapture(r.engine, r.plan, `baseline ${r.test.name} capture ${i}/${captures}`);
        taken.get(r.test.name)?.push(result);
      }
    }
    const command = thisCommand();
    const pooled = runs.map((r) => ({
      path: pathOf(r.test),
      result: poolCaptures(taken.get(r.test.name) ?? [], command),
    }));
    await addCounts(values, runs, pooled);
    const lines = pooled.map((p) => summaryLine(p.path, p.result, config));
    const written = writeBaselines(pooled);
    for (const w of written) {
      if (w.kept_corrupted_as)
        lines.push(
          `  the invalid previous ${w.path} was kept as ${w.kept_corrupted_as} (${w.corrupted_problem})`,
        );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    await recordToHistory(
      pooled.map((p) => ({ result: p.result, source: p.path })),
      { history: stringFlag(values as FlagValues, "history") },
    );
    return EXIT.ok;
  },
};

/** A baseline's target path: writable; an existing invalid file there is announced (it is kept aside). */
function checkTarget(path: string): void {
  assertWritablePath(path);
  if (!existsSync(path)) return;
  try {
    readResult(path);
  } catch (err) {
    if (!(err instanceof ResultFileError)) throw err;
    status(`the existing baseline is invalid (${err.message}); it will be kept beside the new one`);
  }
}

/**
 * The line printed for a pooled baseline; a noisy one also gets a `noisy_baseline` warning (in the result,
 * and on stderr).
 */
function summaryLine(path: string, result: BenchmarkResult, config: GateConfig): string {
  const xs = metricSamples(result, path, defaultMetricOf(result));
  const block = result.baseline;
  const noisy = noisyCvOf(config, result.mode);
  const spread = block?.between_capture_spread ?? null;
  const metric = block?.metric ?? "";
  const differ = spread === null ? "" : `, captures differ by ${pct(spread)}`;
  const test = result.test ? ` ${result.test},` : "";
  if (robustCv(xs) > noisy || (spread !== null && spread > noisy)) {
    const warning = warningRecord({
      code: "noisy_baseline",
      mode: result.mode,
      detail: `robust CV ${pct(robustCv(xs))}${differ}; a gate needs below ${pct(noisy)}`,
      fix: "recapture when the machine is quiet, or raise --rounds or pin --threads",
    });
    result.warnings.push(warning);
    // a warning is a log line (stderr), not part of the command's report on stdout
    process.stderr.write(`perf-baseline: warning: ${path}: ${warning.text}\n`);
  }
  return `${path}: ${result.mode},${test} ${block?.captures ?? 1} x ${block?.rounds_per_capture[0] ?? xs.length} rounds, median ${fmtRate(median(xs))} ${metric}, robust CV ${pct(robustCv(xs))}${differ}`;
}
