/**
 * Progress on stderr, only when stderr is a terminal (never in CI logs, never on stdout).
 * @returns a callback for RoundPlan.onRound and a function that clears the line.
 */
export function roundProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const enabled = stream.isTTY === true && !process.env.CI;
  return {
    onRound(done: number, total: number, warmup: boolean): void {
      if (!enabled) return;
      stream.write(`\r${label}: ${warmup ? "warmup" : "round"} ${done}/${total}   `);
    },
    done(): void {
      if (enabled) stream.write("\r\x1b[K");
    },
  };
}

/** A status line on stderr (always: these are logs, not progress). */
export function status(line: string): void {
  process.stderr.write(`perf-baseline: ${line}\n`);
}
