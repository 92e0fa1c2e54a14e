/**
 * A gate's evidence as GitHub-flavoured Markdown (the markdown format's gate report, and each gate's section of
 * the release report, src/report/evidence/release-markdown.ts). Pure: returns strings.
 */
import type { GateReport } from "../gate/verdict.js";
import { pct } from "../util/format.js";
import { driftLine, evidenceRows, machineLoadLine } from "./gate-text.js";

/** Escapes a table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A GitHub-flavoured Markdown table: the first row is the head; columns after the first align right. */
export function mdTable(rows: string[][]): string[] {
  const [head, ...body] = rows;
  if (!head) return [];
  return [
    `| ${head.map(cell).join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...body.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

/**
 * The Markdown section of one gate: heading with the verdict, reasons, metric, the evidence table and the
 * notes (second capture, what differs, output digest, drift, machine load, fixes).
 */
export function gateSection(r: GateReport): string[] {
  const out: string[] = [];
  out.push(`## ${r.mode[0]?.toUpperCase()}${r.mode.slice(1)}: ${r.verdict}`);
  out.push("");
  out.push(...r.reasons);
  out.push("");
  out.push(
    `Metric: \`${r.metric}\` per round; threshold ${pct(r.threshold)}; alpha ${r.alpha}; a capture is noisy above robust CV ${pct(r.noisy_cv)}.`,
  );
  if (r.analyses.length > 0) {
    out.push("");
    out.push(...mdTable(evidenceRows(r)));
  }
  const notes: string[] = [];
  if (r.second_capture.needed)
    notes.push(
      `Second capture ${r.second_capture.taken ? "taken" : "needed"}: ${r.second_capture.why.join("; ")}.`,
    );
  if (r.comparability.blocking.length > 0)
    notes.push(
      `Differs (blocks the comparison): ${r.comparability.blocking.map((d) => `\`${d.field}\` ${d.baseline} -> ${d.candidate}`).join("; ")}.`,
    );
  if (r.comparability.versions.length > 0)
    notes.push(
      `Engine/runtime versions differ (establish a new baseline): ${r.comparability.versions.map((d) => `\`${d.field}\` ${d.baseline} -> ${d.candidate}`).join("; ")}.`,
    );
  if (r.comparability.informational.length > 0)
    notes.push(
      `Also differs: ${r.comparability.informational.map((d) => `\`${d.field}\` ${d.baseline} -> ${d.candidate}`).join("; ")}.`,
    );
  notes.push(r.output.note ? `${r.output.note}.` : "Output digest: same as the baseline's.");
  const drift = driftLine(r);
  if (drift) notes.push(`${drift[0]?.toUpperCase()}${drift.slice(1)}.`);
  const load = machineLoadLine(r);
  if (load) notes.push(`${load[0]?.toUpperCase()}${load.slice(1)}.`);
  for (const f of r.fixes) notes.push(`Fix: ${f}.`);
  out.push("");
  for (const n of notes) out.push(`- ${n}`);
  return out;
}
