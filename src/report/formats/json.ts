import type { ReportFormat } from "./report-format.js";

/** JSON: the result, the gate's verdict with its evidence, or the release check's verdicts. */
export const jsonFormat: ReportFormat = {
  name: "json",
  extension: "json",
  summary: "machine-readable: the result, or the verdict with all its evidence",
  render(input) {
    const doc =
      input.kind === "result"
        ? input.result
        : input.kind === "gate" || input.kind === "ab"
          ? input.report
          : {
              date: input.release.date,
              command: input.release.command,
              overall: input.release.overall,
              config: input.release.config,
              gates: input.release.gates.map((g) => g.report),
            };
    return `${JSON.stringify(doc, null, 2)}\n`;
  },
};
