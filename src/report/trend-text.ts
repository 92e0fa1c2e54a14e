/**
 * Terminal rendering of history: trends (a sparkline and a table per comparability group), change points
 * and listings. Pure: returns text.
 */

import { testOfGroupKey } from "../history/grouping.js";
import type { TrendGroup, Trends } from "../history/trend.js";
import type { StoredRow } from "../history/types.js";

const BARS = "▁▂▃▄▅▆▇█";

/** A sparkline of values scaled between their min and max (all equal: a flat middle line). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return "";
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values
    .map((v) => (hi === lo ? BARS[3] : BARS[Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8))]))
    .join("");
}

/** A figure with 4 significant digits at most, no exponent for ordinary sizes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  return v.toFixed(3);
}

/** "+1.2 %" */
export function pctChange(f: number): string {
  return `${f >= 0 ? "+" : ""}${(f * 100).toFixed(1)} %`;
}

function short(commit: string | null, dirty: boolean | null = null): string {
  return commit ? `${commit.slice(0, 12)}${dirty ? "+" : ""}` : "-";
}

/** An ISO time as "YYYY-MM-DD HH:MM" (UTC). */
export function when(iso: string): string {
  return iso.replace("T", " ").slice(0, 16);
}

/** Rows as aligned columns under a header; the columns in `right` right-aligned. */
export function table(head: string[], rows: string[][], right: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** "test pp512 · llama · dummy-tiny (sha 1a2b3c4d5e6f) · AMD EPYC (hw 0e7bd20bb107) · workload 4f3a.. · threads 1" */
export function describeGroup(g: TrendGroup): string {
  const id = g.identity;
  return [
    ...(id.test ? [`test ${id.test}`] : []),
    id.engine,
    `${id.model}${id.model_sha256 ? ` (sha ${id.model_sha256.slice(0, 12)})` : ""}`,
    `${id.cpu_model} (hw ${id.hardware_fingerprint.slice(0, 12)})`,
    `workload ${id.workload_digest.slice(0, 12)}`,
    id.settings,
    ...(id.load ? [`load ${id.load}`] : []),
  ].join(" · ");
}

/** How a point's id is shown: `#<id>` for this tool's results, `i<id>` for imported ones (as `history list`). */
function ref(t: Pick<Trends, "kind">, id: number): string {
  return `${t.kind === "imported" ? "i" : "#"}${id}`;
}

/** The trend of each group: heading, sparkline, the last `last` points and the change points. */
export function renderTrendsText(t: Trends, last = 20): string {
  const m = t.metric;
  const out: string[] = [
    `${t.mode}: ${m.name} (${m.unit || "no unit"}, ${m.better} is better), ${t.groups.length} comparable group${t.groups.length === 1 ? "" : "s"}`,
  ];
  if (t.groups.length === 0) out.push("no stored results have this metric (run `history import` first)");
  t.groups.forEach((g, gi) => {
    const pts = g.points;
    out.push("", `group ${gi + 1}: ${describeGroup(g)}`);
    out.push(
      `  ${sparkline(pts.slice(-60).map((p) => p.median))}  ${pts.length} point${pts.length === 1 ? "" : "s"}, ${when(pts[0]?.started_at ?? "")} .. ${when(pts.at(-1)?.started_at ?? "")} UTC; ${g.change_points.length} change point${g.change_points.length === 1 ? "" : "s"}`,
    );
    const cpAt = new Set(g.change_points.map((c) => c.index));
    const shown = pts.slice(-last);
    const offset = pts.length - shown.length;
    const rows = shown.map((p, i) => {
      const prev = pts[offset + i - 1];
      return [
        ref(t, p.id),
        when(p.started_at),
        short(p.git_commit, p.git_dirty),
        p.kind,
        p.verdict ?? "-",
        fmt(p.median),
        `${fmt(p.p10)}–${fmt(p.p90)}`,
        String(p.n),
        prev ? pctChange(p.median / prev.median - 1) : "",
        cpAt.has(offset + i) ? "◀ change point" : "",
      ];
    });
    if (offset > 0) out.push(`  (${offset} older points not shown; --last N shows more)`);
    if (m.name === "tokens_per_second" && promptOnly(g.identity.test))
      out.push(
        `  ${g.identity.test} is a prompt-only test (llama-bench's pp): it generates no tokens; follow its prompt rate with --metric prefill_tokens_per_second`,
      );
    out.push(
      ...table(
        [
          "id",
          "started (UTC)",
          "commit",
          "kind",
          "verdict",
          `median ${m.unit}`,
          "p10–p90",
          "n",
          "vs prev",
          "",
        ],
        rows,
        new Set([5, 6, 7, 8]),
      ).map((l) => `  ${l}`),
    );
    for (const c of g.change_points) out.push(`  ${describeChangePoint(c, m.unit, t)}`);
  });
  return `${out.join("\n")}\n`;
}

/**
 * "change point at point 12: -10.3 % (401 -> 360 tokens/s) between 717e44ea95cb and c10c225..., p = 0.005";
 * `trends` says whose ids these are (`#<id>`, or `i<id>` for imported results).
 */
export function describeChangePoint(
  c: TrendGroup["change_points"][number],
  unit: string,
  trends: Pick<Trends, "kind"> = {},
): string {
  return `change point at point ${c.index + 1}: ${pctChange(c.magnitude)} (${fmt(c.median_before)} -> ${fmt(c.median_after)} ${unit}) between ${short(c.before.git_commit)} (${ref(trends, c.before.id)}, ${when(c.before.started_at)}) and ${short(c.after.git_commit)} (${ref(trends, c.after.id)}, ${when(c.after.started_at)}), p = ${c.p_value.toFixed(3)}`;
}

/** Change points of every group, one line each under the group's heading. */
export function renderChangesText(t: Trends): string {
  const out = [`${t.mode}: change points of ${t.metric.name}`];
  let any = false;
  t.groups.forEach((g, gi) => {
    if (g.change_points.length === 0) return;
    any = true;
    out.push("", `group ${gi + 1}: ${describeGroup(g)}`);
    for (const c of g.change_points) out.push(`  ${describeChangePoint(c, t.metric.unit, t)}`);
  });
  if (!any)
    out.push(
      `no change points in ${t.groups.length} group${t.groups.length === 1 ? "" : "s"} (${t.groups.reduce((s, g) => s + g.points.length, 0)} points)`,
    );
  return `${out.join("\n")}\n`;
}

/**
 * A listing of stored results, newest first; none: one line, "no stored results match --mode embedding in ...".
 * @param total how many results the listing is out of (default: the rows shown): "2 of 14 results in ...".
 * @param filter the listing's filter as the user gave it ("--mode embedding"), named when nothing matches.
 */
export function renderListText(
  rows: readonly StoredRow[],
  location: string,
  total = rows.length,
  filter?: string,
): string {
  if (rows.length === 0)
    return filter
      ? `no stored results match ${filter} in ${location}\n`
      : `no stored results in ${location} (run \`history import\` first)\n`;
  const body = rows.map((r) => [
    `#${r.id}`,
    when(r.started_at),
    r.mode,
    testOfGroupKey(r.group_key) ?? "-",
    r.kind,
    r.engine,
    r.model_name ?? "-",
    short(r.git_commit, r.git_dirty),
    r.verdict ?? "-",
    r.digest.slice(0, 12),
    r.source,
  ]);
  return `${[
    `${total > rows.length ? `${rows.length} of ${total}` : `${rows.length}`} result${total === 1 ? "" : "s"} in ${location} (newest first)`,
    ...table(
      [
        "id",
        "started (UTC)",
        "mode",
        "test",
        "kind",
        "engine",
        "model",
        "commit",
        "verdict",
        "digest",
        "source",
      ],
      body,
      new Set(),
    ),
  ].join("\n")}\n`;
}

/** Whether a test's name is a prompt-only test's (`pp512`, `pp512 @ d512`: src/workload/workload.ts testName). */
function promptOnly(test: string | null): boolean {
  return test?.startsWith("pp") === true && !test.includes("+tg");
}
