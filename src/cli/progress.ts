/**
 * What a run tells the person at the terminal, on stderr (never on stdout, which carries only the result).
 * Progress is drawn only on a terminal (never in CI logs), or as plain lines with PERF_BASELINE_PROGRESS=lines
 * (for scripts that wait for a round). Status lines are logs and always printed; detail lines (model loading,
 * llama.cpp's own log) only on a terminal or with PERF_BASELINE_DEBUG=1, so that an error stays one line.
 */

const lines = () => process.env.PERF_BASELINE_PROGRESS === "lines";

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

/** A status line on stderr (always: these are logs, not progress). */
export function status(line: string): void {
  process.stderr.write(`perf-baseline: ${line}\n`);
}

/** A detail line (loading, llama.cpp's log): on a terminal or with PERF_BASELINE_DEBUG=1 only. */
export function detail(line: string): void {
  if ((process.stderr.isTTY === true && !process.env.CI) || process.env.PERF_BASELINE_DEBUG)
    process.stderr.write(`perf-baseline: ${line}\n`);
}
