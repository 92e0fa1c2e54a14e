import { configuredHistory, defaultHistoryPath } from "../history/open.js";
import { type FlagSpec, stringFlag } from "../util/flags.js";

/** The --history flag every command that touches the store takes. */
export const HISTORY_FLAG: FlagSpec = {
  kind: "string",
  description: "history store: a SQLite file or a postgres:// URL (also PERF_BASELINE_HISTORY)",
  default: "~/.local/share/perf-baseline/history.sqlite ($XDG_DATA_HOME)",
};

/** --history on the commands that record what they produce (bench, baseline, gate, check-release). */
export const RECORD_HISTORY_FLAG: FlagSpec = {
  kind: "string",
  description:
    "also add what this command produces to this history store (a SQLite file or a postgres:// URL; also PERF_BASELINE_HISTORY); nothing is recorded when neither is set",
};

/** The store a history or report command reads: --history, PERF_BASELINE_HISTORY, else the default file. */
export function historyLocation(values: Record<string, unknown>): string {
  return configuredHistory(stringFlag(values, "history")) ?? defaultHistoryPath();
}
