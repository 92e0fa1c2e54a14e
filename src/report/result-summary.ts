/** The key figures of one result as label/value rows, for the text and Markdown formats. Pure. */
import type { BenchmarkResult } from "../results/schema.js";
import { fmtRate, pct } from "../util/format.js";
import { countLine } from "./run-summary.js";

/** Rows: mode, engine, model, rounds, the seed's throughput figures, medians and robust CV, warnings. */
export function resultSummaryRows(r: BenchmarkResult): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["mode", r.mode],
    [
      "engine",
      `${r.engine.name} ${Object.entries(r.engine.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    ],
    ["model", `${r.model.name ?? r.model_path}${r.model.dummy ? " (dummy weights)" : ""}`],
    ["rounds", `${r.samples.length} of ${r.rounds}${r.complete ? "" : " (interrupted)"}`],
    ["elapsed_s", r.elapsed_s.toFixed(3)],
    ["calls_per_second", fmtRate(r.calls_per_second)],
  ];
  if (r.mode === "generation") {
    rows.push(["tokens_per_second", fmtRate(r.tokens_per_second)]);
    const s = r.statistics.tokens_per_second;
    rows.push(["tokens/s per round", `median ${fmtRate(s.median)}, robust CV ${pct(s.robust_cv)}`]);
    const ttft = r.statistics.ttft_ms;
    if (ttft) rows.push(["ttft_ms", `median ${ttft.median.toFixed(2)}, p90 ${ttft.p90.toFixed(2)}`]);
  } else {
    const s = r.statistics.calls_per_second;
    rows.push(["calls/s per round", `median ${fmtRate(s.median)}, robust CV ${pct(s.robust_cv)}`]);
  }
  const count = countLine(r);
  if (count) rows.push(["instructions", count]);
  for (const w of r.warnings) rows.push(["warning", w.text]);
  return rows;
}
