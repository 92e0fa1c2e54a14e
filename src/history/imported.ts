/**
 * Results of other tools (src/import/) in the history store: what is stored of each test of an imported file,
 * its group (format, tool, test and comparability key: a group never mixes formats or keys), the run's time
 * (from the file where it has one, else the import time, and which) and each metric's median and percentiles.
 * Pure apart from reading the file in {@link readImportedFile}.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readResultsFile } from "../import/registry.js";
import type { ImportedResult } from "../import/types.js";
import { percentile } from "../stats/descriptive.js";
import { canonicalJson, sha256OfJson } from "../util/canonical-json.js";
import type { ImportedEntry, ImportedSeriesRow, MetricValue } from "./types.js";

/** Most samples of one metric kept per stored import (more are summarised, not kept: as a result's samples). */
export const IMPORTED_MAX_SAMPLES = 10_000;

/** One metric of a stored import. */
export interface ImportedMetricRow {
  metric: string;
  /** its place among the test's metrics: 0 is the headline (gated) one */
  position: number;
  unit: string;
  direction: "higher" | "lower" | null;
  value: number;
  value_stats: MetricValue;
  /** at most {@link IMPORTED_MAX_SAMPLES}; null for a summary only */
  samples: number[] | null;
}

/** The group of an import: sha256 of the canonical JSON of format, tool, test and key (prefixed by the test). */
export function importedGroupKey(i: ImportedResult): string {
  return `${i.test}:${sha256OfJson({ format: i.format, tool: i.tool, test: i.test, key: i.key })}`;
}

/** The row digest of the `index`th test of a file: the file's digest and the test's place in it. */
export function importedDigest(e: ImportedEntry, index: number): string {
  return createHash("sha256").update(`${e.file_digest}\n${index}\n${e.imported.source}`).digest("hex");
}

/** A metric's median, p10 and p90 from its samples (the value itself, n 1, for a summary). */
export function importedMetricRows(i: ImportedResult): ImportedMetricRow[] {
  return i.metrics.map((m, position) => {
    const xs = m.samples && m.samples.length > 0 ? m.samples : null;
    const value_stats: MetricValue = xs
      ? { median: percentile(xs, 50), p10: percentile(xs, 10), p90: percentile(xs, 90), n: xs.length }
      : { median: m.value, p10: m.value, p90: m.value, n: 1 };
    return {
      metric: m.name,
      position,
      unit: m.unit,
      direction: m.direction,
      value: m.value,
      value_stats,
      samples: xs ? xs.slice(0, IMPORTED_MAX_SAMPLES) : null,
    };
  });
}

function isoOrNull(s: string): string | null {
  const vllm = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(s);
  const t = vllm ? `${vllm[1]}-${vllm[2]}-${vllm[3]}T${vllm[4]}:${vllm[5]}:${vllm[6]}Z` : s;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The run's time a file records, or null: the earliest llama-bench `test_time` (JSON, JSON Lines or the CSV
 * column), or vLLM's `date` (YYYYMMDD-HHMMSS, read as UTC). Other formats record none this tool reads.
 */
export function fileRunTime(format: string, text: string): string | null {
  const found: string[] = [];
  if (format === "llama-bench") {
    for (const m of text.matchAll(/"test_time"\s*:\s*"([^"]+)"/g)) if (m[1]) found.push(m[1]);
    const lines = text.split(/\r?\n/);
    const col = (lines[0] ?? "").split(",").indexOf("test_time");
    if (found.length === 0 && col >= 0)
      for (const l of lines.slice(1)) {
        const v = l.split(",")[col]?.replace(/^"|"$/g, "");
        if (v) found.push(v);
      }
  } else if (format === "vllm") {
    const m = /"date"\s*:\s*"(\d{8}-\d{6})"/.exec(text);
    if (m?.[1]) found.push(m[1]);
  }
  const times = found.map(isoOrNull).filter((t): t is string => t !== null);
  return times.length ? (times.sort()[0] as string) : null;
}

