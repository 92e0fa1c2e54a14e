/**
 * Interleaved A/B/C... measurement for the bench scripts (bench/harness-overhead.ts, bench/engine-gap.ts,
 * bench/llama-cpp-gap.ts).
 *
 * The machine these scripts run on is shared and noisy, so arms are never measured one after the other:
 * every block runs each arm once, the order rotating from block to block (a Latin square over the blocks),
 * and arms are compared by ratios of medians taken from the same blocks. The per-block (paired) ratio is
 * reported beside the unpaired bootstrap CI because a slow block slows every arm in it.
 */
import { PRESETS } from "../../src/models/presets.js";
import { bootstrapRatioCi, median, robustCv } from "../../src/stats/index.js";
import { choiceOpt, intOpt, listOpt, modeOpt, textOpt } from "./args.js";
import { alignedTable } from "./tables.js";

/** The flags every interleaved gap script takes (bench/engine-gap.ts, bench/llama-cpp-gap.ts). */
export function gapOpts(armsHelp: string, armsDefault: string) {
  return {
    mode: modeOpt("generation"),
    arms: listOpt(`the arms, comma-separated (${armsHelp})`, armsDefault),
    preset: choiceOpt("dummy-model preset", Object.keys(PRESETS), "tiny"),
    rounds: intOpt("measured blocks", 20),
    warmup: intOpt("unmeasured blocks first", 2, { allowZero: true }),
    tokens: intOpt("new tokens per generation round", 64),
    reference: textOpt("the arm the others are compared with (default: the first)"),
  };
}

/** One round's figures; `primary` names the figure arms are compared on. */
export type RoundFigures = Record<string, number>;

/** Something measured once per block. */
export interface Arm {
  name: string;
  /** one round; returns throughput figures (higher is better) */
  run(): Promise<RoundFigures>;
}

/** Options of {@link interleave}. */
export interface InterleaveOptions {
  /** measured blocks (each runs every arm once) */
  rounds: number;
  /** unmeasured blocks first (page faults, caches, JIT) */
  warmup: number;
  /** called after every block, for progress (see {@link ttyProgress}) */
  onBlock?: (done: number, total: number) => void;
}

/** Raw figures per arm: figures[arm][metric][block]. */
export type Interleaved = Record<string, Record<string, number[]>>;

/**
 * Runs `rounds + warmup` blocks; block b runs the arms starting at arm (b mod n), so every arm runs in
 * every position equally often over n blocks.
 */
export async function interleave(arms: readonly Arm[], opts: InterleaveOptions): Promise<Interleaved> {
  const out: Interleaved = {};
  for (const a of arms) out[a.name] = {};
  const total = opts.warmup + opts.rounds;
  for (let b = 0; b < total; b++) {
    for (let k = 0; k < arms.length; k++) {
      const arm = arms[(b + k) % arms.length] as Arm;
      const figures = await arm.run();
      if (b < opts.warmup) continue;
      const slot = out[arm.name] as Record<string, number[]>;
      for (const [metric, v] of Object.entries(figures)) {
        const list = slot[metric] ?? [];
        list.push(v);
        slot[metric] = list;
      }
    }
    opts.onBlock?.(b + 1, total);
  }
  return out;
}

/** An arm's summary on one metric, and its ratio to the reference arm. */
export interface ArmReport {
  arm: string;
  n: number;
  median: number;
  robust_cv: number;
  /** median(arm) / median(reference) */
  ratio: number;
  /** seeded 95 % percentile-bootstrap CI of that ratio (unpaired resampling, src/stats) */
  ratio_ci95: [number, number];
  /** median over blocks of arm/reference within the same block (paired) */
  paired_ratio_median: number;
}

/** Summarises one metric of every arm against `reference`. */
export function report(data: Interleaved, metric: string, reference: string): ArmReport[] {
  const ref = data[reference]?.[metric];
  if (!ref || ref.length === 0) throw new Error(`no ${metric} figures for reference arm ${reference}`);
  return Object.entries(data).flatMap(([arm, figures]) => {
    const xs = figures[metric];
    if (!xs || xs.length === 0) return [];
    const ci = bootstrapRatioCi(ref, xs, { seed: 1, iterations: 4000 });
    const paired = xs.map((x, i) => x / (ref[i] as number)).filter((r) => Number.isFinite(r));
    return [
      {
        arm,
        n: xs.length,
        median: xs.length ? median(xs) : Number.NaN,
        robust_cv: robustCv(xs),
        ratio: ci.ratio,
        ratio_ci95: [ci.low, ci.high] as [number, number],
        paired_ratio_median: median(paired),
      },
    ];
  });
}

/** A fixed-width text table of reports, for stderr. */
export function formatTable(title: string, rows: readonly ArmReport[]): string {
  const head = ["arm", "n", "median", "rCV", "ratio", "95% CI", "paired"];
  const body = rows.map((r) => [
    r.arm,
    String(r.n),
    r.median.toFixed(r.median < 10 ? 3 : 1),
    `${(r.robust_cv * 100).toFixed(1)}%`,
    r.ratio.toFixed(3),
    `${r.ratio_ci95[0].toFixed(3)}..${r.ratio_ci95[1].toFixed(3)}`,
    r.paired_ratio_median.toFixed(3),
  ]);
  return [title, ...alignedTable([head, ...body])].join("\n");
}

/** The first fields of a gap script's JSON document: the script, its command line, mode, preset, model. */
export function gapHeader(script: string, mode: string, preset: string, modelPath: string) {
  const command = `npx tsx ${script} ${process.argv.slice(2).join(" ")}`;
  return { script, command, mode, preset, model_path: modelPath };
}

/**
 * Summarises each of `metrics` against `reference` and writes its table on stderr, titled
 * "<title>: <metric>".
 */
export function reportMetrics(
  data: Interleaved,
  metrics: readonly string[],
  reference: string,
  title: string,
): Record<string, ArmReport[]> {
  const reports = Object.fromEntries(metrics.map((m) => [m, report(data, m, reference)]));
  for (const m of metrics) process.stderr.write(`${formatTable(`${title}: ${m}`, reports[m] ?? [])}\n`);
  return reports;
}

/** Load average and what else is busy, recorded beside figures taken on a shared machine. */
export async function machineLoad(): Promise<{ loadavg_1m: number; cpus: number }> {
  const os = await import("node:os");
  return { loadavg_1m: Number(os.loadavg()[0]?.toFixed(2)), cpus: os.availableParallelism() };
}

/** A progress callback that writes "label block d/t" on stderr, only when stderr is a terminal. */
export function ttyProgress(label: string): (done: number, total: number) => void {
  return (done, total) => {
    if (!process.stderr.isTTY) return;
    process.stderr.write(`\r${label} block ${done}/${total}${done === total ? "\n" : ""}`);
  };
}
