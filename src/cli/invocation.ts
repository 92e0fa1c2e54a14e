/** Quotes one word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The invocation a result records: the command as a user would type it again, the raw argv and the folder.
 * @param prefix how the entry point is typed, e.g. ["perf-baseline", "bench"] or ["npx", "tsx", "tools/benchmark.ts"].
 */
export function invocationOf(prefix: readonly string[], args: readonly string[]) {
  return {
    command: [...prefix, ...args].map(shellQuote).join(" "),
    argv: [...args],
    cwd: process.cwd(),
  };
}
