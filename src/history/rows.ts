/** Turning database rows into StoredRow / SeriesRow (both backends return the same column names). */
import type { Verdict } from "../gate/verdict.js";
import type { Mode } from "../workload/workload.js";
import type { SeriesRow, StoredRow } from "./types.js";

/** The columns every query selects, in this order. */
export const ROW_COLUMNS =
  "r.id, r.digest, r.group_key, r.bucket, r.kind, r.mode, r.engine, r.model_sha256, r.model_name, r.hardware_fingerprint, r.workload_digest, r.git_commit, r.git_dirty, r.started_at, r.verdict, r.source, r.added_at";

/** A database row as a StoredRow. */
export function toStoredRow(x: Record<string, unknown>): StoredRow {
  return {
    id: Number(x.id),
    digest: String(x.digest),
    group_key: String(x.group_key),
    bucket: String(x.bucket),
    kind: x.kind === "baseline" ? "baseline" : "result",
    mode: x.mode as Mode,
    engine: String(x.engine),
    model_sha256: (x.model_sha256 as string | null) ?? null,
    model_name: (x.model_name as string | null) ?? null,
    hardware_fingerprint: String(x.hardware_fingerprint),
    workload_digest: String(x.workload_digest),
    git_commit: (x.git_commit as string | null) ?? null,
    git_dirty: x.git_dirty === null || x.git_dirty === undefined ? null : Boolean(x.git_dirty),
    started_at: String(x.started_at),
    verdict: (x.verdict as Verdict | null) ?? null,
    source: String(x.source),
    added_at: String(x.added_at),
  };
}

/** The columns a series query selects. */
export const SERIES_COLUMNS =
  "r.id, r.digest, r.group_key, r.kind, r.git_commit, r.git_dirty, r.started_at, r.verdict, r.source, m.median, m.p10, m.p90, m.n";

/** A database row of SERIES_COLUMNS as a SeriesRow. */
export function toSeriesRow(x: Record<string, unknown>): SeriesRow {
  return {
    id: Number(x.id),
    digest: x.digest as string,
    group_key: x.group_key as string,
    kind: x.kind === "baseline" ? "baseline" : "result",
    git_commit: (x.git_commit as string | null) ?? null,
    git_dirty: x.git_dirty === null || x.git_dirty === undefined ? null : Boolean(x.git_dirty),
    started_at: String(x.started_at),
    verdict: (x.verdict as SeriesRow["verdict"]) ?? null,
    source: x.source as string,
    value: { median: Number(x.median), p10: Number(x.p10), p90: Number(x.p90), n: Number(x.n) },
  };
}

/** How a reference names a stored result: an id, or a digest prefix of 8 to 64 hex digits. */
export function parseRef(ref: string): { id: number } | { prefix: string } | null {
  if (/^\d{1,15}$/.test(ref)) return { id: Number(ref) };
  if (/^[0-9a-f]{8,64}$/.test(ref)) return { prefix: ref };
  return null;
}
