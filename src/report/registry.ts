/**
 * The report-format registry: every way a report can be written (terminal text, JSON, Markdown; the HTML
 * report plugs in here too), behind one interface, for every command that reports (bench, gate, compare,
 * check-release). Adding a format is one file under ./formats/ (implementing ./formats/report-format.ts) and one
 * entry here.
 */
import { atomicWriteText } from "../util/atomic-file.js";
import { UsageError } from "../util/errors.js";
import { assertWritablePath } from "../util/output-path.js";
import { jsonFormat } from "./formats/json.js";
import { markdownFormat } from "./formats/markdown.js";
import type { ReportFormat, ReportInput } from "./formats/report-format.js";
import { textFormat } from "./formats/text.js";

export type { ReportFormat, ReportInput } from "./formats/report-format.js";

const FORMATS: readonly ReportFormat[] = [textFormat, jsonFormat, markdownFormat];

/** The names of the formats, in registry order. */
export function formatNames(): string[] {
  return FORMATS.map((f) => f.name);
}

/**
 * The format of a name.
 * @throws UsageError listing the formats there are.
 */
export function getFormat(name: string): ReportFormat {
  const f = FORMATS.find((x) => x.name === name);
  if (!f) throw new UsageError(`unknown report format "${name}" (formats: ${formatNames().join(", ")})`);
  return f;
}

/** A report to write: a format and a file. */
export interface ReportTarget {
  format: ReportFormat;
  path: string;
}

/**
 * Parses `--report FORMAT=PATH` values (several allowed, as hyperfine's exports) and checks each path can be
 * written before anything runs.
 * @throws UsageError for a value without "=" or an unknown format; OutputNotWritableError for a bad path.
 */
export function reportTargets(values: readonly string[]): ReportTarget[] {
  return values.map((v) => {
    const eq = v.indexOf("=");
    if (eq <= 0 || eq === v.length - 1)
      throw new UsageError(`--report takes FORMAT=PATH (formats: ${formatNames().join(", ")}), got "${v}"`);
    const target = { format: getFormat(v.slice(0, eq)), path: v.slice(eq + 1) };
    assertWritablePath(target.path);
    return target;
  });
}

/** Writes each report, atomically. */
export function writeReports(targets: readonly ReportTarget[], input: ReportInput): void {
  for (const t of targets) atomicWriteText(t.path, t.format.render(input));
}
