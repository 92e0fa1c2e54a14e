/**
 * What a run tells the person at the terminal, on stderr (never on stdout, which carries only the result).
 * Progress is drawn only on a terminal (never in CI logs), or as plain lines with PERF_BASELINE_PROGRESS=lines
 * (for scripts that wait for a round). Status lines are logs and always printed; detail lines (model loading,
 * llama.cpp's own log) only on a terminal or with PERF_BASELINE_DEBUG=1, so that an error stays one line.
 */

const lines = () => process.env.PERF_BASELINE_PROGRESS === "lines";

/**
 * Progress of the rounds.
 * @returns a callback for the run's onRound and a function that clears the line.
 */
export function roundProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const drawn = stream.isTTY === true && !process.env.CI;
  return {
    onRound(done: number, total: number, warmup: boolean): void {
      if (drawn) stream.write(`\r${label}: ${warmup ? "warmup" : "round"} ${done}/${total}   `);
      else if (lines())
        stream.write(`perf-baseline: ${label}: ${warmup ? "warmup" : "round"} ${done}/${total}\n`);
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
