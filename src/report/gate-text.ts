/**
 * The gate's verdict and evidence as terminal text: both medians, ratio, CI, p, robust CVs, n, what differs
 * and the fix for a noisy setup. Pure: returns a string.
 */
import type { Analysis } from "../gate/analysis.js";
import type { FieldDifference } from "../gate/comparability.js";
import type { GateReport } from "../gate/verdict.js";
import { fmtP, fmtRate, pct } from "../util/format.js";

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/** Rows of the evidence table: baseline, then each analysis' candidate side with the comparison. */
export function evidenceRows(report: GateReport): string[][] {
  const head = [
    "",
    "n",
    "median",
    "robust CV",
    "ratio",
    "drop",
    `${pct(report.analyses[0]?.ci.confidence ?? 0.95).replace(".0 ", " ")} CI`,
    "p",
  ];
  const a0 = report.analyses[0];
  if (!a0) return [];
  const rows: string[][] = [
    head,
    [
      "baseline",
      String(a0.baseline.n),
      fmtRate(a0.baseline.median),
      pct(a0.baseline.robust_cv),
      "",
      "",
      "",
      "",
    ],
  ];
  for (const a of report.analyses as Analysis[]) {
    rows.push([
      a.label,
      String(a.candidate.n),
      fmtRate(a.candidate.median),
      pct(a.candidate.robust_cv),
      a.ratio.toFixed(3),
      pct(a.drop),
      `[${a.ci.low.toFixed(3)}, ${a.ci.high.toFixed(3)}]`,
      fmtP(a.p_value),
    ]);
  }
  return rows;
}

function diffLine(d: FieldDifference): string {
  return `${d.field}: ${d.baseline} -> ${d.candidate}`;
}

/** "between captures: medians 150.1, 148.9 (baseline) vs 120.3, 118.7 (candidate); capture-level p 0.004" */
export function driftLine(report: GateReport): string | null {
  const d = report.drift;
  if (!d) return null;
  const f = (xs: number[]) => xs.map((x) => x.toPrecision(4)).join(", ");
  return `between captures: medians ${f(d.baseline_medians)} (baseline) vs ${f(d.candidate_medians)} (candidate); drift ${pct(Math.expm1(d.sd_log))}, capture-level p ${fmtP(d.p_value)} (t ${Number.isFinite(d.t) ? d.t.toFixed(2) : d.t}, ${d.df === null ? "drift floor as known sd" : `df ${d.df}`})`;
}

/** "machine load: other processes used 0.05 CPU cores during the baseline; 0.10, 1.20 during the captures" */
export function machineLoadLine(report: GateReport): string | null {
  const m = report.machine_load;
  const fmt = (x: number | null) => (x === null ? "unknown" : x.toFixed(2));
  if (m.baseline_other_cores === null && m.candidate_other_cores.every((c) => c === null)) return null;
  return `machine load: other processes used ${fmt(m.baseline_other_cores)} CPU cores during the baseline; ${m.candidate_other_cores.map(fmt).join(", ")} during the capture${m.candidate_other_cores.length > 1 ? "s" : ""}`;
}

/** The gate report as text for a terminal or a CI log. */
export function renderGateText(report: GateReport): string {
  const out: string[] = [];
  out.push(
    `${report.mode} gate: ${report.metric} per round, threshold ${pct(report.threshold)} drop, alpha ${report.alpha}, noisy above robust CV ${pct(report.noisy_cv)}`,
  );
  const block = report.baseline_block;
  const spread =
    block.between_capture_spread === null
      ? ""
      : `, between-capture spread ${pct(block.between_capture_spread)}`;
  out.push(
    `baseline:  ${report.baseline_source} (${block.captures} capture${block.captures > 1 ? "s" : ""}${spread})`,
  );
  out.push(`candidate: ${report.candidate_sources.join(", ")}`);
  if (report.analyses.length > 0) {
    out.push("");
    out.push(...table(evidenceRows(report)).map((l) => `  ${l}`));
  }
  out.push("");
  out.push(`${report.verdict}: ${report.reasons[0] ?? ""}`);
  for (const r of report.reasons.slice(1)) out.push(`  ${r}`);
  if (report.second_capture.needed) {
    out.push(
      `second capture ${report.second_capture.taken ? "taken" : "needed"}: ${report.second_capture.why.join("; ")}`,
    );
  }
  if (report.comparability.blocking.length > 0) {
    out.push("differs (blocks the comparison):");
    for (const d of report.comparability.blocking) out.push(`  ${diffLine(d)}`);
  }
  if (report.comparability.versions.length > 0) {
    out.push("engine/runtime versions differ (compared; establish a new baseline):");
    for (const d of report.comparability.versions) out.push(`  ${diffLine(d)}`);
  }
  if (report.comparability.informational.length > 0) {
    out.push(`also differs: ${report.comparability.informational.map(diffLine).join("; ")}`);
  }
  out.push(
    report.output.note ??
      (report.output.baseline_digest === null
        ? "output: the baseline records no output digest"
        : "output: same as the baseline's (digest equal)"),
  );
  const drift = driftLine(report);
  if (drift) out.push(drift);
  const load = machineLoadLine(report);
  if (load) out.push(load);
  for (const u of report.stale.unchecked) out.push(`note: ${u}`);
  for (const f of report.fixes) out.push(`fix: ${f}`);
  return `${out.join("\n")}\n`;
}
