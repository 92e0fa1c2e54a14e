/**
 * The human summary of a run, as llama-bench and hyperfine print one: a few lines a person reads on stderr
 * while stdout carries the JSON result or the report. The test, the median of the gated metric and its
 * spread, the rate, the count per token (per call) of a counted run, and the verdict where there is one.
 * A matrix run gets a table instead, one row per combination ({@link matrixSummaryLines}).
 * Pure: the commands print these lines (src/cli/commands/bench.ts, gate.ts, ab.ts); `--quiet` turns them off.
 */
import type { BenchmarkResult } from "../results/schema.js";
import { fmtRate, pct } from "../util/format.js";

/** "1.234 M", "56.7 k": a count with 4 significant digits and an SI prefix. */
export function fmtCount(x: number): string {
  const units: Array<[number, string]> = [
    [1e9, " G"],
    [1e6, " M"],
    [1e3, " k"],
  ];
  for (const [size, unit] of units) if (x >= size) return `${(x / size).toPrecision(4)}${unit}`;
  return x.toPrecision(4);
}

/** "1.234 M instructions per output token" (per embedding call); null for a run that did not count. */
export function countLine(r: BenchmarkResult): string | null {
  const c = r.instructions;
  if (!c) return null;
  const unit = c.unit === "output_token" ? "output token" : "embedding call";
  return `${fmtCount(c.per_unit)} instructions per ${unit} (${c.rounds} counted round${c.rounds === 1 ? "" : "s"}, ${c.warmup_rounds} warmup)`;
}

/** "12.3 ms (p10 10.1, p90 15.0)": a latency's median and spread. */
function ms(x: { median: number; p10: number; p90: number }): string {
  return `${x.median.toFixed(1)} ms (p10 ${x.p10.toFixed(1)}, p90 ${x.p90.toFixed(1)})`;
}

/** The test: mode (and the test's name, llama-bench's way: pp512, tg128 @ d1024), engine, model, rounds. */
function testLine(r: BenchmarkResult): string {
  const model = `${r.model.name ?? r.model_path}${r.model.dummy ? " (dummy weights)" : ""}`;
  const n = r.serving ? r.serving.requests.completed : r.samples.length;
  const what = `${n} ${r.serving ? "request" : "round"}${n === 1 ? "" : "s"}`;
  const test = r.test === undefined ? "" : ` ${r.test}`;
  return `${r.mode}${test}, ${r.engine.name}, ${model}: ${what}${r.complete ? "" : " (partial)"}`;
}

/** The headline figure of a local run: its unit and its statistics over the rounds (null when it has none). */
function headline(r: BenchmarkResult) {
  // a prompt-processing test (--max-new-tokens 0) generates nothing: its figure is the prefill rate
  const promptOnly = r.mode === "generation" && r.max_new_tokens === 0;
  const metric = promptOnly ? "prefill tokens/s" : r.mode === "generation" ? "tokens/s" : "calls/s";
  const s = promptOnly
    ? r.statistics.prefill_tokens_per_second
    : r.mode === "generation"
      ? r.statistics.tokens_per_second
      : r.statistics.calls_per_second;
  return { metric, s: s ?? null };
}

/**
 * A prompt-only run's overall prompt-processing rate: every round's prompt tokens (times the sequences of
 * `--parallel`) over the rounds' time, tokens/s; 0 without time. Its output rate is 0: it generates nothing.
 */
function promptTokensPerSecond(r: BenchmarkResult & { mode: "generation" }): number {
  const tokens = r.samples.reduce((n, x) => n + x.prompt_tokens, 0) * (r.workload.parallel ?? 1);
  return r.elapsed_s > 0 ? tokens / r.elapsed_s : 0;
}

/** The median of the gated metric, its spread (robust CV, p10 to p90) and the rate. */
function figuresLine(r: BenchmarkResult): string | null {
  if (r.serving) {
    const s = r.serving;
    const rate = `${s.requests_per_second.toFixed(2)} requests/s`;
    if (!("output_tokens_per_second" in s)) return `latency median ${ms(s.latency_ms)}; ${rate}`;
    return `TTFT median ${s.ttft_ms ? ms(s.ttft_ms) : "-"}; ${fmtRate(s.output_tokens_per_second)} output tokens/s, ${rate}`;
  }
  const { metric, s } = headline(r);
  if (!s) return null;
  const calls = `${fmtRate(r.calls_per_second)} calls/s overall`;
  const rate =
    r.mode !== "generation"
      ? calls
      : r.max_new_tokens === 0
        ? `${fmtRate(promptTokensPerSecond(r))} prefill tokens/s, ${calls}`
        : `${fmtRate(r.tokens_per_second)} tokens/s, ${calls}`;
  return `${metric} median ${fmtRate(s.median)} ± ${pct(s.robust_cv)} (robust CV; p10 ${fmtRate(s.p10)}, p90 ${fmtRate(s.p90)}); ${rate}`;
}

/**
 * The summary lines of one result (without a prefix): the test, the figures, the count of a counted run.
 * A counted run's wall-time figures ran under valgrind: its count line comes first.
 */
export function runSummaryLines(r: BenchmarkResult): string[] {
  const count = countLine(r);
  const figures = figuresLine(r);
  const lines = [testLine(r)];
  if (count) lines.push(count);
  if (figures) lines.push(count ? `${figures} (under valgrind: not comparable)` : figures);
  return lines;
}

/** The verdict line of a command that gives one: "verdict: PASS (exit code 0)". */
export function verdictLine(verdict: string, exitCode: number): string {
  return `verdict: ${verdict} (exit code ${exitCode})`;
}

/** One row of a matrix run's table: the combination's settings (flag, value) and its joined result. */
export interface MatrixRow {
  settings: ReadonlyArray<readonly [string, string]>;
  result: BenchmarkResult;
}

/**
 * A matrix run's table, one row per combination, as llama-bench prints its markdown table: the test, the
 * settings that vary, the measured rounds, the median of the headline rate with its unit, and its robust CV
 * (the median absolute deviation scaled to a standard deviation, over the median). A Markdown table with
 * aligned columns; a partial result's rounds are marked "(partial)".
 */
export function matrixSummaryLines(rows: readonly MatrixRow[]): string[] {
  const flags = rows[0]?.settings.map(([f]) => `--${f}`) ?? [];
  const head = ["test", ...flags, "rounds", "median", "unit", "robust CV"];
  const body = rows.map(({ settings, result: r }) => {
    const { metric, s } = headline(r);
    const rounds = `${r.samples.length}${r.complete ? "" : " (partial)"}`;
    const figures = s ? [fmtRate(s.median), metric, pct(s.robust_cv)] : ["-", metric, "-"];
    return [r.test ?? r.mode, ...settings.map(([, v]) => v), rounds, ...figures];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const right = (i: number) => i > 0 && head[i] !== "unit";
  const cell = (t: string, i: number) =>
    right(i) ? t.padStart(widths[i] as number) : t.padEnd(widths[i] as number);
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (right(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(head), rule, ...body.map(line)];
}
