import { renderAbText } from "../ab-text.js";
import { gateSection } from "../markdown.js";
import { resultSummaryRows } from "../result-summary.js";
import type { ReportFormat } from "./report-format.js";

/** GitHub-flavoured Markdown: a gate's section, an A/B run's text, a result's table. */
export const markdownFormat: ReportFormat = {
  name: "markdown",
  extension: "md",
  summary: "GitHub-flavoured Markdown (fit for $GITHUB_STEP_SUMMARY)",
  render(input) {
    if (input.kind === "gate") return `${gateSection(input.report).join("\n")}\n`;
    if (input.kind === "ab")
      return `### ${input.report.mode} A/B: ${input.report.verdict}\n\n\`\`\`\n${renderAbText(input.report)}\`\`\`\n`;
    const rows = resultSummaryRows(input.result);
    return `${["| figure | value |", "| --- | ---: |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n")}\n`;
  },
};
