/**
 * How the gate's cost grows with the number of samples (issue 8, fault 5). For each sample count n per side
 * (default 10^3, 10^4, 10^5, 10^6) it synthesises a baseline and a candidate result file from the real
 * fixture test/fixtures/gate/generation-a.json (its rounds repeated n times, each round's throughput drawn
 * from a seeded 5 % spread, the candidate 3 % slower), writes both with the tool's own writer, and times
 *
 *   write     serialising and writing both files (for scale only)
 *   load      readResult of both files (read, JSON.parse, schema validation): what `compare` does first
 *   analysis  runGate on the two loaded results: comparability, the statistics of analyze() (medians,
 *             robust CVs, the bootstrap interval of the ratio of medians, Mann-Whitney U) and the drift test
 *   analyze   analyze() alone on the gated metric's samples (the statistics only)
 * and the CPU seconds of the analysis (user + system), which the other jobs of a shared machine change less.
 *
 * Prints one line per n on stderr as it goes and a JSON document on stdout. Figures are wall-clock seconds on
 * whatever else the machine is doing; the target is analysis <= 5 s at n = 10^6 on the development machine.
 *
 *   npx tsx bench/gate-scaling.ts [--sizes 1000,10000,100000,1000000] [--dir /tmp/x] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultGateConfig } from "../src/config/gate-config.js";
import { analyze, metricSamples } from "../src/gate/analysis.js";
import { runGate } from "../src/gate/verdict.js";
import { readResult, writeResult } from "../src/results/io.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import { mulberry32 } from "../src/util/prng.js";
import { boolOpt, intItem, listOpt, parseScript, textOpt } from "./lib/args.js";
import { fixedRow } from "./lib/tables.js";

const { values } = parseScript(
  {
    name: "bench/gate-scaling.ts",
    summary: "How the gate's cost grows with the number of samples per side (load, analysis, analyze).",
    usage: "npx tsx bench/gate-scaling.ts [options]",
  },
  {
    sizes: listOpt("samples per side, one row each", "1000,10000,100000,1000000", intItem(5, 5_000_000)),
    dir: textOpt("write the synthesised files here (default: a new temp folder, removed)"),
    keep: boolOpt("keep the synthesised files"),
  },
);
const sizes = values.sizes;
const dir = values.dir ?? mkdtempSync(join(tmpdir(), "pb-gate-scaling-"));
const fixture = readResult(join(import.meta.dirname, "..", "test", "fixtures", "gate", "generation-a.json"));
if (fixture.mode !== "generation") throw new Error("the fixture is a generation result");

/** n rounds like the fixture's, throughput level * (1 +- 5 %), from a seeded stream. */
function synthesise(n: number, level: number, seed: number): BenchmarkResult {
  if (fixture.mode !== "generation") throw new Error("unreachable");
  const rng = mulberry32(seed);
  const base = fixture.samples;
  const samples = Array.from({ length: n }, (_, i) => {
    const s = base[i % base.length] as (typeof base)[number];
    const tps = s.tokens_per_second * level * (1 + 0.05 * (2 * rng() - 1));
    return { ...s, round: i, tokens_per_second: tps, elapsed_s: s.output_tokens / tps };
  });
  const r = structuredClone({ ...fixture, samples: [] });
  return { ...r, samples, settings: { ...r.settings, rounds: n } } as BenchmarkResult;
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const config = defaultGateConfig();
const rows: Array<Record<string, number | string>> = [];
/** Column widths of the progress table on stderr (the verdict follows, three spaces on). */
const WIDTHS = [10, 9, 9, 8, 12, 9, 11];
const HEAD = ["n per side", "file MB", "write s", "load s", "analysis s", "(CPU s)", "analyze s"];
process.stderr.write(`${fixedRow(HEAD, WIDTHS)}   verdict\n`);
for (const n of sizes) {
  const a = join(dir, `baseline-${n}.json`);
  const b = join(dir, `candidate-${n}.json`);
  let t0 = process.hrtime.bigint();
  writeResult(a, synthesise(n, 1, 2 * n + 1));
  writeResult(b, synthesise(n, 0.97, 2 * n + 2));
  const write_s = seconds(t0);
  t0 = process.hrtime.bigint();
  const baseline = readResult(a);
  const candidate = readResult(b);
  const load_s = seconds(t0);
  t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const { report } = await runGate({ baseline, candidate, config, baselineSource: a, candidateSource: b });
  const analysis_s = seconds(t0);
  const cpu = process.cpuUsage(cpu0);
  const analysis_cpu_s = (cpu.user + cpu.system) / 1e6;
  const xs = metricSamples(baseline, a);
  const ys = metricSamples(candidate, b);
  t0 = process.hrtime.bigint();
  analyze("scaling", xs, ys, baseline.mode, config);
  const analyze_s = seconds(t0);
  const file_mb = statSync(a).size / 1e6;
  rows.push({ n, file_mb, write_s, load_s, analysis_s, analysis_cpu_s, analyze_s, verdict: report.verdict });
  const cells = [String(n), file_mb.toFixed(1), write_s.toFixed(2), load_s.toFixed(2), analysis_s.toFixed(2)];
  cells.push(analysis_cpu_s.toFixed(2), analyze_s.toFixed(2));
  process.stderr.write(`${fixedRow(cells, WIDTHS)}   ${report.verdict}\n`);
  if (!values.keep) {
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  }
}
if (!values.keep && values.dir === undefined) rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ bench: "gate-scaling", target_analysis_s_at_1e6: 5, rows }, null, 2)}\n`,
);
