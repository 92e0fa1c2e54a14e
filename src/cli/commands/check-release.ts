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
import type { ReleaseGate } from "../../report/markdown.js";
import { getFormat } from "../../report/registry.js";
import { serializeResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { atomicWriteText } from "../../util/atomic-file.js";
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
    mkdirSync(parent, { recursive: true });
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
  } catch (err) {
    throw new OutputNotWritableError(dir, err);
  }
}

async function checkRelease(values: FlagValues, p: CheckReleasePlan): Promise<number> {
  const { config, configPath, baselines, date, dir, staging } = p;
  {
    const gates: ReleaseGate[] = [];
    const countVerdicts: CountsVerdict[] = [];
    for (const b of baselines) {
      const { engine, plan } = capturePlanFor(b.result, values, OWN_FLAGS);
      const first = await runCapture(engine, plan, `${b.mode} capture 1`);
      const { report, captures } = await runGate({
        baseline: b.result,
        candidate: first,
        config,
        baselineSource: b.path,
        candidateSource: `${b.mode} run`,
        captureAgain: () => runCapture(engine, plan, `${b.mode} capture 2 (variance rule)`),
        changedPaths: gitChangedPaths,
      });
      const files = captures.map((_, i) => `captures/${b.mode}-${i + 1}.json`);
      captures.forEach((c: BenchmarkResult, i) => {
        atomicWriteText(join(staging, files[i] as string), serializeResult(c));
      });
      report.candidate_sources = files;
      atomicWriteText(join(staging, "baselines", basename(b.path)), serializeResult(b.result));
      gates.push({ report, baseline: b.result, captures, capture_files: files });
      process.stdout.write(`${getFormat("text").render({ kind: "gate", report })}\n`);
      const counts = await countsVerdict(b.result, engine, plan, config);
      countVerdicts.push(counts);
      if (counts.capture)
        atomicWriteText(
          join(staging, "captures", `${b.mode}-instructions.json`),
          serializeResult(counts.capture),
        );
      process.stdout.write(`${counts.text}\n`);
    }

    const verdicts = [
      ...gates.map((g) => g.report.verdict),
      ...countVerdicts.flatMap((c) => (c.report ? [c.report.verdict] : [])),
    ];
    const overall = overallVerdict(verdicts);
    const exitCode = VERDICT_EXIT[overall];
    if (countVerdicts.length > 0)
      atomicWriteText(
        join(staging, "instructions.json"),
        `${JSON.stringify(
          countVerdicts.map((c) => c.report ?? { mode: c.mode, skipped: c.text }),
          null,
          2,
        )}\n`,
      );
    const command = thisCommand();
    const commands = [
      `# check-release (${date.toISOString()}, cwd ${process.cwd()})`,
      command,
      "",
      "# each capture, as the equivalent bench command",
      ...gates.flatMap((g) => g.captures.map((c, i) => `${g.capture_files[i]}: ${c.invocation.command}`)),
      "",
      "# baselines used, and the commands that captured them",
      ...gates.map((g) => `${g.report.baseline_source}: ${g.baseline.invocation.command}`),
      "",
      `# gate configuration: ${configPath ?? "built-in defaults"}`,
    ];
    atomicWriteText(join(staging, "commands.txt"), `${commands.join("\n")}\n`);
    const release = {
      date: date.toISOString(),
      gates,
      config,
      command,
      overall: { verdict: overall, exit_code: exitCode },
      evidence_dir: dir,
    };
    atomicWriteText(join(staging, "verdicts.json"), getFormat("json").render({ kind: "release", release }));
    const md = `${getFormat("markdown").render({ kind: "release", release })}${countsMarkdown(countVerdicts)}`;
    atomicWriteText(join(staging, "report.md"), md);
    const history = stringFlag(values, "history");
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
    // the page reads the folder's results (and the history's trends); written before the folder is published
    await writeEvidenceHtmlReport(staging, { history });
    publish(staging, dir);
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) {
      try {
        appendFileSync(summary, md);
      } catch (err) {
        status(`cannot append to GITHUB_STEP_SUMMARY (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    }
    process.stdout.write(
      `evidence in ${dir} (report.md, report.html, verdicts.json, commands.txt, captures/)\n${overall}: exit code ${exitCode}\n`,
    );
    return exitCode;
  }
}
