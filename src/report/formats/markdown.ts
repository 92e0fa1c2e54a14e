import { renderAbText } from "../ab-text.js";
import { gateSection, renderReleaseReport } from "../markdown.js";
import { resultSummaryRows } from "../result-summary.js";
import type { ReportFormat } from "./report-format.js";

/** GitHub-flavoured Markdown: the release report of the seed's template, a gate's section, a result's table. */
export const markdownFormat: ReportFormat = {
  name: "markdown",
  extension: "md",
  summary: "GitHub-flavoured Markdown (fit for $GITHUB_STEP_SUMMARY)",
  render(input) {
    if (input.kind === "release") return renderReleaseReport(input.release);
    if (input.kind === "gate") return `${gateSection(input.report).join("\n")}\n`;
    if (input.kind === "ab")
      return `### ${input.report.mode} A/B: ${input.report.verdict}\n\n\`\`\`\n${renderAbText(input.report)}\`\`\`\n`;
    const rows = resultSummaryRows(input.result);
    return `${["| figure | value |", "| --- | ---: |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n")}\n`;
  },
};