/**
 * The tests of another tool's file, ready to store (none for a file of this tool's results).
 * @param now the import time, used when the file records no run time.
 * @throws ResultFileError as readResultsFile does (a file of no known format, a bad figure).
 */
export function readImportedFile(path: string, now: Date = new Date()): ImportedEntry[] {
  return importedEntries(path, readResultsFile(path), now);
}

/** {@link readImportedFile} on the imports of `path` already read (those of this tool's results left out). */
export function importedEntries(path: string, all: readonly ImportedResult[], now: Date): ImportedEntry[] {
  const imports = all.filter((i) => !i.result);
  if (imports.length === 0) return [];
  const bytes = readFileSync(path);
  const file_digest = createHash("sha256").update(bytes).digest("hex");
  const fromFile = fileRunTime(imports[0]?.format ?? "", bytes.toString("utf8"));
  return imports.map((imported) => ({
    imported,
    file_digest,
    started_at: fromFile ?? now.toISOString(),
    time_from: fromFile ? "file" : "import",
  }));
}

/** This tool's stored results plus the stored tests of other tools' files (HistoryStore.count). */
export const COUNT_BOTH_SQL =
  "SELECT (SELECT COUNT(*) FROM results) + (SELECT COUNT(*) FROM imported_results) AS n";

/** The columns {@link ImportedSeriesRow} is read from (imported_results i JOIN imported_metrics m). */
export const IMPORTED_SERIES_SQL = `SELECT i.id, i.digest, i.group_key, i.format, i.tool, i.tool_version, i.test,
  i.mode, i.key_json, i.started_at, i.time_from, i.source, m.metric, m.position, m.unit, m.direction, m.median, m.p10, m.p90,
  m.n FROM imported_results i JOIN imported_metrics m ON m.import_id = i.id
  ORDER BY i.group_key, m.metric, i.started_at, i.id`;

/** A database row of {@link IMPORTED_SERIES_SQL} as an {@link ImportedSeriesRow}. */
export function toImportedSeriesRow(x: Record<string, unknown>): ImportedSeriesRow {
  const str = (k: string) => String(x[k]);
  return {
    id: Number(x.id),
    digest: str("digest"),
    group_key: str("group_key"),
    format: str("format"),
    tool: str("tool"),
    tool_version: x.tool_version === null ? null : str("tool_version"),
    test: str("test"),
    mode: str("mode") === "embedding" ? "embedding" : "generation",
    key_json: str("key_json"),
    started_at: str("started_at"),
    time_from: str("time_from") === "file" ? "file" : "import",
    source: str("source"),
    metric: str("metric"),
    position: Number(x.position),
    unit: str("unit"),
    direction: x.direction === "higher" || x.direction === "lower" ? x.direction : null,
    value: { median: Number(x.median), p10: Number(x.p10), p90: Number(x.p90), n: Number(x.n) },
  };
}

/** The columns of an imported_results row of the `index`th test of a file (SQL parameters by name). */
export function importedColumns(e: ImportedEntry, index: number, added_at: string) {
  const i = e.imported;
  return {
    digest: importedDigest(e, index),
    file_digest: e.file_digest,
    group_key: importedGroupKey(i),
    format: i.format,
    tool: i.tool,
    tool_version: i.tool_version,
    test: i.test,
    mode: i.mode,
    key_json: canonicalJson(i.key),
    started_at: e.started_at,
    time_from: e.time_from,
    source: i.source,
    added_at,
  };
}

/** The entries of each file, with each test's place in its file (the file digest groups them). */
export function byFile(entries: readonly ImportedEntry[]): Map<string, ImportedEntry[]> {
  const out = new Map<string, ImportedEntry[]>();
  for (const e of entries) {
    const list = out.get(e.file_digest);
    if (list) list.push(e);
    else out.set(e.file_digest, [e]);
  }
  return out;
}
