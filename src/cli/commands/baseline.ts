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
import type { BenchOptions } from "../../bench/run-benchmark.js";
import { readGateConfig } from "../../config/read-config.js";
import { DEFAULT_BATCH_SIZE, GPU_CHOICES } from "../../engines/llama/llama-engine.js";
import { metricSamples } from "../../gate/analysis.js";
import { noisyCvOf } from "../../gate/config.js";
import { pct } from "../../gate/verdict.js";
import { fmtRate } from "../../report/gate-text.js";
import { readResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { median, robustCv } from "../../stats/index.js";
import { EXIT, ResultFileError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import type { Mode } from "../../workload/workload.js";
import { type Command, choiceFlag, intFlag, optionalIntFlag, stringFlag } from "../args.js";
import { DUMMY_MODEL_FLAGS, modelSourceFromFlags, selectedModes, THREAD_FLAGS } from "../common-flags.js";
import { thisCommand } from "../gate-support.js";
import { status } from "../progress.js";
import { DEFAULT_MAX_NEW_TOKENS, DEFAULT_ROUNDS, DEFAULT_WARMUP } from "./bench.js";
import { captureCandidate } from "./gate.js";

/** `perf-baseline baseline`. */
export const baselineCommand: Command = {
  name: "baseline",
  summary: "Capture the baselines (both modes by default) and write docs/baseline-<mode>.json atomically.",
  usage: "perf-baseline baseline [--mode both|generation|embedding] [--captures N] [--rounds N] [options]",
  flags: {
    mode: { type: "string", description: "which baselines: both, generation or embedding", default: "both" },
    captures: {
      type: "string",
      description: "captures per mode, pooled; their spread is recorded as the between-capture noise",
      default: "baseline_captures of the config (2)",
    },
    rounds: { type: "string", description: "measured rounds per capture", default: String(DEFAULT_ROUNDS) },
    warmup: { type: "string", description: "uncounted rounds run first", default: String(DEFAULT_WARMUP) },
    "max-new-tokens": {
      type: "string",
      description: "tokens generated per round",
      default: String(DEFAULT_MAX_NEW_TOKENS),
    },
    dir: {
      type: "string",
      description: "write baseline-<mode>.json into this folder instead of the configured paths",
    },
    config: { type: "string", description: "gate configuration file", default: "perf-baseline.config.json" },
    model: { type: "string", description: "a GGUF model file to run instead of the built-in dummy model" },
    ...DUMMY_MODEL_FLAGS,
    ...THREAD_FLAGS,
    "batch-size": {
      type: "string",
      description: "tokens per evaluation batch",
      default: String(DEFAULT_BATCH_SIZE),
    },
    "context-size": {
      type: "string",
      description: "context size in tokens",
      default: "max(512, new tokens + 256)",
    },
    gpu: { type: "string", description: `GPU: ${GPU_CHOICES.join(", ")}`, default: "off" },
  },
  async run(values) {
    const { config } = readGateConfig(stringFlag(values, "config"));
    const modes = selectedModes(values);
    const captures = intFlag(values, "captures", config.baseline_captures, { max: 10 });
    const dir = stringFlag(values, "dir");
    const pathOf = (m: Mode) =>
      dir === undefined ? config.baselines[m] : join(dir, basename(config.baselines[m]));
    const base: Omit<BenchOptions, "invocation" | "mode"> = {
      rounds: intFlag(values, "rounds", DEFAULT_ROUNDS, { max: 100_000 }),
      warmup: intFlag(values, "warmup", DEFAULT_WARMUP, { allowZero: true, max: 10_000 }),
      maxNewTokens: intFlag(values, "max-new-tokens", DEFAULT_MAX_NEW_TOKENS, { max: 32_768 }),
      ...modelSourceFromFlags(values),
      threads: optionalIntFlag(values, "threads"),
      embeddingThreads: optionalIntFlag(values, "embedding-threads"),
      batchSize: optionalIntFlag(values, "batch-size"),
      contextSize: optionalIntFlag(values, "context-size"),
      gpu: choiceFlag(values, "gpu", GPU_CHOICES, "off"),
    };
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
      for (const m of modes) {
        const r = await captureCandidate({ ...base, mode: m }, `baseline ${m} capture ${i}/${captures}`);
        if (!r.complete) return EXIT.interrupted;
        taken.get(m)?.push(r);
      }
    }
    const command = thisCommand();
    const pooled = modes.map((m) => ({ path: pathOf(m), result: poolCaptures(taken.get(m) ?? [], command) }));
    const lines: string[] = [];
    for (const { path, result } of pooled) {
      const xs = metricSamples(result, path);
      const block = result.baseline;
      const noisy = noisyCvOf(config, result.mode);
      const spread = block?.between_capture_spread ?? null;
      const metric = block?.metric ?? "";
      lines.push(
        `${path}: ${result.mode}, ${block?.captures ?? 1} x ${block?.rounds_per_capture[0] ?? xs.length} rounds, median ${fmtRate(median(xs))} ${metric}, robust CV ${pct(robustCv(xs))}${spread === null ? "" : `, captures differ by ${pct(spread)}`}`,
      );
      if (robustCv(xs) > noisy || (spread !== null && spread > noisy)) {
        const warning = `noisy baseline (robust CV ${pct(robustCv(xs))}${spread === null ? "" : `, captures differ by ${pct(spread)}`}; a gate needs below ${pct(noisy)}): recapture when the machine is quiet, or raise --rounds or pin --threads`;
        result.warnings.push(warning);
        // a warning is a log line (stderr), not part of the command's report on stdout
        status(`warning: ${path}: ${warning}`);
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
    return EXIT.ok;
  },
};
