/**
 * What bench, baseline, gate and check-release call after they have printed their result: add it to the
 * history store when one is configured (--history or PERF_BASELINE_HISTORY). It never throws: a store that
 * cannot be reached costs one line on stderr, never the result already printed or written.
 */
import type { Verdict } from "../gate/verdict.js";
import type { BenchmarkResult } from "../results/schema.js";
import { configuredHistory, openHistoryStore } from "./open.js";
import type { AddOutcome } from "./types.js";

/** Options of {@link recordToHistory}. */
export interface RecordOptions {
  /** the --history flag's value, if given; otherwise PERF_BASELINE_HISTORY; neither: nothing is recorded */
  history?: string | undefined;
  /** where status lines go. Defaults to stderr. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * Adds results (with the gate's verdicts where there are some) to the configured history store.
 * @param results each result, with its verdict (null for a baseline or a plain run) and a source label.
 * @returns what was added, or null when no store is configured or the store failed (reported on the log).
 */
export async function recordToHistory(
  results: ReadonlyArray<{ result: BenchmarkResult; verdict?: Verdict | null; source: string }>,
  opts: RecordOptions = {},
): Promise<AddOutcome | null> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const location = configuredHistory(opts.history, opts.env ?? process.env);
  if (location === undefined || results.length === 0) return null;
  try {
    const store = await openHistoryStore(location);
    try {
      const out = await store.add(results.map((r) => ({ ...r, verdict: r.verdict ?? null })));
      log(`perf-baseline: history: ${out.added} added, ${out.duplicates} already stored (${store.location})`);
      return out;
    } finally {
      await store.close();
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    log(`perf-baseline: history not recorded: ${msg} (the result is not affected)`);
    return null;
  }
}
