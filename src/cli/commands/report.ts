/**
 * `perf-baseline report --html DIR [PATH...]`: the HTML report, from the history store or from result files
 * and evidence folders. Loads no model.
 */

import { join } from "node:path";
import { configuredHistory, openHistoryStore } from "../../history/open.js";
import type { HistoryStore } from "../../history/types.js";
import { buildHtmlReportInput } from "../../report/html/input.js";
import { HTML_REPORT_FILE, writeHtmlReport } from "../../report/html/write.js";
import { UsageError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, type FlagTable, flagReader } from "../args.js";
import { HISTORY_FLAG, historyLocation } from "../history-flags.js";

/** The flags of `report`. */
const FLAGS: FlagTable = {
  html: { kind: "path", description: "folder to write report.html into (created when missing)" },
  history: HISTORY_FLAG,
  title: { kind: "string", description: "the page's title", default: "perf-baseline report" },
};

/** `perf-baseline report`. */
export const reportCommand: Command = {
  name: "report",
  summary:
    "Write the HTML report (trends with change points, rounds against the baseline, serving latency, gate evidence).",
  usage:
    "perf-baseline report --html DIR [--history PATH|URL] [RESULT.json|EVIDENCE_DIR ...]\n       (no files: from the history store; files and --history: trends from the store, evidence from the files)",
  positionals: 10_000,
  flags: FLAGS,
  async run(values, positionals) {
    const read = flagReader(FLAGS, values);
    const dir = read.string("html");
    if (dir === undefined)
      throw new UsageError("report: needs --html DIR (the folder to write report.html into)");
    assertWritablePath(join(dir, HTML_REPORT_FILE));
    const useStore = positionals.length === 0 || configuredHistory(read.string("history")) !== undefined;
    let store: HistoryStore | undefined;
    if (useStore) store = await openHistoryStore(historyLocation(values), { existing: true });
    try {
      const title = read.string("title");
      const input = await buildHtmlReportInput({
        ...(store ? { store } : {}),
        paths: positionals,
        ...(title ? { title } : {}),
      });
      const path = writeHtmlReport(dir, input);
      const points = input.trends.reduce((n, t) => n + t.groups.reduce((m, g) => m + g.points.length, 0), 0);
      process.stdout.write(
        `wrote ${path}: ${input.trends.length} trend${input.trends.length === 1 ? "" : "s"} (${points} points), ${input.distributions.length} distribution${input.distributions.length === 1 ? "" : "s"}, ${input.serving.length} serving run${input.serving.length === 1 ? "" : "s"}, ${input.gates.length} gate${input.gates.length === 1 ? "" : "s"}, ${input.instructions.length} instruction verdict${input.instructions.length === 1 ? "" : "s"}\n`,
      );
      return 0;
    } finally {
      await store?.close();
    }
  },
};
