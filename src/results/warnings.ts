/**
 * Warnings as data: a code and its fields, rendered to text in one place ({@link renderWarning}). A result
 * stores the rendered lines (`warnings`), and every command prints each of them on stderr.
 */

/** Every warning the tool can attach to a result. */
export type Warning =
  /** the project's dummy-weight model ran: throughput is real, the text is not */
  | { code: "dummy_weights" }
  /** measured rounds computed different outputs (token ids or embedding values) */
  | { code: "nondeterministic_output"; what: "tokens" | "embeddings" }
  /** pooled captures computed different outputs */
  | { code: "captures_differ_in_output" }
  /** a baseline's captures are noisy or far apart */
  | { code: "noisy_baseline"; mode: string; detail: string; fix: string }
  /** the run was interrupted: the result holds the rounds that finished */
  | { code: "partial_result"; rounds_done: number; rounds_planned: number }
  /** instructions were counted under valgrind on one thread: the wall-time figures are not comparable */
  | { code: "counted_under_valgrind" }
  /** what a server or engine reported, as it said it (already redacted) */
  | { code: "engine"; message: string };

/** The one line a warning reads as. */
export function renderWarning(w: Warning): string {
  switch (w.code) {
    case "dummy_weights":
      return "dummy weights: throughput is real, generated text is not meaningful";
    case "nondeterministic_output":
      return w.what === "tokens"
        ? "rounds generated different tokens: the engine is not deterministic here"
        : "rounds computed different embeddings: the engine is not deterministic here";
    case "captures_differ_in_output":
      return "captures computed different outputs: the engine is not deterministic here";
    case "noisy_baseline":
      return `noisy ${w.mode} baseline (${w.detail}): ${w.fix}`;
    case "partial_result":
      return `interrupted: ${w.rounds_done} of ${w.rounds_planned} measured rounds ran; the result is partial`;
    case "counted_under_valgrind":
      return "instructions counted under valgrind on 1 thread: wall-time figures of this run are not comparable (the gate uses its instruction counts)";
    case "engine":
      return w.message;
  }
}

/** Prints each warning line of a result on stderr, once. */
export function printWarnings(
  lines: readonly string[],
  write = (s: string) => process.stderr.write(s),
): void {
  for (const line of lines) write(`perf-baseline: warning: ${line}\n`);
}
