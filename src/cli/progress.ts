/**
 * What a run tells the person at the terminal, on stderr (never on stdout, which carries only the result).
 * Progress is drawn only on a terminal (never in CI logs), or as plain lines with PERF_BASELINE_PROGRESS=lines
 * (for scripts that wait for a round). Status lines are logs and always printed; detail lines (model loading,
 * llama.cpp's own log) only on a terminal or with PERF_BASELINE_DEBUG=1, so that an error stays one line.
 */

import { verdictLine } from "../report/run-summary.js";
import type { FlagSpec } from "../util/flags.js";

const lines = () => process.env.PERF_BASELINE_PROGRESS === "lines";

/** --quiet: no human summary on stderr (bench, gate, ab); stdout and warnings are unchanged. */
export const QUIET_FLAG: FlagSpec = {
  kind: "boolean",
  description: "print no human summary on stderr (the result or report on stdout is the same)",
};

/**
 * The human summary of a run on stderr (src/report/run-summary.ts makes the lines), each line
 * `perf-baseline: <line>`; nothing with --quiet.
 */
export function printSummary(lines: readonly string[], quiet: boolean): void {
  if (quiet) return;
  for (const l of lines) process.stderr.write(`perf-baseline: ${l}\n`);
}

/** The shape of the rounds a progress line counts: measured rounds after the warmup ones. */
export interface ProgressPlan {
  warmup: number;
  rounds: number;
}

/**
 * One progress line: the phase counted from 1 ("warmup 1/3", "round 3/30"), the running rate of the phase
 * and the time left (the rounds left in this phase, and in the measured phase when the plan is known, at the
 * phase's pace). Rate and time left appear from the second round of a phase.
 * @param done rounds done in this phase, from 1; @param total the phase's rounds
 * @param elapsedMs time since the phase's first round ended (null on the first round)
 */
export function progressLine(
  label: string,
  done: number,
  total: number,
  warmup: boolean,
  elapsedMs: number | null,
  plan?: ProgressPlan,
): string {
  const head = `${label}: ${warmup ? "warmup" : "round"} ${done}/${total}`;
  if (elapsedMs === null || done < 2 || elapsedMs <= 0) return head;
  const perRound = elapsedMs / (done - 1);
  const left = (total - done + (warmup && plan ? plan.rounds : 0)) * perRound;
  const rate = 1000 / perRound;
  const rateText = rate >= 1 ? `${rate.toFixed(1)} rounds/s` : `${(perRound / 1000).toFixed(1)} s/round`;
  return `${head}, ${rateText}, ${formatLeft(left)} left`;
}

function formatLeft(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/**
 * Progress of the rounds: drawn on a terminal only (or as lines with PERF_BASELINE_PROGRESS=lines).
 * @param plan the warmup and measured rounds, for the time left during warmup (optional).
 * @returns a callback for the run's onRound (counts within a phase, from 1) and a function that clears the line.
 */
export function roundProgress(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
  plan?: ProgressPlan,
) {
  const drawn = stream.isTTY === true && !process.env.CI;
  let phase: { warmup: boolean; firstAt: number } | undefined;
  return {
    onRound(done: number, total: number, warmup: boolean): void {
      if (!drawn && !lines()) return;
      const now = Date.now();
      if (phase === undefined || phase.warmup !== warmup || done === 1) phase = { warmup, firstAt: now };
      const line = progressLine(label, done, total, warmup, done === 1 ? null : now - phase.firstAt, plan);
      if (drawn) stream.write(`\r\x1b[K${line}`);
      else stream.write(`perf-baseline: ${line}\n`);
    },
    done(): void {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

/**
 * The verdict on stderr for a person, when stdout is not the text report (--format json or markdown): the
 * text report already ends with it. Nothing with --quiet.
 */
export function printVerdictSummary(
  stdoutFormat: string,
  combined: { verdict: string; exit_code: number },
  quiet: boolean,
): void {
  if (stdoutFormat !== "text") printSummary([verdictLine(combined.verdict, combined.exit_code)], quiet);
}

/** A status line on stderr (always: these are logs, not progress). */
export function status(line: string): void {
  process.stderr.write(`perf-baseline: ${line}\n`);
}

/** A detail line (loading, llama.cpp's log): on a terminal or with PERF_BASELINE_DEBUG=1 only. */
export function detail(line: string): void {
  if ((process.stderr.isTTY === true && !process.env.CI) || process.env.PERF_BASELINE_DEBUG)
    process.stderr.write(`perf-baseline: ${line}\n`);
}
