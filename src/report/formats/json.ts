import type { ReportFormat } from "./report-format.js";

/** JSON: the result, or the verdict of a gate or an A/B run with its evidence. */
export const jsonFormat: ReportFormat = {
  name: "json",
  extension: "json",
  summary: "machine-readable: the result, or the verdict with all its evidence",
  render(input) {
    const doc = input.kind === "result" ? input.result : input.report;
    return `${JSON.stringify(doc, null, 2)}\n`;
  },
};
