/**
 * Trends: one series per comparability group (never mixing hardware, models, workloads, settings or serving
 * loads: grouping.ts applies the gate's own rule) of one metric over time, with its change points.
 */
import type { BenchmarkResult } from "../results/schema.js";
import { type ChangePoint, type ChangePointOptions, eDivisiveMeans } from "../stats/change-points.js";
import type { Mode } from "../workload/workload.js";
import { mergeGroups } from "./grouping.js";
import { type MetricInfo, metricInfo } from "./metrics.js";
import type { HistoryStore, SeriesRow } from "./types.js";

/** One point of a trend: a stored result's metric and what identifies it. */
export interface TrendPoint {
  id: number;
  digest: string;
  started_at: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  kind: "baseline" | "result";
  verdict: string | null;
  source: string;
  median: number;
  p10: number;
  p90: number;
  n: number;
}

/** A change point with the commits and times on either side. */
export interface TrendChangePoint extends ChangePoint {
  /** the last point before the shift and the first after it */
  before: { git_commit: string | null; started_at: string; id: number };
  after: { git_commit: string | null; started_at: string; id: number };
}

/** One comparability group's series. */
export interface TrendGroup {
  group_key: string;
  /** what the group's results share, for a heading */
  identity: {
    /** the test's name (src/workload/workload.ts testName); null for results recorded before test names */
    test: string | null;
    engine: string;
    model: string;
    model_sha256: string | null;
    cpu_model: string;
    hardware_fingerprint: string;
    workload_digest: string;
    threads: number | null;
    settings: string;
    load: string | null;
  };
  points: TrendPoint[];
  change_points: TrendChangePoint[];
  /** change points were searched in the last `window` points only */
  window: number;
}

/** A metric's trends for a mode. */
export interface Trends {
  mode: Mode;
  metric: MetricInfo;
  groups: TrendGroup[];
  /** "imported" for other tools' results (imported-trend.ts): their ids are shown as `i<id>`, as `history list` does */
  kind?: "imported";
}

/** Options of {@link buildTrends}. */
export interface TrendOptions {
  /** change points are searched in the last this many points of each group. Defaults to 200. */
  window?: number;
  detector?: ChangePointOptions;
}

function identityOf(r: BenchmarkResult): TrendGroup["identity"] {
  const s = r.settings;
  return {
    test: r.test ?? null,
    engine: r.engine.name,
    model: r.model.name ?? r.model.path,
    model_sha256: r.model.sha256,
    cpu_model: r.environment.hardware.cpu_model,
    hardware_fingerprint: r.environment.hardware_fingerprint,
    workload_digest: r.workload.digest,
    threads: r.mode === "generation" ? s.threads : s.embedding_threads,
    settings: `threads ${s.threads ?? "-"}, embedding threads ${s.embedding_threads ?? "-"}, batch ${s.batch_size ?? "-"}, gpu ${s.gpu}`,
    load: r.load
      ? `${r.load.endpoint}, concurrency ${r.load.concurrency}, rate ${r.load.request_rate ?? "max"}/s`
      : null,
  };
}

function toPoint(r: SeriesRow): TrendPoint {
  return {
    id: r.id,
    digest: r.digest,
    started_at: r.started_at,
    git_commit: r.git_commit,
    git_dirty: r.git_dirty,
    kind: r.kind,
    verdict: r.verdict,
    source: r.source,
    ...r.value,
  };
}

/**
 * A group's series with its change points, searched in the last `window` points (e-divisive means,
 * src/stats/change-points.ts).
 */
export function trendGroup(
  group_key: string,
  identity: TrendGroup["identity"],
  points: TrendPoint[],
  window: number,
  detector?: ChangePointOptions,
): TrendGroup {
  const offset = Math.max(0, points.length - window);
  const tail = points.slice(offset);
  const cps = eDivisiveMeans(
    tail.map((p) => p.median),
    detector,
  ).map((c): TrendChangePoint => {
    const b = tail[c.index - 1] as TrendPoint;
    const a = tail[c.index] as TrendPoint;
    return {
      ...c,
      index: c.index + offset,
      before: { git_commit: b.git_commit, started_at: b.started_at, id: b.id },
      after: { git_commit: a.git_commit, started_at: a.started_at, id: a.id },
    };
  });
  return { group_key, identity, points, change_points: cps, window };
}

/**
 * The trends of `metric` for `mode` in a store: groups ordered by their latest point (newest first).
 * @throws UsageError-like RangeError is never thrown; an unknown metric gives groups with no points.
 */
export async function buildTrends(
  store: HistoryStore,
  mode: Mode,
  metric: string,
  opts: TrendOptions = {},
): Promise<Trends> {
  const info = metricInfo(mode, metric) ?? {
    name: metric,
    unit: "",
    better: "higher" as const,
    label: metric,
  };
  const window = opts.window ?? 200;
  const [rows, reps] = await Promise.all([store.series(mode, metric), store.groupRepresentatives(mode)]);
  const canonical = mergeGroups(reps);
  const repOf = new Map(reps.map((r) => [r.group_key, r.result]));
  const byGroup = new Map<string, SeriesRow[]>();
  for (const row of rows) {
    const key = canonical.get(row.group_key) ?? row.group_key;
    const list = byGroup.get(key);
    if (list) list.push(row);
    else byGroup.set(key, [row]);
  }
  const groups: TrendGroup[] = [];
  for (const [key, list] of byGroup) {
    const rep = repOf.get(key);
    if (!rep) continue;
    groups.push(trendGroup(key, identityOf(rep), list.map(toPoint), window, opts.detector));
  }
  groups.sort((a, b) => ((a.points.at(-1)?.started_at ?? "") < (b.points.at(-1)?.started_at ?? "") ? 1 : -1));
  return { mode, metric: info, groups };
}
