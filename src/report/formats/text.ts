import { renderAbText } from "../ab-text.js";
import { renderGateText } from "../gate-text.js";
import { resultSummaryRows } from "../result-summary.js";
import type { ReportFormat } from "./report-format.js";

/** Terminal text: the gate's evidence as the gate prints it, or a result's key figures. */
export const textFormat: ReportFormat = {
  name: "text",
  extension: "txt",
  summary: "for a terminal: the verdict and its evidence, or a result's key figures",
  render(input) {
    if (input.kind === "gate") return renderGateText(input.report);
    if (input.kind === "ab") return renderAbText(input.report);
    const rows = resultSummaryRows(input.result);
    const width = Math.max(...rows.map(([k]) => k.length));
    return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`;
  },
};
