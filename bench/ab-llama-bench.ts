/**
 * `perf-baseline ab --a-cmd/--b-cmd` on a real third-party benchmark: llama.cpp's llama-bench (built by
 * bench/build-llama.sh llama-bench) at `--a-threads` (default 2) threads as side A against `--b-threads`
 * (default 1) as side B, on the preset's dummy model, each run `-p 0 -n TOKENS -r REPS -o json`. The A/B reads
 * llama-bench's JSON through its importer (src/import/formats/llama-bench.ts) and decides on each run's
 * samples_ts. Expected: REGRESSION of B (one thread is slower than two on a 2-core machine). Issue 25.
 *
 * Usage: npx tsx bench/ab-llama-bench.ts [--preset tiny] [--tokens 32] [--reps 3] [--a-threads 2]
 *          [--b-threads 1] [--min-blocks 8] [--max-blocks 16] [--llama-bench PATH]
 * Prints ab's report on stdout and exits with ab's exit code (1: REGRESSION). Run it alone (bench/README.md).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { defaultLlamaLibDir } from "../src/engines/llama-cpp/engine.js";
import { ensureDummyModel } from "../src/models/cache.js";
import { PRESETS } from "../src/models/presets.js";
import { choiceOpt, intOpt, parseScript, textOpt, usageExit } from "./lib/args.js";
import { LLAMA_BENCH_DIR } from "./lib/native.js";

const info = {
  name: "bench/ab-llama-bench.ts",
  summary: "ab --a-cmd/--b-cmd of llama-bench at two thread counts: the A/B of a third-party tool's JSON.",
  usage: "npx tsx bench/ab-llama-bench.ts [options]",
};
const { values: args } = parseScript(info, {
  preset: choiceOpt("dummy-model preset", Object.keys(PRESETS), "tiny"),
  tokens: intOpt("tokens generated per repetition (llama-bench -n)", 32, { max: 4096 }),
  reps: intOpt("repetitions per run (llama-bench -r): the samples of each run", 3, { min: 2, max: 100 }),
  "a-threads": intOpt("threads of side A (llama-bench -t)", 2, { max: 256 }),
  "b-threads": intOpt("threads of side B (llama-bench -t)", 1, { max: 256 }),
  "min-blocks": intOpt("ab --min-blocks", 8, { min: 2, max: 1000 }),
  "max-blocks": intOpt("ab --max-blocks", 16, { min: 2, max: 1000 }),
  "llama-bench": textOpt("llama-bench (bench/build-llama.sh llama-bench)", `${LLAMA_BENCH_DIR}/llama-bench`),
});
if (!existsSync(args["llama-bench"]))
  usageExit(
    info,
    `--llama-bench ${args["llama-bench"]}: not found (build it: bench/build-llama.sh llama-bench)`,
  );
if (args["max-blocks"] < args["min-blocks"]) usageExit(info, "--max-blocks must be at least --min-blocks");

const model = ensureDummyModel(args.preset, 42).path;
// llama-bench loads libggml-cpu-*.so from its working folder: both sides run from the prebuilt library folder
const lib = (await defaultLlamaLibDir()).dir;
const side = (threads: number) =>
  `${args["llama-bench"]} -m ${model} -t ${threads} -p 0 -n ${args.tokens} -r ${args.reps} -o json`;
const cli = fileURLToPath(new URL("../bin/perf-baseline.js", import.meta.url));
const argv = [
  cli,
  "ab",
  "--a-cmd",
  side(args["a-threads"]),
  "--b-cmd",
  side(args["b-threads"]),
  "--a-cwd",
  lib,
  "--b-cwd",
  lib,
  "--min-blocks",
  String(args["min-blocks"]),
  "--max-blocks",
  String(args["max-blocks"]),
];
process.stderr.write(`load average ${loadavg()[0]?.toFixed(2)} (1 min)\n`);
const r = spawnSync(process.execPath, argv, { stdio: "inherit" });
process.exit(r.status ?? 1);
