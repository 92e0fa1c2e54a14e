/**
 * The HTML report check-release writes into its evidence folder. Never throws: a report that cannot be
 * written costs one line on stderr, never the verdict or the evidence already written.
 */
import { configuredHistory, openHistoryStore } from "../../history/open.js";
import type { HistoryStore } from "../../history/types.js";
import { buildHtmlReportInput } from "../html/input.js";
import type { HtmlReportInput } from "../html/types.js";
import { writeHtmlReport } from "../html/write.js";

/** The page's input with every mention of folder `from` (sources, points' files) made `to`. */
function renamedFolder(input: HtmlReportInput, from: string, to: string): HtmlReportInput {
  if (from === to) return input;
  const inJson = (p: string) => JSON.stringify(p).slice(1, -1);
  return JSON.parse(JSON.stringify(input).split(inJson(from)).join(inJson(to))) as HtmlReportInput;
}

/**
 * Writes report.html into an evidence folder: its gates and rounds, and the trends of the configured history
 * store (--history or PERF_BASELINE_HISTORY) or, without one, of the folder's own results.
 * @param evidenceDir the folder the files are in (the staging folder while it is being written).
 * @param opts.shownAs the folder as the user will see it (the final folder): the page's title and sources name
 *   it, never the staging folder; defaults to `evidenceDir`.
 * @returns the page's path, or null when it could not be written (reported on `log`).
 */
export async function writeEvidenceHtmlReport(
  evidenceDir: string,
  opts: { history?: string | undefined; log?: (line: string) => void; shownAs?: string } = {},
): Promise<string | null> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let store: HistoryStore | undefined;
  try {
    const location = configuredHistory(opts.history);
    if (location !== undefined) {
      try {
        store = await openHistoryStore(location);
      } catch (err) {
        log(`perf-baseline: report.html without history trends: ${(err as Error).message.split("\n")[0]}`);
      }
    }
    const shown = opts.shownAs ?? evidenceDir;
    const built = await buildHtmlReportInput({
      ...(store ? { store } : {}),
      paths: [evidenceDir],
      title: `perf-baseline release evidence ${shown}`,
    });
    return writeHtmlReport(evidenceDir, renamedFolder(built, evidenceDir, shown));
  } catch (err) {
    log(`perf-baseline: report.html not written: ${(err as Error).message.split("\n")[0]}`);
    return null;
  } finally {
    await store?.close().catch(() => {});
  }
}
