/**
 * The release evidence of `perf-baseline check-release`, one folder per run (docs/gate.md, "Release
 * evidence"):
 *
 * | file | what |
 * | --- | --- |
 * | captures/<test>-<n>.json | the raw JSON of every capture a release test's gates used, in order (<test>: the
 *   test's file-safe name, src/config/release-tests.ts testFileName; the specification's two: the mode) |
 * | captures/<test>-instructions.json | the counted capture, where counts were gated |
 * | baselines/<file> | the baselines used |
 * | instructions.json | each counted test's instruction verdict, or why it was skipped |
 * | commands.txt | the exact command, each capture as the equivalent bench command, the baselines' commands |
 * | verdicts.json | the overall verdict, the configuration, every gate's report |
 * | report.md | the specification's report template filled in (also appended to $GITHUB_STEP_SUMMARY) |
 * | report.html | the HTML report of the folder (and the history's trends) |
 *
 * Each capture (with its gate's verdict) and baseline is also recorded to the history store when one is
 * configured. The command gates; this module writes.
 */
import { appendFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { GateConfig } from "../../config/gate-config.js";
import { testFileName } from "../../config/release-tests.js";
import { VERDICT_PRECEDENCE } from "../../gate/combine.js";
import type { GateReport, Verdict } from "../../gate/verdict.js";
import { recordToHistory } from "../../history/record.js";
import { serializeResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import type { EvidenceFolder } from "./folder.js";
import { writeEvidenceHtmlReport } from "./html.js";
import {
  countsJson,
  type ReleaseCounts,
  type ReleaseGate,
  type ReleaseReportInput,
  releaseJson,
  releaseMarkdown,
} from "./release-markdown.js";

/** What the finished check adds to its evidence: when, how, its configuration and overall verdict. */
export interface ReleaseRun {
  date: Date;
  /** the check-release command line as typed */
  command: string;
  config: GateConfig;
  /** the configuration file read, or null for the built-in defaults */
  configPath: string | null;
  overall: { verdict: Verdict; exit_code: number };
  /** the --history flag's value, if given (else PERF_BASELINE_HISTORY; neither: nothing is recorded) */
  history: string | undefined;
  /** where status lines go (a step summary that cannot be appended to) */
  log: (line: string) => void;
}

/** The evidence of one release check, written test by test and finished once. */
export class ReleaseEvidence {
  /** every gate (one per release test and metric), in order */
  readonly gates: ReleaseGate[] = [];
  /** each counted test's instruction verdict, in order */
  readonly counts: ReleaseCounts[] = [];

  constructor(readonly folder: EvidenceFolder) {}

  /**
   * Writes a test's captures (captures/<test>-<n>.json) and its baseline (baselines/<file>); the report then
   * names the capture files as its candidate sources. A test gated on several metrics adds one gate per
   * metric, on the same captures.
   * @param test the release test's name. Defaults to the report's mode (the specification's two tests).
   */
  addGate(
    report: GateReport,
    baseline: BenchmarkResult,
    baselinePath: string,
    captures: BenchmarkResult[],
    test: string = report.mode,
  ): void {
    const files = captures.map((_, i) => `captures/${testFileName(test)}-${i + 1}.json`);
    captures.forEach((c, i) => {
      this.folder.write(files[i] as string, serializeResult(c));
    });
    report.candidate_sources = files;
    this.folder.write(join("baselines", basename(baselinePath)), serializeResult(baseline));
    this.gates.push({ report, baseline, captures, capture_files: files, test });
  }

  /** Writes a test's counted capture (captures/<test>-instructions.json), when there is one. */
  addCounts(counts: ReleaseCounts): void {
    if (counts.capture)
      this.folder.write(
        join("captures", `${testFileName(counts.test ?? counts.mode)}-instructions.json`),
        serializeResult(counts.capture),
      );
    this.counts.push(counts);
  }

  /**
   * Writes the rest (instructions.json, commands.txt, verdicts.json, report.md), records the captures to the
   * history, writes report.html, publishes the folder and appends report.md to $GITHUB_STEP_SUMMARY.
   * @throws OutputNotWritableError when a file or the folder cannot be written.
   */
  async finish(run: ReleaseRun): Promise<void> {
    if (this.counts.length > 0) this.folder.write("instructions.json", countsJson(this.counts));
    this.folder.write("commands.txt", this.commands(run));
    const release: ReleaseReportInput = {
      date: run.date.toISOString(),
      gates: this.gates,
      config: run.config,
      command: run.command,
      overall: run.overall,
      evidence_dir: this.folder.dir,
    };
    this.folder.write("verdicts.json", releaseJson(release));
    const md = releaseMarkdown(release, this.counts);
    this.folder.write("report.md", md);
    await this.record(run.history);
    // the page reads the folder's results (and the history's trends); written before the folder is published
    await writeEvidenceHtmlReport(this.folder.staging, { history: run.history, shownAs: this.folder.dir });
    this.folder.publish();
    appendStepSummary(md, run.log);
  }

  /** commands.txt: this command, each capture as the equivalent bench command, the baselines' commands. */
  private commands(run: ReleaseRun): string {
    const lines = [
      `# check-release (${run.date.toISOString()}, cwd ${process.cwd()})`,
      run.command,
      "",
      "# each capture, as the equivalent bench command",
      ...distinct(
        this.gates.flatMap((g) => g.captures.map((c, i) => `${g.capture_files[i]}: ${c.invocation.command}`)),
      ),
      "",
      "# baselines used, and the commands that captured them",
      ...distinct(this.gates.map((g) => `${g.report.baseline_source}: ${g.baseline.invocation.command}`)),
      "",
      `# gate configuration: ${run.configPath ?? "built-in defaults"}`,
    ];
    return `${lines.join("\n")}\n`;
  }

  /**
   * Records the baselines and every capture to the history store, when one is set: each once, a capture with
   * the joined verdict of the gates that used it (src/gate/combine.ts).
   */
  private async record(history: string | undefined): Promise<void> {
    const baselines = new Map<string, BenchmarkResult>();
    const captures = new Map<string, { result: BenchmarkResult; verdicts: Verdict[] }>();
    for (const g of this.gates) {
      baselines.set(g.report.baseline_source, g.baseline);
      g.captures.forEach((c, i) => {
        const source = join(this.folder.dir, g.capture_files[i] ?? "");
        const seen = captures.get(source) ?? { result: c, verdicts: [] };
        seen.verdicts.push(g.report.verdict);
        captures.set(source, seen);
      });
    }
    const joined = (vs: Verdict[]) => VERDICT_PRECEDENCE.find((v) => vs.includes(v)) ?? "PASS";
    await recordToHistory(
      [
        ...[...baselines].map(([source, result]) => ({ result, source })),
        ...[...captures].map(([source, c]) => ({ result: c.result, verdict: joined(c.verdicts), source })),
      ],
      { history },
    );
  }
}

/** The lines in order, each once. */
function distinct(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

/** Appends the Markdown report to $GITHUB_STEP_SUMMARY when set; a failure is reported, not fatal. */
function appendStepSummary(md: string, log: (line: string) => void): void {
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (!summary) return;
  try {
    appendFileSync(summary, md);
  } catch (err) {
    log(`cannot append to GITHUB_STEP_SUMMARY (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}
