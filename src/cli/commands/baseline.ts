/**
 * `perf-baseline baseline` (`make baseline`): captures both modes (each `baseline_captures` times, the modes
 * interleaved so that the captures of one mode are apart in time), pools each mode's captures into a baseline
 * with its between-capture noise, and writes docs/baseline-generation.json and docs/baseline-embedding.json.
 * Nothing is written until every capture has finished; each file is replaced atomically; an existing baseline
 * that no longer validates is copied aside first.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { writeBaselines } from "../../baseline/files.js";
import { poolCaptures } from "../../baseline/pool.js";
import { findGateConfig } from "../../config/find-config.js";
import { gateConfigSchema, noisyCvOf } from "../../config/gate-config.js";
import { metricSamples } from "../../gate/analysis.js";
import { recordToHistory } from "../../history/record.js";
import { readResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { warningRecord } from "../../results/warnings.js";
import { median, robustCv } from "../../stats/index.js";
import { EXIT, ResultFileError } from "../../util/errors.js";
import { fmtRate, pct } from "../../util/format.js";
import { assertWritablePath } from "../../util/output-path.js";
import type { Mode } from "../../workload/workload.js";
import { type Command, type FlagTable, flagReader, stringFlag } from "../args.js";
import { addCounts, timedOptions } from "../baseline-counts.js";
import { runCapture } from "../capture.js";
import { CONFIG_FLAG, MODE_SELECTION_FLAG, selectedModes } from "../common-flags.js";
import { thisCommand } from "../gate-support.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { status } from "../progress.js";
import { engineRunFromFlags, ownFlagNames, runFlags, runShapeFromFlags } from "../run-flags.js";

/** The range of --captures: the configuration's `baseline_captures` (src/config/gate-config.ts). */
const CAPTURES = gateConfigSchema.shape.baseline_captures.unwrap();

/** The flags of `baseline`: its own, and the run's. */
const FLAGS: FlagTable = {
  mode: { ...MODE_SELECTION_FLAG, description: "which baselines" },
  captures: {
    kind: "int",
    min: CAPTURES.minValue ?? 1,
    max: CAPTURES.maxValue ?? undefined,
    description: "captures per mode, pooled; their spread is recorded as the between-capture noise",
    default: "baseline_captures of the config (2)",
  },
  dir: {
    kind: "path",
    description: "write baseline-<mode>.json into this folder instead of the configured paths",
  },
  config: CONFIG_FLAG,
  ...runFlags(),
  history: RECORD_HISTORY_FLAG,
};

/** `perf-baseline baseline`. */
export const baselineCommand: Command = {
  name: "baseline",
  summary: "Capture the baselines (both modes by default) and write docs/baseline-<mode>.json atomically.",
  usage: "perf-baseline baseline [--mode both|generation|embedding] [--captures N] [--rounds N] [options]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    const { config } = findGateConfig(read.string("config"));
    const modes = selectedModes(values);
    const captures = read.int("captures", config.baseline_captures);
    const dir = read.string("dir");
    const pathOf = (m: Mode) =>
      dir === undefined ? config.baselines[m] : join(dir, basename(config.baselines[m]));
    // every mode's flags are validated before the first capture runs
    const runs = modes.map((m) => {
      const shape = runShapeFromFlags(values, m);
      const { engine, options } = engineRunFromFlags(values, shape, ownFlagNames(FLAGS));
      return { mode: m, engine, plan: { shape, options: timedOptions(engine.name, options) } };
    });
    for (const m of modes) {
      const path = pathOf(m);
      assertWritablePath(path);
      if (existsSync(path)) {
        try {
          readResult(path);
        } catch (err) {
          if (!(err instanceof ResultFileError)) throw err;
          status(`the existing baseline is invalid (${err.message}); it will be kept beside the new one`);
        }
      }
    }

    const taken = new Map<Mode, BenchmarkResult[]>(modes.map((m) => [m, []]));
    for (let i = 1; i <= captures; i++) {
      for (const r of runs) {
        const result = await runCapture(r.engine, r.plan, `baseline ${r.mode} capture ${i}/${captures}`);
        taken.get(r.mode)?.push(result);
      }
    }
    const command = thisCommand();
    const pooled = modes.map((m) => ({ path: pathOf(m), result: poolCaptures(taken.get(m) ?? [], command) }));
    await addCounts(values, runs, pooled);
    const lines: string[] = [];
    for (const { path, result } of pooled) {
      const xs = metricSamples(result, path);
      const block = result.baseline;
      const noisy = noisyCvOf(config, result.mode);
      const spread = block?.between_capture_spread ?? null;
      const metric = block?.metric ?? "";
      const differ = spread === null ? "" : `, captures differ by ${pct(spread)}`;
      lines.push(
        `${path}: ${result.mode}, ${block?.captures ?? 1} x ${block?.rounds_per_capture[0] ?? xs.length} rounds, median ${fmtRate(median(xs))} ${metric}, robust CV ${pct(robustCv(xs))}${differ}`,
      );
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
    }
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
      { history: stringFlag(values, "history") },
    );
    return EXIT.ok;
  },
};
