/**
 * `perf-baseline check-release` (`make check-release`): runs the generation and embedding benchmarks, gates
 * each against its committed baseline (capturing again where the variance rule asks), and writes the release
 * evidence folder: the raw JSON of every capture, the baselines used, the exact commands, verdicts.json and
 * report.md (the seed's "Performance report template"), which is also appended to $GITHUB_STEP_SUMMARY.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileStamp } from "../../baseline/files.js";
import type { GateConfig } from "../../config/gate-config.js";
import { readGateConfig } from "../../config/read-config.js";
import { overallVerdict } from "../../gate/overall.js";
import { runGate, VERDICT_EXIT } from "../../gate/verdict.js";
import { recordToHistory } from "../../history/record.js";
import { writeEvidenceHtmlReport } from "../../report/html/evidence.js";
import type { ReleaseGate, ReleaseReportInput } from "../../report/markdown.js";
import { getFormat } from "../../report/registry.js";
import { serializeResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { atomicWriteText, makeDirsSync, syncDirSync } from "../../util/atomic-file.js";
import { OutputNotWritableError } from "../../util/errors.js";
import type { FlagValues } from "../../util/flags.js";
import { assertWritablePath } from "../../util/output-path.js";
import type { Mode } from "../../workload/workload.js";
import { type Command, stringFlag } from "../args.js";
import { runCapture } from "../capture.js";
import { type CountsVerdict, countsMarkdown, countsVerdict } from "../check-release-counts.js";
import { selectedModes } from "../common-flags.js";
import { capturePlanFor, gitChangedPaths, readBaseline, thisCommand } from "../gate-support.js";
import { RECORD_HISTORY_FLAG } from "../history-flags.js";
import { status } from "../progress.js";
import { captureFlags } from "../run-flags.js";

const OWN_FLAGS = ["evidence-dir", "mode", "config", "history"] as const;

/** `perf-baseline check-release`. */
export const checkReleaseCommand: Command = {
  name: "check-release",
  summary: "Run both benchmarks, gate each against its baseline and write the release evidence folder.",
  usage: "perf-baseline check-release [--evidence-dir DIR] [--mode both|generation|embedding] [options]",
  flags: {
    "evidence-dir": {
      type: "string",
      description: "the evidence folder: new or empty (one folder holds one run; written whole at the end)",
      default: "evidence/<timestamp>",
    },
    mode: { type: "string", description: "which modes: both, generation or embedding", default: "both" },
    config: { type: "string", description: "gate configuration file", default: "perf-baseline.config.json" },
    ...captureFlags(),
    history: RECORD_HISTORY_FLAG,
  },
  async run(values) {
    const { config, path: configPath } = readGateConfig(stringFlag(values, "config"));
    const modes = selectedModes(values);
    const date = new Date();
    const dir = stringFlag(values, "evidence-dir") ?? join("evidence", fileStamp(date));
    assertEmptyOrAbsent(dir);
    assertWritablePath(join(dir, "report.md"));
    // every baseline is validated before anything runs: a bad one is exit 5 at once
    const baselines = modes.map((m) => ({
      mode: m,
      path: config.baselines[m],
      result: readBaseline(config.baselines[m], m),
    }));
    // everything is written into a staging folder beside `dir`, renamed to `dir` once complete
    const staging = stagingFolder(dir);
    try {
      return await checkRelease(values, { config, configPath, baselines, date, dir, staging });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  },
};

interface CheckReleasePlan {
  config: GateConfig;
  configPath: string | null;
  baselines: Array<{ mode: Mode; path: string; result: BenchmarkResult }>;
  date: Date;
  /** the evidence folder as the user sees it */
  dir: string;
  /** where the files are written until the folder is complete */
  staging: string;
}

/** One mode's committed baseline. */
type ReleaseBaseline = CheckReleasePlan["baselines"][number];

/**
 * Refuses an evidence folder that already holds files: evidence of two runs must never mix.
 * @throws OutputNotWritableError naming the folder.
 */
function assertEmptyOrAbsent(dir: string): void {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new OutputNotWritableError(dir, "ENOTDIR");
    entries = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    if (err instanceof OutputNotWritableError) throw err;
    throw new OutputNotWritableError(dir, err);
  }
  if (entries.length > 0)
    throw new OutputNotWritableError(
      dir,
      `it already holds ${entries.length} entr${entries.length === 1 ? "y" : "ies"} of another run; evidence of two runs must not mix: give a new or empty folder`,
    );
}

/** A new, empty staging folder beside `dir` (same file system, so that the final rename is atomic). */
function stagingFolder(dir: string): string {
  const parent = dirname(resolve(dir));
  try {
    makeDirsSync(parent);
    const staging = mkdtempSync(join(parent, `.${basename(resolve(dir))}.partial-`));
    mkdirSync(join(staging, "captures"));
    mkdirSync(join(staging, "baselines"));
    return staging;
  } catch (err) {
    throw new OutputNotWritableError(dir, err);
  }
}

/** Moves the complete staging folder to `dir` (an empty `dir` that exists is replaced). */
function publish(staging: string, dir: string): void {
  try {
    if (existsSync(dir)) rmdirSync(dir);
    renameSync(staging, dir);
    syncDirSync(dirname(resolve(dir)));
  } catch (err) {
    throw new OutputNotWritableError(dir, err);
  }
}

/**
 * The release check in steps: each mode captured, gated and counted; then the evidence files, the history,
 * the HTML page, the published folder and the step summary.
 * @returns the exit code of the overall verdict.
 */
