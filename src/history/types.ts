/**
 * The history store's interface and the shapes it stores and returns. One interface, two backends:
 * SQLite (sqlite.ts, better-sqlite3) for a file on this machine and PostgreSQL (postgres.ts, pg) for a fleet
 * of CI runners writing to one server. Open one with openHistoryStore (open.ts).
 */
import type { Verdict } from "../gate/verdict.js";
import type { ImportedResult } from "../import/types.js";
import type { BenchmarkResult } from "../results/schema.js";
import type { Mode } from "../workload/workload.js";

/** What a caller adds: a validated result, the gate's verdict on it when there was one, and where it came from. */
export interface HistoryEntry {
  result: BenchmarkResult;
  /** the gate's verdict on this result as a candidate; null for a baseline or a plain run */
  verdict: Verdict | null;
  /** a file path or a label such as "bench run" (never a secret) */
  source: string;
}

/** One metric of a stored result: the median of its rounds (or requests) and the 10th/90th percentiles. */
export interface MetricValue {
  median: number;
  p10: number;
  p90: number;
  n: number;
}

/** The indexed columns of a stored result (what queries filter and sort on). */
export interface StoredRow {
  id: number;
  /** sha256 of the canonical JSON of the whole result: the dedup key */
  digest: string;
  /** the comparability group assigned when it was stored (see grouping.ts) */
  group_key: string;
  /** mode | workload digest | model identity | hardware fingerprint | engine: a necessary part of the group */
  bucket: string;
  /** "baseline" (carries a baseline block) or "result" */
  kind: "baseline" | "result";
  mode: Mode;
  engine: string;
  model_sha256: string | null;
  model_name: string | null;
  hardware_fingerprint: string;
  workload_digest: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  /** ISO time the run started */
  started_at: string;
  verdict: Verdict | null;
  source: string;
  /** ISO time it was stored */
  added_at: string;
}

/** A row of a metric series: what a trend point needs (a series may hold 10,000 rows: kept lean). */
export interface SeriesRow
  extends Pick<
    StoredRow,
    "id" | "digest" | "group_key" | "kind" | "git_commit" | "git_dirty" | "started_at" | "verdict" | "source"
  > {
  value: MetricValue;
}

/** The outcome of an add. */
export interface AddOutcome {
  /** newly stored */
  added: number;
  /** already stored (same content digest); their verdict is filled in when it was missing */
  duplicates: number;
}

/** Filters of a listing. */
export interface ListFilter {
  mode?: Mode;
  /** most rows, newest first. Defaults to 50. */
  limit?: number;
}

/** The store. Every method may throw HistoryStoreError (one line, the store's redacted location and the fix). */
export interface HistoryStore {
  /** "sqlite:/path/history.sqlite" or "postgres://user@host:5432/db" (the password never appears) */
  readonly location: string;
  /** Adds entries; a result already stored (same content) is not stored again. */
  add(entries: readonly HistoryEntry[]): Promise<AddOutcome>;
  /** Rows newest first. */
  list(filter?: ListFilter): Promise<StoredRow[]>;
  /** Number of stored results: this tool's plus the imported tests of other tools' files. */
  count(): Promise<number>;
  /** One stored result by id or by a digest prefix of at least 8 hex digits; null when none matches. */
  get(ref: string): Promise<{ row: StoredRow; result: BenchmarkResult } | null>;
  /** Every stored value of `metric` for `mode`, oldest run first. */
  series(mode: Mode, metric: string): Promise<SeriesRow[]>;
  /** The first stored result of each group of `mode`: what the groups are compared by when merged. */
  groupRepresentatives(
    mode: Mode,
  ): Promise<Array<{ group_key: string; bucket: string; result: BenchmarkResult }>>;
  /**
   * Adds the tests of other tools' files (imported.ts); a file already stored (same content digest) is
   * counted as duplicates, its tests not stored again.
   */
  addImported(entries: readonly ImportedEntry[]): Promise<AddOutcome>;
  /** Every stored imported metric value, by group then oldest run first. */
  importedSeries(): Promise<ImportedSeriesRow[]>;
  /** Closes connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}

/** Where a stored import's time came from: the file (llama-bench test_time, vLLM date) or the import. */
export type ImportedTimeFrom = "file" | "import";

/** One test of an imported file, ready to store. */
export interface ImportedEntry {
  imported: ImportedResult;
  /** sha256 of the file's bytes: a file already stored is skipped */
  file_digest: string;
  /** ISO time of the run */
  started_at: string;
  time_from: ImportedTimeFrom;
}

/** A stored import's point of a series (what a trend needs). */
export interface ImportedSeriesRow {
  id: number;
  digest: string;
  group_key: string;
  format: string;
  tool: string;
  tool_version: string | null;
  test: string;
  mode: "generation" | "embedding";
  key_json: string;
  started_at: string;
  time_from: ImportedTimeFrom;
  source: string;
  metric: string;
  /** 0 for the test's headline (gated) metric */
  position: number;
  unit: string;
  direction: "higher" | "lower" | null;
  value: MetricValue;
}
