/** The A/B report (src/gate/ab-report.ts) as text. Pure. */
import { type AbReport, describePaired } from "../gate/ab-report.js";
import { pct } from "../util/format.js";

/** The report as text for a terminal or a CI log (also the Markdown report's body, fenced). */
export function renderAbText(r: AbReport): string {
  const out: string[] = [];
  out.push(
    `${r.mode} A/B: ${r.metric} per round, block medians, threshold ${pct(r.threshold)} drop, alpha ${r.alpha}`,
  );
  out.push(`A: ${r.sides.a}`);
  out.push(`B: ${r.sides.b}`);
  for (const d of r.differences) out.push(`  differs: ${d.field}: ${d.baseline} (A) vs ${d.candidate} (B)`);
  out.push("");
  out.push("  block  order  A median    B median    B/A");
  for (const b of r.blocks) {
    const busy = b.busier ? `  (${b.busier.toUpperCase()} busier)` : "";
    out.push(
      `  ${String(b.index + 1).padStart(5)}  ${b.order}     ${b.a_median.toPrecision(5).padEnd(10)}  ${b.b_median.toPrecision(5).padEnd(10)}  ${Math.exp(b.log_ratio).toFixed(3)}${busy}`,
    );
  }
  out.push("");
  for (const a of r.analyses) out.push(`  ${describePaired(a)}`);
  out.push(
    `  ${r.blocks.length} blocks in ${r.budget.elapsed_s.toFixed(0)} s (budget ${r.budget.max_blocks} blocks, ${r.budget.max_seconds} s); busier side: A in ${r.busier_blocks.a}, B in ${r.busier_blocks.b} blocks`,
  );
  if (r.output.changed)
    out.push(
      `  output digest differs: B computed other ${r.mode === "generation" ? "token ids" : "embedding values"} than A`,
    );
  out.push("");
  out.push(`${r.verdict}: ${r.reasons.join("; ")}`);
  for (const f of r.fixes) out.push(`fix: ${f}`);
  out.push(`exit code ${r.exit_code}`);
  return `${out.join("\n")}\n`;
}