async function checkRelease(values: FlagValues, p: CheckReleasePlan): Promise<number> {
  const gates: ReleaseGate[] = [];
  const countVerdicts: CountsVerdict[] = [];
  for (const b of p.baselines) {
    const checked = await checkMode(values, p, b);
    gates.push(checked.gate);
    countVerdicts.push(checked.counts);
  }
  const overall = overallVerdict([
    ...gates.map((g) => g.report.verdict),
    ...countVerdicts.flatMap((c) => (c.report ? [c.report.verdict] : [])),
  ]);
  const exitCode = VERDICT_EXIT[overall];
  writeInstructionVerdicts(p.staging, countVerdicts);
  const command = thisCommand();
  writeCommands(p, gates, command);
  const md = writeVerdictsAndReport(p, countVerdicts, {
    date: p.date.toISOString(),
    gates,
    config: p.config,
    command,
    overall: { verdict: overall, exit_code: exitCode },
    evidence_dir: p.dir,
  });
  const history = stringFlag(values, "history");
  await recordGates(gates, p.dir, history);
  // the page reads the folder's results (and the history's trends); written before the folder is published
  await writeEvidenceHtmlReport(p.staging, { history });
  publish(p.staging, p.dir);
  appendStepSummary(md);
  process.stdout.write(
    `evidence in ${p.dir} (report.md, report.html, verdicts.json, commands.txt, captures/)\n${overall}: exit code ${exitCode}\n`,
  );
  return exitCode;
}

/**
 * One mode: captures it, gates it against its baseline (capturing again where the variance rule asks), counts
 * its instructions where it can; writes its captures and baseline into the staging folder and prints both
 * verdicts.
 */
async function checkMode(
  values: FlagValues,
  p: CheckReleasePlan,
  b: ReleaseBaseline,
): Promise<{ gate: ReleaseGate; counts: CountsVerdict }> {
  const { engine, plan } = capturePlanFor(b.result, values, OWN_FLAGS);
  const first = await runCapture(engine, plan, `${b.mode} capture 1`);
  const { report, captures } = await runGate({
    baseline: b.result,
    candidate: first,
    config: p.config,
    baselineSource: b.path,
    candidateSource: `${b.mode} run`,
    captureAgain: () => runCapture(engine, plan, `${b.mode} capture 2 (variance rule)`),
    changedPaths: gitChangedPaths,
  });
  const files = captures.map((_, i) => `captures/${b.mode}-${i + 1}.json`);
  captures.forEach((c: BenchmarkResult, i) => {
    atomicWriteText(join(p.staging, files[i] as string), serializeResult(c));
  });
  report.candidate_sources = files;
  atomicWriteText(join(p.staging, "baselines", basename(b.path)), serializeResult(b.result));
  process.stdout.write(`${getFormat("text").render({ kind: "gate", report })}\n`);
  const counts = await countsVerdict(b.result, engine, plan, p.config);
  if (counts.capture)
    atomicWriteText(
      join(p.staging, "captures", `${b.mode}-instructions.json`),
      serializeResult(counts.capture),
    );
  process.stdout.write(`${counts.text}\n`);
  return { gate: { report, baseline: b.result, captures, capture_files: files }, counts };
}

/** instructions.json: each mode's instruction verdict, or why it was skipped (nothing when no mode ran). */
function writeInstructionVerdicts(staging: string, countVerdicts: readonly CountsVerdict[]): void {
  if (countVerdicts.length === 0) return;
  atomicWriteText(
    join(staging, "instructions.json"),
    `${JSON.stringify(
      countVerdicts.map((c) => c.report ?? { mode: c.mode, skipped: c.text }),
      null,
      2,
    )}\n`,
  );
}

/** commands.txt: this command, each capture as the equivalent bench command, the baselines' commands. */
function writeCommands(p: CheckReleasePlan, gates: readonly ReleaseGate[], command: string): void {
  const commands = [
    `# check-release (${p.date.toISOString()}, cwd ${process.cwd()})`,
    command,
    "",
    "# each capture, as the equivalent bench command",
    ...gates.flatMap((g) => g.captures.map((c, i) => `${g.capture_files[i]}: ${c.invocation.command}`)),
    "",
    "# baselines used, and the commands that captured them",
    ...gates.map((g) => `${g.report.baseline_source}: ${g.baseline.invocation.command}`),
    "",
    `# gate configuration: ${p.configPath ?? "built-in defaults"}`,
  ];
  atomicWriteText(join(p.staging, "commands.txt"), `${commands.join("\n")}\n`);
}

/**
 * verdicts.json and report.md (the release report, then the instruction counts).
 * @returns the Markdown report, for the step summary.
 */
function writeVerdictsAndReport(
  p: CheckReleasePlan,
  countVerdicts: readonly CountsVerdict[],
  release: ReleaseReportInput,
): string {
  atomicWriteText(join(p.staging, "verdicts.json"), getFormat("json").render({ kind: "release", release }));
  const md = `${getFormat("markdown").render({ kind: "release", release })}${countsMarkdown(countVerdicts)}`;
  atomicWriteText(join(p.staging, "report.md"), md);
  return md;
}

/** Records the baselines and every capture (with its gate's verdict) to the history store, when one is set. */
async function recordGates(
  gates: readonly ReleaseGate[],
  dir: string,
  history: string | undefined,
): Promise<void> {
  await recordToHistory(
    gates.flatMap((g) => [
      { result: g.baseline, source: g.report.baseline_source },
      ...g.captures.map((c, i) => ({
        result: c,
        verdict: g.report.verdict,
        source: join(dir, g.capture_files[i] ?? ""),
      })),
    ]),
    { history },
  );
}

/** Appends the Markdown report to $GITHUB_STEP_SUMMARY when set; a failure is reported, not fatal. */
function appendStepSummary(md: string): void {
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (!summary) return;
  try {
    appendFileSync(summary, md);
  } catch (err) {
    status(`cannot append to GITHUB_STEP_SUMMARY (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}
