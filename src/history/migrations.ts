/**
 * The store's schema, as numbered migrations applied in order (SQLite: PRAGMA user_version; PostgreSQL: the
 * perf_baseline_migrations table). A migration is never edited once released: a change is a new one.
 */

/** The SQL dialects the store speaks. */
export type Dialect = "sqlite" | "postgres";

/** One migration: its version and statements. */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/** The migrations of a dialect, oldest first. */
export function migrations(d: Dialect): Migration[] {
  const id = d === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  const ref = d === "sqlite" ? "INTEGER" : "BIGINT";
  const real = d === "sqlite" ? "REAL" : "DOUBLE PRECISION";
  const bool = d === "sqlite" ? "INTEGER" : "BOOLEAN";
  return [
    {
      version: 1,
      description: "results stored whole with their indexed keys; one row per metric",
      statements: [
        `CREATE TABLE results (
          id ${id},
          digest TEXT NOT NULL UNIQUE,
          group_key TEXT NOT NULL,
          bucket TEXT NOT NULL,
          kind TEXT NOT NULL,
          mode TEXT NOT NULL,
          engine TEXT NOT NULL,
          model_sha256 TEXT,
          model_name TEXT,
          hardware_fingerprint TEXT NOT NULL,
          workload_digest TEXT NOT NULL,
          git_commit TEXT,
          git_dirty ${bool},
          started_at TEXT NOT NULL,
          verdict TEXT,
          source TEXT NOT NULL,
          added_at TEXT NOT NULL
        )`,
        // the whole result, apart from the indexed rows so that scanning a series never reads 20 kB rows
        `CREATE TABLE result_documents (
          result_id ${ref} PRIMARY KEY REFERENCES results (id) ON DELETE CASCADE,
          json TEXT NOT NULL
        )`,
        "CREATE INDEX results_mode_started ON results (mode, started_at)",
        "CREATE INDEX results_bucket_group ON results (bucket, group_key)",
        "CREATE INDEX results_model ON results (model_sha256, model_name)",
        "CREATE INDEX results_hardware ON results (hardware_fingerprint)",
        "CREATE INDEX results_workload ON results (workload_digest)",
        "CREATE INDEX results_commit ON results (git_commit)",
        "CREATE INDEX results_verdict ON results (verdict)",
        `CREATE TABLE result_metrics (
          result_id ${ref} NOT NULL REFERENCES results (id) ON DELETE CASCADE,
          metric TEXT NOT NULL,
          median ${real} NOT NULL,
          p10 ${real} NOT NULL,
          p90 ${real} NOT NULL,
          n INTEGER NOT NULL,
          PRIMARY KEY (result_id, metric)
        )`,
        "CREATE INDEX result_metrics_metric ON result_metrics (metric, result_id)",
      ],
    },
    {
      version: 2,
      description:
        "results of other tools (src/import/): grouped by format, tool, test and comparability key; one row per metric",
      statements: [
        `CREATE TABLE imported_results (
          id ${id},
          digest TEXT NOT NULL UNIQUE,
          file_digest TEXT NOT NULL,
          group_key TEXT NOT NULL,
          format TEXT NOT NULL,
          tool TEXT NOT NULL,
          tool_version TEXT,
          test TEXT NOT NULL,
          mode TEXT NOT NULL,
          key_json TEXT NOT NULL,
          started_at TEXT NOT NULL,
          time_from TEXT NOT NULL,
          source TEXT NOT NULL,
          added_at TEXT NOT NULL
        )`,
        "CREATE INDEX imported_results_group ON imported_results (group_key, started_at)",
        "CREATE INDEX imported_results_file ON imported_results (file_digest)",
        `CREATE TABLE imported_metrics (
          import_id ${ref} NOT NULL REFERENCES imported_results (id) ON DELETE CASCADE,
          metric TEXT NOT NULL,
          position INTEGER NOT NULL,
          unit TEXT NOT NULL,
          direction TEXT,
          value ${real} NOT NULL,
          median ${real} NOT NULL,
          p10 ${real} NOT NULL,
          p90 ${real} NOT NULL,
          n INTEGER NOT NULL,
          samples_json TEXT,
          PRIMARY KEY (import_id, metric)
        )`,
      ],
    },
  ];
}

/** The newest schema version this build knows. */
export const SCHEMA_VERSION_HISTORY = 2;
