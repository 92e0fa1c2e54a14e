/**
 * `perf-baseline check-release` (`make check-release`): runs the generation and embedding benchmarks, gates
 * each against its committed baseline (capturing again where the variance rule asks), and writes the release
 * evidence folder: the raw JSON of every capture, the baselines used, the exact commands, verdicts.json and
 * report.md (the seed's "Performance report template"), which is also appended to $GITHUB_STEP_SUMMARY.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { fileStamp } from "../../baseline/files.js";
import { readGateConfig } from "../../config/read-config.js";
import { overallVerdict } from "../../gate/overall.js";
import { runGate } from "../../gate/verdict.js";
import { renderGateText } from "../../report/gate-text.js";
import { type ReleaseGate, renderReleaseReport } from "../../report/markdown.js";
import { serializeResult } from "../../results/io.js";
import type { BenchmarkResult } from "../../results/schema.js";
import { atomicWriteText } from "../../util/atomic-file.js";
import { EXIT, OutputNotWritableError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, stringFlag } from "../args.js";
import { runCapture } from "../capture.js";
import { selectedModes } from "../common-flags.js";
import { capturePlanFor, gitChangedPaths, readBaseline, thisCommand } from "../gate-support.js";
import { status } from "../progress.js";
import { captureFlags } from "../run-flags.js";

const OWN_FLAGS = ["evidence-dir", "mode", "config"] as const;

/** `perf-baseline check-release`. */
export const checkReleaseCommand: Command = {
  name: "check-release",
  summary: "Run both benchmarks, gate each against its baseline and write the release evidence folder.",
  usage: "perf-baseline check-release [--evidence-dir DIR] [--mode both|generation|embedding] [options]",
  flags: {
    "evidence-dir": { type: "string", description: "the evidence folder", default: "evidence/<timestamp>" },
    mode: { type: "string", description: "which modes: both, generation or embedding", default: "both" },
    config: { type: "string", description: "gate configuration file", default: "perf-baseline.config.json" },
    ...captureFlags(),
  },
  async run(values) {
    const { config, path: configPath } = readGateConfig(stringFlag(values, "config"));
    const modes = selectedModes(values);
    const date = new Date();
    const dir = stringFlag(values, "evidence-dir") ?? join("evidence", fileStamp(date));
    assertWritablePath(join(dir, "report.md"));
    // every baseline is validated before anything runs: a bad one is exit 5 at once
    const baselines = modes.map((m) => ({
      mode: m,
      path: config.baselines[m],
      result: readBaseline(config.baselines[m], m),
    }));
    try {
      mkdirSync(join(dir, "captures"), { recursive: true });
      mkdirSync(join(dir, "baselines"), { recursive: true });
    } catch (err) {
      throw new OutputNotWritableError(dir, err);
    }

    const gates: ReleaseGate[] = [];
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
        atomicWriteText(join(dir, files[i] as string), serializeResult(c));
      });
      report.candidate_sources = files;
      atomicWriteText(join(dir, "baselines", basename(b.path)), serializeResult(b.result));
      gates.push({ report, baseline: b.result, captures, capture_files: files });
      process.stdout.write(`${renderGateText(report)}\n`);
    }

    const overall = overallVerdict(gates.map((g) => g.report.verdict));
    const exitCode = gates.find((g) => g.report.verdict === overall)?.report.exit_code ?? EXIT.ok;
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
    atomicWriteText(join(dir, "commands.txt"), `${commands.join("\n")}\n`);
    atomicWriteText(
      join(dir, "verdicts.json"),
      `${JSON.stringify(
        {
          date: date.toISOString(),
          command,
          overall: { verdict: overall, exit_code: exitCode },
          config,
          gates: gates.map((g) => g.report),
        },
        null,
        2,
      )}\n`,
    );
    const md = renderReleaseReport({
      date: date.toISOString(),
      gates,
      config,
      command,
      overall: { verdict: overall, exit_code: exitCode },
      evidence_dir: dir,
    });
    atomicWriteText(join(dir, "report.md"), md);
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) {
      try {
        appendFileSync(summary, md);
      } catch (err) {
        status(`cannot append to GITHUB_STEP_SUMMARY (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    }
    process.stdout.write(
      `${overall}: evidence in ${dir} (report.md, verdicts.json, commands.txt, captures/)\n`,
    );
    return exitCode;
  },
};
