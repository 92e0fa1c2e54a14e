/**
 * Where the history lives and how to open it. Default: $XDG_DATA_HOME/perf-baseline/history.sqlite, else
 * ~/.local/share/perf-baseline/history.sqlite. History is data a user keeps (it cannot be regenerated), so it
 * goes under XDG's data folder, not the cache folder that holds the regenerable dummy models.
 * `--history PATH|postgres://URL` or the environment variable PERF_BASELINE_HISTORY override it.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../util/errors.js";
import type { HistoryStore } from "./types.js";

/** The environment variable that configures the store (same values as --history). */
export const HISTORY_ENV = "PERF_BASELINE_HISTORY";

/** The default SQLite file. */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME !== "" ? env.XDG_DATA_HOME : join(homedir(), ".local", "share");
  return join(base, "perf-baseline", "history.sqlite");
}

/** True for a postgres:// or postgresql:// URL. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The store location configured by a flag or the environment; undefined when neither is set (then commands
 * that only produce results do not record them, and history commands use defaultHistoryPath()).
 */
export function configuredHistory(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flag !== undefined && flag !== "") return flag;
  const v = env[HISTORY_ENV];
  return v !== undefined && v !== "" ? v : undefined;
}

/**
 * Opens the store at `location`: a postgres:// URL opens PostgreSQL, anything else is a SQLite file path.
 * The backends are loaded on demand (a command that records nothing never loads a driver).
 * @param opts.existing only open a store that exists (the commands that read it: `history list|show|trend|
 *   changes`, `report`): a SQLite file that does not exist is refused, not created. Only the commands that
 *   record (bench, baseline, gate, check-release with --history, `history import`) create a store.
 * @throws UsageError (exit 2) "no history store at typo.sqlite ..." for a missing file with `existing`.
 * @throws HistoryStoreError (one line) when it cannot be opened or reached.
 */
export async function openHistoryStore(
  location: string,
  opts: { existing?: boolean } = {},
): Promise<HistoryStore> {
  if (opts.existing === true && !isPostgresUrl(location) && !existsSync(location))
    throw new UsageError(
      `no history store at ${location}: only commands that record create one (\`history import\`, or --history on bench, baseline, gate, check-release)`,
    );
  if (isPostgresUrl(location)) {
    const { openPostgresStore } = await import("./postgres.js");
    return openPostgresStore(location);
  }
  const { openSqliteStore } = await import("./sqlite.js");
  return openSqliteStore(location);
}
