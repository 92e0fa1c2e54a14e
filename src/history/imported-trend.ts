/**
 * Trends of other tools' results (imported.ts): one series per group (format, tool, test and comparability
 * key; never mixed), of each group's headline metric (its first, the one the gate decides) or of a named
 * one, with change points as for this tool's results (trend.ts).
 */
import type { ChangePointOptions } from "../stats/change-points.js";
import { type TrendGroup, type TrendPoint, type Trends, trendGroup } from "./trend.js";
import type { HistoryStore, ImportedSeriesRow } from "./types.js";

/** Options of {@link buildImportedTrends}. */
export interface ImportedTrendOptions {
  /** follow this metric (e.g. tokens_per_second, ttft_ms); default: each group's headline metric */
  metric?: string;
  /** change points are searched in the last this many points of a group. Defaults to 200. */
  window?: number;
  detector?: ChangePointOptions;
}

/** A group's heading: the format and tool first ("imported llama-bench (llama-bench b5180)"), then its key. */
export function importedIdentity(r: ImportedSeriesRow): TrendGroup["identity"] {
  const key = JSON.parse(r.key_json) as Record<string, unknown>;
  const settings = Object.entries(key)
    .map(([k, v]) => `${k} ${v === null ? "unknown" : String(v)}`)
    .join(", ");
  const model = key.model ?? key.model_filename ?? key.model_type ?? key.model_path ?? key.model_id;
  return {
    test: r.test,
    engine: `imported ${r.format} (${r.tool}${r.tool_version ? ` ${r.tool_version}` : ""})`,
    model: typeof model === "string" ? model : "model not recorded",
    model_sha256: null,
    cpu_model: "hardware as the file records it",
    hardware_fingerprint: "-",
    workload_digest: r.group_key.slice(r.group_key.lastIndexOf(":") + 1),
    threads: typeof key.n_threads === "number" ? key.n_threads : null,
    settings: settings || "no settings recorded",
    load: null,
  };
}

function toPoint(r: ImportedSeriesRow): TrendPoint {
  return {
    id: r.id,
    digest: r.digest,
    started_at: r.started_at,
    git_commit: null,
    git_dirty: null,
    kind: "result",
    verdict: null,
    source: `${r.source} (time from the ${r.time_from === "file" ? "file" : "import"})`,
    ...r.value,
  };
}

/**
 * The imported trends of a store, one {@link Trends} per mode and metric, groups newest first.
 * A metric's direction is the format's (or `--direction`'s); "higher" when neither said.
 */
export async function buildImportedTrends(
  store: HistoryStore,
  opts: ImportedTrendOptions = {},
): Promise<Trends[]> {
  const rows = await store.importedSeries();
  const byGroup = new Map<string, ImportedSeriesRow[]>();
  for (const r of rows) {
    if (opts.metric ? r.metric !== opts.metric : r.position !== 0) continue;
    const k = `${r.mode}\n${r.metric}\n${r.group_key}`;
    const list = byGroup.get(k);
    if (list) list.push(r);
    else byGroup.set(k, [r]);
  }
  const out = new Map<string, Trends>();
  for (const [k, list] of byGroup) {
    const first = list[0] as ImportedSeriesRow;
    const tk = k.slice(0, k.lastIndexOf("\n"));
    let t = out.get(tk);
    if (!t) {
      const label = `${first.metric} of imported results`;
      const better = first.direction ?? "higher";
      t = {
        mode: first.mode,
        metric: { name: first.metric, unit: first.unit, better, label },
        groups: [],
        kind: "imported",
      };
      out.set(tk, t);
    }
    const points = list.map(toPoint).sort((a, b) => (a.started_at < b.started_at ? -1 : 1));
    t.groups.push(
      trendGroup(first.group_key, importedIdentity(first), points, opts.window ?? 200, opts.detector),
    );
  }
  const latest = (g: TrendGroup) => g.points.at(-1)?.started_at ?? "";
  for (const t of out.values()) t.groups.sort((a, b) => (latest(a) < latest(b) ? 1 : -1));
  return [...out.values()];
}
