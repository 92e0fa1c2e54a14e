/** The report flags of the commands that report (bench, gate, compare): defined once, read once. */
import {
  formatNames,
  getFormat,
  type ReportFormat,
  type ReportTarget,
  reportTargets,
} from "../report/registry.js";
import { type FlagTable, type FlagValues, stringFlag } from "../util/flags.js";

/** --format (what stdout shows) and --report FORMAT=PATH (files, several allowed). */
export function reportFlags(withStdoutFormat: boolean): FlagTable {
  return {
    ...(withStdoutFormat
      ? {
          format: {
            kind: "choice",
            choices: formatNames(),
            description: "what stdout shows",
            default: "text",
          },
        }
      : {}),
    report: {
      kind: "string",
      multiple: true,
      description: `also write a report to a file, FORMAT=PATH (formats: ${formatNames().join(", ")}); may be repeated`,
    },
    "report-json": { kind: "path", description: "the same as --report json=PATH" },
  };
}

/**
 * The stdout format and the report files the flags ask for, every path checked before anything runs.
 * @throws UsageError for an unknown format or a malformed --report; OutputNotWritableError for a bad path.
 */
export function reportsFromFlags(values: FlagValues): { stdout: ReportFormat; files: ReportTarget[] } {
  const raw = values.report;
  const specs = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
  const json = stringFlag(values, "report-json");
  if (json !== undefined) specs.push(`json=${json}`);
  return { stdout: getFormat(stringFlag(values, "format") ?? "text"), files: reportTargets(specs) };
}
