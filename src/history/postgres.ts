/**
 * The PostgreSQL backend (pg 8), for a fleet of CI runners writing to one server. Migrations run under a
 * transaction-level advisory lock (several runners may open a fresh database at once); an add takes an
 * advisory lock per bucket (in sorted order, so two writers never deadlock) so that the group lookup and the
 * insert are atomic, and relies on the UNIQUE digest (INSERT ... ON CONFLICT DO NOTHING) so that nothing is
 * stored twice. Connecting is bounded (connect timeout) and so is every query (statement timeout).
 */
import pg from "pg";
import { parseResult } from "../results/io.js";
import type { BenchmarkResult } from "../results/schema.js";
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

/** Bounds of every wait on the server, ms. */
export const PG_CONNECT_TIMEOUT_MS = 5_000;
export const PG_STATEMENT_TIMEOUT_MS = 60_000;
/** The advisory lock key of migrations (any fixed 64-bit number). */
const MIGRATION_LOCK = 7_313_001;

/** A postgres:// URL without its password (for messages and the store's location). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "";
    u.search = "";
    return u.toString().replace(/:@/, "@");
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * Connects to a PostgreSQL history store and migrates it.
 * @param url postgres://user:password@host:port/database (the password may also come from PGPASSWORD).
 * @throws HistoryStoreError (one line, password removed) when the server cannot be reached or migrated.
 */
export async function openPostgresStore(url: string): Promise<HistoryStore> {
  const location = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    statement_timeout: PG_STATEMENT_TIMEOUT_MS,
    query_timeout: PG_STATEMENT_TIMEOUT_MS + 5_000,
    max: 2,
  });
  // an idle client's error (server restart) must not crash the process
  pool.on("error", () => {});
  const store = new PostgresStore(pool, location);
  try {
    await store.migrate();
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof HistoryStoreError) throw err;
    throw new HistoryStoreError(
      location,
      `cannot be reached (${causeOf(err)}): start the server or fix --history`,
      {
        cause: err,
      },
    );
  }
  return store;
}

