/**
 * The stored tests of other tools' files as `history list` and `history show` give them (issue 24): one row per
 * imported test, its headline metric, newest first, beside this tool's results. Pure over the store's
 * importedSeries rows (src/history/imported.ts).
 */
import type { Mode } from "../workload/workload.js";
import type { ImportedSeriesRow, MetricValue } from "./types.js";

/** One imported test in a listing; its id is shown as `i<id>` (this tool's results are `#<id>`). */
export interface ImportedListRow {
  /** tells an imported row from this tool's ("baseline" | "result") in `history list --json` */
  kind: "imported";
  id: number;
  digest: string;
  tool: string;
  tool_version: string | null;
  format: string;
  test: string;
  mode: "generation" | "embedding";
  /** ISO time of the run; `time_from` says whether the file or the import gave it */
  started_at: string;
  time_from: "file" | "import";
  source: string;
  /** the headline (gated) metric: its name, unit and value */
  metric: string;
  unit: string;
  value: MetricValue;
}

/** Every metric stored for one imported test, as `history show i<id>` prints it. */
export interface ImportedShown extends Omit<ImportedListRow, "metric" | "unit" | "value"> {
  key: unknown;
  metrics: Array<{ metric: string; unit: string; direction: "higher" | "lower" | null; value: MetricValue }>;
}

function listRow(r: ImportedSeriesRow): ImportedListRow {
  const { id, digest, tool, tool_version, format, test, mode, started_at, time_from, source, metric, unit } =
    r;
  return {
    kind: "imported",
    id,
    digest,
    tool,
    tool_version,
    format,
    test,
    mode,
    started_at,
    time_from,
    source,
    metric,
    unit,
    value: r.value,
  };
}

/**
 * The imported tests, newest run first (then highest id), of `mode` when given, at most `limit` (default 50).
 * @returns the rows shown and the total the filter matched.
 */
export function importedListRows(
  series: readonly ImportedSeriesRow[],
  filter: { mode?: Mode; limit?: number } = {},
): { rows: ImportedListRow[]; total: number } {
  const heads = series
    .filter((r) => r.position === 0 && (filter.mode === undefined || r.mode === filter.mode))
    .map(listRow)
    .sort((a, b) => b.started_at.localeCompare(a.started_at) || b.id - a.id);
  return { rows: heads.slice(0, filter.limit ?? 50), total: heads.length };
}

/**
 * One imported test by `i<id>`, or by a digest prefix of at least 8 hex digits; null when none matches.
 */
export function findImported(series: readonly ImportedSeriesRow[], ref: string): ImportedShown | null {
  const byId = /^i(\d+)$/.exec(ref);
  const prefix = /^[0-9a-f]{8,64}$/i.test(ref) ? ref.toLowerCase() : null;
  const rows = series.filter((r) =>
    byId ? r.id === Number(byId[1]) : prefix !== null && r.digest.startsWith(prefix),
  );
  const ids = new Set(rows.map((r) => r.id));
  const first = rows[0];
  if (first === undefined || ids.size !== 1) return null;
  const { metric: _m, unit: _u, value: _v, ...rest } = listRow(first);
  return {
    ...rest,
    key: JSON.parse(first.key_json) as unknown,
    metrics: [...rows]
      .sort((a, b) => a.position - b.position)
      .map((r) => ({ metric: r.metric, unit: r.unit, direction: r.direction, value: r.value })),
  };
}
