/**
 * The SQLite backend (better-sqlite3 12): one file, WAL journal so that readers never block the writer, a
 * busy timeout so that several processes adding at once wait for each other instead of failing, and every
 * add in one IMMEDIATE transaction (the group lookup and the insert see the same state).
 */
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { parseResult } from "../results/io.js";
import type { BenchmarkResult } from "../results/schema.js";
import { makeDirsSync } from "../util/atomic-file.js";
import { HistoryStoreError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";
import { causeOf } from "./cause.js";
import { findGroup, type GroupRepresentative, newGroupKey } from "./grouping.js";
import {
  byFile,
  COUNT_BOTH_SQL,
  IMPORTED_SERIES_SQL,
  importedColumns,
  importedMetricRows,
  toImportedSeriesRow,
} from "./imported.js";
import { migrations, SCHEMA_VERSION_HISTORY } from "./migrations.js";
import { prepareRow } from "./row.js";
import { parseRef, ROW_COLUMNS, SERIES_COLUMNS, toSeriesRow, toStoredRow } from "./rows.js";
import type {
  AddOutcome,
  HistoryEntry,
  HistoryStore,
  ImportedEntry,
  ImportedSeriesRow,
  ListFilter,
  SeriesRow,
  StoredRow,
} from "./types.js";

/** How long a writer waits for another process's transaction, ms. */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/**
 * Opens (creating it and its folder when missing) and migrates a SQLite history file.
 * @throws HistoryStoreError when the file cannot be opened, is not a SQLite database, or has a newer schema.
 */
export function openSqliteStore(path: string): HistoryStore {
  const location = `sqlite:${path}`;
  let db: Database.Database;
  try {
    if (path !== ":memory:") makeDirsSync(dirname(path));
    db = new Database(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db, location);
  } catch (err) {
    if (err instanceof HistoryStoreError) throw err;
    throw new HistoryStoreError(
      location,
      `cannot be opened (${causeOf(err)}): choose another --history path`,
      {
        cause: err,
      },
    );
  }
  return new SqliteStore(db, location);
}

function migrate(db: Database.Database, location: string): void {
  db.transaction(() => {
    const current = Number(db.pragma("user_version", { simple: true }));
    if (current > SCHEMA_VERSION_HISTORY)
      throw new HistoryStoreError(
        location,
        `schema version ${current} is newer than this tool's ${SCHEMA_VERSION_HISTORY}: update perf-baseline`,
      );
    for (const m of migrations("sqlite")) {
      if (m.version <= current) continue;
      for (const s of m.statements) db.exec(s);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}

class SqliteStore implements HistoryStore {
  constructor(
    private readonly db: Database.Database,
    readonly location: string,
  ) {}

  private wrap<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof HistoryStoreError) throw err;
      throw new HistoryStoreError(this.location, `${what} failed (${causeOf(err)})`, { cause: err });
    }
  }

  async add(entries: readonly HistoryEntry[]): Promise<AddOutcome> {
    const db = this.db;
    return this.wrap("adding results", () => {
      const byDigest = db.prepare("SELECT id FROM results WHERE digest = ?");
      const fillVerdict = db.prepare(
        "UPDATE results SET verdict = ? WHERE digest = ? AND verdict IS NULL AND ? IS NOT NULL",
      );
      const reps = db.prepare(
        "SELECT r.group_key, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.id IN (SELECT MIN(id) FROM results WHERE bucket = ? GROUP BY group_key) ORDER BY r.id",
      );
      const insert =
        db.prepare(`INSERT INTO results (digest, group_key, bucket, kind, mode, engine, model_sha256,
        model_name, hardware_fingerprint, workload_digest, git_commit, git_dirty, started_at, verdict, source,
        added_at) VALUES (@digest, @group_key, @bucket, @kind, @mode, @engine, @model_sha256, @model_name,
        @hardware_fingerprint, @workload_digest, @git_commit, @git_dirty, @started_at, @verdict, @source,
        @added_at)`);
      const insertDocument = db.prepare("INSERT INTO result_documents (result_id, json) VALUES (?, ?)");
      const insertMetric = db.prepare(
        "INSERT INTO result_metrics (result_id, metric, median, p10, p90, n) VALUES (?, ?, ?, ?, ?, ?)",
      );
      return db
        .transaction(() => {
          const groupsByBucket = new Map<string, GroupRepresentative[]>();
          let added = 0;
          let duplicates = 0;
          for (const e of entries) {
            const row = prepareRow(e);
            if (byDigest.get(row.digest)) {
              fillVerdict.run(row.verdict, row.digest, row.verdict);
              duplicates++;
              continue;
            }
            let groups = groupsByBucket.get(row.bucket);
            if (!groups) {
              groups = (reps.all(row.bucket) as Array<{ group_key: string; json: string }>).map((g) => ({
                group_key: g.group_key,
                result: parseResult(JSON.parse(g.json), `${this.location} group ${g.group_key}`),
              }));
              groupsByBucket.set(row.bucket, groups);
            }
            let group_key = findGroup(e.result, groups);
            if (group_key === null) {
              group_key = newGroupKey(e.result, row.digest);
              groups.push({ group_key, result: e.result });
            }
            const { metrics, json, ...cols } = row;
            const info = insert.run({
              ...cols,
              group_key,
              git_dirty: cols.git_dirty === null ? null : cols.git_dirty ? 1 : 0,
            });
            insertDocument.run(info.lastInsertRowid, json);
            for (const [name, v] of Object.entries(metrics))
              insertMetric.run(info.lastInsertRowid, name, v.median, v.p10, v.p90, v.n);
            added++;
          }
          return { added, duplicates };
        })
        .immediate();
    });
  }

  async list(filter: ListFilter = {}): Promise<StoredRow[]> {
    const limit = filter.limit ?? 50;
    return this.wrap("listing", () => {
      const rows = filter.mode
        ? this.db
            .prepare(
              `SELECT ${ROW_COLUMNS} FROM results r WHERE r.mode = ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
            )
            .all(filter.mode, limit)
        : this.db
            .prepare(`SELECT ${ROW_COLUMNS} FROM results r ORDER BY r.started_at DESC, r.id DESC LIMIT ?`)
            .all(limit);
      return (rows as Record<string, unknown>[]).map(toStoredRow);
    });
  }

  async count(): Promise<number> {
    return this.wrap("counting", () => Number((this.db.prepare(COUNT_BOTH_SQL).get() as { n: number }).n));
  }

  async get(ref: string): Promise<{ row: StoredRow; result: BenchmarkResult } | null> {
    const parsed = parseRef(ref);
    if (!parsed) return null;
    return this.wrap("reading", () => {
      const rows = (
        "id" in parsed
          ? this.db
              .prepare(
                `SELECT ${ROW_COLUMNS}, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.id = ?`,
              )
              .all(parsed.id)
          : this.db
              .prepare(
                `SELECT ${ROW_COLUMNS}, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.digest LIKE ? LIMIT 2`,
              )
              .all(`${parsed.prefix}%`)
      ) as Record<string, unknown>[];
      if (rows.length > 1)
        throw new HistoryStoreError(
          this.location,
          `digest prefix ${ref} matches several results: give more digits`,
        );
      const x = rows[0];
      if (!x) return null;
      return {
        row: toStoredRow(x),
        result: parseResult(JSON.parse(String(x.json)), `${this.location} #${x.id}`),
      };
    });
  }

  async series(mode: Mode, metric: string): Promise<SeriesRow[]> {
    return this.wrap("reading a series", () =>
      (
        this.db
          .prepare(
            `SELECT ${SERIES_COLUMNS} FROM results r JOIN result_metrics m ON m.result_id = r.id WHERE r.mode = ? AND m.metric = ? ORDER BY r.started_at, r.id`,
          )
          .all(mode, metric) as Record<string, unknown>[]
      ).map(toSeriesRow),
    );
  }

  async groupRepresentatives(mode: Mode) {
    return this.wrap("reading groups", () =>
      (
        this.db
          .prepare(
            "SELECT r.group_key, r.bucket, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.id IN (SELECT MIN(id) FROM results WHERE mode = ? GROUP BY group_key) ORDER BY r.id",
          )
          .all(mode) as Array<{ group_key: string; bucket: string; json: string }>
      ).map((g) => ({
        group_key: g.group_key,
        bucket: g.bucket,
        result: parseResult(JSON.parse(g.json), `${this.location} group ${g.group_key}`),
      })),
    );
  }

  async addImported(entries: readonly ImportedEntry[]): Promise<AddOutcome> {
    const db = this.db;
    return this.wrap("adding imported results", () => {
      const seen = db.prepare("SELECT 1 FROM imported_results WHERE file_digest = ? LIMIT 1");
      const insert = db.prepare(`INSERT INTO imported_results (digest, file_digest, group_key, format, tool,
        tool_version, test, mode, key_json, started_at, time_from, source, added_at) VALUES (@digest,
        @file_digest, @group_key, @format, @tool, @tool_version, @test, @mode, @key_json, @started_at,
        @time_from, @source, @added_at)`);
      const insertMetric =
        db.prepare(`INSERT INTO imported_metrics (import_id, metric, position, unit, direction, value,
        median, p10, p90, n, samples_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const added_at = new Date().toISOString();
      return db
        .transaction(() => {
          let added = 0;
          let duplicates = 0;
          for (const [digest, list] of byFile(entries)) {
            if (seen.get(digest)) {
              duplicates += list.length;
              continue;
            }
            list.forEach((e, index) => {
              const info = insert.run(importedColumns(e, index, added_at));
              for (const m of importedMetricRows(e.imported))
                insertMetric.run(
                  info.lastInsertRowid,
                  m.metric,
                  m.position,
                  m.unit,
                  m.direction,
                  m.value,
                  m.value_stats.median,
                  m.value_stats.p10,
                  m.value_stats.p90,
                  m.value_stats.n,
                  m.samples ? JSON.stringify(m.samples) : null,
                );
              added++;
            });
          }
          return { added, duplicates };
        })
        .immediate();
    });
  }

  async importedSeries(): Promise<ImportedSeriesRow[]> {
    return this.wrap("reading imported series", () =>
      (this.db.prepare(IMPORTED_SERIES_SQL).all() as Record<string, unknown>[]).map(toImportedSeriesRow),
    );
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