class PostgresStore implements HistoryStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  private async wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof HistoryStoreError) throw err;
      throw new HistoryStoreError(this.location, `${what} failed (${causeOf(err)})`, { cause: err });
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const out = await fn(c);
      await c.query("COMMIT");
      return out;
    } catch (err) {
      await c.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await c.query(
        "CREATE TABLE IF NOT EXISTS perf_baseline_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
      );
      const { rows } = await c.query("SELECT COALESCE(MAX(version), 0) AS v FROM perf_baseline_migrations");
      const current = Number(rows[0]?.v ?? 0);
      if (current > SCHEMA_VERSION_HISTORY)
        throw new HistoryStoreError(
          this.location,
          `schema version ${current} is newer than this tool's ${SCHEMA_VERSION_HISTORY}: update perf-baseline`,
        );
      for (const m of migrations("postgres")) {
        if (m.version <= current) continue;
        for (const s of m.statements) await c.query(s);
        await c.query("INSERT INTO perf_baseline_migrations (version, description) VALUES ($1, $2)", [
          m.version,
          m.description,
        ]);
      }
    });
  }

  async add(entries: readonly HistoryEntry[]): Promise<AddOutcome> {
    const rows = entries.map((e) => ({ e, row: prepareRow(e) }));
    return this.wrap("adding results", () =>
      this.tx(async (c) => {
        const buckets = [...new Set(rows.map((r) => r.row.bucket))].sort();
        for (const b of buckets) await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [b]);
        const groupsByBucket = new Map<string, GroupRepresentative[]>();
        let added = 0;
        let duplicates = 0;
        for (const { e, row } of rows) {
          let groups = groupsByBucket.get(row.bucket);
          if (!groups) {
            const res = await c.query(
              "SELECT r.group_key, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.id IN (SELECT MIN(id) FROM results WHERE bucket = $1 GROUP BY group_key) ORDER BY r.id",
              [row.bucket],
            );
            groups = res.rows.map((g: { group_key: string; json: string }) => ({
              group_key: g.group_key,
              result: parseResult(JSON.parse(g.json), `${this.location} group ${g.group_key}`),
            }));
            groupsByBucket.set(row.bucket, groups);
          }
          const existing = findGroup(e.result, groups);
          const group_key = existing ?? newGroupKey(e.result, row.digest);
          const ins = await c.query(
            `INSERT INTO results (digest, group_key, bucket, kind, mode, engine, model_sha256, model_name,
              hardware_fingerprint, workload_digest, git_commit, git_dirty, started_at, verdict, source, added_at)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
             ON CONFLICT (digest) DO NOTHING RETURNING id`,
            [
              row.digest,
              group_key,
              row.bucket,
              row.kind,
              row.mode,
              row.engine,
              row.model_sha256,
              row.model_name,
              row.hardware_fingerprint,
              row.workload_digest,
              row.git_commit,
              row.git_dirty,
              row.started_at,
              row.verdict,
              row.source,
              row.added_at,
            ],
          );
          const id = ins.rows[0]?.id;
          if (id === undefined) {
            if (row.verdict !== null)
              await c.query("UPDATE results SET verdict = $1 WHERE digest = $2 AND verdict IS NULL", [
                row.verdict,
                row.digest,
              ]);
            duplicates++;
            continue;
          }
          if (existing === null) groups.push({ group_key, result: e.result });
          await c.query("INSERT INTO result_documents (result_id, json) VALUES ($1, $2)", [id, row.json]);
          const metrics = Object.entries(row.metrics);
          if (metrics.length > 0) {
            const params: unknown[] = [];
            const values = metrics.map(([name, v], i) => {
              params.push(id, name, v.median, v.p10, v.p90, v.n);
              const b = i * 6;
              return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6})`;
            });
            await c.query(
              `INSERT INTO result_metrics (result_id, metric, median, p10, p90, n) VALUES ${values.join(",")}`,
              params,
            );
          }
          added++;
        }
        return { added, duplicates };
      }),
    );
  }

  async list(filter: ListFilter = {}): Promise<StoredRow[]> {
    const limit = filter.limit ?? 50;
    return this.wrap("listing", async () => {
      const res = filter.mode
        ? await this.pool.query(
            `SELECT ${ROW_COLUMNS} FROM results r WHERE r.mode = $1 ORDER BY r.started_at DESC, r.id DESC LIMIT $2`,
            [filter.mode, limit],
          )
        : await this.pool.query(
            `SELECT ${ROW_COLUMNS} FROM results r ORDER BY r.started_at DESC, r.id DESC LIMIT $1`,
            [limit],
          );
      return res.rows.map(toStoredRow);
    });
  }

  async count(): Promise<number> {
    return this.wrap("counting", async () => {
      const res = await this.pool.query(COUNT_BOTH_SQL);
      return Number(res.rows[0]?.n ?? 0);
    });
  }

  async get(ref: string): Promise<{ row: StoredRow; result: BenchmarkResult } | null> {
    const parsed = parseRef(ref);
    if (!parsed) return null;
    return this.wrap("reading", async () => {
      const res =
        "id" in parsed
          ? await this.pool.query(
              `SELECT ${ROW_COLUMNS}, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.id = $1`,
              [parsed.id],
            )
          : await this.pool.query(
              `SELECT ${ROW_COLUMNS}, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.digest LIKE $1 LIMIT 2`,
              [`${parsed.prefix}%`],
            );
      if (res.rows.length > 1)
        throw new HistoryStoreError(
          this.location,
          `digest prefix ${ref} matches several results: give more digits`,
        );
      const x = res.rows[0];
      if (!x) return null;
      return {
        row: toStoredRow(x),
        result: parseResult(JSON.parse(String(x.json)), `${this.location} #${x.id}`),
      };
    });
  }

  async series(mode: Mode, metric: string): Promise<SeriesRow[]> {
    return this.wrap("reading a series", async () => {
      const res = await this.pool.query(
        `SELECT ${SERIES_COLUMNS} FROM results r JOIN result_metrics m ON m.result_id = r.id WHERE r.mode = $1 AND m.metric = $2 ORDER BY r.started_at, r.id`,
        [mode, metric],
      );
      return res.rows.map(toSeriesRow);
    });
  }

  async groupRepresentatives(mode: Mode) {
    return this.wrap("reading groups", async () => {
      const res = await this.pool.query(
        "SELECT r.group_key, r.bucket, d.json FROM results r JOIN result_documents d ON d.result_id = r.id WHERE r.id IN (SELECT MIN(id) FROM results WHERE mode = $1 GROUP BY group_key) ORDER BY r.id",
        [mode],
      );
      return res.rows.map((g: { group_key: string; bucket: string; json: string }) => ({
        group_key: g.group_key,
        bucket: g.bucket,
        result: parseResult(JSON.parse(g.json), `${this.location} group ${g.group_key}`),
      }));
    });
  }

  async addImported(entries: readonly ImportedEntry[]): Promise<AddOutcome> {
    const files = byFile(entries);
    const added_at = new Date().toISOString();
    return this.wrap("adding imported results", () =>
      this.tx(async (c) => {
        // one lock per file digest (sorted: two writers never deadlock): the check and the inserts are atomic
        for (const d of [...files.keys()].sort())
          await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`import:${d}`]);
        let added = 0;
        let duplicates = 0;
        for (const [digest, list] of files) {
          const seen = await c.query("SELECT 1 FROM imported_results WHERE file_digest = $1 LIMIT 1", [
            digest,
          ]);
          if (seen.rows.length > 0) {
            duplicates += list.length;
            continue;
          }
          for (const [index, e] of list.entries()) {
            const x = importedColumns(e, index, added_at);
            const ins = await c.query(
              `INSERT INTO imported_results (digest, file_digest, group_key, format, tool, tool_version, test,
                mode, key_json, started_at, time_from, source, added_at)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (digest) DO NOTHING RETURNING id`,
              [
                x.digest,
                x.file_digest,
                x.group_key,
                x.format,
                x.tool,
                x.tool_version,
                x.test,
                x.mode,
                x.key_json,
                x.started_at,
                x.time_from,
                x.source,
                x.added_at,
              ],
            );
            const id = ins.rows[0]?.id;
            if (id === undefined) {
              duplicates++;
              continue;
            }
            for (const m of importedMetricRows(e.imported))
              await c.query(
                `INSERT INTO imported_metrics (import_id, metric, position, unit, direction, value, median, p10, p90, n,
                  samples_json) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
                [
                  id,
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
                ],
              );
            added++;
          }
        }
        return { added, duplicates };
      }),
    );
  }

  async importedSeries(): Promise<ImportedSeriesRow[]> {
    return this.wrap("reading imported series", async () =>
      (await this.pool.query(IMPORTED_SERIES_SQL)).rows.map(toImportedSeriesRow),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
