/**
 * The interface every report format implements (src/report/formats/*.ts) and what it renders. The registry
 * (src/report/registry.ts) lists the formats; the formats import this file, never the registry, so the arrows run one way.
 */
import type { AbReport } from "../../gate/ab-report.js";
import type { GateReport } from "../../gate/verdict.js";
import type { BenchmarkResult } from "../../results/schema.js";

/** What a report is made of: one result (bench), one gate (gate, compare) or an A/B run (ab). The release
 * check's files are src/report/evidence/. */
export type ReportInput =
  | { kind: "result"; result: BenchmarkResult }
  | { kind: "gate"; report: GateReport }
  | { kind: "ab"; report: AbReport };

/** One format. */
export interface ReportFormat {
  /** the name --format and --report take */
  name: string;
  /** file name extension, without the dot */
  extension: string;
  /** one line for --help */
  summary: string;
  /** Renders a report; pure. */
  render(input: ReportInput): string;
}
